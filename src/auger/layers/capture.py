"""Which files a layer scan keeps the contents of: the package databases, nothing else.

Package attribution needs the small files in which package managers record what they
installed (dpkg's status and file lists, apk's installed database, rpm's sqlite database,
Python's ``RECORD`` and ``METADATA``, npm's ``package.json`` and lockfiles). :func:`wanted` says
whether a regular file's path is one of them; it runs on every file of every layer, so its
common answer, *no*, costs one slice and one set lookup. Contents are kept only up to
:data:`MAX_FILE` bytes per file and :data:`MAX_LAYER` bytes per layer, so that an image cannot
make a scan hold more than that in memory; a file over either cap is named in the layer's
warnings and left unread.
"""

from __future__ import annotations

MAX_FILE = 32 * 1024 * 1024
"""The largest database file kept (an ``rpmdb.sqlite`` of a full distribution is ~20 MB)."""
MAX_LAYER = 128 * 1024 * 1024
"""The most bytes one layer's captured files may hold together."""

DPKG_STATUS = "var/lib/dpkg/status"
DPKG_INFO = "var/lib/dpkg/info/"
DPKG_STATUS_D = "var/lib/dpkg/status.d/"
APK_INSTALLED = "lib/apk/db/installed"
RPM_SQLITE = ("var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite")
RPM_UNSUPPORTED = (
    "var/lib/rpm/Packages",
    "var/lib/rpm/Packages.db",
    "usr/lib/sysimage/rpm/Packages",
    "usr/lib/sysimage/rpm/Packages.db",
)
"""BerkeleyDB (``Packages``) and ndb (``Packages.db``) databases: seen, never read."""

_TAILS = frozenset(
    name[-5:]
    for name in (
        "status",  # dpkg
        ".list",  # dpkg file lists
        ".md5sums",  # distroless dpkg file lists
        "installed",  # apk
        "rpmdb.sqlite",
        "RECORD",  # Python
        "METADATA",
        "package.json",  # npm
        "package-lock.json",
    )
)
"""The last five characters of every name :func:`wanted` can accept."""


def wanted(path: str) -> bool:
    """True if ``path`` (a normalised layer path of a regular file) is a package database file
    whose contents attribution reads."""
    if path[-5:] not in _TAILS:
        return path.startswith(DPKG_STATUS_D)  # distroless: a paragraph per package
    return _precise(path)


def _precise(path: str) -> bool:
    """The full test, for the few paths whose last characters look right."""
    if path.startswith("var/lib/dpkg/"):
        return (
            path == DPKG_STATUS
            or (
                path.startswith(DPKG_INFO)
                and path.endswith(".list")
                and "/" not in path[len(DPKG_INFO) :]
            )
            or path.startswith(DPKG_STATUS_D)
        )
    if path == APK_INSTALLED or path in RPM_SQLITE:
        return True
    head, _, name = path.rpartition("/")
    if name in ("RECORD", "METADATA"):
        return head.endswith(".dist-info")
    # a project's manifest or lockfile, a package's manifest in node_modules, or npm's hidden
    # node_modules/.package-lock.json
    return name in ("package.json", "package-lock.json", ".package-lock.json")
