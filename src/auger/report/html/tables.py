"""Tables of a page: in the HTML on load (readable without a script), sortable and filterable
with one.

A :class:`Table` holds rendered cells; a numeric cell carries its number in ``data-v`` for
sorting. Long tables are cut at :data:`MAX_ROWS` with a line that says how many rows were
left out, so the page's size does not grow with the image's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from auger.display import format_size
from auger.report.html.escape import text

MAX_ROWS = 1000
T = TypeVar("T")
_NUMERIC = ' class="num"'


@dataclass(frozen=True, slots=True)
class Cell:
    """A rendered cell: its HTML, and its number when the column sorts by number."""

    html: str
    value: float | None = None


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    numeric: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table of a page."""

    key: str
    """The section's id (``waste``, ``layers``...): letters and dashes only."""
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total: int
    """Rows before the cut."""
    empty: str = "None."
    """What the section says when there are no rows."""
    note: str = ""
    """A sentence under the table, as HTML."""


def name(value: str) -> Cell:
    """A name from the image, as code."""
    return Cell(f"<code>{text(value)}</code>")


def words(value: str) -> Cell:
    """auger's own words or a value from the image, as text."""
    return Cell(text(value))


def number(value: int) -> Cell:
    return Cell(str(value), value)


def size(value: int) -> Cell:
    return Cell(format_size(value), value)


def signed_size(value: int | None) -> Cell:
    """``+1.2 MB``, ``-300 B``, ``±0 B``, or ``—`` for no value."""
    if value is None:
        return Cell("—")
    sign = "+" if value > 0 else "-" if value < 0 else "±"
    return Cell(sign + format_size(abs(value)), value)


def table(
    key: str,
    title: str,
    columns: Sequence[Column],
    items: Sequence[T],
    *,
    row: Callable[[T], Sequence[Cell]],
    empty: str = "None.",
    note: str = "",
) -> Table:
    """A table of the first :data:`MAX_ROWS` ``items`` (each made a row by ``row``), saying
    how many more there were, then ``note`` (auger's own words)."""
    listed = tuple(tuple(row(item)) for item in items[:MAX_ROWS])
    more = len(items) - len(listed)
    cut = f"… and {more} more rows not listed (--format json lists them all)." if more else ""
    return Table(
        key,
        title,
        tuple(columns),
        listed,
        len(items),
        empty,
        text(" ".join(part for part in (cut, note) if part)),
    )


def _cell(cell: Cell, numeric: bool) -> str:
    if not numeric:
        return f"<td>{cell.html}</td>"
    if cell.value is None:
        return f'<td class="num">{cell.html}</td>'
    return f'<td class="num" data-v="{cell.value}">{cell.html}</td>'


def render(item: Table) -> str:
    """The table's section: heading, table (or the empty sentence), note."""
    heading = f'<h2>{text(item.title)} <span class="muted">({item.total})</span></h2>'
    if not item.rows:
        return (
            f'<section id="{item.key}">{heading}<p class="muted">{text(item.empty)}</p></section>'
        )
    head = "".join(
        f'<th scope="col"{_NUMERIC if column.numeric else ""}>{text(column.title)}</th>'
        for column in item.columns
    )
    numeric = [column.numeric for column in item.columns]
    body = "".join(
        "<tr>"
        + "".join(_cell(cell, kind) for cell, kind in zip(row, numeric, strict=True))
        + "</tr>"
        for row in item.rows
    )
    note = f'<p class="muted">{item.note}</p>' if item.note else ""
    return (
        f'<section id="{item.key}">{heading}<table class="data">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}</section>"
    )
