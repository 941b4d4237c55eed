"""Bad archives and layouts: each gives its documented error in one line, never a crash."""

from __future__ import annotations

import gzip
import io
import json
import random
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import zstandard

from auger.display import display
from auger.errors import AugerError, ImageReadError, LayerFormatError
from auger.layers import paths
from auger.pipeline import analyze_source
from auger.report.text import format_summary
from auger.sources.interface import (
    ArchiveError,
    BlobMissingError,
    DigestMismatchError,
    ReadOptions,
    UnsupportedMediaTypeError,
)
from auger.sources.reference import resolve_source
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    directory,
    docker_archive,
    file,
    layer_tar,
    oci_layout,
    sha256,
    symlink,
    tar_of,
    write_directory,
)
from tests.support import NO_ENGINE, analyze_reference, rewrite_tar, run_cli


def small_image() -> ImageSpec:
    return ImageSpec(
        layers=[
            LayerSpec(layer_tar([directory("etc"), file("etc/a", 3000)]), "/bin/sh -c one"),
            LayerSpec(layer_tar([file("etc/a", 10), file("etc/b", 2000)]), "/bin/sh -c two"),
        ]
    )


def one_line(text: str) -> None:
    assert text
    assert not any(ord(char) < 0x20 or ord(char) == 0x7F for char in text), repr(text)


def expect_failure(reference: str, error: type[AugerError], exit_code: int = 3) -> AugerError:
    """Analysing ``reference`` raises ``error`` in one line; the CLI exits as documented."""
    with pytest.raises(AugerError) as raised:
        analyze_reference(reference)
    found = raised.value
    assert isinstance(found, error), f"{type(found).__name__}: {found.message}"
    one_line(found.message)
    if found.hint is not None:
        one_line(found.hint)
    result = run_cli([reference])
    assert result.code == exit_code, result.stderr
    assert result.stderr.startswith("auger: error: ")
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
    assert result.stdout == ""
    return found


# -- files that are not archives -----------------------------------------------------------------


@pytest.mark.parametrize(
    "reference",
    [
        "docker-archive://{root}/missing.tar",
        "{root}/missing.tar",
        "{root}/missing/image.tar.gz",
        "oci-archive://{root}/missing.tar",
        "oci://{root}/missing-layout",
        "docker-archive://{root}/missing.tar:name:tag",
    ],
)
def test_missing_file(reference: str, tmp_path: Path) -> None:
    found = expect_failure(reference.format(root=tmp_path), ArchiveError)
    assert "missing" in found.message


@pytest.mark.parametrize("scheme", ["docker-archive://", "oci-archive://", ""])
def test_directory_passed_as_an_archive(scheme: str, tmp_path: Path) -> None:
    (tmp_path / "some-dir").mkdir()
    expect_failure(f"{scheme}{tmp_path}/some-dir", ArchiveError)


def test_file_passed_as_an_oci_layout(tmp_path: Path) -> None:
    path = tmp_path / "image.tar"
    path.write_bytes(docker_archive(small_image()))
    expect_failure(f"oci://{path}", ArchiveError)


