"""Extracting what the explorer shows writes only inside the chosen directory, whatever the
archive holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from auger.extraction.extract import ExtractRequest, ExtractResult, extract
from auger.extraction.plan import Plan
from auger.model import ImageAnalysis
from auger.pipeline import analyze
from auger.sources.interface import ReadOptions
from auger.sources.reference import resolve_source
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    compress,
    directory,
    docker_archive,
    file,
    layer_tar,
)
from auger.viewmodel.extraction import plan_extraction
from auger.viewmodel.index import ROOT, PathIndex
from tests.extraction.support import LAYOUTS, assert_confined, files_under, write_hostile_image
from tests.support import NO_ENGINE


def extract_plan(
    reference: str, analysis: ImageAnalysis, plan: Plan, selected: str, target: Path
) -> ExtractResult:
    source = resolve_source(reference, None, NO_ENGINE)
    request = ExtractRequest(analysis.image.layers, plan, selected, target)
    return extract(source, ReadOptions(), request)


def run_extract(archive: str, analysis: ImageAnalysis, target: Path) -> ExtractResult:
    index = PathIndex(analysis)
    last = len(analysis.layers) - 1
    plan = plan_extraction(index, ROOT, last, aggregated=True)
    return extract_plan(archive, analysis, plan, "", target)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_hostile_archive_writes_nothing_outside_the_target(tmp_path: Path, layout: str) -> None:
    reference, outside = write_hostile_image(tmp_path, layout)
    target = tmp_path / "target"
    before = files_under(tmp_path)
    result = run_extract(reference, analyze(reference, None, None, NO_ENGINE), target)
    after = files_under(tmp_path)
    assert {path for path in after - before if not path.startswith("target")} == set()
    assert_confined(target, outside, "\n".join(result.notes))


def test_extracts_the_version_a_layer_stored(tmp_path: Path) -> None:
    first = layer_tar([directory("app"), file("app/a", b"one"), file("app/b", b"b")])
    second = layer_tar([file("app/a", b"two")])
    spec = ImageSpec(layers=[LayerSpec(first, "one"), LayerSpec(second, "two")])
    archive = tmp_path / "image.tar"
    archive.write_bytes(compress(docker_archive(spec), "gzip"))
    analysis = analyze(str(archive), None, None, NO_ENGINE)
    index = PathIndex(analysis)
    for layer, expected in ((0, b"one"), (1, b"two")):
        target = tmp_path / f"layer{layer}"
        plan = plan_extraction(index, index.id_of["app"], layer, aggregated=True)
        result = extract_plan(str(archive), analysis, plan, "app", target)
        assert (target / "app" / "a").read_bytes() == expected
        assert (target / "app" / "b").read_bytes() == b"b"
        assert result.written == 3
    only = plan_extraction(index, index.id_of["app"], 1, aggregated=False)
    assert list(only) == [1]
    assert sorted(only[1]) == ["app/a"]


@pytest.mark.parametrize("compression", ["none", "gzip"])
def test_identical_layers_are_served_by_one_blob(tmp_path: Path, compression: str) -> None:
    """docker save links a repeated layer to its first copy; a streamed read sees one blob."""
    same = layer_tar([file("x", b"same")])
    spec = ImageSpec(layers=[LayerSpec(same, "one"), LayerSpec(same, "again")])
    archive = tmp_path / "image.tar"
    archive.write_bytes(compress(docker_archive(spec), compression))
    analysis = analyze(str(archive), None, None, NO_ENGINE)
    index = PathIndex(analysis)
    plan = plan_extraction(index, index.id_of["x"], 1, aggregated=False)
    extract_plan(str(archive), analysis, plan, "x", tmp_path / "t")
    assert (tmp_path / "t" / "x").read_bytes() == b"same"
