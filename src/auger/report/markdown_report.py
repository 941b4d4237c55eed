"""Reports and diffs as Markdown for pull request comments and step summaries.

Safe to post: every name goes through :mod:`auger.report.markdown` (no raw HTML, no control
characters, no table-breaking ``|``); the only HTML is auger's own ``<details>`` folds and the
hidden marker comment that lets a workflow find and update its sticky comment. Long lists are
folded, and the whole text is kept under GitHub's 65,536-character comment limit: lists are
shortened first, and if that is not enough the text is cut with a count of what was left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from auger.analysis.diff import ImageDiff, LayerDelta, PathChange, folded_kind
from auger.analysis.folding import Folded, by_directory
from auger.analysis.layer_match import LayerChange
from auger.analysis.waste_groups import WasteGroup
from auger.budgets.evaluate import Status
from auger.display import format_ratio, format_size, one_line
from auger.model import Layer
from auger.report.attribution import advice_notes, markdown_sections
from auger.report.gate import format_markdown as verdict_markdown
from auger.report.layer_changes import NO_COMMAND, layer_counts, signed, story
from auger.report.markdown import cell, code_block, inline
from auger.report.mermaid import layer_charts
from auger.report.model import ImageReport, LayerRow

LIMIT = 65_536
MARKER = "<!-- auger-report -->"
_ICON = {Status.PASS: "✅", Status.WARN: "⚠️", Status.FAIL: "❌", Status.SKIP: "⏭️"}
_COMMAND = 72


def marker(name: str | None = None) -> str:
    """The hidden line a workflow searches for to update its comment (one per ``name``)."""
    if not name:
        return MARKER
    safe = re.sub(r"[^A-Za-z0-9._:/@+-]", "_", name)[:100]
    return f"<!-- auger-report:{safe} -->"


_signed = signed


def _command(layer: Layer, width: int | None = _COMMAND) -> str:
    """A layer's command as inline code on one line, or ``(no command)``."""
    text = one_line(layer.command, width)
    return inline(text) if text else NO_COMMAND


def _waste_path(group: WasteGroup) -> str:
    if not group.folded:
        return inline(group.label)
    return f"{inline(group.label.rstrip('/') + '/')} ({group.folded} small paths)"


def _waste_row(group: WasteGroup) -> str:
    stored = ", ".join(str(index) for index in group.stored_in)
    return (
        f"| {_waste_path(group)} | {format_size(group.size)} | {group.files} | "
        f"{group.cause.value} | {stored} | {group.hidden_by} | "
        f"{', '.join(group.advice) or '—'} |"
    )


def _waste_rows(groups: tuple[WasteGroup, ...], limit: int | None = None) -> list[str]:
    """A row per group; past ``limit`` rows, the largest groups of each top directory under
    a row that names the directory and its total."""
    if limit is None or len(groups) <= limit:
        return [_waste_row(group) for group in groups]
    rows = []
    for directory in by_directory(groups, _group_path, _group_size, limit):
        more = directory.count - len(directory.rows)
        rows.append(
            f"| **{cell('/' + directory.directory)}** ({directory.count} rows"
            f"{f', {more} not listed' if more else ''}) | {format_size(directory.size)} "
            "| | | | | |"
        )
        rows += [_waste_row(group) for group in directory.rows]
    return rows


def _group_path(group: WasteGroup) -> str:
    return group.path


def _group_size(group: WasteGroup) -> int:
    return group.size


_WASTE_HEAD = [
    "| path | size | files | cause | stored in layer | hidden by layer | advice |",
    "|---|---:|---:|---|---|---:|---|",
]


def _folded(title: str, lines: list[str]) -> list[str]:
    return ["<details>", f"<summary>{title}</summary>", "", *lines, "", "</details>", ""]


@dataclass(frozen=True, slots=True)
class _Budget:
    """How much a rendering may show: rows in the open, rows in all, full commands or not."""

    shown: int = 10
    total: int = 1 << 30
    commands: bool = True


_BUDGETS = (
    _Budget(),
    _Budget(commands=False),
    *(_Budget(min(10, total), total, False) for total in (2000, 500, 100, 20, 5, 1)),
)


