"""Groups of bytes that one fix removes together.

- **build toolchain**: compilers, binutils, make, headers (``*-dev``, ``*-devel``) and the
  meta-packages that pull them in (``build-essential``, ``build-base``): a multi-stage build
  leaves them in the build stage;
- **development dependencies**: npm packages only ``devDependencies`` need
  (``npm ci --omit=dev``);
- **docs, man pages and locales**: ``/usr/share/doc``, ``man``, ``info`` and ``locale``
  (copyright files and ``locale.alias`` kept), which a slim image excludes from dpkg.

Each group says what it holds and the :mod:`~auger.attribution.whatif` change that removes it,
so that its saving is simulated, not summed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from auger.attribution.ownership import Ownership, PackageUsage
from auger.attribution.packages import Manager
from auger.attribution.whatif import Change, Drop, DropPaths
from auger.layers.globs import compile_glob
from auger.model import EntryKind, VisibleEntry

TOOLCHAIN = "build-toolchain"
DEV_DEPENDENCIES = "dev-dependencies"
DOCS = "docs"

_COMMON = (
    r"gcc(-\d+)?|g\+\+(-\d+)?|cpp(-\d+)?|c\+\+|clang(-\d+)?|llvm(-\d+)?(-.*)?|lld(-\d+)?"
    r"|binutils(-.*)?|make|cmake(-data)?|ninja(-build)?|autoconf|automake|libtool"
    r"|pkg-?conf(ig)?(-bin)?|bison|flex|m4|patch|gfortran(-\d+)?|rust(c)?|cargo|golang(-.*)?|go"
)
_TOOLCHAIN_NAMES = {
    Manager.DPKG: re.compile(
        rf"(?:{_COMMON}|build-essential|dpkg-dev|make-guile|libbinutils|libctf(-nobfd)?\d*"
        r"|libgprofng\d*|libsframe\d*|libc-dev-bin|lib(a|l|t|ub|hwa)san\d+|libitm\d+"
        r"|libcc1-\d+|libisl\d+|libmpc\d+|.*-dev|.*-dev-bin)"
    ),
    Manager.APK: re.compile(
        rf"(?:{_COMMON}|build-base|musl-dev|libc-dev|fortify-headers|isl\d*|mpc1|.*-dev)"
    ),
    Manager.RPM: re.compile(
        rf"(?:{_COMMON}|gcc-c\+\+|gcc-plugin-annobin|annobin.*|glibc-headers|kernel-headers"
        r"|lib(a|l|t|ub)san|libmpc|isl|.*-devel)"
    ),
}

DOC_GLOBS = (
    "/usr/share/doc/**",
    "/usr/share/man/**",
    "/usr/share/info/**",
    "/usr/share/locale/**",
    "/usr/share/gtk-doc/**",
    "/usr/share/help/**",
    "/usr/local/share/man/**",
)
DOC_KEEP = ("/usr/share/doc/*/copyright", "/usr/share/locale/locale.alias")


@dataclass(frozen=True, slots=True)
class Group:
    """Bytes of the final image that one fix removes."""

    id: str
    title: str
    size_bytes: int
    """Bytes of the final filesystem in the group."""
    packages: tuple[PackageUsage, ...]
    """The packages in the group, largest first (none for docs)."""
    change: Change
    """What the fix stops storing, for :func:`~auger.attribution.whatif.simulate`."""
    fix: str
    layers: tuple[int, ...] = ()
    """The layers that put the group's bytes there."""
    examples: tuple[str, ...] = ()
    """A few of its packages' names, or of its paths (``/usr/share/doc/...``)."""


def is_toolchain(usage: PackageUsage) -> bool:
    """True for a compiler, binutils, make, headers or a build meta-package."""
    names = _TOOLCHAIN_NAMES.get(usage.package.manager)
    return names is not None and names.fullmatch(usage.package.name) is not None


def _package_group(
    group_id: str, title: str, fix: str, members: list[int], ownership: Ownership
) -> Group | None:
    """The group of the packages at ``members`` (indexes into ``ownership.packages``)."""
    if not members:
        return None
    chosen = set(members)
    usages = [ownership.packages[index] for index in members]
    owned = frozenset(path for path, index in ownership.owners.items() if index in chosen)
    under = tuple(
        usage.package.location for usage in usages if usage.package.manager is Manager.NPM
    )
    return Group(
        id=group_id,
        title=title,
        size_bytes=sum(usage.size_bytes for usage in usages),
        packages=tuple(usages),
        change=DropPaths(owned, under),
        fix=fix,
        layers=tuple(sorted({usage.layer for usage in usages if usage.layer is not None})),
        examples=tuple(usage.package.name for usage in usages[:5]),
    )


def _docs(visible: Mapping[str, VisibleEntry]) -> Group | None:
    match = re.compile("|".join(f"(?:{compile_glob(g).pattern})" for g in DOC_GLOBS), re.DOTALL)
    keep = re.compile("|".join(f"(?:{compile_glob(g).pattern})" for g in DOC_KEEP), re.DOTALL)
    size = 0
    layers: set[int] = set()
    examples: list[tuple[int, str]] = []
    for path, shown in visible.items():
        entry = shown.entry
        if entry is None or entry.kind is not EntryKind.FILE or not path.startswith("usr/"):
            continue
        rooted = "/" + path
        if match.match(rooted) and not keep.match(rooted):
            size += entry.size
            layers.add(shown.layer)
            examples.append((-entry.size, rooted))
    if not layers:
        return None
    return Group(
        id=DOCS,
        title="docs, man pages and locales",
        size_bytes=size,
        packages=(),
        change=Drop(DOC_GLOBS, DOC_KEEP),
        fix="exclude them from installs (dpkg path-exclude for /usr/share/doc, man, info and "
        "locale) or delete them in the RUN that installs the packages",
        layers=tuple(sorted(layers)),
        examples=tuple(path for _, path in sorted(examples)[:5]),
    )


def find_groups(ownership: Ownership, visible: Mapping[str, VisibleEntry]) -> tuple[Group, ...]:
    """The groups present in an image, largest first."""
    installed = [index for index, usage in enumerate(ownership.packages) if usage.installed]
    toolchain = [index for index in installed if is_toolchain(ownership.packages[index])]
    dev = [index for index in installed if ownership.packages[index].package.dev]
    groups = [
        _package_group(
            TOOLCHAIN,
            "build toolchain in the final image",
            "build in a separate stage and copy only the result (multi-stage build)",
            toolchain,
            ownership,
        ),
        _package_group(
            DEV_DEPENDENCIES,
            "development dependencies in the final image",
            "install with npm ci --omit=dev (or prune them in a build stage)",
            dev,
            ownership,
        ),
        _docs(visible),
    ]
    found = [group for group in groups if group is not None]
    found.sort(key=lambda group: (-group.size_bytes, group.id))
    return tuple(found)
