"""Attribution in reports: packages, groups with their savings, and Dockerfile lines.

Pure helpers the text, JSON and Markdown formatters share: the JSON records
(``packages: [{manager, name, version, size_bytes, wasted_bytes, layer, dev}]``, largest
first; ``groups``; a layer's or an advice item's ``instruction: {line, text}``), and the lines
of the text and Markdown sections. Every name is escaped by the caller's format.
"""

from __future__ import annotations

from typing import Any

from auger.analysis.advice import Finding
from auger.attribution.summary import Attribution, GroupSaving, SourceLine
from auger.display import display, format_size
from auger.report.markdown import cell, inline

TOP_PACKAGES = 10


def instruction_data(line: SourceLine | None) -> dict[str, Any] | None:
    """``{line, text}`` for JSON (with the file as given), or ``None``."""
    if line is None:
        return None
    return {"file": display(line.path), "line": line.line, "text": display(line.text)}


def packages_data(attribution: Attribution) -> list[dict[str, Any]]:
    """Every package, largest in the final image first."""
    return [
        {
            "manager": usage.package.manager.value,
            "name": display(usage.package.name),
            "version": display(usage.package.version),
            "size_bytes": usage.size_bytes,
            "wasted_bytes": usage.wasted_bytes,
            "layer": usage.layer,
            "dev": usage.package.dev,
            "installed": usage.installed,
            "files": usage.files,
            "location": display(usage.package.location) or None,
        }
        for usage in attribution.ownership.packages
    ]


def groups_data(attribution: Attribution) -> list[dict[str, Any]]:
    """The groups, with what removing each saves."""
    return [
        {
            "id": saving.group.id,
            "title": saving.group.title,
            "size_bytes": saving.group.size_bytes,
            "saves_bytes": saving.saves_bytes,
            "packages": [display(usage.package.name) for usage in saving.group.packages],
            "fix": saving.group.fix,
        }
        for saving in attribution.groups
    ]


def advice_extra(attribution: Attribution | None, finding: Finding) -> dict[str, Any]:
    """What attribution adds to an advice item in JSON."""
    if attribution is None:
        return {"saves_bytes": None, "packages": [], "instruction": None}
    return {
        "saves_bytes": attribution.savings.get(finding.rule.id),
        "packages": [display(name) for name in attribution.packages_of(finding)],
        "instruction": instruction_data(attribution.line_of_finding(finding)),
    }


def group_sentence(saving: GroupSaving) -> str:
    """``a multi-stage build would save 182 MB`` (or what the group's fix would save)."""
    verb = (
        "a multi-stage build would save"
        if saving.group.id in ("build-toolchain", "dev-dependencies")
        else "leaving them out would save"
    )
    return f"{verb} {format_size(saving.saves_bytes)}"


def advice_notes(attribution: Attribution | None, finding: Finding) -> list[str]:
    """Plain notes for an advice item: its saving, its packages, its Dockerfile line."""
    if attribution is None:
        return []
    notes = []
    saved = attribution.savings.get(finding.rule.id)
    if saved is not None:
        notes.append(f"saves {format_size(saved)}")
    names = attribution.packages_of(finding)
    if names:
        more = f" +{len(names) - 3}" if len(names) > 3 else ""
        notes.append("packages " + ", ".join(names[:3]) + more)
    line = attribution.line_of_finding(finding)
    if line is not None:
        notes.append(str(line))
    return notes


def text_sections(attribution: Attribution | None) -> list[str]:
    """The text report's package and group sections."""
    if attribution is None or not attribution.ownership.packages:
        return _groups_text(attribution)
    count = len(attribution.ownership.packages)
    lines = ["", f"Packages (top {min(count, TOP_PACKAGES)} of {count}):"]
    for usage in attribution.ownership.packages[:TOP_PACKAGES]:
        package = usage.package
        flags = (" dev" if package.dev else "") + ("" if usage.installed else " removed")
        layer = f"layer {usage.layer}" if usage.layer is not None else "layer ?"
        wasted = f", wasted {format_size(usage.wasted_bytes)}" if usage.wasted_bytes else ""
        lines.append(
            f"  {format_size(usage.size_bytes):>10}  {package.manager.value:<6} "
            f"{display(package.name)} {display(package.version)}"
            f"  ({layer}{wasted}{flags})"
        )
    lines.append(f"  {format_size(attribution.ownership.unowned_bytes):>10}  in no package")
    return lines + _groups_text(attribution)


def _groups_text(attribution: Attribution | None) -> list[str]:
    if attribution is None or not attribution.groups:
        return []
    lines = ["", "Groups:"]
    for saving in attribution.groups:
        group = saving.group
        count = len(group.packages)
        members = f" in {count} package{'s' if count != 1 else ''}" if count else ""
        lines.append(
            f"  {format_size(group.size_bytes):>10}  {group.title}{members}: "
            f"{group_sentence(saving)}"
        )
    return lines


def markdown_sections(attribution: Attribution | None, rows: int) -> list[str]:
    """The Markdown report's package and group sections (``rows`` packages in the open)."""
    if attribution is None:
        return []
    lines: list[str] = []
    if attribution.groups:
        lines += ["### Groups", ""]
        for saving in attribution.groups:
            group = saving.group
            names = ", ".join(
                inline(usage.package.name, in_table=False) for usage in group.packages[:5]
            )
            more = f" and {len(group.packages) - 5} more" if len(group.packages) > 5 else ""
            members = f" ({names}{more})" if names else ""
            lines.append(
                f"- **{cell(group.title)}**: {format_size(group.size_bytes)}{members} — "
                f"{group_sentence(saving)}; {cell(group.fix)}"
            )
        lines.append("")
    packages = attribution.ownership.packages
    if packages:
        head = [
            "| package | manager | version | size | wasted | layer |",
            "|---|---|---|---:|---:|---:|",
        ]
        table = [
            f"| {inline(usage.package.name)}{' (dev)' if usage.package.dev else ''}"
            f"{'' if usage.installed else ' (removed)'} | {usage.package.manager.value} | "
            f"{inline(usage.package.version) if usage.package.version else '—'} | "
            f"{format_size(usage.size_bytes)} | {format_size(usage.wasted_bytes)} | "
            f"{usage.layer if usage.layer is not None else '—'} |"
            for usage in packages[:rows]
        ]
        lines += [f"### Packages (top {len(table)} of {len(packages)})", "", *head, *table, ""]
    return lines
