"""Which files a layer scan keeps the contents of: the package databases, nothing else.

Package attribution needs the small files in which package managers record what they
installed (dpkg's status and file lists, apk's installed database, rpm's sqlite database,
Python's ``RECORD`` and ``METADATA``, npm's ``package.json`` and lockfiles). :func:`wanted` says
whether a path is one of them; a :class:`Collector` keeps their contents while the tar reader
passes them, and asks :func:`wanted` only about names ending with the right byte, so that
scanning the other files costs one set lookup each. Contents are kept only up to
:data:`MAX_FILE` bytes per file and :data:`MAX_LAYER` bytes per layer (per layer, so that a
layer's scan stays a function of the layer alone), so that an image cannot make a scan hold
more than that in memory; a file over either cap is named in the layer's warnings and left
unread. No other file's contents are ever kept.
"""

from __future__ import annotations

from collections.abc import Container

from auger.display import display
from auger.layers import paths

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

_SUFFIXES = (
    "status",
    ".list",
    ".md5sums",
    "installed",
    "rpmdb.sqlite",
    "RECORD",
    "METADATA",
    "package.json",
    "package-lock.json",
)
_LAST = frozenset(name[-1:].encode() for name in _SUFFIXES)
"""The last byte of every name :func:`wanted` can accept (but a distroless ``status.d``'s)."""
_LAST_THREE = frozenset(name[-3:].encode() for name in _SUFFIXES)
"""The last three bytes of every such name."""
_TAILS = frozenset(name[-5:] for name in _SUFFIXES)
"""The last five characters of every name :func:`wanted` can accept."""


_PACKAGE_DIRECTORIES = ("site-packages", "dist-packages")
"""Where Python installs distributions (a ``.dist-info`` elsewhere is vendored inside one)."""


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
    if name in ("RECORD", "METADATA"):  # of a distribution installed in a package directory
        directory, _, dist_info = head.rpartition("/")
        return dist_info.endswith(".dist-info") and directory.endswith(_PACKAGE_DIRECTORIES)
    # a project's manifest or lockfile, a package's manifest in node_modules, or npm's hidden
    # node_modules/.package-lock.json
    return name in ("package.json", "package-lock.json", ".package-lock.json")


class _Anything:
    """A container of everything."""

    def __contains__(self, item: object) -> bool:
        return True


class Collector:
    """Keeps a layer's package database files while its tar is read (a reader's content sink).

    The reader asks about a file only when its name ends with the bytes some database name ends
    with. Distroless images name their dpkg files after packages (``status.d/libc6``), so a
    layer that has a ``status.d`` directory makes the collector ask about every later file.
    """

    __slots__ = ("files", "last", "peak", "tails", "total", "warnings")

    def __init__(self) -> None:
        self.last: set[bytes] = set(_LAST)
        self.tails: Container[bytes] = _LAST_THREE
        self.files: dict[str, bytes] = {}
        """Normalised path to contents."""
        self.total = 0
        self.peak = 0
        """The largest total a file checked against :data:`MAX_LAYER` would have made."""
        self.warnings: list[str] = []

    @property
    def asks_about_every_file(self) -> bool:
        """True once a ``status.d`` directory made the collector ask about every later file."""
        return isinstance(self.tails, _Anything)

    def saw_directory(self, path: str) -> None:
        """Note a directory entry (a normalised path) of the layer."""
        if path == DPKG_STATUS_D.rstrip("/"):
            self.last.update(bytes([byte]) for byte in range(256))
            self.tails = _Anything()

    def wants(self, name: bytes, size: int) -> bool:
        """True to keep the contents of the file ``name`` (a raw tar name) of ``size`` bytes."""
        path = paths.normalize(name.decode("utf-8", "surrogateescape"))[0]
        if not wanted(path):
            return False
        if size > MAX_FILE:
            self.warnings.append(
                f"{display(path)} ({size} bytes) is larger than {MAX_FILE} bytes: "
                "its packages are not read"
            )
            return False
        self.peak = max(self.peak, self.total + size)
        if self.total + size > MAX_LAYER:
            self.warnings.append(
                f"{display(path)}: the layer's package databases exceed {MAX_LAYER} "
                "bytes: its packages are not read"
            )
            return False
        return True

    def keep(self, name: bytes, data: bytes) -> None:
        """Keep the contents of ``name``."""
        path = paths.normalize(name.decode("utf-8", "surrogateescape"))[0]
        previous = self.files.get(path)
        if previous is not None:
            self.total -= len(previous)
        self.files[path] = data
        self.total += len(data)
