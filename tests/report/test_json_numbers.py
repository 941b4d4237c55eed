"""Every JSON output stays JSON when a ratio is infinite: the number becomes ``null``.

dive's user wasted percent divides by the bytes of every layer but the first; when those
layers hold none (they only delete), the ratio is infinite, which JSON cannot carry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auger.testing.images import file, whiteout
from tests.budgets.support import run_auger, write_archive


def strict_json(text: str) -> Any:
    """Parse ``text``, refusing the ``Infinity`` and ``NaN`` Python would write and accept."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    layers = [[file("big", 1000)], [whiteout("big")]]
    return write_archive(tmp_path_factory.mktemp("infinite"), layers)


def test_the_gate_writes_an_infinite_measure_as_null(archive: Path, tmp_path: Path) -> None:
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text("version: 1\nimage:\n  max_user_wasted_percent: 10%\n", encoding="utf-8")
    result = run_auger(["check", str(archive), "--budgets", str(budgets), "--format", "json"])
    assert result.code == 1, result.stderr  # infinitely wasteful is above any limit
    rules = {rule["rule"]: rule for rule in strict_json(result.stdout)["rules"]}
    rule = rules["image.max_user_wasted_percent"]
    assert rule["status"] == "fail"
    assert rule["measured"] == "inf %"
    assert rule["measuredValue"] is None
    assert rule["failValue"] == 0.1


def test_the_report_and_the_export_write_it_as_null(archive: Path, tmp_path: Path) -> None:
    report = run_auger(["report", str(archive), "--format", "json", "-q"])
    assert strict_json(report.stdout)["image"]["userWastedPercent"] is None
    target = tmp_path / "export.json"
    run_auger([str(archive), "--json", str(target), "-q"])
    export = strict_json(target.read_text(encoding="utf-8"))
    assert export["auger"]["image"]["userWastedPercent"] is None
