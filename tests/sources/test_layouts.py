"""One image in every layout and compression auger reads gives one and the same analysis."""

from __future__ import annotations

import gzip
import io
import itertools
import json
import random
import tarfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import zstandard

from auger.model import EntryKind, ImageAnalysis
from auger.sources.interface import AmbiguousImageError, ImageNotFoundError, Platform
from auger.sources.platforms import host_platform
from auger.testing.images import (
    REF_NAME,
    ImageSpec,
    LayerSpec,
    compress,
    config_json,
    directory,
    docker_archive,
    file,
    hardlink,
    layer_tar,
    oci_layout,
    opaque,
    sha256,
    symlink,
    tar_of,
    whiteout,
    write_directory,
)
from tests.support import analyze_reference, fingerprint, rewrite_tar

# Content sizes, so that every expected number below is derived from what the layers hold.
CONF, BIG, CACHE_A, CACHE_B, TOOL = 300, 5000, 700, 900, 1234
CONF2, APP, NEW = 310, 2048, 64
DATA = 4321


def sample_image(tag: str = "sample:1.0") -> ImageSpec:
    """Three layers: overwrite, delete, opaque dir, chmod, links."""
    base = layer_tar(
        [
            directory("etc"),
            file("etc/conf", CONF),
            directory("usr/lib"),
            file("usr/lib/big", BIG, 0o755),
            symlink("usr/lib/link", "big"),
            directory("usr/bin"),
            file("usr/bin/tool", TOOL, 0o755),
            hardlink("usr/bin/tool2", "usr/bin/tool"),
            directory("tmp/cache"),
            file("tmp/cache/a", CACHE_A),
            file("tmp/cache/b", CACHE_B),
        ]
    )
    middle = layer_tar(
        [
            file("etc/conf", CONF2),
            whiteout("usr/lib/big"),
            file("opt/app", APP, 0o755),
            opaque("tmp/cache"),
            file("tmp/cache/new", NEW),
        ]
    )
    top = layer_tar(
        [
            file("etc/conf", CONF2, mode=0o600),  # same bytes, new mode
            file("opt/data", DATA),
            whiteout("opt/app"),
        ]
    )
    return ImageSpec(
        layers=[
            LayerSpec(base, "/bin/sh -c #(nop) ADD file:base in / "),
            LayerSpec(middle, "/bin/sh -c apt-get install app && rm /usr/lib/big", 2),
            LayerSpec(top, "/bin/sh -c chmod 600 /etc/conf", 1),
        ],
        tag=tag,
    )


LAYER_SIZES = [
    CONF + BIG + TOOL + CACHE_A + CACHE_B,
    CONF2 + APP + NEW,
    CONF2 + DATA,
]
FINAL_FILES = {"etc/conf": CONF2, "usr/bin/tool": TOOL, "tmp/cache/new": NEW, "opt/data": DATA}
FINAL_PATHS = {
    "etc",
    "etc/conf",
    "usr",
    "usr/lib",
    "usr/lib/link",
    "usr/bin",
    "usr/bin/tool",
    "usr/bin/tool2",
    "tmp",
    "tmp/cache",
    "tmp/cache/new",
    "opt",
    "opt/data",
}


@dataclass(frozen=True, slots=True)
class Written:
    """An image written in one layout."""

    reference: str
    carries_blob_digests: bool
    compressed: str | None
    """``gzip`` or ``zstd`` when layer blobs are stored compressed (OCI layouts)."""
    source: str


Writer = Callable[[ImageSpec, Path], Written]