def _table(
    head: list[str], rows: list[str], budget: _Budget, more: str, count: int | None = None
) -> list[str]:
    """A table of ``budget.shown`` rows in the open, the rest folded, the excess counted
    (of ``count`` items in all, when the rows already leave some out)."""
    listed = rows[: budget.total]
    lines = [*head, *listed[: budget.shown], ""]
    rest = listed[budget.shown :]
    if rest:
        lines += _folded(f"{len(rest)} more {more}", [*head, *rest])
    left_out = len(rows) - len(listed) if count is None else count - len(listed)
    if left_out > 0:
        lines += [f"… and {left_out} more {more} not listed.", ""]
    return lines


def _waste_table(groups: tuple[WasteGroup, ...], budget: _Budget) -> list[str]:
    """Waste groups as a table; over the budget, grouped by top directory first."""
    rows = _waste_rows(groups, budget.total if len(groups) > budget.total else None)
    if len(groups) <= budget.total:
        return _table(_WASTE_HEAD, rows, budget, "wasted paths")
    listed = sum(1 for row in rows if not row.startswith("| **"))
    lines = _table(_WASTE_HEAD, rows, _Budget(budget.shown, len(rows), budget.commands), "rows")
    return [
        *lines,
        f"… and {len(groups) - listed} more wasted paths not listed. "
        "The largest of each top directory are.",
        "",
    ]


def _folded_note(report: ImageReport) -> list[str]:
    if not report.folded:
        return []
    return [
        f"{report.folded} paths under {format_size(report.fold_below)} are folded into "
        "their directories.",
        "",
    ]


def _headline(report: ImageReport) -> list[str]:
    analysis = report.analysis
    compressed = analysis.compressed_size
    if report.baseline is None:
        delta = "—"
    else:
        ratio = report.size_delta_ratio
        delta = _signed(report.size_delta or 0) + (f" ({ratio:+.2%})" if ratio is not None else "")
    if report.verdict is None:
        verdict = "—"
    else:
        status = report.verdict.status
        verdict = f"{_ICON[status]} {cell(report.verdict.summary())}"
    return [
        "| size | compressed | vs baseline | wasted | efficiency (dive) | budgets |",
        "|---:|---:|---:|---:|---:|---|",
        f"| {format_size(analysis.size)} | "
        f"{format_size(compressed) if compressed is not None else '—'} | {delta} | "
        f"{format_size(analysis.wasted_bytes)} ({format_ratio(analysis.wasted_percent)}) | "
        f"{format_ratio(analysis.dive.efficiency)} | {verdict} |",
        "",
    ]


def _advice(report: ImageReport, budget: _Budget) -> list[str]:
    if not report.findings:
        return []
    lines = ["### Advice", ""]
    items = []
    for finding in report.findings:
        where = ", ".join(str(index) for index in finding.layers)
        example = inline(finding.examples[0], in_table=False) if finding.examples else ""
        size = f"{format_size(finding.size)}, " if finding.size else ""
        notes = advice_notes(report.attribution, finding)
        items.append(
            f"- **{finding.rule.id}** {cell(finding.rule.title)} ({size}layer {where}"
            f"{': ' + example if example else ''}) — {cell(finding.rule.fix)}"
            + (f" *({cell('; '.join(notes))})*" if notes else "")
        )
    listed = items[: budget.total]
    lines += listed[: budget.shown]
    if len(listed) > budget.shown:
        lines += ["", *_folded(f"{len(listed) - budget.shown} more", listed[budget.shown :])]
    if len(items) > len(listed):
        lines += ["", f"… and {len(items) - len(listed)} more not listed."]
    return [*lines, ""]


def _layers(report: ImageReport, budget: _Budget) -> list[str]:
    lines = report.attribution.lines if report.attribution else ()
    head = [
        "| # | size | vs baseline | stored that became waste | hid |"
        + (" Dockerfile |" if lines else "")
        + " command |",
        "|---:|---:|---:|---:|---:|" + ("---|" if lines else "") + "---|",
    ]
    rows = []
    for row in report.layers:
        line = lines[row.layer.index] if row.layer.index < len(lines) else None
        where = (f" {inline(str(line)) if line is not None else '—'} |") if lines else ""
        rows.append(
            f"| {row.layer.index} | {format_size(row.layer.size)} | {_versus(row)} | "
            f"{format_size(row.stored_waste)} | {format_size(row.caused_waste)} |{where} "
            f"{_command(row.layer)} |"
        )
    listed = rows[: max(budget.total, 1)]
    note = (
        [f"… and {len(rows) - len(listed)} more layers not listed."] if rows[len(listed) :] else []
    )
    return _folded(f"Layers ({len(rows)})", [*head, *listed, *note])


