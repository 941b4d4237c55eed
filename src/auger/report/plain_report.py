"""Reports and diffs as plain text (terminals, logs) and as JSON (machines)."""

from __future__ import annotations

import json
from typing import Any

from auger.analysis.diff import ImageDiff, LayerDelta, folded_kind
from auger.analysis.folding import Folded, Rollup
from auger.analysis.layer_match import LayerChange
from auger.analysis.waste_groups import WasteGroup
from auger.display import display, finite, format_ratio, format_size, one_line
from auger.model import Layer
from auger.report import gate
from auger.report.attribution import (
    advice_extra,
    advice_notes,
    groups_data,
    instruction_data,
    packages_data,
    text_sections,
)
from auger.report.layer_changes import NO_COMMAND, layer_counts, signed, story
from auger.report.model import ImageReport

REPORT_SCHEMA_VERSION = 1
_ROWS = 20
_COMMAND = 70


def _name(text: str) -> str:
    return display(text)


def _command(layer: Layer) -> str:
    return _name(one_line(layer.command, _COMMAND)) or NO_COMMAND


def _sentence(delta: LayerDelta) -> str:
    """``layer 6 grew by 12 MB: /app/node_modules +11.8 MB`` for a terminal."""
    told = story(delta)
    where = [f"{_name(item.label)} {signed(item.delta)}" for item in told.directories]
    where += [told.more] if told.more else []
    return told.headline + (": " + ", ".join(where) if where else "")


def _against_baseline(report: ImageReport) -> list[str]:
    changed = [row.change for row in report.changed_layers if row.change is not None]
    changed += report.removed
    same = [row for row in report.layers if row.change and row.change.change.same_contents]
    rebuilt = sum(row.status == "unchanged (rebuilt)" for row in same)
    lines = [f"  {_sentence(delta)}" for delta in changed] or ["  no layer changed"]
    tail = f" ({rebuilt} rebuilt with identical contents)" if rebuilt else ""
    plural = "s" if len(same) != 1 else ""
    return [*lines, f"  {len(same)} layer{plural} unchanged{tail}"]


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
    if report.baseline is not None:
        lines += ["", "Against the baseline:", *_against_baseline(report)]
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
            label = _name(group.label)
            if group.folded:
                label = f"{label.rstrip('/')}/ ({group.folded} small paths)"
            lines.append(
                f"  {format_size(group.size):>10}  {label}  "
                f"({group.cause.value} by layer {group.hidden_by}, {group.files} "
                f"file{'s' if group.files != 1 else ''}{advice})"
            )
        if len(report.waste) > _ROWS:
            lines.append(f"  … and {len(report.waste) - _ROWS} more")
        if report.folded:
            lines.append(
                f"  ({report.folded} paths under {format_size(report.fold_below)} folded into "
                "their directories)"
            )
    if report.churn:
        total = sum(group.size for group in report.churn)
        lines += ["", f"Package-manager metadata churn: {format_size(total)} (rarely actionable)"]
    lines += ["", "Layers:"]
    for row in report.layers:
        if row.delta is None:
            delta = ""
        elif row.change is not None and row.change.change.same_contents:
            delta = f"  {row.status:<19}"
        else:
            added = row.change is None or row.change.change is LayerChange.ADDED
            delta = f"  {signed(row.delta) + (' new' if added else ''):<19}"
        command = _command(row.layer)
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
            "removedLayers": [
                {"index": d.pair.base.index, "sizeBytes": d.pair.base.size}
                for d in report.removed
                if d.pair.base is not None
            ],
        },
        "layers": [
            {
                "index": row.layer.index,
                "diffId": row.layer.diff_id,
                "sizeBytes": row.layer.size,
                "deltaBytes": row.delta,
                "sharedWithBaseline": row.shared,
                "baseline": None if row.change is None else _pairing(row.change),
                "storedWastedBytes": row.stored_waste,
                "causedWastedBytes": row.caused_waste,
                "createdBy": _name(row.layer.created_by),
                "instruction": instruction_data(
                    report.attribution.line_of(row.layer.index) if report.attribution else None
                ),
            }
            for row in report.layers
        ],
        "foldedBelowBytes": report.fold_below,
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


