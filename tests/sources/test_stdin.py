"""``auger -``: an image tarball on standard input, from real pipes (``skopeo copy`` to
``/dev/stdout``) and from files, in every layout; truncated, garbage or empty input is exit 3."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

from auger.analysis.image import analyze_image
from auger.errors import ImageReadError, UsageError, exit_code_for
from auger.layers.scanner import scan_layer
from auger.model import ImageAnalysis
from auger.progress import NullProgress
from auger.sources.archive import StdinSource
from auger.sources.interface import ReadOptions
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    compress,
    directory,
    docker_archive,
    file,
    layer_tar,
    oci_layout,
    tar_of,
    whiteout,
)
from tests.conftest import require
from tests.support import NO_ENGINE, analyze_reference, fingerprint

SRC = Path(__file__).resolve().parents[2] / "src"


def image() -> ImageSpec:
    return ImageSpec(
        layers=[
            LayerSpec(layer_tar([directory("opt"), file("opt/a", 4000), file("opt/b", 10)]), "one"),
            LayerSpec(layer_tar([file("opt/a", 300), whiteout("opt/b")]), "two"),
        ]
    )


def auger_stdin(stdin: IO[bytes] | bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run ``auger - ARGS`` in a new interpreter with ``stdin`` as its standard input."""
    environ = {**os.environ, **NO_ENGINE, "PYTHONPATH": str(SRC)}
    environ.pop("CI", None)
    command = [sys.executable, "-m", "auger", "-", *args]
    if isinstance(stdin, bytes):
        return subprocess.run(
            command, input=stdin, capture_output=True, env=environ, timeout=120, check=False
        )
    return subprocess.run(
        command, stdin=stdin, capture_output=True, env=environ, timeout=120, check=False
    )


def exported(result: subprocess.CompletedProcess[bytes], out: Path) -> dict[str, object]:
    assert result.returncode == 0, result.stderr.decode()
    document: dict[str, object] = json.loads(out.read_text())
    return document


@pytest.fixture
def expected(tmp_path: Path) -> dict[str, object]:
    """The JSON export of the image read from a file on disk."""
    path = tmp_path / "image.tar"
    path.write_bytes(docker_archive(image()))
    reference = analyze_reference(str(path))
    assert reference.size == 4310
    out = tmp_path / "expected.json"
    with path.open("rb") as handle:
        return exported(auger_stdin(handle, "--json", str(out)), out)


def same_layers(found: dict[str, object], expected: dict[str, object]) -> bool:
    """The layers hold the same files (dive's layer ``id`` names the blob in its layout)."""

    def contents(document: dict[str, object]) -> list[dict[str, object]]:
        layers = document["layer"]
        assert isinstance(layers, list) and layers
        return [{k: v for k, v in layer.items() if k != "id"} for layer in layers]

    return contents(found) == contents(expected)


def read_stdin(data: bytes) -> ImageAnalysis:
    """What ``auger -`` reads from ``data`` on its standard input (in-process)."""
    image = StdinSource("-", io.BytesIO(data)).read(scan_layer, ReadOptions(), NullProgress())
    return analyze_image(image)


@pytest.mark.parametrize(
    "layout", ["docker-legacy", "docker-oci", "docker-gzip", "oci-archive", "oci-zstd"]
)
def test_every_layout(layout: str) -> None:
    spec = image()
    data = {
        "docker-legacy": lambda: docker_archive(spec),
        "docker-oci": lambda: docker_archive(spec, "oci"),
        "docker-gzip": lambda: compress(docker_archive(spec), "gzip"),
        "oci-archive": lambda: tar_of(oci_layout([spec], "gzip")),
        "oci-zstd": lambda: tar_of(oci_layout([spec], "zstd")),
    }[layout]()
    analysis = read_stdin(data)
    assert analysis.image.source == "stdin"
    assert [layer.command for layer in analysis.image.layers] == ["one", "two"]
    assert fingerprint(analysis) == fingerprint(read_stdin(docker_archive(spec)))


def test_a_file_redirected_on_the_command_line(expected: dict[str, object], tmp_path: Path) -> None:
    path = tmp_path / "image.tar.gz"
    path.write_bytes(compress(tar_of(oci_layout([image()], "gzip")), "gzip"))
    out = tmp_path / "out.json"
    with path.open("rb") as handle:
        found = exported(auger_stdin(handle, "--json", str(out)), out)
    assert found["image"] == expected["image"]
    assert same_layers(found, expected)


def test_a_pipe_from_skopeo(expected: dict[str, object], tmp_path: Path) -> None:
    require(shutil.which("skopeo") is not None, "skopeo is not installed")
    archive = tmp_path / "image.tar"
    archive.write_bytes(docker_archive(image(), "oci"))
    out = tmp_path / "out.json"
    with subprocess.Popen(
        ["skopeo", "copy", "-q", f"docker-archive:{archive}", "docker-archive:/dev/stdout"],
        stdout=subprocess.PIPE,
    ) as skopeo:
        assert skopeo.stdout is not None
        result = auger_stdin(skopeo.stdout, "--json", str(out))
        skopeo.stdout.close()
    assert skopeo.returncode == 0
    found = exported(result, out)
    assert found["image"] == expected["image"]
    assert same_layers(found, expected)


def one_error(result: subprocess.CompletedProcess[bytes], text: str) -> None:
    assert result.returncode == 3, result.stderr.decode()
    assert result.stdout == b""
    lines = result.stderr.decode().splitlines()
    errors = [line for line in lines if line.startswith("auger: error: ")]
    assert len(errors) == 1 and text in errors[0], lines
    assert "Traceback" not in result.stderr.decode()


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (compress(docker_archive(image()), "gzip")[:700], "truncated"),
        (compress(docker_archive(image()), "gzip")[:-30], "truncated"),
        (docker_archive(image())[:1000], "truncated"),
        (docker_archive(image())[:9000], "truncated"),
        (os.urandom(4096), "not a tar archive"),
        (compress(os.urandom(4096), "gzip"), "standard input"),
        (b"", "standard input is empty"),
    ],
    ids=["gzip-early", "gzip-late", "tar-early", "tar-late", "garbage", "gzip-garbage", "empty"],
)
def test_truncated_garbage_or_no_input_is_exit_3(data: bytes, text: str) -> None:
    with pytest.raises(ImageReadError) as raised:
        read_stdin(data)
    assert text in raised.value.message
    assert "\n" not in raised.value.message
    assert exit_code_for(raised.value) == 3


def test_garbage_through_a_real_pipe_is_one_line_and_exit_3() -> None:
    result = auger_stdin(os.urandom(70000))
    assert result.returncode == 3, result.stderr.decode()
    assert result.stdout == b""
    lines = result.stderr.decode().splitlines()
    assert lines[0] == "auger: error: standard input is not a tar archive (nor gzip or zstd data)"
    assert "Traceback" not in result.stderr.decode()


def test_a_terminal_on_standard_input_is_a_usage_error() -> None:
    controller, terminal = os.openpty()
    try:
        with (
            os.fdopen(terminal, "rb", closefd=False) as stream,
            pytest.raises(UsageError) as raised,
        ):
            StdinSource("-", stream).read(scan_layer, ReadOptions(), NullProgress())
        assert "terminal" in raised.value.message
        assert raised.value.hint is not None and "| auger -" in raised.value.hint
    finally:
        os.close(controller)
        os.close(terminal)
