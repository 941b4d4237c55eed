"""Layers of an image the real Docker Engine built, mapped to its Dockerfile's lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from auger.attribution.dockerfile.history import map_layers
from auger.attribution.dockerfile.stages import parse_dockerfile
from auger.pipeline import analyze
from tests.engine_support import Engine

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