def _versus(row: LayerRow) -> str:
    """The "vs baseline" cell: unchanged, unchanged (rebuilt), +N, or new +N."""
    if row.delta is None:
        return "—"
    if row.change is None or row.change.change is LayerChange.ADDED:
        return f"new, {_signed(row.delta)}"
    if row.change.change.same_contents:
        return row.status
    return _signed(row.delta)


def _layer_sentence(delta: LayerDelta) -> str:
    """``layer 6 grew by 12 MB: /app/node_modules +11.8 MB``, in Markdown."""
    told = story(delta)
    where = [
        f"{inline(item.label, in_table=False)} {_signed(item.delta)}" for item in told.directories
    ]
    where += [told.more] if told.more else []
    return (
        f"- **{told.headline}**{': ' + ', '.join(where) if where else ''} — {_command(told.layer)}"
    )


def _against_baseline(report: ImageReport, budget: _Budget) -> list[str]:
    """What changed against the baseline, layer by layer, in sentences."""
    if report.baseline is None:
        return []
    changed = [row.change for row in report.changed_layers if row.change is not None]
    changed += report.removed
    same = [row for row in report.layers if row.change and row.change.change.same_contents]
    rebuilt = sum(
        row.change is not None and row.change.change is LayerChange.REBUILT for row in same
    )
    lines = ["### Against the baseline", ""]
    sentences = [_layer_sentence(delta) for delta in changed]
    lines += sentences[: budget.total]
    if len(sentences) > budget.total:
        lines.append(f"- … and {len(sentences) - budget.total} more changed layers")
    if not sentences:
        lines.append("No layer changed.")
    unchanged = f"{len(same)} layer{'s' if len(same) != 1 else ''} unchanged"
    if rebuilt:
        unchanged += f" ({rebuilt} rebuilt with identical contents)"
    return [*lines, "", unchanged + ".", ""]


def _commands(report: ImageReport) -> list[str]:
    blocks = []
    for row in report.layers:
        blocks += [
            f"**Layer {row.layer.index}**",
            "",
            code_block(row.layer.created_by),
            "",
        ]
    return _folded("Full layer commands", blocks)


def _render_report(report: ImageReport, name: str | None, budget: _Budget) -> str:
    title = report.analysis.image.name or report.analysis.image.reference
    lines = [marker(name), f"## auger: {inline(title, in_table=False)}", "", *_headline(report)]
    lines += _against_baseline(report, budget)
    lines += layer_charts(report.analysis, report.baseline)
    lines += _advice(report, budget)
    lines += markdown_sections(report.attribution, budget.shown)
    if report.waste:
        lines += ["### Wasted space", ""]
        lines += _waste_table(report.waste, budget)
        lines += _folded_note(report)
    if report.churn:
        total = sum(group.size for group in report.churn)
        churn = _waste_table(report.churn, _Budget(budget.total))
        lines += _folded(
            f"Package-manager metadata churn: {format_size(total)} (rarely actionable)", churn
        )
    lines += _layers(report, budget)
    if budget.commands:
        lines += _commands(report)
    if report.verdict is not None:
        lines += _folded("Budgets", verdict_markdown(report.verdict).splitlines())
    return "\n".join(lines).rstrip() + "\n"


def _fit(render: Callable[[_Budget], str], limit: int) -> str:
    """Render with ever fewer rows until the text fits; as a last resort, cut it."""
    text = ""
    for budget in _BUDGETS:
        text = render(budget)
        if len(text) <= limit:
            return text
    lines = text.splitlines()
    kept: list[str] = []
    size = 400
    for line in lines:
        if size + len(line) + 1 > limit:
            break
        kept.append(line)
        size += len(line) + 1
    unclosed = sum(line == "<details>" for line in kept) - sum(
        line == "</details>" for line in kept
    )
    fenced = sum(line.startswith("```") for line in kept) % 2  # a chart or a command block
    closing = ["```"] * fenced + ["", "</details>"] * max(unclosed, 0)
    note = f"… {len(lines) - len(kept)} more lines left out to stay under {limit} characters."
    return "\n".join([*kept, *closing, "", note]) + "\n"


def format_report(report: ImageReport, name: str | None = None, limit: int = LIMIT) -> str:
    """The report as Markdown, at most ``limit`` characters."""
    return _fit(lambda budget: _render_report(report, name, budget), limit)


