"""``.pre-commit-hooks.yaml``: the hook other repositories use to check their budgets files.

Its entry is run in-process on valid and invalid files; and, marked ``install``, pre-commit
itself installs this checkout as a hook repository (with auger's dependencies from PyPI) and
runs it on a repository of its own.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.budgets.test_loader import EXAMPLE_TEXT, MANY_MISTAKES, marked_problems
from tests.conftest import require
from tests.support import run_cli

ROOT = Path(__file__).resolve().parent.parent
HOOKS = ROOT / ".pre-commit-hooks.yaml"


def hook() -> dict[str, Any]:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    assert [entry["id"] for entry in hooks] == ["auger-budgets"]
    found: dict[str, Any] = hooks[0]
    return found


def test_the_hook_is_complete() -> None:
    found = hook()
    assert {"id", "name", "entry", "language"} <= set(found)
    assert found["language"] == "python", "pre-commit installs auger from the repository"
    assert found["pass_filenames"] is True


@pytest.mark.parametrize(
    ("path", "matched"),
    [
        ("budgets.yaml", True),
        ("deploy/budgets.yaml", True),
        (".auger.yaml", True),
        ("images/web/.dive-ci", True),
        ("budgets.example.yaml", False),
        ("mybudgets.yaml", False),
        ("budgets.yaml.orig", False),
        ("budgets.yml", False),
    ],
)
def test_the_hook_runs_on_the_files_auger_check_reads(path: str, matched: bool) -> None:
    assert bool(re.search(hook()["files"], path)) is matched


def _entry_run(files: list[Path]) -> tuple[int, str]:
    words = shlex.split(hook()["entry"])
    assert words[0] == "auger"
    result = run_cli([*words[1:], *map(str, files)])
    return result.code, result.stdout


def test_the_entry_passes_valid_files_silently(tmp_path: Path) -> None:
    path = tmp_path / "budgets.yaml"
    path.write_text(EXAMPLE_TEXT, encoding="utf-8")
    assert _entry_run([path]) == (0, "")


def test_the_entry_lists_every_mistake(tmp_path: Path) -> None:
    path = tmp_path / "budgets.yaml"
    path.write_text(MANY_MISTAKES, encoding="utf-8")
    code, stdout = _entry_run([path])
    assert code == 1
    lines = stdout.splitlines()
    assert [int(line.split(":")[1]) for line in lines] == [
        line for line, _ in marked_problems(MANY_MISTAKES)
    ]


def _git(directory: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=directory, check=True, capture_output=True)


@pytest.mark.install
def test_pre_commit_installs_and_runs_the_hook(tmp_path: Path) -> None:
    installed = importlib.util.find_spec("pre_commit") is not None
    require(installed, "pre-commit is not installed (the test extra has it)")
    tracked = subprocess.run(
        ["git", "ls-files", "--error-unmatch", HOOKS.name],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    require(tracked.returncode == 0, "this checkout is not a git repository tracking the hooks")
    project = tmp_path / "project"
    project.mkdir()
    _git(project, "init", "-q")
    (project / "budgets.yaml").write_text(MANY_MISTAKES, encoding="utf-8")
    (project / "ok").mkdir()
    (project / "ok" / "budgets.yaml").write_text(EXAMPLE_TEXT, encoding="utf-8")
    (project / "README.md").write_text("not a budgets file\n", encoding="utf-8")
    _git(project, "add", ".")
    environ = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    environ.pop("PYTHONPATH", None)  # the hook's auger is the one pre-commit installs
    run = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "auger-budgets", "--all-files"],
        cwd=project,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "auger budgets validate" in output
    assert "Failed" in output
    for line, key in marked_problems(MANY_MISTAKES):
        assert f"budgets.yaml:{line}: {key}: " in output
    assert "ok/budgets.yaml" not in output, "a valid file is passed silently"
    assert "README.md" not in output
