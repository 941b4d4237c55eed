"""The command line, run in-process through ``main`` (and once as the installed script)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from auger.cli.console import Console
from auger.cli.main import main
from auger.demo import demo_archive, demo_image
from auger.testing.images import ImageSpec, LayerSpec, docker_archive, file, layer_tar, sha256
from auger.version import version
from tests.support import NO_ENGINE, diagnostics_only, one_error, run_cli


def layer_sizes(spec: ImageSpec) -> list[int]:
    """Each layer's content size, read back from its tar with tarfile."""
    sizes = []
    for layer in spec.layers:
        with tarfile.open(fileobj=io.BytesIO(layer.tar)) as archive:
            sizes.append(sum(member.size for member in archive.getmembers()))
    return sizes


def sizes_of(spec: ImageSpec, path: str) -> list[int]:
    """The sizes of ``path`` in every layer that stores it."""
    found: list[int] = []
    for layer in spec.layers:
        with tarfile.open(fileobj=io.BytesIO(layer.tar)) as archive:
            found.extend(m.size for m in archive.getmembers() if m.name == path)
    return found


@pytest.fixture(scope="module")
def demo_tar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.tar"
    path.write_bytes(demo_archive())
    return path


# -- auger demo -----------------------------------------------------------------------------------


def test_demo_prints_a_summary() -> None:
    result = run_cli(["demo"])
    assert result.code == 0, result.stderr
    spec = demo_image()
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Image: {spec.tag} (docker-archive")
    assert f"{len(spec.layers)} layers" in result.stdout
    for layer in spec.layers:
        command = layer.created_by.removeprefix("/bin/sh -c ").strip()
        assert command[:40] in result.stdout
    assert "/var/cache/apt/archives/gcc_12_amd64.deb" in result.stdout
    diagnostics_only(result.stderr)
    assert "error" not in result.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_demo_on_a_terminal_says_how_to_explore_it(tmp_path: Path) -> None:
    stdout, stderr = _Terminal(), io.StringIO()
    assert main(["demo"], Console(stdout, stderr, NO_ENGINE)) == 0
    assert stderr.getvalue().splitlines()[-1] == (
        "auger: to open it in the explorer: auger demo --save auger-demo.tar, "
        "then auger explore auger-demo.tar"
    )
    saved = tmp_path / "demo.tar"
    stdout, stderr = _Terminal(), io.StringIO()
    assert main(["demo", "--save", str(saved)], Console(stdout, stderr, NO_ENGINE)) == 0
    assert (
        stderr.getvalue().splitlines()[-1]
        == f"auger: open it in the explorer: auger explore {saved}"
    )
    assert "explorer" not in run_cli(["demo"]).stderr, "not when stdout is a file or a pipe"


def test_demo_json_has_dives_keys(tmp_path: Path) -> None:
    target = tmp_path / "demo.json"
    result = run_cli(["demo", "--json", str(target)])
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    diagnostics_only(result.stderr)
    exported: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    assert {"layer", "image", "auger"} <= set(exported)

    spec = demo_image()
    sizes = layer_sizes(spec)
    layers = exported["layer"]
    assert [layer["index"] for layer in layers] == list(range(len(spec.layers)))
    assert [layer["sizeBytes"] for layer in layers] == sizes
    assert [layer["digestId"] for layer in layers] == [sha256(x.tar) for x in spec.layers]
    assert [layer["command"] for layer in layers] == [
        x.created_by.removeprefix("/bin/sh -c ") for x in spec.layers
    ]
    for layer in layers:
        assert isinstance(layer["id"], str) and layer["id"]
        assert layer["fileList"]
        for entry in layer["fileList"]:
            assert {
                "path",
                "typeFlag",
                "linkName",
                "size",
                "fileMode",
                "uid",
                "gid",
                "isDir",
            } <= set(entry)
    image = exported["image"]
    assert image["sizeBytes"] == sum(sizes)
    assert 0 < image["efficiencyScore"] < 1
    references = image["fileReference"]
    assert references
    for reference in references:
        assert set(reference) >= {"file", "count", "sizeBytes"}
        assert reference["count"] >= 2
    assert image["inefficientBytes"] == sum(r["sizeBytes"] for r in references)
    assert [r["sizeBytes"] for r in references] == sorted(
        (r["sizeBytes"] for r in references), reverse=True
    )
    status = sizes_of(spec, "var/lib/dpkg/status")
    [dpkg] = [r for r in references if r["file"].lstrip("/") == "var/lib/dpkg/status"]
    assert (dpkg["count"], dpkg["sizeBytes"]) == (len(status), sum(status))
    assert exported["auger"]["image"]["sizeBytes"] == sum(sizes)
    assert exported["auger"]["image"]["layerCount"] == len(spec.layers)


def test_demo_save_keeps_the_archive(tmp_path: Path) -> None:
    target = tmp_path / "kept.tar"
    result = run_cli(["demo", "--save", str(target), "-q"])
    assert result.code == 0, result.stderr
    assert target.read_bytes() == demo_archive()
    again = run_cli([str(target)])
    assert again.code == 0
    assert again.stdout == result.stdout


# -- auger IMAGE --json -------------------------------------------------------------------------


def test_json_replaces_the_file_atomically(demo_tar: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "report.json"
    target.write_text("old content that is not JSON")
    witness = out_dir / "witness"
    os.link(target, witness)  # a second name for the old file's inode
    result = run_cli([str(demo_tar), "--json", str(target)])
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert exported["image"]["sizeBytes"] == sum(layer_sizes(demo_image()))
    assert witness.read_text() == "old content that is not JSON"  # replaced, not rewritten
    assert sorted(p.name for p in out_dir.iterdir()) == ["report.json", "witness"]
    assert (target.stat().st_mode & 0o777) == 0o644


def test_json_left_alone_when_the_image_cannot_be_read(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("previous report")
    result = run_cli([str(tmp_path / "missing.tar"), "--json", str(target)])
    one_error(result, 3)
    assert target.read_text() == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_json_into_a_missing_directory(demo_tar: Path, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "dir" / "report.json"
    result = run_cli([str(demo_tar), "--json", str(target)])
    assert result.code != 0
    line = one_error(result, result.code)
    assert "report.json" in line
    assert not (tmp_path / "no").exists()


def test_quiet_json_writes_nothing_to_stderr(demo_tar: Path, tmp_path: Path) -> None:
    result = run_cli([str(demo_tar), "--json", str(tmp_path / "r.json"), "--quiet"])
    assert result.code == 0
    assert (result.stdout, result.stderr) == ("", "")


def test_warnings_go_to_stderr_and_data_to_stdout(tmp_path: Path) -> None:
    spec = ImageSpec(layers=[LayerSpec(layer_tar([file("a", 10)]))], history=False)
    path = tmp_path / "nohistory.tar"
    path.write_bytes(docker_archive(spec))
    result = run_cli([str(path)])
    assert result.code == 0
    assert result.stdout.startswith("Image: ")
    assert "warning" not in result.stdout
    diagnostics_only(result.stderr)
    assert any(line.startswith("auger: warning: ") for line in result.stderr.splitlines())


# -- usage errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["{archive}", "--bogus"],
        ["demo", "--bogus"],
        ["{archive}", "--json"],
        ["{archive}", "--source", "floppy"],
        ["{archive}", "extra-argument"],
    ],
)
def test_bad_flags_exit_2(argv: list[str], demo_tar: Path) -> None:
    result = run_cli([arg.format(archive=demo_tar) for arg in argv])
    one_error(result, 2)
    assert result.stdout == ""


@pytest.mark.parametrize("platform", ["bad", "linux", "linux/", "/amd64", "a/b/c/d"])
def test_bad_platform_exits_2(platform: str, demo_tar: Path) -> None:
    result = run_cli([str(demo_tar), "--platform", platform])
    line = one_error(result, 2)
    assert "--platform" in line
    assert result.stdout == ""


@pytest.mark.parametrize(
    "reference", ["ftp://x/y", "podman://", "registry://Host.example/App:1", "docker://"]
)
def test_bad_references_exit_2(reference: str) -> None:
    one_error(run_cli([reference]), 2)


def test_no_arguments_exit_2() -> None:
    result = run_cli([])
    assert result.code == 2
    assert "usage" in (result.stdout + result.stderr).lower()


# -- help and version -----------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["image.tar", "--help"], ["demo", "--help"]])
def test_help_exits_0_on_stdout(argv: list[str]) -> None:
    result = run_cli(argv)
    assert result.code == 0
    assert "usage" in result.stdout.lower()
    assert result.stderr == ""


def test_image_help_lists_the_options() -> None:
    result = run_cli(["x", "--help"])
    for option in ("--json", "--platform", "--source", "--quiet"):
        assert option in result.stdout


@pytest.mark.parametrize("columns", [60, 120])
def test_help_wraps_to_the_terminal_width(columns: int) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "auger", "check", "--help"],
        env={**os.environ, "COLUMNS": str(columns)},
        capture_output=True,
        text=True,
        check=True,
    )
    options = completed.stdout.split("\noptions:\n", 1)[1]  # (usage may hold unbreakable words)
    widths = [len(line) for line in options.splitlines()]
    assert max(widths) <= columns - 2  # argparse keeps two columns free, as before
    assert max(widths) > columns - 25  # and does use the width it has


