"""The report page's attribution tables: the packages and what removing a group would save.

Each function takes the report's :class:`~auger.attribution.summary.Attribution` (or ``None``
when the report has none) and returns a :class:`~auger.report.html.tables.Table`, or ``None``
when there is nothing to list. Package names and versions come from the image's package
databases and are escaped like any other name.
"""

from __future__ import annotations

from auger.attribution.ownership import PackageUsage
from auger.attribution.summary import Attribution, GroupSaving
from auger.display import format_size
from auger.report.attribution import group_sentence
from auger.report.html import tables
from auger.report.html.tables import Cell, Column, Table, name, number, size, words


def _package(usage: PackageUsage) -> tuple[Cell, ...]:
    package = usage.package
    flags = [flag for flag, on in (("dev", package.dev), ("removed", not usage.installed)) if on]
    return (
        name(package.name),
        words(package.manager.value),
        name(package.version) if package.version else words("—"),
        size(usage.size_bytes),
        size(usage.wasted_bytes),
        number(usage.files),
        number(usage.layer) if usage.layer is not None else Cell("—"),
        words(", ".join(flags)),
    )


def packages_table(attribution: Attribution | None) -> Table | None:
    """Every package, largest in the final image first, and the bytes no package owns."""
    if attribution is None or not attribution.ownership.packages:
        return None
    columns = [
        Column("package"),
        Column("manager"),
        Column("version"),
        Column("size", numeric=True),
        Column("wasted", numeric=True),
        Column("files", numeric=True),
        Column("installed by layer", numeric=True),
        Column("flags"),
    ]
    unowned = format_size(attribution.ownership.unowned_bytes)
    return tables.table(
        "packages",
        "Packages",
        columns,
        attribution.ownership.packages,
        row=_package,
        note=f"Files in no package: {unowned}.",
    )


def _group(saving: GroupSaving) -> tuple[Cell, ...]:
    group = saving.group
    members = ", ".join(usage.package.name for usage in group.packages[:10])
    more = f" and {len(group.packages) - 10} more" if len(group.packages) > 10 else ""
    return (
        words(group.title),
        size(group.size_bytes),
        words(members + more if members else "—"),
        size(saving.saves_bytes),
        words(f"{group_sentence(saving)}; {group.fix}"),
    )


def groups_table(attribution: Attribution | None) -> Table | None:
    """The groups of packages or paths one fix removes, with the simulated saving."""
    if attribution is None or not attribution.groups:
        return None
    columns = [
        Column("group"),
        Column("size", numeric=True),
        Column("packages"),
        Column("saves", numeric=True),
        Column("fix"),
    ]
    return tables.table("groups", "Groups", columns, attribution.groups, row=_group)
