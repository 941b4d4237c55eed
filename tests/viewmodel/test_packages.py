"""The packages view's rows and the owner column, as text."""

from __future__ import annotations

from pathlib import Path

from auger.viewmodel.explorer import Explorer
from auger.viewmodel.packages import OWNER_WIDTH, owner_label, package_rows
from tests.report.support import analyse, attributed_image, write_archive


def test_rows_and_owner_labels(tmp_path: Path) -> None:
    analysis = analyse(write_archive(tmp_path, "image.tar", attributed_image()))
    explorer = Explorer.build(analysis, with_waste=False)
    assert explorer.ownership is None
    ownership = explorer.find_packages()
    rows = package_rows(ownership)
    assert [(row.name, row.manager, row.layer, row.note) for row in rows[:2]] == [
        ("gcc-12", "dpkg", "1", ""),
        ("typescript", "npm", "4", "dev"),
    ]
    assert rows[0].size == "32.0 kB" and rows[0].layer_index == 1
    label = owner_label(ownership, "usr/bin/make")
    assert label == "make".ljust(OWNER_WIDTH)
    assert owner_label(ownership, "etc/nothing") == "-".ljust(OWNER_WIDTH)
    assert len(owner_label(ownership, "app/node_modules/typescript/lib/tsc.js")) == OWNER_WIDTH
