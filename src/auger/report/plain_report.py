"""Reports and diffs as plain text (terminals, logs) and as JSON (machines)."""

from __future__ import annotations

import json
from typing import Any

from auger.analysis.diff import ImageDiff
from auger.analysis.waste_groups import WasteGroup
from auger.display import display, finite, format_ratio, format_size, one_line
from auger.report import gate
from auger.report.attribution import (
    advice_extra,
    advice_notes,
    groups_data,
    instruction_data,
    packages_data,
    text_sections,
)
from auger.report.model import ImageReport

REPORT_SCHEMA_VERSION = 1
_ROWS = 20
_COMMAND = 70


def _name(text: str) -> str:
    return display(text)


def format_report_text(report: ImageReport) -> str:
    """The report for a terminal."""
    analysis = report.analysis
    image = analysis.image
    lines = [f"auger report: {_name(image.name or image.reference)}"]
    lines.append(
        f"  size {format_size(analysis.size)}"
        + (
            f", compressed {format_size(analysis.compressed_size)}"
            if analysis.compressed_size is not None
            else ""
        )
        + f", wasted {format_size(analysis.wasted_bytes)}"
        f" ({format_ratio(analysis.wasted_percent)}),"
        f" efficiency {format_ratio(analysis.dive.efficiency)}"
    )
    if report.size_delta is not None and report.baseline is not None:
        ratio = report.size_delta_ratio
        baseline = report.baseline.image
        lines.append(
            f"  vs baseline {_name(baseline.name or baseline.reference)}:"
            f" {'+' if report.size_delta >= 0 else '-'}{format_size(abs(report.size_delta))}"
            + (f" ({ratio:+.2%})" if ratio is not None else "")
        )
    if report.verdict is not None:
        lines.append(f"  budgets: {report.verdict.summary()}")
    if report.findings:
        lines += ["", "Advice:"]
        for finding in report.findings:
            size = f" {format_size(finding.size)}" if finding.size else ""
            notes = advice_notes(report.attribution, finding)
            lines.append(
                f"  {finding.rule.id:<7}{size:>10}  {finding.rule.title}: {finding.rule.fix}"
                + (f" ({_name('; '.join(notes))})" if notes else "")
            )
    lines += text_sections(report.attribution)
    if report.waste:
        lines += ["", "Wasted space:"]
        for group in report.waste[:_ROWS]:
            advice = f", {', '.join(group.advice)}" if group.advice else ""
            lines.append(
                f"  {format_size(group.size):>10}  {_name(group.label)}  "
                f"({group.cause.value} by layer {group.hidden_by}, {group.files} "
                f"file{'s' if group.files != 1 else ''}{advice})"
            )
        if len(report.waste) > _ROWS:
            lines.append(f"  … and {len(report.waste) - _ROWS} more")
    if report.churn:
        total = sum(group.size for group in report.churn)
        lines += ["", f"Package-manager metadata churn: {format_size(total)} (rarely actionable)"]
    lines += ["", "Layers:"]
    for row in report.layers:
        delta = (
            ""
            if row.delta is None
            else ("  shared" if row.shared else f"  +{format_size(row.delta)}")
        )
        command = _name(one_line(row.layer.command, _COMMAND))
        line = report.attribution.line_of(row.layer.index) if report.attribution else None
        where = f"  {_name(str(line))}" if line is not None else ""
        lines.append(
            f"  {row.layer.index:>3}  {format_size(row.layer.size):>10}  "
            f"waste {format_size(row.stored_waste):>9}  hid {format_size(row.caused_waste):>9}"
            f"{delta}{where}  {command}"
        )
    return "\n".join(lines) + "\n"


