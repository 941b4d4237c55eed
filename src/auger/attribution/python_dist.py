"""Python distributions: ``*.dist-info/RECORD`` and ``METADATA`` in any package directory.

A distribution installed by pip (or any installer following the packaging specifications)
has a ``NAME-VERSION.dist-info`` directory beside its modules, in ``site-packages`` or
``dist-packages`` wherever that is. ``METADATA`` gives the name and version; ``RECORD`` is a
CSV of every installed file (path relative to the directory holding the ``.dist-info``, hash,
size), exactly what ``pip show -f`` lists. A ``.dist-info`` vendored inside another
distribution (``setuptools/_vendor/packaging-24.2.dist-info``) is not installed, and its
files are the vendoring distribution's, as pip sees them.
"""

from __future__ import annotations

import csv
import email.parser
from collections.abc import Mapping

from auger.attribution.control import decode
from auger.attribution.packages import DatabaseNote, Inventory, Manager, Package
from auger.layers import paths


def _metadata(text: str) -> tuple[str, str]:
    headers = email.parser.HeaderParser().parsestr(text, headersonly=True)
    return str(headers.get("Name", "") or ""), str(headers.get("Version", "") or "")


def _from_directory_name(dist_info: str) -> tuple[str, str]:
    """``(name, version)`` from ``NAME-VERSION.dist-info``."""
    stem = paths.basename(dist_info).removesuffix(".dist-info")
    name, _, version = stem.partition("-")
    return name, version


def _record(text: str, root: str) -> tuple[tuple[str, ...], int]:
    """The normalised paths a RECORD lists (relative to ``root``), and the sum of its sizes."""
    files = []
    total = 0
    for row in csv.reader(text.splitlines()):
        if not row or not row[0]:
            continue
        path, escaped = paths.normalize(paths.join(root, row[0]))
        if path and not escaped:
            files.append(path)
        if len(row) >= 3 and row[2].isdigit():
            total += int(row[2])
    return tuple(files), total


def read_dist_info(files: Mapping[str, bytes]) -> Inventory:
    """Every distribution whose ``.dist-info/RECORD`` is in ``files``."""
    packages = []
    notes = []
    for path, data in files.items():
        dist_info, _, name = path.rpartition("/")
        if name != "RECORD" or not dist_info.endswith(".dist-info"):
            continue
        root = paths.parent(dist_info)
        if paths.basename(root) not in ("site-packages", "dist-packages"):
            continue  # vendored in another distribution
        metadata = files.get(f"{dist_info}/METADATA")
        package_name, version = _from_directory_name(dist_info)
        if metadata is not None:
            named, versioned = _metadata(decode(metadata))
            package_name, version = named or package_name, versioned or version
        try:
            listed, total = _record(decode(data), root)
        except csv.Error as error:
            notes.append(DatabaseNote(path, f"not a readable RECORD ({error})"))
            continue
        packages.append(
            Package(
                manager=Manager.PYTHON,
                name=package_name,
                version=version,
                files=listed,
                database=path,
                location=root,
                declared_size=total,
            )
        )
    return Inventory(tuple(packages), tuple(notes))