def test_directory_without_index_passed_as_an_oci_layout(tmp_path: Path) -> None:
    (tmp_path / "layout").mkdir()
    (tmp_path / "layout" / "readme.txt").write_text("hello")
    expect_failure(f"oci://{tmp_path}/layout", ArchiveError)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"hello, world\n",
        b'{"not": "a tar"}\n' * 100,
        random.Random(3).randbytes(20_000),
        b"PK\x03\x04" + bytes(4000),
    ],
    ids=["empty", "short-text", "json", "random", "zip"],
)
def test_not_a_tar_file(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "image.tar"
    path.write_bytes(content)
    expect_failure(str(path), ImageReadError)
    expect_failure(f"oci-archive://{path}", ImageReadError)


@pytest.mark.parametrize(
    "content",
    [b"", b"just some text\n" * 50, random.Random(4).randbytes(5000)],
    ids=["empty", "text", "random"],
)
def test_gzip_of_something_that_is_not_a_tar(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "image.tar.gz"
    path.write_bytes(gzip.compress(content))
    expect_failure(str(path), ImageReadError)


def test_tar_that_is_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "files.tar"
    path.write_bytes(layer_tar([file("README", b"hi"), directory("src")]))
    found = expect_failure(str(path), ArchiveError)
    assert "manifest.json" in found.message


# -- truncation -----------------------------------------------------------------------------------


def member_offsets(data: bytes) -> dict[str, tuple[int, int, int]]:
    """Each member's header offset, data offset and size."""
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return {m.name: (m.offset, m.offset_data, m.size) for m in archive.getmembers()}


def cut_points(data: bytes) -> dict[str, int]:
    members = member_offsets(data)
    layers = [(name, spot) for name, spot in members.items() if spot[2] > 1024]
    first_layer = layers[0][1]
    manifest = members["manifest.json"]
    return {
        "inside the first header": 300,
        "inside a layer header": layers[-1][1][0] + 100,
        "inside a layer": first_layer[1] + first_layer[2] // 2,
        "inside the last layer": layers[-1][1][1] + 700,
        "inside manifest.json": manifest[1] + 5,
        "just before manifest.json": manifest[0],
    }


CUTS = [
    "inside the first header",
    "inside a layer header",
    "inside a layer",
    "inside the last layer",
    "inside manifest.json",
    "just before manifest.json",
]


@pytest.mark.parametrize("where", CUTS)
@pytest.mark.parametrize("layout", ["legacy", "oci"])
def test_truncated_archive(layout: str, where: str, tmp_path: Path) -> None:
    data = docker_archive(small_image(), layout)
    cut = cut_points(data)[where]
    path = tmp_path / "image.tar"
    path.write_bytes(data[:cut])
    if layout == "oci" and where == "just before manifest.json":
        # Docker 25 archives are OCI layouts too: without manifest.json, index.json still leads
        # to the image.
        assert analyze_reference(f"docker-archive://{path}").size == 3000 + 10 + 2000
        return
    expected: type[AugerError] = LayerFormatError
    if where == "just before manifest.json":
        expected = ArchiveError  # a well-formed tar without the manifest
    elif where == "inside the first header":
        expected = ImageReadError  # "not a tar archive" or "truncated" both fit
    found = expect_failure(f"docker-archive://{path}", expected)
    if expected is LayerFormatError:
        assert "truncated" in found.message


@pytest.mark.parametrize("where", CUTS)
def test_truncated_archive_with_the_manifest_first(where: str, tmp_path: Path) -> None:
    data = rewrite_tar(docker_archive(small_image()), lambda members: members[::-1])
    cut = cut_points(data)[where]
    path = tmp_path / "image.tar"
    path.write_bytes(data[:cut])
    expect_failure(str(path), ImageReadError)


def test_archive_without_end_marker_still_reads(tmp_path: Path) -> None:
    data = docker_archive(small_image())
    _, start, size = member_offsets(data)["manifest.json"]
    path = tmp_path / "image.tar"
    path.write_bytes(data[: start + size + (-size % 512)])
    assert analyze_reference(str(path)).size == 3000 + 10 + 2000


@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.5, 0.8, 0.99])
@pytest.mark.parametrize("layout", ["legacy", "oci"])
def test_gzip_archive_cut_short(layout: str, fraction: float, tmp_path: Path) -> None:
    data = gzip.compress(docker_archive(small_image(), layout))
    path = tmp_path / "image.tar.gz"
    path.write_bytes(data[: int(len(data) * fraction)])
    expect_failure(str(path), LayerFormatError)


def test_zstd_archive_cut_short(tmp_path: Path) -> None:
    data = zstandard.ZstdCompressor().compress(docker_archive(small_image()))
    path = tmp_path / "image.tar.zst"
    path.write_bytes(data[: len(data) // 2])
    expect_failure(str(path), LayerFormatError)


# -- corrupt layers in OCI layouts ----------------------------------------------------------------


def layout_files(compression: str) -> dict[str, bytes]:
    return oci_layout([small_image()], compression)


def index_manifest(files: dict[str, bytes]) -> tuple[str, dict[str, Any]]:
    index = json.loads(files["index.json"])
    name = "blobs/sha256/" + index["manifests"][0]["digest"].removeprefix("sha256:")
    return name, json.loads(files[name])


def layer_blob_names(files: dict[str, bytes]) -> list[str]:
    _, manifest = index_manifest(files)
    return ["blobs/sha256/" + d["digest"].removeprefix("sha256:") for d in manifest["layers"]]


def patch_manifest(
    files: dict[str, bytes], change: Callable[[dict[str, Any]], None]
) -> dict[str, bytes]:
    """Edit the image manifest and re-point index.json at the edited copy."""
    files = dict(files)
    name, manifest = index_manifest(files)
    change(manifest)
    data = json.dumps(manifest).encode()
    del files[name]
    files["blobs/sha256/" + sha256(data).removeprefix("sha256:")] = data
    index = json.loads(files["index.json"])
    index["manifests"][0].update(digest=sha256(data), size=len(data))
    files["index.json"] = json.dumps(index).encode()
    return files


def both_oci_forms(files: dict[str, bytes], root: Path) -> list[str]:
    layout = write_directory(files, root / "layout")
    archive = root / "layout.tar"
    archive.write_bytes(tar_of(files))
    return [f"oci://{layout}", f"oci-archive://{archive}"]


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda blob: blob[:4] + random.Random(5).randbytes(len(blob) - 4),
        lambda blob: blob[:4] + b"\xff" * 16 + blob[20:],
    ],
    ids=["garbage-after-magic", "bad-frame-header"],
)
def test_corrupt_zstd_layer(corrupt: Callable[[bytes], bytes], tmp_path: Path) -> None:
    files = layout_files("zstd")
    last = layer_blob_names(files)[-1]
    files[last] = corrupt(files[last])
    for reference in both_oci_forms(files, tmp_path):
        found = expect_failure(reference, LayerFormatError)
        assert "layer 1" in found.message


