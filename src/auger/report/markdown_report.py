"""Reports and diffs as Markdown for pull request comments and step summaries.

Safe to post: every name goes through :mod:`auger.report.markdown` (no raw HTML, no control
characters, no table-breaking ``|``); the only HTML is auger's own ``<details>`` folds and the
hidden marker comment that lets a workflow find and update its sticky comment. Long lists are
folded, and the whole text is kept under GitHub's 65,536-character comment limit: lists are
shortened first, and if that is not enough the text is cut with a count of what was left out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass

from auger.analysis.diff import ImageDiff
from auger.analysis.waste_groups import WasteGroup
from auger.budgets.evaluate import Status
from auger.display import format_ratio, format_size, one_line
from auger.report.attribution import advice_notes, markdown_sections
from auger.report.gate import format_markdown as verdict_markdown
from auger.report.markdown import cell, code_block, inline
from auger.report.mermaid import layer_charts
from auger.report.model import ImageReport

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


def _signed(value: int) -> str:
    return ("+" if value > 0 else "-" if value < 0 else "±") + format_size(abs(value))


def _waste_rows(groups: tuple[WasteGroup, ...]) -> list[str]:
    rows = []
    for group in groups:
        stored = ", ".join(str(index) for index in group.stored_in)
        rows.append(
            f"| {inline(group.label)} | {format_size(group.size)} | {group.files} | "
            f"{group.cause.value} | {stored} | {group.hidden_by} | "
            f"{', '.join(group.advice) or '—'} |"
        )
    return rows


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


def _table(head: list[str], rows: list[str], budget: _Budget, more: str) -> list[str]:
    """A table of ``budget.shown`` rows in the open, the rest folded, the excess counted."""
    listed = rows[: budget.total]
    lines = [*head, *listed[: budget.shown], ""]
    rest = listed[budget.shown :]
    if rest:
        lines += _folded(f"{len(rest)} more {more}", [*head, *rest])
    if len(rows) > len(listed):
        lines += [f"… and {len(rows) - len(listed)} more {more} not listed.", ""]
    return lines


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
        delta = "—" if row.delta is None else ("shared" if row.shared else _signed(row.delta))
        line = lines[row.layer.index] if row.layer.index < len(lines) else None
        where = (f" {inline(str(line)) if line is not None else '—'} |") if lines else ""
        rows.append(
            f"| {row.layer.index} | {format_size(row.layer.size)} | {delta} | "
            f"{format_size(row.stored_waste)} | {format_size(row.caused_waste)} |{where} "
            f"{inline(one_line(row.layer.command, _COMMAND))} |"
        )
    listed = rows[: max(budget.total, 1)]
    note = (
        [f"… and {len(rows) - len(listed)} more layers not listed."] if rows[len(listed) :] else []
    )
    return _folded(f"Layers ({len(rows)})", [*head, *listed, *note])


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
    lines += layer_charts(report.analysis, report.baseline)
    lines += _advice(report, budget)
    lines += markdown_sections(report.attribution, budget.shown)
    if report.waste:
        lines += ["### Wasted space", ""]
        lines += _table(_WASTE_HEAD, _waste_rows(report.waste), budget, "wasted paths")
    if report.churn:
        total = sum(group.size for group in report.churn)
        churn = _table(_WASTE_HEAD, _waste_rows(report.churn), _Budget(budget.total), "paths")
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


def _render_diff(diff: ImageDiff, name: str | None, budget: _Budget) -> str:
    base = diff.base.image.name or diff.base.image.reference
    head = diff.head.image.name or diff.head.image.reference
    ratio = diff.size_delta / diff.base.size if diff.base.size else 0.0
    lines = [
        marker(name),
        f"## auger diff: {inline(base, in_table=False)} → {inline(head, in_table=False)}",
        "",
        f"Size {format_size(diff.base.size)} → {format_size(diff.head.size)} "
        f"({_signed(diff.size_delta)}, {ratio:+.2%}); {diff.shared} shared base layers, "
        f"{len(diff.removed_layers)} removed, {len(diff.added_layers)} added.",
        "",
        *layer_charts(diff.head, diff.base, ("the head image", "the base image")),
    ]
    layer_rows = [
        f"| removed | {format_size(layer.size)} | {inline(one_line(layer.command, _COMMAND))} |"
        for layer in diff.removed_layers
    ] + [
        f"| added | {format_size(layer.size)} | {inline(one_line(layer.command, _COMMAND))} |"
        for layer in diff.added_layers
    ]
    if layer_rows:
        lines += ["### Changed layers", ""]
        lines += _table(["| | size | command |", "|---|---:|---|"], layer_rows, budget, "layers")
    path_rows = [
        f"| {inline('/' + change.path)} | {change.kind} | "
        f"{format_size(change.before) if change.before is not None else '—'} | "
        f"{format_size(change.after) if change.after is not None else '—'} | "
        f"{_signed(change.delta)} |"
        for change in diff.paths
    ]
    if path_rows:
        lines += ["### Changed paths", ""]
        lines += _table(
            ["| path | change | before | after | delta |", "|---|---|---:|---:|---:|"],
            path_rows,
            dataclasses.replace(budget, shown=budget.shown * 2),
            "paths",
        )
    return "\n".join(lines).rstrip() + "\n"


def format_diff(diff: ImageDiff, name: str | None = None, limit: int = LIMIT) -> str:
    """The diff as Markdown, at most ``limit`` characters."""
    return _fit(lambda budget: _render_diff(diff, name, budget), limit)