def test_version() -> None:
    result = run_cli(["--version"])
    assert result.code == 0
    assert f"auger {version()}\n" in result.stdout  # the metadata as it is now


# -- unreadable images ----------------------------------------------------------------------------


def corrupt_archive(root: Path) -> Path:
    data = demo_archive()
    path = root / "corrupt.tar"
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize("kind", ["missing", "corrupt", "not-a-tar"])
def test_unreadable_archive_exits_3_without_traceback(kind: str, tmp_path: Path) -> None:
    if kind == "missing":
        path = tmp_path / "missing.tar"
    elif kind == "corrupt":
        path = corrupt_archive(tmp_path)
    else:
        path = tmp_path / "text.tar"
        path.write_text("hello\n")
    result = run_cli([str(path)])
    line = one_error(result, 3)
    assert str(path) in line
    assert result.stdout == ""


@pytest.mark.parametrize("kind", ["missing", "corrupt"])
def test_debug_shows_the_traceback(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "missing.tar" if kind == "missing" else corrupt_archive(tmp_path)
    result = run_cli([str(path), "--debug"])
    assert result.code == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert "auger: error: " in result.stderr


def test_demo_debug_flag_is_accepted() -> None:
    result = run_cli(["demo", "--debug", "-q"])
    assert result.code == 0
    assert result.stderr == ""


@pytest.mark.parametrize("reference", ["alpine:3.20", "docker://alpine:3.20"])
def test_unreachable_engine_exits_3_with_a_hint(reference: str) -> None:
    socket = "unix:///nonexistent.sock"
    result = run_cli([reference], {"DOCKER_HOST": socket})
    line = one_error(result, 3)
    assert socket in line
    hints = [h for h in result.stderr.splitlines() if h.startswith("auger: hint: ")]
    assert len(hints) == 1
    assert "docker-archive" in hints[0] or "DOCKER_HOST" in hints[0]


# -- the installed entry point -----------------------------------------------------------------


def test_console_script_runs_the_demo(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("auger")
    assert script.is_file(), f"console script missing: {script}"
    environment = {k: v for k, v in os.environ.items() if k not in ("CI", "DOCKER_HOST")}
    completed = subprocess.run(
        [str(script), "demo", "--json", str(tmp_path / "demo.json")],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=tmp_path,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == ""
    exported = json.loads((tmp_path / "demo.json").read_text(encoding="utf-8"))
    assert exported["image"]["sizeBytes"] == sum(layer_sizes(demo_image()))
    summary = subprocess.run(
        [str(script), "demo"], capture_output=True, text=True, timeout=120, check=False
    )
    assert summary.returncode == 0
    assert summary.stdout.startswith("Image: auger-demo:latest")


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["{archive}", "--ci", "--lowestEfficiency", "0.99", "--format", "json"], 1),
        (["report", "{archive}", "--format", "markdown"], 0),
        (["{missing}"], 3),
    ],
)
def test_console_script_output_and_exit_code_match_main(
    tmp_path: Path, argv: list[str], code: int
) -> None:
    """The script exits without tearing its heap down: nothing it prints may be lost."""
    archive = tmp_path / "demo.tar"
    archive.write_bytes(demo_archive())
    argv = [part.format(archive=archive, missing=tmp_path / "absent.tar") for part in argv]
    unset = ("CI", "DOCKER_HOST", "PYTHONUNBUFFERED")  # buffered, as piped output usually is
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("auger")), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        check=False,
    )
    in_process = run_cli(argv)
    assert (completed.returncode, in_process.code) == (code, code)
    assert completed.stdout == in_process.stdout
    assert completed.stderr == in_process.stderr
