"""Map files to the packages that own them, and count each package's bytes.

The packages are those the final filesystem's databases list, plus those an earlier layer's
database listed and a later layer removed (their bytes can only be waste). A package's files
are resolved through the final filesystem's directory links; a file listed by two packages
goes to the one read last (see :mod:`~auger.attribution.databases`); a file below an npm
package's directory, and not in a nested ``node_modules``, belongs to that package.

Per package: the bytes of the final filesystem it owns (regular files, each counted once, as
:attr:`~auger.model.ImageAnalysis.final_size` counts them), the wasted bytes stored at its
paths, and the layer that installed it: the lowest layer whose own copy of the database lists
the package at its final version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from auger.attribution import npm
from auger.attribution.databases import read_packages
from auger.attribution.packages import DatabaseNote, Manager, Package
from auger.attribution.resolve import Resolver
from auger.layers import capture
from auger.model import EntryKind, VisibleEntry, WasteItem

_DIR = EntryKind.DIR


@dataclass(frozen=True, slots=True)
class PackageUsage:
    """One package and the bytes it accounts for."""

    package: Package
    size_bytes: int
    """Bytes of the final filesystem in files the package owns."""
    wasted_bytes: int
    """Bytes stored at the package's paths that the final filesystem does not show."""
    layer: int | None
    """The layer that installed the package (at the version it has), when known."""
    files: int
    """How many regular files of the final filesystem it owns."""
    installed: bool = True
    """False for a package a later layer removed."""


@dataclass(frozen=True, slots=True)
class Ownership:
    """Every package of an image, what each owns, and the bytes nobody owns."""

    packages: tuple[PackageUsage, ...]
    """Largest in the final image first (then most wasted, then by name)."""
    owners: Mapping[str, int]
    """Resolved path to the index in :attr:`packages` of its owner (npm packages own whole
    directories: use :meth:`owner`)."""
    npm_directories: Mapping[str, int]
    unowned_bytes: int
    """Bytes of the final filesystem that no package owns."""
    notes: tuple[DatabaseNote, ...] = ()

    def owner(self, path: str) -> PackageUsage | None:
        """The package that owns the final-filesystem ``path``, if any."""
        index = self.owners.get(path)
        if index is None:
            directory = npm.package_directory(path)
            index = self.npm_directories.get(directory) if directory is not None else None
        return self.packages[index] if index is not None else None


def final_files(
    captured: Sequence[Mapping[str, bytes]], visible: Mapping[str, VisibleEntry]
) -> dict[str, bytes]:
    """The captured files the final filesystem shows: each from the layer that provides it."""
    files = {}
    for layer, found in enumerate(captured):
        for path, data in found.items():
            shown = visible.get(path)
            if shown is not None and shown.layer == layer and shown.entry is not None:
                files[path] = data
    return files


def _first_layers(
    captured: Sequence[Mapping[str, bytes]],
) -> tuple[dict[tuple[Manager, str, str, str], int], dict[tuple[Manager, str, str], Package]]:
    """For each package version, the lowest layer whose captured database lists it; and the
    latest listing of every package any layer's database had."""
    first: dict[tuple[Manager, str, str, str], int] = {}
    latest: dict[tuple[Manager, str, str], Package] = {}
    for layer, found in enumerate(captured):
        if not found:
            continue
        for package in read_packages(found).packages:
            first.setdefault((*package.key, package.version), layer)
            earlier = latest.get(package.key)
            if earlier is None or package.files or not earlier.files:
                latest[package.key] = package
    return first, latest


class _Tally:
    __slots__ = ("files", "layers", "size", "wasted")

    def __init__(self) -> None:
        self.size = 0
        self.wasted = 0
        self.files = 0
        self.layers: dict[int, int] = {}
        """Bytes per layer that provides them."""

    def main_layer(self) -> int | None:
        """The layer that provides most of the package's bytes."""
        return max(self.layers, key=lambda layer: (self.layers[layer], -layer), default=None)


def attribute(
    captured: Sequence[Mapping[str, bytes]],
    visible: Mapping[str, VisibleEntry],
    waste: Sequence[WasteItem],
) -> Ownership:
    """Attribute the final filesystem ``visible`` and the ``waste`` to packages, reading the
    databases from each layer's ``captured`` files."""
    present = [path for path in capture.RPM_UNSUPPORTED if path in visible]
    inventory = read_packages(final_files(captured, visible), present)
    first, latest = _first_layers(captured)
    packages = list(inventory.packages)
    installed = {package.key for package in packages}
    removed = [package for key, package in latest.items() if key not in installed]
    packages.extend(removed)
    resolver = Resolver(visible)
    owners: dict[str, int] = {}
    npm_directories: dict[str, int] = {}
    for index, package in enumerate(packages):
        if package.manager is Manager.NPM:
            npm_directories[package.location] = index
        for path in package.files:
            real = resolver.path(path)
            shown = visible.get(real)
            if shown is None or (shown.entry is not None and shown.entry.kind is not _DIR):
                owners[real] = index  # directories are shared: nobody owns them
    tallies = [_Tally() for _ in packages]

    def owner_of(path: str) -> int | None:
        index = owners.get(path)
        if index is None and "node_modules/" in path:
            directory = npm.package_directory(path)
            index = npm_directories.get(directory) if directory is not None else None
        return index

    unowned = 0
    for path, shown in visible.items():
        entry = shown.entry
        if entry is None or entry.kind is not EntryKind.FILE:
            continue
        owner = owner_of(path)
        if owner is None:
            unowned += entry.size
            continue
        tally = tallies[owner]
        tally.size += entry.size
        tally.files += 1
        tally.layers[shown.layer] = tally.layers.get(shown.layer, 0) + entry.size
    for item in waste:
        owner = owner_of(item.path)
        if owner is not None:
            tallies[owner].wasted += item.size
    usages = []
    for package, tally in zip(packages, tallies, strict=True):
        layer = first.get((*package.key, package.version))
        if layer is None:
            layer = tally.main_layer()
        usages.append(
            PackageUsage(
                package=package,
                size_bytes=tally.size,
                wasted_bytes=tally.wasted,
                layer=layer,
                files=tally.files,
                installed=package.key in installed,
            )
        )
    order = sorted(
        range(len(usages)),
        key=lambda i: (-usages[i].size_bytes, -usages[i].wasted_bytes, usages[i].package.name),
    )
    position = {old: new for new, old in enumerate(order)}
    return Ownership(
        packages=tuple(usages[i] for i in order),
        owners={path: position[index] for path, index in owners.items()},
        npm_directories={path: position[index] for path, index in npm_directories.items()},
        unowned_bytes=unowned,
        notes=inventory.notes,
    )
