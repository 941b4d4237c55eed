"""``auger report --format html`` and ``auger diff --format html``: one page each.

A report page shows the headline numbers and the budget verdict (with changes against the
baseline), the size map, the layer chart (the baseline's beside it), and the tables: advice,
wasted paths, packages and the groups one fix removes, layers (with their Dockerfile lines
when the report has them). Each table is one function of :data:`REPORT_TABLES`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auger.analysis.advice import Finding
from auger.analysis.diff import ImageDiff, LayerDelta, PathChange
from auger.analysis.folding import Rollup
from auger.analysis.layer_match import LayerChange
from auger.analysis.waste_groups import WasteGroup
from auger.attribution.summary import Attribution, SourceLine
from auger.budgets.evaluate import RuleResult, Verdict
from auger.display import display, finite, format_ratio, format_size, one_line
from auger.model import ImageAnalysis
from auger.report.gate import limit, measured
from auger.report.html import tables
from auger.report.html.escape import text
from auger.report.html.packages import groups_table, packages_table
from auger.report.html.page import Page, render_page
from auger.report.html.sections import Card, cards, change, layer_charts, size_change, size_map
from auger.report.html.sizetree import size_tree
from auger.report.html.tables import Cell, Column, Table, name, number, signed_size, size, words
from auger.report.layer_changes import layer_counts, signed, story
from auger.report.model import ImageReport, LayerRow

_COMMAND = 2000
"""How much of a layer's command a table cell shows."""


def _title(analysis: ImageAnalysis) -> str:
    return analysis.image.name or analysis.image.reference


def _command(command: str) -> Cell:
    return Cell(f'<code class="cmd">{text(one_line(command, _COMMAND))}</code>')


def _versus(now: float, then: float, shown: str, *, worse_when_higher: bool = True) -> str:
    return change(now - then, shown, worse_when_higher=worse_when_higher, suffix=" vs baseline")


def _headline(report: ImageReport, files: int) -> list[Card]:
    analysis, base = report.analysis, report.baseline
    compressed = analysis.compressed_size
    efficiency = analysis.dive.efficiency
    layers = len(analysis.image.layers)
    return [
        Card(
            "size",
            format_size(analysis.size),
            size_change(analysis.size - base.size, base.size) if base else "",
        ),
        Card("compressed", format_size(compressed) if compressed is not None else "—"),
        Card("final filesystem", format_size(analysis.final_size)),
        Card(
            "wasted",
            f"{format_size(analysis.wasted_bytes)} ({format_ratio(analysis.wasted_percent)})",
            size_change(analysis.wasted_bytes - base.wasted_bytes, base.wasted_bytes)
            if base
            else "",
        ),
        Card(
            "efficiency (dive)",
            format_ratio(efficiency),
            _versus(
                efficiency,
                base.dive.efficiency,
                f"{abs(efficiency - base.dive.efficiency) * 100:.2f} points",
                worse_when_higher=False,
            )
            if base
            else "",
        ),
        Card(
            "layers",
            str(layers),
            _versus(layers, len(base.image.layers), str(abs(layers - len(base.image.layers))))
            if base
            else "",
        ),
        Card("files", str(files)),
    ]


def _verdict_badge(verdict: Verdict | None) -> str:
    if verdict is None:
        return '<p class="muted">No budgets configured.</p>'
    status = verdict.status.value
    summary = verdict.summary().partition(": ")[2]
    return f'<p>Budgets: <span class="verdict {status}">{status.upper()}</span> {text(summary)}</p>'


def _status(result: RuleResult) -> Cell:
    status = result.status.value
    return Cell(f'<span class="status-{status}">{status.upper()}</span>')


def _budgets(report: ImageReport) -> Table | None:
    if report.verdict is None:
        return None
    return tables.table(
        "budgets",
        "Budgets",
        [Column("status"), Column("rule"), Column("measured"), Column("limit"), Column("detail")],
        report.verdict.results,
        row=lambda result: (
            _status(result),
            words(result.title),
            words(measured(result)),
            words(limit(result)),
            words(" ".join(part for part in (result.detail, result.origin) if part)),
        ),
    )


def _saves(attribution: Attribution | None, finding: Finding) -> Cell:
    saved = attribution.savings.get(finding.rule.id) if attribution is not None else None
    return size(saved) if saved is not None else Cell("—")


def _source(line: SourceLine | None) -> Cell:
    """A Dockerfile line: where it is, and what it says."""
    if line is None:
        return Cell("—")
    said = one_line(line.text, _COMMAND)
    return Cell(f'{text(str(line))} <code class="cmd">{text(said)}</code>')


