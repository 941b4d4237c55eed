"""Reading images from a real registry: the same analysis as from the archive, layers in manifest
order, compressed sizes from the manifest, indexes by platform, and the scan cache honoured."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from auger.analysis.image import analyze_image
from auger.layers.scanner import scan_layer
from auger.model import Digest, LayerScan
from auger.progress import NullProgress
from auger.sources.interface import ImageNotFoundError, Platform, ReadOptions
from auger.sources.registry.source import RegistrySource
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    file,
    layer_tar,
    oci_layout,
    write_directory,
)
from tests.registry.conftest import small_image
from tests.registry_support import Registry
from tests.support import NO_ENGINE, analyze_reference, fingerprint, run_cli


def manifest_of(registry: Registry, name: str, tag: str) -> dict[str, object]:
    accept = "application/vnd.docker.distribution.manifest.v2+json"
    answer = httpx.get(
        f"http://{registry.host}/v2/{name}/manifests/{tag}", headers={"Accept": accept}
    )
    document: dict[str, object] = answer.json()
    return document


def test_an_image_reads_as_it_does_from_its_archive(
    open_registry: Registry, small_archive: Path
) -> None:
    reference = open_registry.push(f"docker-archive:{small_archive}", "team/app:1")
    from_registry = analyze_reference(reference)
    from_archive = analyze_reference(str(small_archive))
    assert fingerprint(from_registry) == fingerprint(from_archive)
    image = from_registry.image
    assert image.source == "registry"
    assert image.name == f"{open_registry.host}/team/app:1"
    assert [layer.command for layer in image.layers] == [
        "#(nop) ADD base",
        "write config",
        "rm /etc/old",
    ]
    manifest = manifest_of(open_registry, "team/app", "1")
    layers = manifest["layers"]
    assert isinstance(layers, list)
    assert [layer.stored_size for layer in image.layers] == [entry["size"] for entry in layers]
    assert [layer.digest for layer in image.layers] == [entry["digest"] for entry in layers]
    assert from_registry.compressed_size == sum(entry["size"] for entry in layers)
    assert all(layer.compression == "gzip" for layer in image.layers)
    assert image.manifest_digest is not None and image.manifest_digest.startswith("sha256:")
    assert image.warnings == ()


def test_by_digest_and_on_the_command_line(
    open_registry: Registry, small_archive: Path, tmp_path: Path
) -> None:
    reference = open_registry.push(f"docker-archive:{small_archive}", "team/app:2")
    digest = analyze_reference(reference).image.manifest_digest
    pinned = f"registry://{open_registry.host}/team/app@{digest}"
    out = tmp_path / "out.json"
    result = run_cli([pinned, "--json", str(out)])
    assert result.code == 0, result.stderr
    exported = json.loads(out.read_text())
    assert exported["image"]["sizeBytes"] == analyze_reference(str(small_archive)).size
    same = run_cli(["--source", "registry", f"{open_registry.host}/team/app:2", "--json", str(out)])
    assert same.code == 0, same.stderr


def test_many_layers_keep_the_manifest_order_and_shared_blobs_download_once(
    open_registry: Registry, tmp_path: Path
) -> None:
    shared = layer_tar([file("shared/blob", 5000)])
    layers = [
        LayerSpec(layer_tar([file(f"layer{i}/data", 1000 * (9 - i))]), f"step {i}")
        for i in range(7)
    ]
    spec = ImageSpec(
        layers=[*layers[:3], LayerSpec(shared, "shared"), *layers[3:], LayerSpec(shared, "again")]
    )
    write_directory(oci_layout([spec], "gzip"), tmp_path / "layout")
    reference = open_registry.push(f"oci:{tmp_path / 'layout'}:latest", "many:1")
    before = len(open_registry.blob_fetches("many"))
    analysis = analyze_reference(reference)
    sizes = [layer.size for layer in analysis.image.layers]
    assert [layer.command for layer in analysis.image.layers] == [
        *(f"step {i}" for i in range(3)),
        "shared",
        *(f"step {i}" for i in range(3, 7)),
        "again",
    ]
    assert sizes[0] > sizes[1] > sizes[2] and sizes[3] == sizes[-1]
    fetched = [digest for digest, _ in open_registry.blob_fetches("many")[before:]]
    layer_digests = {str(layer.digest) for layer in analysis.image.layers}
    assert sorted(d for d in fetched if d in layer_digests) == sorted(layer_digests)  # once each


class DictCache:
    """The scan cache's interface over a dict (the real one is auger.cache)."""

    def __init__(self) -> None:
        self.scans: dict[Digest, LayerScan] = {}
        self.asked: list[Digest] = []

    def get(self, diff_id: Digest) -> LayerScan | None:
        self.asked.append(diff_id)
        return self.scans.get(diff_id)

    def put(self, diff_id: Digest, scan: LayerScan) -> None:
        self.scans[diff_id] = scan


