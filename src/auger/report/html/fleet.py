"""The fleet summary as one self-contained HTML page.

Pure: summary in, page out. It is built from the same parts as the image report (cards,
tables, the page with its policy), so every name from an image or a reference is escaped the
same way and nothing from them can run. Everything it shows comes from the summary alone, so
the page of ``auger fleet merge`` equals the page of an unsharded run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auger.display import format_ratio, format_size, one_line
from auger.fleet.records import RuleFacts
from auger.fleet.summary import BudgetOutcome, FleetLayer, FleetSummary, Saving, Unreadable, Waster
from auger.report.fleet_json import summary_data
from auger.report.fleet_text import images, measured
from auger.report.html import tables
from auger.report.html.escape import attribute, text
from auger.report.html.page import Page, render_page
from auger.report.html.sections import Card, cards
from auger.report.html.tables import Cell, Column, Table, name, number, size, words

CHART_IMAGES = 20
"""How many of the largest images the chart shows."""
_REFS = 3
_COMMAND = 120
_WIDTH, _ROW, _LEFT, _RIGHT = 1000.0, 22.0, 260.0, 90.0


@dataclass(frozen=True, slots=True)
class ImageBytes:
    """An image's bytes: those in layers other images carry too, and its own."""

    reference: str
    shared: int
    own: int

    @property
    def total(self) -> int:
        return self.shared + self.own


def image_bytes(layers: Sequence[FleetLayer]) -> list[ImageBytes]:
    """Each image's shared and own bytes, largest first (from the fleet's layers)."""
    shared: dict[str, int] = {}
    own: dict[str, int] = {}
    for layer in layers:
        into = shared if layer.images > 1 else own
        for ref in layer.refs:
            into[ref] = into.get(ref, 0) + layer.size_bytes
    found = [ImageBytes(ref, shared.get(ref, 0), own.get(ref, 0)) for ref in {*shared, *own}]
    return sorted(found, key=lambda item: (-item.total, item.reference))


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def share_chart(items: Sequence[ImageBytes]) -> str:
    """A bar per image, its shared bytes then its own, as ``<svg>``."""
    if not items:
        return '<p class="muted">No images.</p>'
    biggest = max(1, *(item.total for item in items))
    plot = _WIDTH - _LEFT - _RIGHT
    height = _ROW * len(items) + 4
    rows = []
    for position, item in enumerate(items):
        y = 2 + _ROW * position
        shared_w = plot * item.shared / biggest
        own_w = plot * item.own / biggest
        tip = (
            f"{attribute(item.reference)}: {format_size(item.total)}, "
            f"{format_size(item.shared)} shared, {format_size(item.own)} its own"
        )
        label = attribute(one_line(item.reference, 40))
        rows.append(
            f"<g><title>{tip}</title>"
            f'<text x="{_LEFT - 6}" y="{_number(y + 15)}" class="n">{label}</text>'
            f'<rect class="s" x="{_LEFT}" y="{_number(y)}" width="{_number(shared_w)}" '
            f'height="{_ROW - 6}"/>'
            f'<rect class="o" x="{_number(_LEFT + shared_w)}" y="{_number(y)}" '
            f'width="{_number(own_w)}" height="{_ROW - 6}"/>'
            f'<text x="{_number(_LEFT + shared_w + own_w + 6)}" y="{_number(y + 15)}" '
            f'class="t">{format_size(item.total)}</text></g>'
        )
    return (
        f'<svg class="chart fleet-chart" viewBox="0 0 {_number(_WIDTH)} {_number(height)}" '
        f'role="img" aria-label="the largest images, shared and own bytes">{"".join(rows)}</svg>'
    )


def _chart_section(summary: FleetSummary) -> str:
    intro = (
        '<p class="muted">The largest images: the solid part of each bar is bytes in layers '
        "other images carry too, the light part the image's own. Hover a bar for its "
        'numbers.</p><p class="legend"><span class="key s"></span> shared '
        '<span class="key o"></span> own</p>'
    )
    drawn = share_chart(image_bytes(summary.layers)[:CHART_IMAGES])
    return f'<section id="fleet-chart"><h2>Largest images</h2>{intro}{drawn}</section>'


def _refs(refs: tuple[str, ...]) -> Cell:
    shown = ", ".join(f"<code>{text(ref)}</code>" for ref in refs[:_REFS])
    more = f" and {len(refs) - _REFS} more" if len(refs) > _REFS else ""
    return Cell(shown + more)