def _advice(report: ImageReport) -> Table | None:
    """The advice, with a column of packages when the image has any and of Dockerfile lines
    when the report was given a Dockerfile."""
    attribution = report.attribution
    packages = attribution is not None and bool(attribution.ownership.packages)
    lines = attribution is not None and any(attribution.lines)

    def finding(finding: Finding) -> tuple[Cell, ...]:
        cells = [
            words(finding.rule.id),
            words(finding.rule.title),
            size(finding.size),
            _saves(attribution, finding),
            words(", ".join(str(layer) for layer in finding.layers)),
            name(finding.examples[0]) if finding.examples else words(""),
        ]
        if attribution is not None and packages:
            owners = attribution.packages_of(finding)
            more = f" and {len(owners) - 5} more" if len(owners) > 5 else ""
            cells.append(words(", ".join(owners[:5]) + more if owners else "—"))
        if attribution is not None and lines:
            cells.append(_source(attribution.line_of_finding(finding)))
        cells.append(words(finding.rule.fix))
        return tuple(cells)

    columns = [
        Column("rule"),
        Column("what"),
        Column("size", numeric=True),
        Column("saves", numeric=True),
        Column("layers"),
        Column("example"),
    ]
    columns += [Column("packages")] if packages else []
    columns += [Column("Dockerfile line")] if lines else []
    columns.append(Column("fix"))
    return tables.table(
        "advice", "Advice", columns, report.findings, row=finding, empty="Nothing to advise."
    )


def _group(group: WasteGroup) -> tuple[Cell, ...]:
    return (
        name(group.label),
        size(group.size),
        number(group.files),
        words(group.cause.value),
        words(", ".join(str(layer) for layer in group.stored_in)),
        number(group.hidden_by),
        words(", ".join(group.advice) or "—"),
    )


def _waste(report: ImageReport) -> Table | None:
    groups = sorted((*report.waste, *report.churn), key=lambda group: (-group.size, group.path))
    columns = [
        Column("path"),
        Column("size", numeric=True),
        Column("files", numeric=True),
        Column("cause"),
        Column("stored in layer"),
        Column("hidden by layer", numeric=True),
        Column("advice"),
    ]
    return tables.table(
        "waste", "Wasted paths", columns, groups, row=_group, empty="No wasted bytes."
    )


def _layers(report: ImageReport) -> Table | None:
    attribution = report.attribution
    lines = attribution is not None and any(attribution.lines)

    compared = report.baseline is not None

    def layer(row: LayerRow) -> tuple[Cell, ...]:
        cells = [number(row.layer.index), size(row.layer.size)]
        if compared:
            cells.append(Cell("shared", 0) if row.shared else signed_size(row.delta))
        cells += [size(row.stored_waste), size(row.caused_waste), _command(row.layer.command)]
        if attribution is not None and lines:
            cells.append(_source(attribution.line_of(row.layer.index)))
        return tuple(cells)

    columns = [Column("#", numeric=True), Column("size", numeric=True)]
    if compared:
        columns.append(Column("vs baseline", numeric=True))
    columns += [
        Column("stored that became waste", numeric=True),
        Column("hid", numeric=True),
        Column("command"),
    ]
    if lines:
        columns.append(Column("Dockerfile line"))
    return tables.table("layers", "Layers", columns, report.layers, row=layer)


REPORT_TABLES: tuple[Callable[[ImageReport], Table | None], ...] = (
    _budgets,
    _advice,
    _waste,
    lambda report: packages_table(report.attribution),
    lambda report: groups_table(report.attribution),
    _layers,
)
"""The report page's tables, in the order they appear."""


def _layers_data(analysis: ImageAnalysis) -> list[dict[str, Any]]:
    return [
        {
            "index": layer.index,
            "size": layer.size,
            "stored_waste": result.stored_waste,
            "caused_waste": result.caused_waste,
            "command": display(layer.command),
        }
        for layer, result in zip(analysis.image.layers, analysis.layers, strict=True)
    ]


def _image_data(analysis: ImageAnalysis) -> dict[str, Any]:
    return {
        "image": display(_title(analysis)),
        "size": analysis.size,
        "compressed_size": analysis.compressed_size,
        "final_size": analysis.final_size,
        "wasted_bytes": analysis.wasted_bytes,
        "wasted_percent": finite(analysis.wasted_percent),
        "efficiency": finite(analysis.dive.efficiency),
        "layers": _layers_data(analysis),
    }


def _report_data(report: ImageReport) -> dict[str, Any]:
    verdict = report.verdict
    return {
        "kind": "report",
        **_image_data(report.analysis),
        "baseline": _image_data(report.baseline) if report.baseline else None,
        "verdict": verdict.status.value if verdict else None,
    }


def _subtitle(analysis: ImageAnalysis) -> str:
    image = analysis.image
    facts = [f"{len(image.layers)} layers", f"from {image.source}"]
    if image.platform:
        facts.append(image.platform)
    if image.config_digest:
        facts.append(f"config {image.config_digest[:19]}")
    return f'<p class="muted">{text(", ".join(facts))}</p>'


