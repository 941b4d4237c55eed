"""Extracting a path of the final filesystem, from every layout a source reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from auger.errors import ExitCode, exit_code_for
from auger.extraction.extract import (
    ExtractRequest,
    ExtractResult,
    LayerBlobNotFoundError,
    TargetError,
    extract,
)
from auger.extraction.plan import plan_final
from auger.model import ImageAnalysis
from auger.pipeline import analyze_source
from auger.sources.interface import ReadOptions
from auger.sources.reference import resolve_source
from auger.testing.images import (
    docker_archive,
)
from tests.extraction.support import LAYOUTS, files_under, layered_spec, write_image
from tests.support import NO_ENGINE


def extract_path(
    reference: str, path: str, target: Path, analysis: ImageAnalysis | None = None
) -> ExtractResult:
    source = resolve_source(reference, None, NO_ENGINE)
    analysis = analysis or analyze_source(source, ReadOptions())
    plan = plan_final(analysis.final, path)
    return extract(source, ReadOptions(), ExtractRequest(analysis.image.layers, plan, path, target))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_directory_is_written_as_a_container_sees_it(tmp_path: Path, layout: str) -> None:
    reference = write_image(tmp_path, layout, layered_spec())
    result = extract_path(reference, "app", tmp_path / "out")
    assert files_under(tmp_path / "out") == {"app", "app/a", "app/b"}
    assert (tmp_path / "out" / "app" / "a").read_bytes() == b"two"
    assert (tmp_path / "out" / "app" / "b").read_bytes() == b"b"
    assert result.written == 3
    assert result.notes == []


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_file_is_written_by_its_name_alone(tmp_path: Path, layout: str) -> None:
    reference = write_image(tmp_path, layout, layered_spec())
    extract_path(reference, "app/a", tmp_path / "out")
    assert files_under(tmp_path / "out") == {"a"}
    assert (tmp_path / "out" / "a").read_bytes() == b"two"


def test_an_image_that_changed_since_it_was_analysed_says_so(tmp_path: Path) -> None:
    reference = write_image(tmp_path, "oci", layered_spec())
    analysis = analyze_source(resolve_source(reference, None, NO_ENGINE), ReadOptions())
    Path(reference).write_bytes(docker_archive(layered_spec(b"changed"), layout="oci"))
    with pytest.raises(LayerBlobNotFoundError) as raised:
        extract_path(reference, "app/a", tmp_path / "out", analysis)
    assert raised.value.message == "could not find the blob of layer 1 in the image"
    assert exit_code_for(raised.value) == ExitCode.IMAGE_UNREADABLE


def test_a_target_that_cannot_be_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    reference = write_image(tmp_path, "oci", layered_spec())
    (tmp_path / "taken").write_text("a file")
    with pytest.raises(TargetError) as raised:
        extract_path(reference, "app", tmp_path / "taken")
    assert raised.value.message == f"cannot write to {tmp_path / 'taken'}: File exists"
    assert exit_code_for(raised.value) == ExitCode.USAGE
