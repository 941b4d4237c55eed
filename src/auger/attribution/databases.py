"""Every package database in one set of captured files, read by the reader for its format."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from auger.attribution import apk, dpkg, npm, python_dist, rpm
from auger.attribution.packages import Inventory, Package

_READERS: tuple[Callable[[Mapping[str, bytes]], Inventory], ...] = (
    dpkg.read_status,
    dpkg.read_status_d,
    apk.read_installed,
    rpm.read_sqlite,
    python_dist.read_dist_info,
    npm.read_node_modules,
)
"""System databases first: a file two databases list goes to the later one (the language
package installed over the system one)."""


def read_packages(files: Mapping[str, bytes], present: Iterable[str] = ()) -> Inventory:
    """The packages of every database in ``files`` (path to contents), plus notes about the
    unsupported databases among the paths ``present``."""
    packages: list[Package] = []
    notes = list(rpm.unsupported(present))
    for reader in _READERS:
        found = reader(files)
        packages.extend(found.packages)
        notes.extend(found.notes)
    return Inventory(tuple(packages), tuple(notes))