def format_report(report: ImageReport) -> str:
    """The report as one HTML page."""
    analysis, base = report.analysis, report.baseline
    title = _title(analysis)
    heading = f"<h1>auger: <code>{text(title)}</code></h1>{_subtitle(analysis)}"
    if base is not None:
        heading += f'<p class="muted">Compared with <code>{text(_title(base))}</code>.</p>'
    heading += _verdict_badge(report.verdict)
    tree = size_tree(analysis)
    sizes, laid = size_map(tree)
    named = [("this image", analysis)] + ([("the baseline", base)] if base else [])
    sections = [cards(_headline(report, tree.files)), sizes, layer_charts(named)]
    sections += [tables.render(table) for build in REPORT_TABLES if (table := build(report))]
    layers = set(laid.layers) | {layer.index for layer in analysis.image.layers}
    if base is not None:
        layers |= {layer.index for layer in base.image.layers}
    page = Page(f"auger: {title}", heading, "\n".join(sections), _report_data(report), layers)
    return render_page(page)


def _layer_change(delta: LayerDelta) -> tuple[Cell, ...]:
    pair = delta.pair
    told = story(delta)
    where = [f"{rollup.label} {signed(rollup.delta)}" for rollup in told.directories]
    where += [told.more] if told.more else []
    return (
        words(pair.verb),
        number(pair.index),
        size(pair.base.size) if pair.base is not None else Cell("—"),
        size(pair.head.size) if pair.head is not None else Cell("—"),
        signed_size(pair.delta),
        Cell(text(", ".join(where)) or "—"),
        _command(told.layer.command),
    )


def _directory_change(rollup: Rollup) -> tuple[Cell, ...]:
    return name(rollup.label), signed_size(rollup.delta), number(rollup.paths)


def _path_change(change: PathChange) -> tuple[Cell, ...]:
    return (
        name("/" + change.path),
        words(change.kind),
        size(change.before) if change.before is not None else Cell("—"),
        size(change.after) if change.after is not None else Cell("—"),
        signed_size(change.delta),
    )


def _diff_tables(diff: ImageDiff) -> list[Table]:
    changed = [layer for layer in diff.layers if layer.change is not LayerChange.UNCHANGED]
    layer_columns = [
        Column("change"),
        Column("#", numeric=True),
        Column("before", numeric=True),
        Column("after", numeric=True),
        Column("delta", numeric=True),
        Column("where"),
        Column("command"),
    ]
    directory_columns = [
        Column("directory"),
        Column("delta", numeric=True),
        Column("paths", numeric=True),
    ]
    path_columns = [
        Column("path"),
        Column("change"),
        Column("before", numeric=True),
        Column("after", numeric=True),
        Column("delta", numeric=True),
    ]
    return [
        tables.table(
            "changed-layers",
            "Changed layers",
            layer_columns,
            changed,
            row=_layer_change,
            empty="No layer changed.",
        ),
        tables.table(
            "changed-directories",
            "Changed directories",
            directory_columns,
            diff.directories,
            row=_directory_change,
            empty="No directory changed.",
        ),
        tables.table(
            "changed-paths",
            "Changed paths",
            path_columns,
            diff.paths,
            row=_path_change,
            empty="No path changed.",
        ),
    ]


def format_diff(diff: ImageDiff) -> str:
    """The diff as one HTML page: both layer charts, the head image's size map, the changes."""
    base, head = diff.base, diff.head
    heading = (
        f"<h1>auger diff: <code>{text(_title(base))}</code> → <code>{text(_title(head))}</code>"
        f"</h1>{_subtitle(head)}"
    )
    headline = [
        Card("base size", format_size(base.size)),
        Card("head size", format_size(head.size), size_change(diff.size_delta, base.size, "")),
        Card("shared base layers", str(diff.shared)),
        Card("layers", layer_counts(diff)),
        Card("paths changed", str(len(diff.paths))),
        Card(
            "head wasted",
            format_size(head.wasted_bytes),
            size_change(head.wasted_bytes - base.wasted_bytes, base.wasted_bytes, ""),
        ),
    ]
    sizes, laid = size_map(size_tree(head))
    sections = [cards(headline), layer_charts([("base", base), ("head", head)]), sizes]
    sections += [tables.render(table) for table in _diff_tables(diff)]
    layers = set(laid.layers) | {layer.index for layer in (*base.image.layers, *head.image.layers)}
    data = {
        "kind": "diff",
        "base": _image_data(base),
        "head": _image_data(head),
        "shared": diff.shared,
    }
    title = f"auger diff: {_title(base)} → {_title(head)}"
    return render_page(Page(title, heading, "\n".join(sections), data, layers))
