"""The gate never loads Textual: checked in a fresh interpreter for each entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.budgets.support import BLOATED, write_archive
from tests.cli.support import fresh_run


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_archive(tmp_path_factory.mktemp("gate-imports"), BLOATED)


@pytest.mark.parametrize(
    ("argv", "environ"),
    [
        (["check", "{archive}"], {}),
        (["check", "{archive}", "--format", "junit"], {"GITHUB_ACTIONS": "true"}),
        (["{archive}"], {"CI": "true"}),
        (["{archive}", "--ci", "--format", "markdown"], {}),
    ],
    ids=["check", "check-junit-github", "CI=true", "--ci"],
)
def test_gate_never_imports_textual(
    argv: list[str], environ: dict[str, str], archive: Path, tmp_path: Path
) -> None:
    (tmp_path / "budgets.yaml").write_text(
        "version: 1\nimage:\n  max_size: 1kB\npaths:\n  - glob: /app\n    max_size: 0\n"
    )
    result = fresh_run([arg.format(archive=archive) for arg in argv], environ, tmp_path)
    assert result["code"] == 1, result  # the gate ran and failed the image
    assert isinstance(result["loaded"], list)
    assert "auger" in result["loaded"]
    assert "textual" not in result["loaded"]


def test_importing_the_cli_loads_neither_textual_nor_docker(tmp_path: Path) -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys\nimport auger.cli.main\n"
            "print(json.dumps(sorted({n.split('.')[0] for n in sys.modules})))",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    loaded = json.loads(completed.stdout)
    assert "auger" in loaded
    assert "textual" not in loaded
    assert "docker" not in loaded
    assert "httpx" not in loaded  # the registry's HTTP client loads only to read a registry


def test_an_export_loads_no_dataclasses(archive: Path, tmp_path: Path) -> None:
    # the records a run makes are named tuples: dataclasses (and the inspect, ast and dis
    # modules they load) compiled at import were a tenth of a small image's run
    result = fresh_run([str(archive), "--json", str(tmp_path / "out.json")], {}, tmp_path)
    assert result["code"] == 0, result
    assert isinstance(result["modules"], list)
    assert "auger.model" in result["modules"]
    assert "dataclasses" not in result["modules"]
    assert "inspect" not in result["modules"]