@pytest.mark.parametrize(
    "corrupt",
    [lambda blob: blob[:10] + random.Random(6).randbytes(len(blob) - 10)],
    ids=["garbage-after-header"],
)
def test_corrupt_gzip_layer(corrupt: Callable[[bytes], bytes], tmp_path: Path) -> None:
    files = layout_files("gzip")
    first = layer_blob_names(files)[0]
    files[first] = corrupt(files[first])
    for reference in both_oci_forms(files, tmp_path):
        found = expect_failure(reference, LayerFormatError)
        assert "layer 0" in found.message


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
def test_truncated_layer(compression: str, tmp_path: Path) -> None:
    """A blob cut short is shorter than its descriptor says; unverified, its data ends early."""
    files = layout_files(compression)
    first = layer_blob_names(files)[0]
    files[first] = files[first][: len(files[first]) // 2]
    for reference in both_oci_forms(files, tmp_path):
        found = expect_failure(reference, DigestMismatchError)
        assert found.message.startswith("size mismatch: layer 0"), found.message
        with pytest.raises(LayerFormatError, match="layer 0"):
            analyze_source(resolve_source(reference, None, NO_ENGINE), ReadOptions(verify=False))


def test_layer_blob_that_is_no_tar_at_all(tmp_path: Path) -> None:
    files = layout_files("none")
    first = layer_blob_names(files)[0]
    files[first] = b"<html>not a layer</html>\n" * 50
    for reference in both_oci_forms(files, tmp_path):
        expect_failure(reference, ImageReadError)


def test_missing_layer_blob(tmp_path: Path) -> None:
    files = layout_files("gzip")
    del files[layer_blob_names(files)[1]]
    for reference in both_oci_forms(files, tmp_path):
        expect_failure(reference, BlobMissingError)


# -- manifest.json problems -----------------------------------------------------------------------


def with_manifest(content: bytes, *, compressed: bool = False, root: Path) -> str:
    data = rewrite_tar(docker_archive(small_image()), list, {"manifest.json": content})
    path = root / ("image.tar.gz" if compressed else "image.tar")
    path.write_bytes(gzip.compress(data) if compressed else data)
    return str(path)


def original_manifest() -> list[dict[str, Any]]:
    with tarfile.open(fileobj=io.BytesIO(docker_archive(small_image()))) as archive:
        extracted = archive.extractfile("manifest.json")
        assert extracted is not None
        manifest: list[dict[str, Any]] = json.loads(extracted.read())
    return manifest


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize(
    "content",
    [b"this is not json", b'{"Config": ', b"[{]", b"\xff\xfe\x00garbage", b"null"],
    ids=["text", "cut", "bad-array", "binary", "null"],
)
def test_manifest_json_that_is_not_json(content: bytes, compressed: bool, tmp_path: Path) -> None:
    expect_failure(with_manifest(content, compressed=compressed, root=tmp_path), ArchiveError)


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize("content", [b"[]", b"{}", b"[1, 2]", b"[{}]", b'[{"Config": 5}]'])
def test_manifest_json_that_lists_no_image(
    content: bytes, compressed: bool, tmp_path: Path
) -> None:
    expect_failure(with_manifest(content, compressed=compressed, root=tmp_path), ArchiveError)


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize("what", ["layer", "config", "hostile-layer"])
def test_manifest_json_names_a_missing_blob(what: str, compressed: bool, tmp_path: Path) -> None:
    manifest = original_manifest()
    if what == "layer":
        manifest[0]["Layers"][1] = "0" * 64 + "/layer.tar"
    elif what == "hostile-layer":
        manifest[0]["Layers"][1] = "evil\x1b[2J\n/layer.tar"
    else:
        manifest[0]["Config"] = "f" * 64 + ".json"
    content = json.dumps(manifest).encode()
    found = expect_failure(
        with_manifest(content, compressed=compressed, root=tmp_path), BlobMissingError
    )
    expected = {"layer": "0" * 64, "config": "f" * 64, "hostile-layer": "evil"}[what]
    assert expected in found.message


@pytest.mark.parametrize("compressed", [False, True])
def test_manifest_json_names_a_layer_outside_the_archive(compressed: bool, tmp_path: Path) -> None:
    manifest = original_manifest()
    manifest[0]["Layers"][0] = "../../../../etc/passwd"
    content = json.dumps(manifest).encode()
    expect_failure(with_manifest(content, compressed=compressed, root=tmp_path), ArchiveError)


def test_symlink_loop_in_an_archive(tmp_path: Path) -> None:
    manifest = original_manifest()
    manifest[0]["Layers"][0] = "loop/a"
    data = docker_archive(small_image())
    out = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(data)) as source,
        tarfile.open(fileobj=out, mode="w") as target,
    ):
        for member in source.getmembers():
            content = source.extractfile(member)
            if member.name == "manifest.json":
                body = json.dumps(manifest).encode()
                member.size = len(body)
                content = io.BytesIO(body)
            target.addfile(member, content)
        for name, link in (("loop/a", "b"), ("loop/b", "a")):
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = link
            target.addfile(info)
    path = tmp_path / "loop.tar"
    path.write_bytes(out.getvalue())
    expect_failure(str(path), ArchiveError)