def _headline(summary: FleetSummary) -> list[Card]:
    shared = summary.shared_bytes / summary.size_bytes if summary.size_bytes else 0.0
    wasted = summary.wasted_bytes / summary.size_bytes if summary.size_bytes else 0.0
    found = [
        Card("images", str(summary.images)),
        Card("size, every image in full", format_size(summary.size_bytes)),
        Card("unique (each layer once)", format_size(summary.unique_bytes)),
        Card("saved by shared layers", f"{format_size(summary.shared_bytes)}"),
        Card("shared", format_ratio(shared)),
    ]
    if summary.compressed_size_bytes is not None and summary.unique_compressed_bytes is not None:
        found.append(Card("compressed, in all", format_size(summary.compressed_size_bytes)))
        found.append(Card("compressed, unique", format_size(summary.unique_compressed_bytes)))
    found.append(Card("wasted", f"{format_size(summary.wasted_bytes)} ({format_ratio(wasted)})"))
    if summary.unreadable:
        found.append(Card("unreadable images", str(len(summary.unreadable))))
    return found


def _layers(summary: FleetSummary) -> Table:
    def row(layer: FleetLayer) -> tuple[Cell, ...]:
        return (
            name(layer.diff_id),
            size(layer.size_bytes),
            number(layer.images),
            _refs(layer.refs),
            name(one_line(layer.created_by, _COMMAND)),
        )

    columns = [Column("diff ID"), Column("size", True), Column("images", True)]
    columns += [Column("images carrying it"), Column("command")]
    return tables.table("shared-layers", "Layers", columns, summary.layers, row=row)


def _wasters(summary: FleetSummary) -> Table:
    def row(waster: Waster) -> tuple[Cell, ...]:
        return (
            name(waster.reference),
            size(waster.size_bytes),
            size(waster.wasted_bytes),
            Cell(format_ratio(waster.wasted_percent), waster.wasted_percent),
            name(waster.top_waste or ""),
        )

    columns = [Column("image"), Column("size", True), Column("wasted", True)]
    columns += [Column("wasted %", True), Column("largest waste")]
    return tables.table("wasters", "Biggest wasters", columns, summary.biggest_wasters, row=row)


def _savings(summary: FleetSummary) -> Table:
    def row(saving: Saving) -> tuple[Cell, ...]:
        return (
            words(f"{saving.id}: {saving.title}"),
            size(saving.size_bytes),
            number(saving.images),
            number(saving.files),
            words(saving.fix),
        )

    columns = [Column("advice"), Column("saves", True), Column("images", True)]
    columns += [Column("files", True), Column("fix")]
    return tables.table("savings", "Savings across the fleet", columns, summary.savings, row=row)


def _budgets(summary: FleetSummary) -> Table | None:
    if summary.budgets is None:
        return None
    rows = [(outcome, rule) for outcome in summary.budgets.outcomes for rule in outcome.rules]

    def row(item: tuple[BudgetOutcome, RuleFacts]) -> tuple[Cell, ...]:
        outcome, rule = item
        status = rule.status
        return (
            Cell(f'<span class="status-{attribute(status)}">{text(status.upper())}</span>'),
            name(outcome.reference),
            words(rule.title),
            words(measured(rule)),
            words(rule.limit),
        )

    columns = [Column("status"), Column("image"), Column("rule"), Column("measured")]
    columns.append(Column("limit"))
    tally = summary.budgets
    note = f"{tally.failed} failed, {tally.warned} warned, {tally.passed} passed."
    return tables.table("budgets", "Budgets", columns, rows, row=row, note=note)


def _unreadable(summary: FleetSummary) -> Table | None:
    if not summary.unreadable:
        return None

    def row(error: Unreadable) -> tuple[Cell, ...]:
        return (name(error.reference), words(error.error), number(error.exit_code))

    columns = [Column("image"), Column("error"), Column("exit code", True)]
    return tables.table("unreadable", "Unreadable images", columns, summary.unreadable, row=row)


def format_fleet_html(summary: FleetSummary) -> str:
    """The summary as one HTML page."""
    shard = f" (shard {summary.shard[0]}/{summary.shard[1]} only)" if summary.shard else ""
    title = f"auger fleet: {images(summary.images)}{shard}"
    heading = f"<h1>{text(title)}</h1>"
    if summary.budgets is not None:
        tally = summary.budgets
        status = "fail" if tally.failed else "warn" if tally.warned else "pass"
        heading += (
            f'<p>Budgets: <span class="verdict {status}">{status.upper()}</span> '
            f"{tally.failed} failed, {tally.warned} warned, {tally.passed} passed</p>"
        )
    else:
        heading += '<p class="muted">No budgets configured.</p>'
    sections = [cards(_headline(summary)), _chart_section(summary)]
    built = (_layers(summary), _wasters(summary), _savings(summary))
    sections += [tables.render(item) for item in built]
    sections += [tables.render(item) for item in (_budgets(summary), _unreadable(summary)) if item]
    return render_page(Page(title, heading, "\n".join(sections), summary_data(summary)))