def _file(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def docker_legacy(image: ImageSpec, root: Path) -> Written:
    path = _file(root / "legacy.tar", docker_archive(image, "legacy"))
    return Written(f"docker-archive://{path}", False, None, "docker-archive")


def docker_legacy_bare(image: ImageSpec, root: Path) -> Written:
    path = _file(root / "legacy.tar", docker_archive(image, "legacy"))
    return Written(str(path), False, None, "docker-archive")


def docker_legacy_gz(image: ImageSpec, root: Path) -> Written:
    path = _file(root / "legacy.tar.gz", gzip.compress(docker_archive(image, "legacy")))
    return Written(f"docker-archive://{path}", False, None, "docker-archive")


def docker_legacy_zst(image: ImageSpec, root: Path) -> Written:
    path = _file(root / "legacy.tar.zst", compress(docker_archive(image, "legacy"), "zstd"))
    return Written(str(path), False, None, "docker-archive")


def docker_oci(image: ImageSpec, root: Path) -> Written:
    path = _file(root / "docker25.tar", docker_archive(image, "oci"))
    return Written(f"docker-archive://{path}", True, None, "docker-archive")


def docker_oci_gz(image: ImageSpec, root: Path) -> Written:
    path = _file(root / "docker25.tar.gz", gzip.compress(docker_archive(image, "oci")))
    return Written(str(path), True, None, "docker-archive")


def docker_oci_read_as_oci_archive(image: ImageSpec, root: Path) -> Written:
    path = _file(root / "docker25.tar", docker_archive(image, "oci"))
    return Written(f"oci-archive://{path}", True, None, "oci-archive")


def oci_dir(compression: str) -> Writer:
    def write(image: ImageSpec, root: Path) -> Written:
        layout = write_directory(oci_layout([image], compression), root / "layout")
        return Written(
            f"oci://{layout}", True, None if compression == "none" else compression, "oci"
        )

    return write


def oci_archive(compression: str) -> Writer:
    def write(image: ImageSpec, root: Path) -> Written:
        path = _file(root / "oci.tar", tar_of(oci_layout([image], compression)))
        return Written(
            f"oci-archive://{path}",
            True,
            None if compression == "none" else compression,
            "oci-archive",
        )

    return write


def oci_archive_gz(image: ImageSpec, root: Path) -> Written:
    path = _file(root / "oci.tar.gz", gzip.compress(tar_of(oci_layout([image], "zstd"))))
    return Written(f"oci-archive://{path}", True, "zstd", "oci-archive")


WRITERS: dict[str, Writer] = {
    "docker-legacy": docker_legacy,
    "docker-legacy-bare-path": docker_legacy_bare,
    "docker-legacy-tar.gz": docker_legacy_gz,
    "docker-legacy-tar.zst": docker_legacy_zst,
    "docker25": docker_oci,
    "docker25-tar.gz": docker_oci_gz,
    "docker25-as-oci-archive": docker_oci_read_as_oci_archive,
    "oci-dir-none": oci_dir("none"),
    "oci-dir-gzip": oci_dir("gzip"),
    "oci-dir-zstd": oci_dir("zstd"),
    "oci-archive-none": oci_archive("none"),
    "oci-archive-gzip": oci_archive("gzip"),
    "oci-archive-zstd": oci_archive("zstd"),
    "oci-archive-tar.gz-zstd-layers": oci_archive_gz,
}


@pytest.fixture(scope="module")
def reference_analysis(tmp_path_factory: pytest.TempPathFactory) -> ImageAnalysis:
    """The sample image read from the oldest layout (docker save before Docker 25)."""
    root = tmp_path_factory.mktemp("reference")
    return analyze_reference(docker_legacy(sample_image(), root).reference)


def test_reference_analysis_matches_the_layers_written(reference_analysis: ImageAnalysis) -> None:
    analysis = reference_analysis
    assert [layer.size for layer in analysis.image.layers] == LAYER_SIZES
    assert analysis.size == sum(LAYER_SIZES)
    assert set(analysis.final) == FINAL_PATHS
    assert analysis.final_size == sum(FINAL_FILES.values())
    assert analysis.wasted_bytes == sum(LAYER_SIZES) - sum(FINAL_FILES.values())
    assert sum(item.size for item in analysis.waste) == analysis.wasted_bytes
    assert sum(layer.stored_waste for layer in analysis.layers) == analysis.wasted_bytes
    assert analysis.final["etc/conf"].layer == 2
    visible = analysis.final["usr/bin/tool2"].entry
    assert visible is not None and visible.kind is EntryKind.HARDLINK
    removed = {c.path for c in analysis.layers[1].changes if c.diff.value == "removed"}
    assert {"usr/lib/big", "tmp/cache/a", "tmp/cache/b"} <= removed


@pytest.mark.parametrize("layout", list(WRITERS))
def test_every_layout_gives_the_same_analysis(
    layout: str, tmp_path: Path, reference_analysis: ImageAnalysis
) -> None:
    image = sample_image()
    written = WRITERS[layout](image, tmp_path)
    analysis = analyze_reference(written.reference)
    assert fingerprint(analysis) == fingerprint(reference_analysis)

    layers = analysis.image.layers
    assert analysis.image.source == written.source
    assert [layer.command for layer in layers] == [
        spec.created_by.removeprefix("/bin/sh -c ") for spec in image.layers
    ]
    assert [layer.diff_id for layer in layers] == [sha256(spec.tar) for spec in image.layers]
    assert analysis.image.architecture == image.architecture
    assert analysis.image.os == image.os
    assert not analysis.image.warnings

    if written.compressed is None:
        assert analysis.compressed_size is None
        assert {layer.compression for layer in layers} == {"none"}
    else:
        blobs = [compress(spec.tar, written.compressed) for spec in image.layers]
        assert analysis.compressed_size == sum(len(blob) for blob in blobs)
        assert [layer.stored_size for layer in layers] == [len(blob) for blob in blobs]
        assert {layer.compression for layer in layers} == {written.compressed}
    if written.carries_blob_digests:
        compression = written.compressed or "none"
        assert [layer.digest for layer in layers] == [
            sha256(compress(spec.tar, compression)) for spec in image.layers
        ]


def test_layout_names(tmp_path: Path) -> None:
    image = sample_image("registry.example/sample:1.0")
    legacy = analyze_reference(docker_legacy(image, tmp_path).reference)
    assert legacy.image.name == "registry.example/sample:1.0"
    oci = analyze_reference(oci_dir("gzip")(image, tmp_path).reference)
    assert oci.image.name == "1.0"
    assert oci.image.manifest_digest is not None
    assert oci.image.config_digest is not None
    assert oci.image.manifest_digest.startswith("sha256:")


# -- repeated layers and member order ----------------------------------------------------------


def repeated_image() -> ImageSpec:
    same = layer_tar([directory("data"), file("data/blob", 999)])
    other = layer_tar([file("data/other", 17)])
    return ImageSpec(
        layers=[
            LayerSpec(same, "/bin/sh -c one"),
            LayerSpec(other, "/bin/sh -c two"),
            LayerSpec(same, "/bin/sh -c three"),
        ]
    )


@pytest.mark.parametrize("layout", list(WRITERS))
def test_repeated_identical_layers(layout: str, tmp_path: Path) -> None:
    image = repeated_image()
    archive = docker_archive(image, "legacy")
    symlinks = [m for m in tar_infos(archive) if m.issym()]
    assert len(symlinks) == 1  # the writer really linked the second copy
    analysis = analyze_reference(WRITERS[layout](image, tmp_path).reference)
    layers = analysis.image.layers
    assert [layer.size for layer in layers] == [999, 17, 999]
    assert layers[0].scan.entries == layers[2].scan.entries
    assert [layer.command for layer in layers] == ["one", "two", "three"]
    assert analysis.final["data/blob"].layer == 2
    assert analysis.wasted_bytes == 999


def tar_infos(data: bytes) -> list[tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return archive.getmembers()


def reversed_members(members: list[tarfile.TarInfo]) -> list[tarfile.TarInfo]:
    return members[::-1]


def shuffled_members(members: list[tarfile.TarInfo]) -> list[tarfile.TarInfo]:
    copy = list(members)
    random.Random(7).shuffle(copy)
    return copy


@pytest.mark.parametrize("order", [reversed_members, shuffled_members])
@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize("layout", ["legacy", "oci"])
def test_layer_order_comes_from_the_manifest(
    layout: str,
    compressed: bool,
    order: Callable[[list[tarfile.TarInfo]], list[tarfile.TarInfo]],
    tmp_path: Path,
    reference_analysis: ImageAnalysis,
) -> None:
    original = docker_archive(sample_image(), layout)
    rewritten = rewrite_tar(original, order)
    names = [m.name for m in tar_infos(rewritten)]
    assert names != [m.name for m in tar_infos(original)]
    path = tmp_path / ("image.tar.gz" if compressed else "image.tar")
    path.write_bytes(gzip.compress(rewritten) if compressed else rewritten)
    analysis = analyze_reference(f"docker-archive://{path}")
    assert fingerprint(analysis) == fingerprint(reference_analysis)


def test_oci_archive_blob_order_does_not_matter(
    tmp_path: Path, reference_analysis: ImageAnalysis
) -> None:
    files = oci_layout([sample_image()], "zstd")
    path = tmp_path / "oci.tar"
    path.write_bytes(rewrite_tar(tar_of(files), reversed_members))
    analysis = analyze_reference(f"oci-archive://{path}")
    assert fingerprint(analysis) == fingerprint(reference_analysis)


# -- history -------------------------------------------------------------------------------------


def three_layers(**kwargs: Any) -> ImageSpec:
    tars = [layer_tar([file(f"f{index}", 10 * (index + 1))]) for index in range(3)]
    empty = kwargs.pop("empty_before", (0, 0, 0))
    return ImageSpec(
        layers=[
            LayerSpec(tar, f"/bin/sh -c step {index}", empty[index])
            for index, tar in enumerate(tars)
        ],
        **kwargs,
    )


HISTORY_LAYOUTS = ["docker-legacy", "docker25-tar.gz", "oci-dir-gzip"]


@pytest.mark.parametrize("layout", HISTORY_LAYOUTS)
def test_history_with_empty_layer_entries(layout: str, tmp_path: Path) -> None:
    image = three_layers(empty_before=(3, 0, 2))
    config = json.loads(config_json(image))
    assert sum(1 for item in config["history"] if item.get("empty_layer")) == 5
    analysis = analyze_reference(WRITERS[layout](image, tmp_path).reference)
    assert [layer.command for layer in analysis.image.layers] == ["step 0", "step 1", "step 2"]
    assert not analysis.image.warnings


@pytest.mark.parametrize("layout", HISTORY_LAYOUTS)
def test_history_shorter_than_the_layers(layout: str, tmp_path: Path) -> None:
    history = [
        {"created_by": "/bin/sh -c #(nop) ENV X=1", "empty_layer": True},
        {"created_by": "/bin/sh -c only one"},
    ]
    image = three_layers(history=False, extra_config={"history": history})
    analysis = analyze_reference(WRITERS[layout](image, tmp_path).reference)
    layers = analysis.image.layers
    assert [layer.command for layer in layers] == ["only one", "(missing)", "(missing)"]
    assert [layer.has_history for layer in layers] == [True, False, False]
    assert any("history" in warning for warning in analysis.image.warnings)
    assert [layer.size for layer in layers] == [10, 20, 30]


@pytest.mark.parametrize("layout", HISTORY_LAYOUTS)
def test_no_history(layout: str, tmp_path: Path) -> None:
    image = three_layers(history=False)
    assert "history" not in json.loads(config_json(image))
    analysis = analyze_reference(WRITERS[layout](image, tmp_path).reference)
    assert [layer.command for layer in analysis.image.layers] == ["(missing)"] * 3
    assert any("history" in warning for warning in analysis.image.warnings)
    assert [layer.diff_id for layer in analysis.image.layers] == [
        sha256(spec.tar) for spec in image.layers
    ]


# -- multi-platform indexes ----------------------------------------------------------------------


def platform_image(os_name: str, arch: str, variant: str | None = None) -> ImageSpec:
    marker = f"marker-{arch}{variant or ''}"
    tar = layer_tar([file(marker, len(marker) * 10)])
    return ImageSpec(
        layers=[LayerSpec(tar, f"/bin/sh -c build {arch}")],
        os=os_name,
        architecture=arch,
        variant=variant,
    )


def other_arch() -> str:
    return "s390x" if host_platform().architecture != "s390x" else "amd64"


def multi_platform() -> list[ImageSpec]:
    host = host_platform()
    wanted = [
        ("linux", other_arch(), None),
        ("linux", "arm", "v6"),
        ("linux", "arm", "v7"),
        (host.os, host.architecture, host.variant),
        ("linux", "riscv64", None),
    ]
    return [platform_image(*triple) for triple in dict.fromkeys(wanted)]


def marker_of(analysis: ImageAnalysis) -> str:
    [path] = [path for path in analysis.final if path.startswith("marker-")]
    return path


@pytest.mark.parametrize("nested", [False, True])
@pytest.mark.parametrize(
    ("wanted", "marker"),
    [
        (Platform("linux", "arm", "v7"), "marker-armv7"),
        (Platform("linux", "arm", "v6"), "marker-armv6"),
        (Platform("linux", "riscv64"), "marker-riscv64"),
    ],
)
def test_platform_selection(nested: bool, wanted: Platform, marker: str, tmp_path: Path) -> None:
    layout = write_directory(oci_layout(multi_platform(), "gzip", nested=nested), tmp_path / "l")
    analysis = analyze_reference(f"oci://{layout}", platform=wanted)
    assert marker_of(analysis) == marker
    assert analysis.image.architecture == wanted.architecture
    assert analysis.image.variant == wanted.variant
    assert analysis.size == len(marker) * 10


def test_ref_name_and_platform_together(tmp_path: Path) -> None:
    layout = write_directory(oci_layout(multi_platform(), "gzip", nested=True), tmp_path / "l")
    wanted = Platform("linux", "arm", "v7")
    analysis = analyze_reference(f"oci://{layout}:latest", platform=wanted)
    assert marker_of(analysis) == "marker-armv7"
    assert analysis.image.name == "latest"


@pytest.mark.parametrize("nested", [False, True])
def test_host_platform_is_the_default(nested: bool, tmp_path: Path) -> None:
    host = host_platform()
    files = oci_layout(multi_platform(), "zstd", nested=nested)
    archive = tmp_path / "multi.tar"
    archive.write_bytes(tar_of(files))
    analysis = analyze_reference(f"oci-archive://{archive}")
    assert marker_of(analysis) == f"marker-{host.architecture}{host.variant or ''}"
    assert analysis.image.platform == str(host)


def test_unknown_platform_is_not_found(tmp_path: Path) -> None:
    layout = write_directory(oci_layout(multi_platform(), "gzip"), tmp_path / "l")
    with pytest.raises(ImageNotFoundError) as raised:
        analyze_reference(f"oci://{layout}", platform=Platform("windows", "amd64"))
    assert "windows/amd64" in raised.value.message
    assert "linux/riscv64" in raised.value.message
    assert raised.value.hint is not None and "--platform" in raised.value.hint


def add_attestation(files: dict[str, bytes], nested: bool, annotate: bool) -> dict[str, bytes]:
    """Add a buildx-style attestation manifest (platform unknown/unknown) to a layout."""
    files = dict(files)
    statement = b'{"_type": "https://in-toto.io/Statement/v0.1"}'
    config = b"{}"
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": sha256(config),
                "size": len(config),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.in-toto+json",
                    "digest": sha256(statement),
                    "size": len(statement),
                }
            ],
        }
    ).encode()
    for blob in (statement, config, manifest):
        files[f"blobs/sha256/{sha256(blob).removeprefix('sha256:')}"] = blob
    descriptor: dict[str, Any] = {
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": sha256(manifest),
        "size": len(manifest),
        "platform": {"os": "unknown", "architecture": "unknown"},
    }
    if annotate:
        descriptor["annotations"] = {"vnd.docker.reference.type": "attestation-manifest"}
    index = json.loads(files["index.json"])
    if not nested:
        index["manifests"].append(descriptor)
        files["index.json"] = json.dumps(index).encode()
        return files
    [outer] = index["manifests"]
    inner_name = f"blobs/sha256/{outer['digest'].removeprefix('sha256:')}"
    inner = json.loads(files.pop(inner_name))
    inner["manifests"].append(descriptor)
    data = json.dumps(inner).encode()
    files[f"blobs/sha256/{sha256(data).removeprefix('sha256:')}"] = data
    outer.update(digest=sha256(data), size=len(data))
    files["index.json"] = json.dumps(index).encode()
    return files


