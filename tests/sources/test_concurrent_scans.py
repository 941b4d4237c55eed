"""Layers scanned side by side or largest first (an uncompressed archive, an OCI layout) give
what one pass in layer order gives: the same layers in the same order, the same warnings, the
first error. A verified uncompressed archive is scanned one layer at a time, largest first (its
large blobs are hashed by helper processes); without verification, two threads scan it."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from auger.sources.interface import ArchiveError
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    directory,
    docker_archive,
    file,
    layer_tar,
    oci_layout,
    whiteout,
    write_directory,
)
from tests.support import analyze_reference, fingerprint


def many_layers() -> ImageSpec:
    """Eight layers of different lengths, so that threads finish out of order."""
    layers = []
    for index in range(8):
        files = [file(f"data/{index}/{n}", 50_000 * ((index * 3) % 5 + 1)) for n in range(4)]
        if index:
            files.append(whiteout(f"data/{index - 1}/0"))
        layers.append(LayerSpec(layer_tar([directory(f"data/{index}"), *files]), f"step {index}"))
    return ImageSpec(layers=layers)


@pytest.mark.parametrize("verify", [True, False], ids=["largest first", "two threads"])
def test_side_by_side_scans_match_a_streamed_pass(verify: bool, tmp_path: Path) -> None:
    archive = docker_archive(many_layers())
    plain = tmp_path / "image.tar"
    plain.write_bytes(archive)  # seekable: layers scanned by two threads
    streamed = tmp_path / "image.tar.gz"
    streamed.write_bytes(gzip.compress(archive, 1))  # one forward pass, in order
    layout = write_directory(oci_layout([many_layers()]), tmp_path / "layout")
    expected = analyze_reference(f"docker-archive://{streamed}", verify=verify)
    for reference in (f"docker-archive://{plain}", f"oci://{layout}"):
        found = analyze_reference(reference, verify=verify)
        assert fingerprint(found) == fingerprint(expected)
        assert [layer.created_by for layer in found.image.layers] == [
            f"step {index}" for index in range(8)
        ]
        assert [len(layer.scan.entries) for layer in found.image.layers] == [5] + [6] * 7
        assert found.image.warnings == expected.image.warnings


@pytest.mark.parametrize("later", ["smaller", "larger"])
@pytest.mark.parametrize("verify", [True, False], ids=["largest first", "two threads"])
def test_the_first_broken_layer_is_the_one_reported(
    verify: bool, later: str, tmp_path: Path
) -> None:
    """Whichever of two broken layers is read first (a smaller one may be read first by a
    second thread, a larger one is read first in largest-first order), the first is named."""
    spec = many_layers()
    broken = b"<html>not a layer</html>\n" * 400
    layers = list(spec.layers)
    for index in (2, 5):
        size = 10_000 // (index - 1) if later == "smaller" else 2_500 * (index - 1)
        layers[index] = LayerSpec(broken[:size], f"step {index}")
    plain = tmp_path / "image.tar"
    plain.write_bytes(docker_archive(ImageSpec(layers=layers)))
    with pytest.raises(ArchiveError, match="layer 2") as raised:
        analyze_reference(f"docker-archive://{plain}", verify=verify)
    assert "layer 5" not in raised.value.message
