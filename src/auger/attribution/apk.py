"""apk's database: ``/lib/apk/db/installed``.

One paragraph per package, one ``K:value`` line per field: ``P`` name, ``V`` version, ``o``
origin, ``I`` installed size in bytes; each ``F`` line names a directory (relative to the root)
and the ``R`` lines after it the files in that directory, as ``apk info -L`` lists them.
"""

from __future__ import annotations

from collections.abc import Mapping

from auger.attribution.control import decode
from auger.attribution.packages import Inventory, Manager, Package
from auger.layers import capture, paths


def _package(fields: dict[str, str], files: list[str]) -> Package | None:
    name = fields.get("P")
    if not name:
        return None
    size = fields.get("I", "")
    return Package(
        manager=Manager.APK,
        name=name,
        version=fields.get("V", ""),
        files=tuple(files),
        database=capture.APK_INSTALLED,
        section=fields.get("o", ""),
        source=fields.get("o", "") or name,
        declared_size=int(size) if size.isdigit() else None,
    )


def read_installed(files: Mapping[str, bytes]) -> Inventory:
    """The packages of ``lib/apk/db/installed`` in ``files``."""
    data = files.get(capture.APK_INSTALLED)
    if data is None:
        return Inventory(())
    packages = []
    fields: dict[str, str] = {}
    package_files: list[str] = []
    directory = ""
    for line in [*decode(data).splitlines(), ""]:
        if not line.strip():
            package = _package(fields, package_files)
            if package is not None:
                packages.append(package)
            fields, package_files, directory = {}, [], ""
            continue
        key, colon, value = line.partition(":")
        if not colon or len(key) != 1:
            continue
        if key == "F":
            directory = paths.normalize(value)[0]
        elif key == "R":
            path = paths.normalize(paths.join(directory, value) if directory else value)[0]
            if path:
                package_files.append(path)
        else:
            fields.setdefault(key, value)
    return Inventory(tuple(packages))
