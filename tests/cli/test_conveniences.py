"""What people expect of a command line: versions, usage errors said once, ``-`` for stdout,
``-q``/``-v`` with one meaning, colour that follows ``NO_COLOR`` and ``FORCE_COLOR``, and a
warning when ``--platform`` could not choose."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import textual

import auger
from auger.cli.main import COMMANDS, DEFAULT
from auger.testing.images import ImageSpec, LayerSpec, file, layer_tar, oci_layout, write_directory
from auger.version import DEPENDENCIES
from tests.budgets.support import BLOATED, NO_ENGINE, write_archive
from tests.cli.support import fresh_run
from tests.support import diagnostics_only, one_error, run_cli

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_archive(tmp_path_factory.mktemp("conveniences"), BLOATED)


# -- versions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_names_auger_python_and_each_dependency(flag: str) -> None:
    result = run_cli([flag])
    assert result.code == 0
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"auger \S+", lines[0]), lines[0]
    assert re.fullmatch(r"  Python +3\.\d+\.\d+ \(\w+, \w+, \w+\)", lines[1]), lines[1]
    named = [line.split()[0] for line in lines[2:]]
    assert named == list(DEPENDENCIES)
    installed = {line.split()[0]: line.split(maxsplit=1)[1] for line in lines[2:]}
    assert installed["textual"] == textual.__version__


def test_the_version_is_the_installed_distributions() -> None:
    first = run_cli(["-V"]).stdout.splitlines()[0]
    try:
        expected = metadata.version("auger")
    except metadata.PackageNotFoundError:
        expected = "0+unknown"
    assert first == f"auger {expected}"
    assert auger.__version__ == expected


# -- usage errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "prog"),
    [(["check"], "auger check"), (["--nope", "x"], "auger"), (["diff", "a"], "auger diff")],
)
def test_a_usage_error_names_auger_once(argv: list[str], prog: str) -> None:
    result = run_cli(argv)
    line = one_error(result, 2)
    assert line.count("auger") == 1, line
    assert f"auger: hint: see {prog} --help" in result.stderr.splitlines()


# -- - for standard output ---------------------------------------------------------------------


def test_json_dash_writes_to_stdout(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli([str(archive), "--json", "-"])
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["image"]["sizeBytes"] > 0
    assert not (tmp_path / "-").exists()
    assert "wrote" not in result.stderr


@pytest.mark.parametrize(
    "argv", [["report", "{a}", "-o", "-"], ["check", "{a}", "--format", "json", "-o", "-"]]
)
def test_output_dash_writes_to_stdout(
    argv: list[str], archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli([arg.format(a=archive) for arg in argv])
    assert result.code in (0, 1), result.stderr
    assert result.stdout.strip()
    assert not (tmp_path / "-").exists()
    if argv[0] == "check":  # the report once: no text verdict after the JSON
        json.loads(result.stdout)


# -- quiet and verbose -------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["demo"], ["{a}"], ["report", "{a}", "-o"]])
def test_quiet_normal_and_verbose_mean_the_same_everywhere(
    command: list[str], archive: Path, tmp_path: Path
) -> None:
    """On a pipe: the default says what it wrote; -q says nothing; -v adds each phase and
    layer, with times."""
    target = tmp_path / "out.json"
    argv = [arg.format(a=archive) for arg in command]
    argv += [str(target)] if argv[-1] == "-o" else ["--json", str(target)]
    quiet, normal, verbose = (run_cli([*argv, *flag]) for flag in (["-q"], [], ["-v"]))
    for result in (quiet, normal, verbose):
        assert result.code == 0, result.stderr
        diagnostics_only(result.stderr)
    assert quiet.stderr == ""
    assert normal.stderr.splitlines() == [f"auger: wrote {target}"]
    phases = [line for line in verbose.stderr.splitlines() if re.search(r"\(\d+\.\d\d s\)$", line)]
    assert phases, verbose.stderr
    assert re.search(r"^auger: scanned layer blob 1 \(", verbose.stderr, re.MULTILINE)
    assert verbose.stderr.splitlines()[-1] == f"auger: wrote {target}"


QUIET_COMMANDS = ("check", "report", "diff", "extract", "whatif", "demo")
"""The named commands that report progress or files written on stderr (``explore`` takes the
terminal, ``build`` passes its arguments to docker, ``cache`` writes on stdout only)."""


@pytest.mark.parametrize("name", [*QUIET_COMMANDS, "IMAGE"])
def test_every_command_that_writes_on_stderr_takes_quiet_and_verbose(name: str) -> None:
    parser = (DEFAULT if name == "IMAGE" else COMMANDS[name]).load().build_parser()
    flags = {flag for action in parser._actions for flag in action.option_strings}
    assert {"-q", "--quiet", "-v", "--verbose"} <= flags


def test_quiet_and_verbose_exclude_each_other(archive: Path) -> None:
    line = one_error(run_cli([str(archive), "-q", "-v"]), 2)
    assert "not allowed with argument" in line


def test_quiet_keeps_warnings(tmp_path: Path) -> None:
    layout = _single_image_layout(tmp_path, "arm64")
    result = run_cli([f"oci://{layout}", "--platform", "linux/amd64", "--json", "-", "-q"])
    assert result.code == 0
    assert result.stderr.startswith("auger: warning: --platform"), result.stderr


# -- colour ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "coloured"),
    [({}, False), ({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False)],
    ids=["pipe", "FORCE_COLOR", "NO_COLOR-wins"],
)
def test_gate_colour_on_a_pipe(
    environ: dict[str, str],
    coloured: bool,
    archive: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli(
        ["check", str(archive), "--lowestEfficiency", "0.99"], {**NO_ENGINE, **environ}
    )
    assert result.code == 1
    assert bool(ANSI.search(result.stdout)) is coloured
    plain = ANSI.sub("", result.stdout)
    assert re.search(r"^  FAIL  efficiency \(dive\)", plain, re.MULTILINE), plain
    if coloured:
        assert "\x1b[1;31mFAIL\x1b[0m" in result.stdout  # the status, bold red


def _on_a_terminal(argv: list[str], environ: dict[str, str], cwd: Path) -> str:
    """What ``auger ARGV`` writes to a terminal (a pseudo-terminal on stdout)."""
    leader, follower = pty.openpty()
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "auger", *argv],
            stdout=follower,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **NO_ENGINE, "TERM": "xterm", **environ},
            cwd=cwd,
            timeout=60,
            check=False,
        )
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    assert completed.returncode == 1
    return b"".join(chunks).decode()


@pytest.mark.parametrize(("environ", "coloured"), [({}, True), ({"NO_COLOR": "1"}, False)])
def test_gate_colour_on_a_terminal(
    environ: dict[str, str], coloured: bool, archive: Path, tmp_path: Path
) -> None:
    written = _on_a_terminal(
        ["check", str(archive), "--lowestEfficiency", "0.99"], environ, tmp_path
    )
    assert "efficiency (dive)" in written
    assert bool(ANSI.search(written)) is coloured


def test_the_gate_loads_rich_only_for_colour(archive: Path, tmp_path: Path) -> None:
    argv = ["check", str(archive)]
    plain = fresh_run(argv, {}, tmp_path)
    coloured = fresh_run(argv, {"FORCE_COLOR": "1"}, tmp_path)
    assert isinstance(plain["loaded"], list)
    assert isinstance(coloured["loaded"], list)
    assert "rich" not in plain["loaded"]
    assert "rich" in coloured["loaded"]
    assert "textual" not in coloured["loaded"]


# -- --platform where there is nothing to choose from ------------------------------------------


def _single_image_layout(root: Path, architecture: str) -> Path:
    image = ImageSpec([LayerSpec(layer_tar([file("a", 10)]))], architecture=architecture)
    return write_directory(oci_layout([image]), root / f"layout-{architecture}")


def test_platform_that_a_single_image_is_not_for_is_a_warning(tmp_path: Path) -> None:
    layout = _single_image_layout(tmp_path, "arm64")
    result = run_cli([f"oci://{layout}", "--platform", "linux/amd64", "--json", "-"])
    assert result.code == 0
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warnings == [
        "auger: warning: --platform linux/amd64 was not applied: the image is for linux/arm64; "
        "the reference names a single image, not a multi-platform index"
    ]
    recorded = json.loads(result.stdout)["auger"]["image"]["warnings"]
    assert warnings[0].removeprefix("auger: warning: ") in recorded


def test_platform_of_a_docker_archive_is_said(archive: Path) -> None:
    result = run_cli([str(archive), "--platform", "linux/s390x", "--json", "-"])
    assert result.code == 0
    assert "a docker save archive holds one platform per image" in result.stderr


def test_platform_the_image_is_for_says_nothing(tmp_path: Path) -> None:
    layout = _single_image_layout(tmp_path, "arm64")
    result = run_cli([f"oci://{layout}", "--platform", "linux/arm64", "--json", "-"])
    assert result.code == 0
    assert result.stderr == ""