@pytest.mark.parametrize("annotate", [False, True])
@pytest.mark.parametrize("nested", [False, True])
def test_attestation_manifests_are_ignored(annotate: bool, nested: bool, tmp_path: Path) -> None:
    host = host_platform()
    image = platform_image(host.os, host.architecture, host.variant)
    files = add_attestation(oci_layout([image], "gzip", nested=nested), nested, annotate)
    layout = write_directory(files, tmp_path / "l")
    analysis = analyze_reference(f"oci://{layout}")
    assert marker_of(analysis) == f"marker-{host.architecture}{host.variant or ''}"
    assert not analysis.image.warnings


def test_attestations_next_to_several_platforms(tmp_path: Path) -> None:
    files = add_attestation(oci_layout(multi_platform(), "gzip", nested=True), True, True)
    layout = write_directory(files, tmp_path / "l")
    analysis = analyze_reference(f"oci://{layout}", platform=Platform("linux", "riscv64"))
    assert marker_of(analysis) == "marker-riscv64"


# -- choosing one image of several ---------------------------------------------------------------


def named_image(tag: str, size: int) -> ImageSpec:
    host = host_platform()
    tar = layer_tar([file(f"image-{tag.replace(':', '-')}", size)])
    return ImageSpec(
        layers=[LayerSpec(tar, f"/bin/sh -c make {tag}")],
        tag=tag,
        architecture=host.architecture,
        variant=host.variant,
    )