def _pairing(delta: LayerDelta) -> dict[str, Any]:
    base = delta.pair.base
    return {
        "index": None if base is None else base.index,
        "change": delta.change.value,
        "deltaBytes": delta.delta,
        "directories": _rollups(delta.directories),
    }


def _rollups(rollups: tuple[Rollup, ...]) -> list[dict[str, Any]]:
    return [
        {"path": _name(item.label), "deltaBytes": item.delta, "paths": item.paths}
        for item in rollups
    ]


def _group_data(group: WasteGroup) -> dict[str, Any]:
    return {
        "folded": group.folded,
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
        "finalSizeDeltaBytes": diff.final_delta,
        "sharedLayers": diff.shared,
        "removedLayers": layers(diff.removed_layers),
        "addedLayers": layers(diff.added_layers),
        "layers": [_layer_pair(delta) for delta in diff.layers],
        "directories": _rollups(diff.directories),
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


def _layer_pair(delta: LayerDelta) -> dict[str, Any]:
    base, head = delta.pair.base, delta.pair.head
    layer = head or base
    assert layer is not None
    return {
        "index": None if head is None else head.index,
        "baseIndex": None if base is None else base.index,
        "change": delta.change.value,
        "sizeBytes": None if head is None else head.size,
        "baseSizeBytes": None if base is None else base.size,
        "deltaBytes": delta.delta,
        "createdBy": _name(layer.created_by),
        "directories": _rollups(delta.directories),
    }


def format_diff_json(diff: ImageDiff) -> str:
    """The diff as JSON."""
    return json.dumps(diff_data(diff), indent=2, ensure_ascii=False) + "\n"


def format_diff_text(diff: ImageDiff) -> str:
    """The diff for a terminal: changed layers in words, every layer, directories, paths."""
    base = diff.base.image
    head = diff.head.image
    lines = [
        f"auger diff: {_name(base.name or base.reference)} -> {_name(head.name or head.reference)}",
        f"  size {format_size(diff.base.size)} -> {format_size(diff.head.size)} "
        f"({signed(diff.size_delta)}): {layer_counts(diff)}",
    ]
    lines += [f"  {_sentence(delta)}" for delta in diff.layers if not delta.change.same_contents]
    lines.append("  layers:")
    for delta in diff.layers:
        pair = delta.pair
        layer = pair.head or pair.base
        assert layer is not None
        index = str(pair.head.index) if pair.head else "-"
        before = format_size(pair.base.size) if pair.base else "-"
        after = format_size(pair.head.size) if pair.head else "-"
        lines.append(
            f"    {index:>3}  {before:>10} -> {after:>10}  {pair.verb:<19} "
            f"{signed(delta.delta):>10}  {_command(layer)}"
        )
    lines.append(
        f"    {'total':>3}  {format_size(diff.base.size):>10} -> "
        f"{format_size(diff.head.size):>10}  {'':<19} {signed(diff.size_delta):>10}"
    )
    if diff.directories:
        lines.append("  directories (the files a container sees):")
        for item in diff.directories[:_ROWS]:
            noun = "path" if item.paths == 1 else "paths"
            lines.append(f"    {signed(item.delta):>10}  {_name(item.label)} ({item.paths} {noun})")
        if len(diff.directories) > _ROWS:
            lines.append(f"    … and {len(diff.directories) - _ROWS} more")
        lines.append(f"    {signed(diff.final_delta):>10}  total")
    folded = diff.folded_paths()
    if folded:
        lines.append("  changed paths (biggest first):")
        for row in folded[: _ROWS * 2]:
            if isinstance(row, Folded):
                where = _name("/" + row.directory).rstrip("/") + "/"
                kind, label = folded_kind(row), f"{where} ({len(row.rows)} small paths)"
                size = row.size
            else:
                kind, label, size = row.kind, "/" + _name(row.path), row.delta
            lines.append(f"    {kind:<8}{signed(size):>11}  {label}")
        if len(folded) > _ROWS * 2:
            lines.append(f"    … and {len(folded) - _ROWS * 2} more")
    return "\n".join(lines) + "\n"