def report_data(report: ImageReport) -> dict[str, Any]:
    """The report as a JSON-ready dict."""
    analysis = report.analysis
    image = analysis.image
    data: dict[str, Any] = {
        "schemaVersion": REPORT_SCHEMA_VERSION,
        "image": {
            "reference": _name(image.reference),
            "name": _name(image.name) if image.name else None,
            "sizeBytes": analysis.size,
            "compressedSizeBytes": analysis.compressed_size,
            "finalSizeBytes": analysis.final_size,
            "wastedBytes": analysis.wasted_bytes,
            "wastedPercent": analysis.wasted_percent,
            "efficiency": analysis.dive.efficiency,
            "userWastedPercent": finite(analysis.dive.user_wasted_percent),
        },
        "baseline": None
        if report.baseline is None
        else {
            "reference": _name(report.baseline.image.reference),
            "sizeBytes": report.baseline.size,
            "sizeDeltaBytes": report.size_delta,
            "sizeDeltaRatio": report.size_delta_ratio,
        },
        "layers": [
            {
                "index": row.layer.index,
                "diffId": row.layer.diff_id,
                "sizeBytes": row.layer.size,
                "deltaBytes": row.delta,
                "sharedWithBaseline": row.shared,
                "storedWastedBytes": row.stored_waste,
                "causedWastedBytes": row.caused_waste,
                "createdBy": _name(row.layer.created_by),
                "instruction": instruction_data(
                    report.attribution.line_of(row.layer.index) if report.attribution else None
                ),
            }
            for row in report.layers
        ],
        "waste": [_group_data(group) for group in report.waste],
        "churn": [_group_data(group) for group in report.churn],
        "advice": [
            {
                "id": finding.rule.id,
                "title": finding.rule.title,
                "fix": finding.rule.fix,
                "sizeBytes": finding.size,
                "count": finding.count,
                "layers": list(finding.layers),
                "examples": [_name(example) for example in finding.examples],
                **advice_extra(report.attribution, finding),
            }
            for finding in report.findings
        ],
        "packages": packages_data(report.attribution) if report.attribution else [],
        "groups": groups_data(report.attribution) if report.attribution else [],
        "attributionNotes": [_name(note) for note in report.attribution.warnings]
        if report.attribution
        else [],
        "budgets": None if report.verdict is None else json.loads(gate.format_json(report.verdict)),
    }
    return data


def _group_data(group: WasteGroup) -> dict[str, Any]:
    return {
        "path": _name(group.label),
        "sizeBytes": group.size,
        "files": group.files,
        "cause": group.cause.value,
        "storedIn": list(group.stored_in),
        "hiddenBy": group.hidden_by,
        "advice": list(group.advice),
    }


def format_report_json(report: ImageReport) -> str:
    """The report as JSON."""
    return json.dumps(report_data(report), indent=2, ensure_ascii=False) + "\n"


def diff_data(diff: ImageDiff) -> dict[str, Any]:
    """The diff as a JSON-ready dict."""

    def layers(items: tuple[Any, ...]) -> list[dict[str, Any]]:
        return [
            {
                "index": layer.index,
                "diffId": layer.diff_id,
                "sizeBytes": layer.size,
                "createdBy": _name(layer.created_by),
            }
            for layer in items
        ]

    return {
        "schemaVersion": REPORT_SCHEMA_VERSION,
        "base": {"reference": _name(diff.base.image.reference), "sizeBytes": diff.base.size},
        "head": {"reference": _name(diff.head.image.reference), "sizeBytes": diff.head.size},
        "sizeDeltaBytes": diff.size_delta,
        "sharedLayers": diff.shared,
        "removedLayers": layers(diff.removed_layers),
        "addedLayers": layers(diff.added_layers),
        "paths": [
            {
                "path": "/" + _name(change.path),
                "change": change.kind,
                "before": change.before,
                "after": change.after,
                "deltaBytes": change.delta,
            }
            for change in diff.paths
        ],
    }


def format_diff_json(diff: ImageDiff) -> str:
    """The diff as JSON."""
    return json.dumps(diff_data(diff), indent=2, ensure_ascii=False) + "\n"


def format_diff_text(diff: ImageDiff) -> str:
    """The diff for a terminal."""
    base = diff.base.image
    head = diff.head.image
    delta = diff.size_delta
    lines = [
        f"auger diff: {_name(base.name or base.reference)} -> {_name(head.name or head.reference)}",
        f"  size {format_size(diff.base.size)} -> {format_size(diff.head.size)} "
        f"({'+' if delta >= 0 else '-'}{format_size(abs(delta))}); {diff.shared} shared layers",
    ]
    for label, items in (("removed", diff.removed_layers), ("added", diff.added_layers)):
        for layer in items:
            command = _name(one_line(layer.command, _COMMAND))
            lines.append(
                f"  {label:<8}layer {layer.index:>3}  {format_size(layer.size):>10}  {command}"
            )
    if diff.paths:
        lines.append("  changed paths (biggest first):")
        for change in diff.paths[: _ROWS * 2]:
            sign = "+" if change.delta >= 0 else "-"
            size = format_size(abs(change.delta))
            lines.append(f"    {change.kind:<8}{sign}{size:>10}  /{_name(change.path)}")
        if len(diff.paths) > _ROWS * 2:
            lines.append(f"    … and {len(diff.paths) - _ROWS * 2} more")
    return "\n".join(lines) + "\n"