def two_image_layout() -> dict[str, bytes]:
    return oci_layout([named_image("app:one", 11), named_image("app:two", 22)], "gzip")


def test_oci_ref_name_selects_one_image(tmp_path: Path) -> None:
    layout = write_directory(two_image_layout(), tmp_path / "l")
    index = json.loads((layout / "index.json").read_bytes())
    assert [m["annotations"][REF_NAME] for m in index["manifests"]] == ["one", "two"]
    for tag, size in (("one", 11), ("two", 22)):
        analysis = analyze_reference(f"oci://{layout}:{tag}")
        assert analysis.size == size
        assert analysis.image.name == tag
        assert f"image-app-{tag}" in analysis.final


def test_oci_archive_ref_name_selects_one_image(tmp_path: Path) -> None:
    archive = tmp_path / "two.tar"
    archive.write_bytes(tar_of(two_image_layout()))
    assert analyze_reference(f"oci-archive://{archive}:two").size == 22


def test_oci_layout_with_several_images_needs_a_selector(tmp_path: Path) -> None:
    layout = write_directory(two_image_layout(), tmp_path / "l")
    with pytest.raises(AmbiguousImageError) as raised:
        analyze_reference(f"oci://{layout}")
    assert "one" in raised.value.message and "two" in raised.value.message
    assert raised.value.hint is not None


