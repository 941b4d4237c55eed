"""dpkg's database: ``/var/lib/dpkg/status`` with ``info/*.list``, and distroless ``status.d``.

Every paragraph of ``status`` whose state is not ``not-installed`` is a package; its files are
the lines of ``info/NAME.list`` (or ``info/NAME:ARCH.list`` for a ``Multi-Arch: same``
package), exactly what ``dpkg -L`` prints. Distroless images have no ``status`` file but one
paragraph per package in ``status.d/NAME``, with the files listed in ``status.d/NAME.md5sums``.
"""

from __future__ import annotations

from collections.abc import Mapping

from auger.attribution.control import decode, paragraphs
from auger.attribution.packages import DatabaseNote, Inventory, Manager, Package
from auger.layers import capture, paths


def _list_paths(text: str) -> tuple[str, ...]:
    """Normalised paths of a ``.list`` file (the root, ``/.``, left out)."""
    listed = (paths.normalize(line)[0] for line in text.splitlines() if line.strip())
    return tuple(path for path in listed if path)


def _md5sums_paths(text: str) -> tuple[str, ...]:
    """Normalised paths of an ``md5sums`` file (``HASH  PATH`` per line)."""
    listed = []
    for line in text.splitlines():
        _, _, name = line.partition("  ")
        path = paths.normalize(name)[0] if name else ""
        if path:
            listed.append(path)
    return tuple(listed)


def _kib(value: str) -> int | None:
    return int(value) * 1024 if value.isdigit() else None


def _package(fields: dict[str, str], files: tuple[str, ...], database: str) -> Package:
    source = fields.get("source", "").split(" ", 1)[0]
    return Package(
        manager=Manager.DPKG,
        name=fields["package"],
        version=fields.get("version", ""),
        files=files,
        database=database,
        section=fields.get("section", ""),
        source=source or fields["package"],
        declared_size=_kib(fields.get("installed-size", "")),
    )


def read_status(files: Mapping[str, bytes]) -> Inventory:
    """The packages of ``var/lib/dpkg/status`` (with their ``info/*.list`` files) in ``files``."""
    data = files.get(capture.DPKG_STATUS)
    if data is None:
        return Inventory(())
    packages = []
    for fields in paragraphs(decode(data)):
        name = fields.get("package")
        if not name or fields.get("status", "").endswith("not-installed"):
            continue
        arch = fields.get("architecture", "")
        listed = files.get(f"{capture.DPKG_INFO}{name}:{arch}.list")
        if listed is None:
            listed = files.get(f"{capture.DPKG_INFO}{name}.list")
        package_files = _list_paths(decode(listed)) if listed is not None else ()
        packages.append(_package(fields, package_files, capture.DPKG_STATUS))
    return Inventory(tuple(packages))


def read_status_d(files: Mapping[str, bytes]) -> Inventory:
    """The packages of distroless ``var/lib/dpkg/status.d/`` in ``files``."""
    packages = []
    notes = []
    for path, data in files.items():
        if not path.startswith(capture.DPKG_STATUS_D) or path.endswith(".md5sums"):
            continue
        found = list(paragraphs(decode(data)))
        if len(found) != 1 or not found[0].get("package"):
            notes.append(DatabaseNote(path, "not a dpkg status paragraph; skipped"))
            continue
        listed = files.get(path + ".md5sums")
        package_files = _md5sums_paths(decode(listed)) if listed is not None else ()
        packages.append(_package(found[0], package_files, path))
    return Inventory(tuple(packages), tuple(notes))