# -- OCI manifests auger cannot read -------------------------------------------------------------

HELM_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json"


def test_unsupported_layer_media_type(tmp_path: Path) -> None:
    def helm(manifest: dict[str, Any]) -> None:
        manifest["layers"][0]["mediaType"] = HELM_LAYER

    for reference in both_oci_forms(patch_manifest(layout_files("gzip"), helm), tmp_path):
        found = expect_failure(reference, UnsupportedMediaTypeError)
        assert HELM_LAYER in found.message


def test_config_that_is_not_an_image_config(tmp_path: Path) -> None:
    def helm(manifest: dict[str, Any]) -> None:
        manifest["config"]["mediaType"] = HELM_CONFIG

    for reference in both_oci_forms(patch_manifest(layout_files("gzip"), helm), tmp_path):
        found = expect_failure(reference, UnsupportedMediaTypeError)
        assert HELM_CONFIG in found.message


def test_unsupported_manifest_media_type_in_the_index(tmp_path: Path) -> None:
    files = layout_files("gzip")
    index = json.loads(files["index.json"])
    index["manifests"][0]["mediaType"] = "application/vnd.docker.distribution.manifest.v1+json"
    files["index.json"] = json.dumps(index).encode()
    for reference in both_oci_forms(files, tmp_path):
        expect_failure(reference, UnsupportedMediaTypeError)


@pytest.mark.parametrize("content", [b"not json", b"[]", b'{"manifests": []}', b'{"x": 1}'])
def test_index_json_that_is_not_an_index(content: bytes, tmp_path: Path) -> None:
    files = layout_files("gzip")
    files["index.json"] = content
    for reference in both_oci_forms(files, tmp_path):
        expect_failure(reference, ArchiveError)


# -- path traversal through digests --------------------------------------------------------------

TRAVERSALS = [
    "sha256:../../etc/passwd",
    "sha256:../../../outside",
    "../../sha256:abc",
    "sha256:/etc/passwd",
    "sha256:abc/../../x",
]


def plant_outside(root: Path) -> None:
    """Files a traversal would reach, with contents that would parse."""
    (root / "outside").write_bytes(b'{"schemaVersion": 2, "layers": []}')
    (root / "etc").mkdir(exist_ok=True)
    (root / "etc" / "passwd").write_bytes(b'{"schemaVersion": 2}')


@pytest.mark.parametrize("digest", TRAVERSALS)
@pytest.mark.parametrize("where", ["index", "config", "layer"])
def test_digest_path_traversal(where: str, digest: str, tmp_path: Path) -> None:
    files = layout_files("gzip")
    if where == "index":
        index = json.loads(files["index.json"])
        index["manifests"][0]["digest"] = digest
        files["index.json"] = json.dumps(index).encode()
    else:

        def point(manifest: dict[str, Any]) -> None:
            target = manifest["config"] if where == "config" else manifest["layers"][0]
            target["digest"] = digest

        files = patch_manifest(files, point)
    plant_outside(tmp_path)
    for reference in both_oci_forms(files, tmp_path / "deep" / "er"):
        found = expect_failure(reference, ArchiveError)
        assert "digest" in found.message