def test_oci_unknown_ref_name(tmp_path: Path) -> None:
    layout = write_directory(two_image_layout(), tmp_path / "l")
    with pytest.raises(ImageNotFoundError) as raised:
        analyze_reference(f"oci://{layout}:three")
    assert "three" in raised.value.message


def two_image_docker_archive(*tags: str) -> bytes:
    """A ``docker save`` of several images (as ``docker save a b`` writes it)."""
    files: dict[str, bytes] = {}
    manifest: list[Any] = []
    for number, tag in enumerate(tags):
        data = docker_archive(named_image(tag, 100 + number))
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            for member in archive:
                extracted = archive.extractfile(member)
                assert extracted is not None
                if member.name == "manifest.json":
                    manifest.extend(json.loads(extracted.read()))
                else:
                    files[member.name] = extracted.read()
    files["manifest.json"] = json.dumps(manifest).encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as target:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    return out.getvalue()


def test_docker_archive_tag_selects_one_image(tmp_path: Path) -> None:
    path = tmp_path / "two.tar"
    path.write_bytes(two_image_docker_archive("app:one", "app:two"))
    analysis = analyze_reference(f"docker-archive://{path}:app:two")
    assert analysis.size == 101
    assert analysis.image.name == "app:two"
    assert "image-app-two" in analysis.final


