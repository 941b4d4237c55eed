"""Folding small rows into their directory, rolling sizes up per directory, and grouping a long
list by top directory."""

from __future__ import annotations

from auger.analysis.folding import (
    Folded,
    by_directory,
    fold_small,
    fold_threshold,
    rollup,
    rollup_directory,
)

Row = tuple[str, int]


def path(row: Row) -> str:
    return row[0]


def size(row: Row) -> int:
    return row[1]


def test_small_rows_of_one_directory_fold_into_one() -> None:
    rows = [("app/big.bin", 5000), *((f"tmp/x{n}", 9) for n in range(100)), ("etc/motd", 9)]
    folded = fold_small(rows, path, size, 1000)
    assert folded[0] == ("app/big.bin", 5000)
    assert isinstance(folded[1], Folded)
    assert (folded[1].directory, len(folded[1].rows), folded[1].size) == ("tmp", 100, 900)
    assert folded[2] == ("etc/motd", 9), "a lone small row stays as it is"
    assert len(folded) == 3


def test_rows_kept_apart_do_not_fold_together() -> None:
    rows = [("tmp/a", 5), ("tmp/b", -5), ("tmp/c", 5)]
    folded = fold_small(rows, path, size, 100, apart=lambda row: row[1] > 0)
    assert isinstance(folded[0], Folded)
    assert list(folded[0].rows) == [("tmp/a", 5), ("tmp/c", 5)]
    assert folded[1] == ("tmp/b", -5)


def test_the_threshold_is_1_kb_or_1_percent_of_a_small_image() -> None:
    assert fold_threshold(10_000_000) == 1000
    assert fold_threshold(47_000) == 470
    assert fold_threshold(0) == 1


def test_rollups_two_levels_deep_largest_change_first() -> None:
    assert rollup_directory("usr/lib/x86_64/libc.so") == "usr/lib"
    assert rollup_directory("app/main.py") == "app"
    assert rollup_directory("motd") == ""
    rows = [
        ("usr/lib/a/b.so", 40_000),
        ("usr/lib/c.so", 2_000),
        ("app/node_modules/x/index.js", -50_000),
        ("motd", 3),
    ]
    found = [(item.label, item.delta, item.paths) for item in rollup(rows, path, size)]
    assert found == [("/app/node_modules", -50_000, 1), ("/usr/lib", 42_000, 2), ("/", 3, 1)]


def test_a_long_list_is_grouped_by_top_directory_with_its_largest_rows() -> None:
    rows = [(f"usr/f{n}", 100 + n) for n in range(50)] + [(f"srv/f{n}", 10) for n in range(5)]
    groups = by_directory(rows, path, size, 10)
    assert [(g.directory, g.count, g.size) for g in groups] == [
        ("usr", 50, sum(100 + n for n in range(50))),
        ("srv", 5, 50),
    ]
    assert [row[1] for row in groups[0].rows] == [149, 148, 147, 146, 145]
    assert len(groups[1].rows) == 5
    assert sum(len(g.rows) for g in groups) == 10
