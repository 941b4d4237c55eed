"""``auger IMAGE`` picks the explorer, the gate or the summary; ``explore``; ``build``."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from auger.cli.console import Console
from auger.cli.main import main
from auger.tui import app as tui_app
from auger.viewmodel.explorer import ImageRef
from tests.engine_support import BUSYBOX_PREAMBLE, Engine
from tests.support import NO_ENGINE, run_cli


class Terminal(io.StringIO):
    """A captured stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def baselines() -> list[ImageRef | None]:
    """The baselines the explorer was asked to compare with (see :func:`opened`)."""
    return []


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch, baselines: list[ImageRef | None]) -> list[ImageRef]:
    """Replaces the explorer: records what it was asked to open."""
    calls: list[ImageRef] = []

    def fake_run_app(image: ImageRef, baseline: ImageRef | None = None) -> int:
        calls.append(image)
        baselines.append(baseline)
        return 0

    monkeypatch.setattr(tui_app, "run_app", fake_run_app)
    return calls


def run_on_terminal(argv: list[str], environ: dict[str, str]) -> tuple[int, str, str]:
    stdout, stderr = Terminal(), io.StringIO()
    code = main(argv, Console(stdout, stderr, environ))
    return int(code), stdout.getvalue(), stderr.getvalue()


def test_not_a_terminal_prints_the_summary_and_how_to_explore(sample: Path) -> None:
    result = run_cli([str(sample)])
    assert result.code == 0
    assert result.stdout.startswith("Image: sample:1")
    assert result.stderr.splitlines()[-1] == (
        f"auger: hint: for the interactive explorer, run 'auger explore {sample}' in a terminal"
    )
    assert "\x1b" not in result.stdout


def test_a_terminal_opens_the_explorer(sample: Path, opened: list[ImageRef]) -> None:
    code, stdout, _ = run_on_terminal([str(sample), "--source", "docker-archive"], NO_ENGINE)
    assert code == 0
    assert stdout == ""
    [image] = opened
    assert image.reference == str(sample)
    assert image.options.source == "docker-archive"


@pytest.mark.parametrize(("argv", "environ"), [([], {"CI": "true"}), (["--ci"], {})])
def test_ci_gates_instead_of_exploring(
    sample: Path, opened: list[ImageRef], argv: list[str], environ: dict[str, str]
) -> None:
    code, stdout, _ = run_on_terminal([str(sample), *argv], {**NO_ENGINE, **environ})
    assert opened == []
    assert code in (0, 1)
    assert "PASS" in stdout or "FAIL" in stdout


def test_explore_opens_the_explorer_on_a_terminal(sample: Path, opened: list[ImageRef]) -> None:
    code, _, _ = run_on_terminal(["explore", str(sample), "--platform", "linux/amd64"], NO_ENGINE)
    assert code == 0
    assert str(opened[0].options.platform) == "linux/amd64"


@pytest.mark.parametrize("command", [["explore"], []])
def test_a_baseline_opens_the_two_image_view(
    sample: Path, opened: list[ImageRef], baselines: list[ImageRef | None], command: list[str]
) -> None:
    """``auger explore IMAGE --baseline REF``, and ``auger IMAGE --baseline REF`` on a terminal."""
    argv = [*command, str(sample), "--baseline", "base.tar", "--source", "docker-archive"]
    code, _, _ = run_on_terminal(argv, NO_ENGINE)
    assert code == 0
    [image], [baseline] = opened, baselines
    assert image.reference == str(sample)
    assert baseline is not None
    assert (baseline.reference, baseline.options.source) == ("base.tar", "docker-archive")


def test_explore_refuses_a_pipe(sample: Path) -> None:
    result = run_cli(["explore", str(sample)])
    assert result.code == 2
    assert result.stderr.startswith("auger: error: auger explore needs a terminal on stdout\n")
    assert result.stdout == ""


def test_build_needs_arguments() -> None:
    result = run_cli(["build"])
    assert result.code == 2
    assert "auger build needs docker build arguments" in result.stderr


@pytest.mark.engine
def test_build_then_gate_under_ci(engine: Engine, busybox: Path, tmp_path: Path) -> None:
    context = tmp_path / "context"
    context.mkdir()
    shutil.copy2(busybox, context / "busybox")
    (context / "big").write_bytes(b"x" * 50_000)
    (context / "Dockerfile").write_text(
        BUSYBOX_PREAMBLE + "COPY big /big\nRUN rm /big\n", encoding="utf-8"
    )
    tag = f"auger-test-build-{uuid.uuid4().hex[:12]}:latest"  # runs at once never share it
    engine.built.append(tag)
    environ = {key: value for key, value in os.environ.items() if key != "DOCKER_HOST"}
    result = run_cli(["build", "-t", tag, str(context)], {**environ, "CI": "true"})
    assert result.code == 1, result.stderr  # 50 kB stored, then deleted: dive's defaults fail
    assert "FAIL" in result.stdout
    summary = run_cli(["build", "-q", "-t", tag, str(context)], {**environ, "CI": ""})
    assert summary.code == 0, summary.stderr
    assert summary.stdout.startswith("Image: ")
    assert "auger explore docker://sha256:" in summary.stderr


def test_the_summary_path_never_loads_textual(sample: Path) -> None:
    script = (
        "import io, sys\n"
        "from auger.cli.console import Console\n"
        "from auger.cli.main import main\n"
        "code = main([sys.argv[1]], Console(io.StringIO(), io.StringIO(), {}))\n"
        "print(code, 'textual' in sys.modules)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, str(sample)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={key: value for key, value in os.environ.items() if key != "CI"},
    )
    assert completed.stdout.split() == ["0", "False"], completed.stderr
