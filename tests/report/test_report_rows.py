"""Rows that earn their place: a long waste list is grouped by top directory (the largest rows
of each), tiny wasted paths fold into their directory, an empty command says so."""

from __future__ import annotations

from pathlib import Path

from auger.report.markdown_report import format_report
from auger.report.model import build_report
from auger.testing.images import ImageSpec, LayerSpec, file, layer_tar
from tests.report.support import analyse, table_problems, table_rows, unfolded_text, write_archive


def test_a_list_over_the_row_cap_is_grouped_by_directory(tmp_path: Path) -> None:
    names = [f"{top}/data/f{n:03d}.bin" for top in ("srv", "opt", "var") for n in range(300)]
    sizes = {name: 1500 + 10 * n for n, name in enumerate(names)}
    spec = ImageSpec(
        [
            LayerSpec(layer_tar([file(name, sizes[name]) for name in names]), "COPY data /"),
            LayerSpec(layer_tar([file(name, 1) for name in names]), "COPY other /"),
        ]
    )
    report = build_report(analyse(write_archive(tmp_path, "rows.tar", spec)))
    assert len(report.waste) == 900
    markdown = format_report(report, limit=40_000)
    assert table_problems(markdown) == []
    heads = [row for row in table_rows(markdown) if row[0].startswith("**")]
    assert [row[0].split("**")[1] for row in heads] == ["/var", "/opt", "/srv"], "largest first"
    assert all("300 rows" in row[0] for row in heads)
    rows = table_rows(markdown)
    first = rows.index(heads[0])
    under_var = [row[0] for row in rows[first + 1 : first + 4]]
    assert under_var == ["`/var/data/f299.bin`", "`/var/data/f298.bin`", "`/var/data/f297.bin`"]
    assert "more wasted paths not listed. The largest of each top directory are." in markdown


def test_tiny_wasted_files_fold_into_one_row(tmp_path: Path) -> None:
    tiny = [file(f"tmp/build-{n:03d}.log", b"x" * 9) for n in range(100)]
    spec = ImageSpec(
        [
            LayerSpec(layer_tar([file("app/big.bin", 200_000), *tiny]), "RUN make"),
            LayerSpec(layer_tar([file(entry.name, b"y" * 9) for entry in tiny]), ""),
        ]
    )
    report = build_report(analyse(write_archive(tmp_path, "tiny.tar", spec)))
    assert [(group.path, group.files, group.folded) for group in report.waste] == [
        ("tmp", 100, 100)
    ]
    markdown = format_report(report)
    seen = unfolded_text(markdown)
    assert [row[0] for row in table_rows(seen) if len(row) == 7] == ["`/tmp/` (100 small paths)"]
    assert "100 paths under 1.0 kB are folded into their directories." in seen
    layers = [row for row in table_rows(markdown) if len(row) == 6 and row[0].isdigit()]
    assert layers[1][5] == "(no command)"