def test_docker_manifest_in_a_layout_dir_cannot_leave_it(tmp_path: Path) -> None:
    root = tmp_path / "layout"
    root.mkdir()
    (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    (tmp_path / "outside.json").write_text(json.dumps({"rootfs": {"diff_ids": []}}))
    (root / "manifest.json").write_text(
        json.dumps([{"Config": "../outside.json", "Layers": [], "RepoTags": ["x:1"]}])
    )
    expect_failure(f"oci://{root}", ArchiveError)


# -- hostile file names ---------------------------------------------------------------------------

NON_UTF8 = b"bad\xff\xfe-\xc3(".decode("utf-8", "surrogateescape")
HOSTILE = [
    "evil\x1b[31mred\x1b[0m\x1b]0;title\x07",
    "new\nline",
    "carriage\rreturn",
    "pipe|name",
    "back`tick`s",
    "<script>alert(1)</script>",
    "rtl\u202eexe.txt",
    "back\\slash",
    NON_UTF8,
]


def hostile_image() -> ImageSpec:
    names = [f"h/{name}" for name in HOSTILE]
    base = layer_tar(
        [directory("h")]
        + [file(name, 100 + index) for index, name in enumerate(names)]
        + [file("../../etc/passwd", b"root:x:0:0::/:/bin/sh\n"), symlink("h/link", HOSTILE[0])]
    )
    top = layer_tar([file(name, b"new") for name in names])
    return ImageSpec(
        layers=[LayerSpec(base, "/bin/sh -c echo \x1b[2J"), LayerSpec(top, "/bin/sh -c x")]
    )


@pytest.mark.parametrize("layout", ["docker-archive", "oci-zstd"])
def test_hostile_names_analyse_and_display_safely(layout: str, tmp_path: Path) -> None:
    image = hostile_image()
    if layout == "docker-archive":
        path = tmp_path / "hostile.tar"
        path.write_bytes(docker_archive(image))
        reference = str(path)
    else:
        reference = f"oci://{write_directory(oci_layout([image], 'zstd'), tmp_path / 'l')}"
    analysis = analyze_reference(reference)

    for index, name in enumerate(HOSTILE):
        path_in_image = f"h/{name}"
        assert path_in_image in analysis.final  # kept losslessly
        assert analysis.final[path_in_image].layer == 1
        stored = analysis.image.layers[0].scan.entries
        assert any(e.path == path_in_image and e.size == 100 + index for e in stored)
        shown = display(path_in_image)
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in shown), shown
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in shown)
        assert "\u202e" not in shown
    assert paths.to_bytes(f"h/{NON_UTF8}") == b"h/bad\xff\xfe-\xc3("
    assert display(f"h/{NON_UTF8}") == "h/bad\\xff\\xfe-\\xc3("
    assert display("new\nline") == "new\\nline"
    for name in ("pipe|name", "back`tick`s", "<script>alert(1)</script>"):
        assert display(name) == name  # printable: escaping them is the reports' job
    link = analysis.final["h/link"].entry
    assert link is not None and link.link == HOSTILE[0]

    assert "etc/passwd" in analysis.final  # ../../etc/passwd, confined to the root
    assert any("climbs above the root" in w for w in analysis.image.warnings)
    for warning in analysis.image.warnings:
        one_line(warning)
    wasted = {item.path for item in analysis.waste}
    assert {f"h/{name}" for name in HOSTILE} <= wasted

    summary = format_summary(analysis)
    assert "\x1b" not in summary and "\r" not in summary and "\u202e" not in summary
    assert summary.count("\n") == len(summary.splitlines())
    assert "h/new\\nline" in summary


def test_hostile_names_through_the_cli_json(tmp_path: Path) -> None:
    path = tmp_path / "hostile.tar"
    path.write_bytes(docker_archive(hostile_image()))
    out = tmp_path / "out.json"
    result = run_cli([str(path), "--json", str(out)])
    assert result.code == 0, result.stderr
    assert "\x1b" not in result.stderr
    exported = json.loads(out.read_text(encoding="utf-8"))
    names = {entry["path"] for layer in exported["layer"] for entry in layer["fileList"]}
    assert "h/new\nline" in names  # JSON carries the real name, escaped by JSON itself
    assert "h/bad\ufffd\ufffd-\ufffd(" in names  # as dive writes invalid UTF-8
