"""``auger budgets validate``: every mistake in every file, as ``FILE:LINE: KEY: problem``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.budgets.test_loader import EXAMPLE, MANY_MISTAKES, marked_problems
from tests.support import run_cli

PROBLEM = re.compile(r"(?P<file>[^:]+):(?P<line>\d+): (?:(?P<key>[^\s:]+): )?(?P<message>.+)")


def problems(stdout: str) -> list[tuple[str, int, str]]:
    """(file, line, key) of each problem line."""
    found = []
    for line in stdout.splitlines():
        match = PROBLEM.fullmatch(line)
        assert match is not None, line
        found.append((match["file"], int(match["line"]), match["key"] or ""))
    return found


def test_a_valid_file_is_ok() -> None:
    result = run_cli(["budgets", "validate", str(EXAMPLE)])
    assert result.code == 0, result
    assert result.stdout == f"{EXAMPLE}: ok\n"
    assert result.stderr == ""


def test_every_mistake_is_listed_with_file_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "budgets.yaml"
    path.write_text(MANY_MISTAKES, encoding="utf-8")
    result = run_cli(["budgets", "validate", str(path)])
    assert result.code == 1
    assert result.stderr == ""
    assert problems(result.stdout) == [
        (str(path), line, key) for line, key in marked_problems(MANY_MISTAKES)
    ]


def test_several_files_each_checked(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nimage:\n  max_size: 1 parsec\n", encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    result = run_cli(["budgets", "validate", str(EXAMPLE), str(bad), str(missing)])
    assert result.code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{EXAMPLE}: ok"
    assert lines[1].startswith(f"{bad}:3: image.max_size: ")
    assert lines[2] == f"{missing}: no such file"
    assert len(lines) == 3


def test_quiet_says_nothing_of_valid_files() -> None:
    result = run_cli(["budgets", "validate", "-q", str(EXAMPLE)])
    assert (result.code, result.stdout) == (0, "")


def test_a_dive_ci_file_is_read_as_dive_rules(tmp_path: Path) -> None:
    dive_ci = tmp_path / ".dive-ci"
    dive_ci.write_text("rules:\n  lowestEfficiency: 0.95\n", encoding="utf-8")
    assert run_cli(["budgets", "validate", str(dive_ci)]).code == 0
    dive_ci.write_text("rules:\n  lowestEfficency: 0.95\n", encoding="utf-8")
    result = run_cli(["budgets", "validate", str(dive_ci)])
    assert result.code == 1
    assert problems(result.stdout) == [(str(dive_ci), 2, "rules.lowestEfficency")]
    assert "did you mean 'lowestEfficiency'" in result.stdout


def test_without_a_file_the_one_auger_check_would_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli(["budgets", "validate"])
    assert result.code == 2
    assert "no budgets file here" in result.stderr
    (tmp_path / ".auger.yaml").write_text("version: 1\nlayers: {max_size: 1 MiBs}\n")
    result = run_cli(["budgets", "validate"])
    assert result.code == 1
    assert problems(result.stdout) == [(".auger.yaml", 2, "layers.max_size")]


def test_names_are_shown_safely(tmp_path: Path) -> None:
    path = tmp_path / "evil\x1b[31m.yaml"
    path.write_text("version: 1\nimage: {max_layers: -1}\n", encoding="utf-8")
    result = run_cli(["budgets", "validate", str(path)])
    assert result.code == 1
    assert "\x1b" not in result.stdout


def test_validate_is_required() -> None:
    result = run_cli(["budgets"])
    assert result.code == 2
    assert "auger: error: " in result.stderr