def test_layers_the_cache_knows_are_never_downloaded(
    open_registry: Registry, small_archive: Path
) -> None:
    reference = open_registry.push(f"docker-archive:{small_archive}", "cached:1")
    source = RegistrySource(reference.removeprefix("registry://"), reference, NO_ENGINE)
    cache = DictCache()
    first = source.read(scan_layer, ReadOptions(cache=cache), NullProgress())
    assert [layer.diff_id for layer in first.layers] == cache.asked
    for layer in first.layers[:2]:
        assert layer.diff_id is not None
        cache.put(layer.diff_id, layer.scan)
    before = len(open_registry.blob_fetches("cached"))
    second = source.read(scan_layer, ReadOptions(cache=cache), NullProgress())
    fetched = {digest for digest, _ in open_registry.blob_fetches("cached")[before:]}
    assert first.layers[2].digest in fetched
    assert not fetched & {first.layers[0].digest, first.layers[1].digest}
    assert second.layers[0].scan is first.layers[0].scan
    assert fingerprint(analyze_image(second)) == fingerprint(analyze_image(first))
    assert [layer.stored_size for layer in second.layers] == [
        layer.stored_size for layer in first.layers
    ]


def platform_image(architecture: str, marker: str) -> ImageSpec:
    layer = layer_tar([file(f"arch/{marker}", 100 + len(marker))])
    return ImageSpec(layers=[LayerSpec(layer, f"build {marker}")], architecture=architecture)


def test_a_multi_platform_index_by_platform(open_registry: Registry, tmp_path: Path) -> None:
    images = [platform_image("amd64", "amd64-only"), platform_image("arm64", "arm64-only")]
    write_directory(oci_layout(images, "gzip", nested=True), tmp_path / "layout")
    reference = open_registry.push(
        f"oci:{tmp_path / 'layout'}:latest", "multi:1", every_platform=True
    )
    arm = analyze_reference(reference, platform=Platform("linux", "arm64"))
    assert "arch/arm64-only" in arm.final
    assert arm.image.architecture == "arm64"
    amd = analyze_reference(reference, platform=Platform("linux", "amd64"))
    assert "arch/amd64-only" in amd.final
    with pytest.raises(ImageNotFoundError) as raised:
        analyze_reference(reference, platform=Platform("linux", "s390x"))
    assert "linux/amd64, linux/arm64" in raised.value.message
    result = run_cli([reference, "--platform", "linux/riscv64"])
    assert result.code == 3
    assert "no image for platform linux/riscv64" in result.stderr
    assert "--platform" in result.stderr


@pytest.mark.parametrize(
    ("name", "expected"),
    [("nothing-here:1", "repository"), ("team/app:no-such-tag", "has no tag no-such-tag")],
)
def test_unknown_repositories_and_tags_exit_3(
    open_registry: Registry, small_archive: Path, name: str, expected: str
) -> None:
    open_registry.push(f"docker-archive:{small_archive}", "team/app:1")
    result = run_cli([f"registry://{open_registry.host}/{name}"])
    assert result.code == 3, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("auger: error: ") and expected in lines[0]
    assert "not found" in lines[0] or "has no tag" in lines[0]
    assert result.stdout == ""


def test_an_unreachable_registry_exits_3_quickly(own_registry: Registry) -> None:
    own_registry.kill()
    result = run_cli([f"registry://{own_registry.host}/app:1"])
    assert result.code == 3
    assert f"cannot reach the registry {own_registry.host}" in result.stderr
    assert "Traceback" not in result.stderr


def test_zstd_layers(open_registry: Registry, tmp_path: Path) -> None:
    spec = small_image("zstd:1")
    gzip_layout = write_directory(oci_layout([spec], "gzip"), tmp_path / "gzip")
    layout = write_directory(oci_layout([spec], "zstd"), tmp_path / "zstd")
    analysis = analyze_reference(open_registry.push(f"oci:{layout}:1", "zstd:1"))
    assert {layer.compression for layer in analysis.image.layers} == {"zstd"}
    assert fingerprint(analysis) == fingerprint(analyze_reference(str(gzip_layout)))
    assert analysis.image.warnings == ()
