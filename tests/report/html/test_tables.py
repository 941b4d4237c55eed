"""Tables in the page: cut to a bound with the rest counted, numbers kept for sorting."""

from __future__ import annotations

import pytest

from auger.report.html import tables
from auger.report.html.tables import Cell, Column, render, signed_size, size, table, words
from tests.report.html.support import Page


def test_a_long_table_is_cut_and_says_how_many_rows_it_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tables, "MAX_ROWS", 3)
    made: list[int] = []

    def row(item: int) -> tuple[Cell, ...]:
        made.append(item)
        return (words(f"item {item}"), size(item * 1000))

    cut = table("things", "Things", [Column("name"), Column("size", True)], range(5), row=row)
    assert made == [0, 1, 2], "rows past the cut are never rendered"
    assert (len(cut.rows), cut.total) == (3, 5)
    page = Page(render(cut))
    assert page.rows("things") == [
        ["name", "size"],
        ["item 0", "0 B"],
        ["item 1", "1.0 kB"],
        ["item 2", "2.0 kB"],
    ]
    assert "(5)" in page.text("things")
    assert "… and 2 more rows not listed" in page.text("things")


def test_numeric_cells_carry_their_number_and_align_right() -> None:
    page = render(
        table(
            "t",
            "T",
            [Column("a"), Column("b", True)],
            [1],
            row=lambda _: (words("x"), signed_size(-1500)),
        )
    )
    assert '<th scope="col" class="num">b</th>' in page
    assert '<td class="num" data-v="-1500">-1.5 kB</td>' in page
    assert "<td>x</td>" in page


def test_an_empty_table_is_a_sentence() -> None:
    page = Page(
        render(
            table("t", "Nothing here", [Column("a")], [], row=lambda _: (), empty="None at all.")
        )
    )
    assert page.tags["table"] == 0
    assert page.text("t") == "Nothing here (0)None at all."


def test_signed_sizes() -> None:
    assert [signed_size(value).html for value in (1200, -300, 0, None)] == [
        "+1.2 kB",
        "-300 B",
        "±0 B",
        "—",
    ]