def _diff_layer_row(delta: LayerDelta) -> str:
    pair = delta.pair
    layer = pair.head or pair.base
    assert layer is not None
    if pair.head is None:
        index = f"— ({layer.index} before)"
    elif pair.base is not None and pair.base.index != pair.head.index:
        index = f"{pair.head.index} ({pair.base.index} before)"
    else:
        index = str(layer.index)
    before = format_size(pair.base.size) if pair.base else "—"
    after = format_size(pair.head.size) if pair.head else "—"
    return (
        f"| {index} | {before} | {after} | {pair.verb} | {_signed(delta.delta)} | "
        f"{_command(layer)} |"
    )


def _path_row(row: PathChange | Folded[PathChange]) -> str:
    if isinstance(row, Folded):
        label = inline("/" + row.directory.rstrip("/") + ("/" if row.directory else ""))
        count, kind = len(row.rows), folded_kind(row)
        return f"| {label} ({count} small paths) | {kind} | — | — | {_signed(row.size)} |"
    return (
        f"| {inline('/' + row.path)} | {row.kind} | "
        f"{format_size(row.before) if row.before is not None else '—'} | "
        f"{format_size(row.after) if row.after is not None else '—'} | "
        f"{_signed(row.delta)} |"
    )


def _render_diff(diff: ImageDiff, name: str | None, budget: _Budget) -> str:
    base = diff.base.image.name or diff.base.image.reference
    head = diff.head.image.name or diff.head.image.reference
    ratio = diff.size_delta / diff.base.size if diff.base.size else 0.0
    lines = [
        marker(name),
        f"## auger diff: {inline(base, in_table=False)} → {inline(head, in_table=False)}",
        "",
        f"Size {format_size(diff.base.size)} → {format_size(diff.head.size)} "
        f"({_signed(diff.size_delta)}, {ratio:+.2%}): {layer_counts(diff)}.",
        "",
        *layer_charts(diff.head, diff.base, ("the head image", "the base image")),
    ]
    changed = [layer for layer in diff.layers if not layer.change.same_contents]
    sentences = [_layer_sentence(layer) for layer in changed]
    lines += sentences[: budget.total]
    if len(sentences) > budget.total:
        lines.append(f"- … and {len(sentences) - budget.total} more changed layers")
    if sentences:
        lines.append("")
    layer_head = [
        "| # | before | after | change | delta | command |",
        "|---:|---:|---:|---|---:|---|",
    ]
    layer_rows = [_diff_layer_row(layer) for layer in diff.layers]
    listed = layer_rows[: max(budget.total, 1)]
    total = (
        f"| **total** | {format_size(diff.base.size)} | {format_size(diff.head.size)} | | "
        f"**{_signed(diff.size_delta)}** | |"
    )
    note = [f"… and {len(layer_rows) - len(listed)} more layers not listed."] * (
        len(layer_rows) > len(listed)
    )
    lines += _folded(f"Layers ({len(layer_rows)})", [*layer_head, *listed, total, *note])
    if diff.directories:
        directory_rows = [
            f"| {inline(item.label)} | {item.paths} | {_signed(item.delta)} |"
            for item in diff.directories
        ]
        total = (
            f"| **total** (the files a container sees) | {len(diff.paths)} | "
            f"**{_signed(diff.final_delta)}** |"
        )
        lines += ["### Changed directories", ""]
        table = _table(
            ["| directory | paths | delta |", "|---|---:|---:|"],
            directory_rows,
            budget,
            "directories",
        )
        blank = table.index("")
        lines += [*table[:blank], total, *table[blank:]]
    folded = diff.folded_paths()
    if folded:
        small = sum(len(row.rows) for row in folded if isinstance(row, Folded))
        note = [f"{small} paths with smaller changes are folded into their directories."]
        table = _table(
            ["| path | change | before | after | delta |", "|---|---|---:|---:|---:|"],
            [_path_row(row) for row in folded],
            _Budget(budget.total, budget.total),
            "paths",
        )
        lines += _folded(f"Changed paths ({len(diff.paths)})", [*table, *note * (small > 0)])
    return "\n".join(lines).rstrip() + "\n"


def format_diff(diff: ImageDiff, name: str | None = None, limit: int = LIMIT) -> str:
    """The diff as Markdown, at most ``limit`` characters."""
    return _fit(lambda budget: _render_diff(diff, name, budget), limit)