def test_docker_archive_repository_selects_its_latest_tag(tmp_path: Path) -> None:
    path = tmp_path / "two.tar"
    path.write_bytes(two_image_docker_archive("first:latest", "second:latest"))
    assert analyze_reference(f"docker-archive://{path}:second").size == 101
    assert analyze_reference(f"{path}:first").size == 100


def test_docker_archive_with_several_images_needs_a_selector(tmp_path: Path) -> None:
    path = tmp_path / "two.tar"
    path.write_bytes(two_image_docker_archive("app:one", "app:two"))
    with pytest.raises(AmbiguousImageError) as raised:
        analyze_reference(f"docker-archive://{path}")
    assert "app:one" in raised.value.message
    assert raised.value.hint is not None and "docker-archive://" in raised.value.hint
    assert "\n" not in raised.value.message


# -- layer contents that cross buffer boundaries, empty layers, multi-frame blobs -----------------

RANDOM_CONTENT = random.Random(11).randbytes(2_200_000)


def large_image() -> ImageSpec:
    return ImageSpec(
        layers=[
            LayerSpec(
                layer_tar(
                    [
                        file("small", b"x" * 10),
                        file("big", 3_000_001),
                        file("random", RANDOM_CONTENT),
                    ]
                ),
                "/bin/sh -c big",
            ),
            LayerSpec(layer_tar([]), "/bin/sh -c #(nop) WORKDIR /"),
            LayerSpec(layer_tar([directory("d")]), "/bin/sh -c mkdir /d"),
        ]
    )


