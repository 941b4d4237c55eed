"""Layers of an image the real Docker Engine built, mapped to its Dockerfile's lines."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

from auger.attribution.dockerfile.history import map_layers
from auger.attribution.dockerfile.stages import parse_dockerfile
from auger.pipeline import analyze
from tests.engine_support import BUSYBOX_PREAMBLE, Engine
from tests.support import run_cli

pytestmark = pytest.mark.engine

FIXTURES = Path(__file__).parent / "dockerfiles"


def test_every_layer_of_a_classic_build_maps_to_its_line(
    engine: Engine, busybox: Path, tmp_path: Path
) -> None:
    text = (FIXTURES / "classic.Dockerfile").read_text()
    tag = engine.build(tmp_path / "context", text, busybox=busybox)
    analysis = analyze(f"docker://{tag}")
    mapping = map_layers(
        parse_dockerfile(text), [layer.created_by for layer in analysis.image.layers]
    )
    assert mapping.warnings == ()
    lines = [instruction.line if instruction else None for instruction in mapping.instructions]
    # WORKDIR /app on line 13 found its directory there already and made no layer
    assert lines == [2, 3, 7, 8, 10, 11, 12, 14, 16]
    sizes = {line: layer.size for line, layer in zip(lines, analysis.image.layers, strict=True)}
    assert sizes[2] == busybox.stat().st_size
    assert sizes[8] == len("1.2\n") + len("hi\n")


def test_auger_build_annotates_its_own_dockerfile(
    engine: Engine, busybox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = tmp_path / "context"
    context.mkdir()
    shutil.copy2(busybox, context / "busybox")
    (context / "big.tar.gz").write_bytes(b"x" * 60_000)
    (context / "Dockerfile").write_text(
        BUSYBOX_PREAMBLE + "COPY big.tar.gz /tmp/\nRUN rm /tmp/big.tar.gz\n", encoding="utf-8"
    )
    tag = f"auger-test-build-{uuid.uuid4().hex[:8]}:latest"
    engine.built.append(tag)
    monkeypatch.chdir(context)
    environ = {key: value for key, value in os.environ.items() if key != "DOCKER_HOST"}
    environ.update({"CI": "true", "GITHUB_ACTIONS": "true"})
    environ.pop("GITHUB_STEP_SUMMARY", None)
    result = run_cli(["build", "-q", "-t", tag, "."], environ)
    assert result.code == 1, result.stderr  # 60 kB stored then deleted: dive's defaults fail
    annotations = [line for line in result.stderr.splitlines() if line.startswith("::warning")]
    # the archive copied in, then deleted by the next layer: on the COPY line (4)
    assert annotations == [
        "::warning file=Dockerfile,line=4,title=DL3010::an archive copied in and extracted in a "
        "later layer (60.0 kB, saves 60.0 kB). Fix: use ADD for local archives (it extracts "
        "them) or download and extract in one RUN"
    ]
