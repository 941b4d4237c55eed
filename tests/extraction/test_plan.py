"""Planning a path of the final filesystem: each entry from the layer that provided it."""

from __future__ import annotations

import pytest

from auger.analysis.image import analyze_image
from auger.extraction.plan import PathNotInImageError, plan_final
from auger.model import Image, ImageAnalysis, Layer, LayerRef
from auger.testing.images import TarEntry, directory, file, symlink, whiteout
from auger.testing.scans import layer_scan


def image(*layers: list[TarEntry]) -> ImageAnalysis:
    scanned = []
    for index, entries in enumerate(layers):
        scan = layer_scan(*entries, ref=LayerRef(f"{index}/layer.tar", index))
        scanned.append(Layer(index, scan, str(index), None, None, None, None, "", blob=""))
    return analyze_image(Image("test", "docker-archive", tuple(scanned)))


ANALYSIS = image(
    [directory("etc"), file("etc/passwd", b"root"), file("etc/hosts", b"h"), file("etc/gone")],
    [file("etc/passwd", b"root, app"), whiteout("etc/gone"), file("usr/lib/x", b"x")],
    [symlink("lib", "usr/lib")],
)


def planned(path: str) -> dict[int, list[str]]:
    return {layer: sorted(entries) for layer, entries in plan_final(ANALYSIS.final, path).items()}


def test_a_file_comes_from_the_layer_that_provided_it() -> None:
    assert planned("etc/passwd") == {1: ["etc/passwd"]}
    assert planned("etc/hosts") == {0: ["etc/hosts"]}


def test_a_directory_brings_what_a_container_sees_below_it() -> None:
    assert planned("etc") == {0: ["etc", "etc/hosts"], 1: ["etc/passwd"]}


def test_the_root_brings_everything_but_implicit_directories() -> None:
    assert planned("") == {
        0: ["etc", "etc/hosts"],
        1: ["etc/passwd", "usr/lib/x"],  # usr and usr/lib exist only for x: the writer makes them
        2: ["lib"],
    }


def test_a_link_is_planned_as_a_link_and_never_followed() -> None:
    assert planned("lib") == {2: ["lib"]}
    with pytest.raises(PathNotInImageError) as raised:
        plan_final(ANALYSIS.final, "lib/x")
    assert raised.value.message == "/lib/x is not in the image"
    assert raised.value.hint is not None
    assert raised.value.hint.startswith("/lib is a symbolic link to usr/lib")


@pytest.mark.parametrize("path", ["etc/gone", "nope", "etc/passwd/x", "et"])
def test_a_path_not_in_the_final_filesystem_is_a_usage_error(path: str) -> None:
    with pytest.raises(PathNotInImageError) as raised:
        plan_final(ANALYSIS.final, path)
    assert raised.value.message == f"/{path} is not in the image"
    assert raised.value.hint is None