@pytest.fixture(scope="module")
def large_reference(tmp_path_factory: pytest.TempPathFactory) -> ImageAnalysis:
    root = tmp_path_factory.mktemp("large")
    return analyze_reference(docker_legacy(large_image(), root).reference)


def test_large_and_empty_layers(large_reference: ImageAnalysis) -> None:
    analysis = large_reference
    assert [layer.size for layer in analysis.image.layers] == [
        10 + 3_000_001 + len(RANDOM_CONTENT),
        0,
        0,
    ]
    random_entry = analysis.final["random"].entry
    assert random_entry is not None
    assert random_entry.digest == zlib.crc32(RANDOM_CONTENT)
    assert random_entry.size == len(RANDOM_CONTENT)
    assert analysis.image.layers[1].scan.entries == ()


@pytest.mark.parametrize("layout", list(WRITERS))
def test_large_and_empty_layers_in_every_layout(
    layout: str, tmp_path: Path, large_reference: ImageAnalysis
) -> None:
    analysis = analyze_reference(WRITERS[layout](large_image(), tmp_path).reference)
    assert fingerprint(analysis) == fingerprint(large_reference)


def recompress_layers(
    files: dict[str, bytes], encode: Callable[[bytes], bytes], media: str
) -> dict[str, bytes]:
    """Re-encode every layer blob of a one-image layout (uncompressed layers) with ``encode``."""
    files = dict(files)
    index = json.loads(files["index.json"])
    manifest_name = "blobs/sha256/" + index["manifests"][0]["digest"].removeprefix("sha256:")
    manifest = json.loads(files.pop(manifest_name))
    for descriptor in manifest["layers"]:
        tar = files.pop("blobs/sha256/" + descriptor["digest"].removeprefix("sha256:"))
        blob = encode(tar)
        files["blobs/sha256/" + sha256(blob).removeprefix("sha256:")] = blob
        descriptor.update(mediaType=media, digest=sha256(blob), size=len(blob))
    data = json.dumps(manifest).encode()
    files["blobs/sha256/" + sha256(data).removeprefix("sha256:")] = data
    index["manifests"][0].update(digest=sha256(data), size=len(data))
    files["index.json"] = json.dumps(index).encode()
    return files


def in_pieces(encode: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    """Encode a blob as several concatenated frames or members."""

    def split(data: bytes) -> bytes:
        cuts = [0, 1000, len(data) // 2, len(data) - 7, len(data)]
        return b"".join(encode(data[a:b]) for a, b in itertools.pairwise(cuts) if b > a)

    return split


@pytest.mark.parametrize("compression", ["zstd", "gzip"])
@pytest.mark.parametrize("form", ["oci", "oci-archive"])
def test_multi_frame_layer_blobs(
    compression: str, form: str, tmp_path: Path, reference_analysis: ImageAnalysis
) -> None:
    encoder: Callable[[bytes], bytes] = (
        zstandard.ZstdCompressor().compress
        if compression == "zstd"
        else (lambda data: gzip.compress(data, mtime=0))
    )
    media = f"application/vnd.oci.image.layer.v1.tar+{compression}"
    files = recompress_layers(oci_layout([sample_image()], "none"), in_pieces(encoder), media)
    if form == "oci":
        reference = f"oci://{write_directory(files, tmp_path / 'l')}"
    else:
        (tmp_path / "l.tar").write_bytes(tar_of(files))
        reference = f"oci-archive://{tmp_path / 'l.tar'}"
    analysis = analyze_reference(reference)
    assert fingerprint(analysis) == fingerprint(reference_analysis)
    assert {layer.compression for layer in analysis.image.layers} == {compression}
    assert not analysis.image.warnings
