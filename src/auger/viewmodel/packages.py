"""The explorer's packages view and the owner shown beside each file, without Textual.

Rows of every package the image's databases list, largest first, as text the table shows
(every name escaped); the owner of a path of the tree, cut to a fixed width.
"""

from __future__ import annotations

from dataclasses import dataclass

from auger.attribution.ownership import Ownership
from auger.display import display
from auger.viewmodel.attributes import size

OWNER_WIDTH = 16
"""The width of the owner column beside the attributes."""


@dataclass(frozen=True, slots=True)
class PackageRow:
    """One row of the packages view."""

    size: str
    wasted: str
    layer: str
    manager: str
    name: str
    version: str
    note: str
    """``dev`` for a development dependency, ``removed`` for a package a layer removed."""
    layer_index: int | None
    """Where choosing the row goes."""


def package_rows(ownership: Ownership) -> list[PackageRow]:
    """The rows of the packages view, largest first."""
    rows = []
    for usage in ownership.packages:
        package = usage.package
        notes = [
            note for note, on in (("dev", package.dev), ("removed", not usage.installed)) if on
        ]
        rows.append(
            PackageRow(
                size=size(usage.size_bytes),
                wasted=size(usage.wasted_bytes) if usage.wasted_bytes else "",
                layer=str(usage.layer) if usage.layer is not None else "-",
                manager=package.manager.value,
                name=display(package.name),
                version=display(package.version),
                note=", ".join(notes),
                layer_index=usage.layer,
            )
        )
    return rows


def owner_label(ownership: Ownership, path: str) -> str:
    """The owner column for ``path``: the package's name (cut to fit), or ``-``."""
    usage = ownership.owner(path)
    if usage is None:
        return "-".ljust(OWNER_WIDTH)
    name = display(usage.package.name)
    if len(name) > OWNER_WIDTH:
        name = name[: OWNER_WIDTH - 1] + "…"
    return name.ljust(OWNER_WIDTH)
