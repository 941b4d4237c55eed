"""Trust: blobs and layers are checked against the digests and sizes that name them.

A mismatch is exit 3 ("digest mismatch" or "size mismatch") and nothing of the image is
reported; ``--no-verify`` reads the image anyway. Links out of an OCI layout are refused.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from auger import pipeline
from auger.layers import digests
from auger.sources.interface import ArchiveError, DigestMismatchError
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    config_json,
    directory,
    docker_archive,
    file,
    layer_tar,
    oci_layout,
    sha256,
    tar_of,
    write_directory,
)
from tests.support import NO_ENGINE, analyze_reference, fingerprint, run_cli

LAYERS = [
    layer_tar([directory("etc"), file("etc/a", 3000), file("etc/b", b"bee")]),
    layer_tar([file("etc/a", 10), file("etc/c", 2000)]),
]
IMAGE = ImageSpec([LayerSpec(tar, f"/bin/sh -c step {n}") for n, tar in enumerate(LAYERS)])


def hexdigest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def legacy_archive(layers: list[bytes], config: dict[str, Any]) -> bytes:
    """A docker save archive (before Docker 25) with the given config, named by its digest."""
    files: dict[str, bytes] = {}
    paths = []
    for index, tar in enumerate(layers):
        files[f"layer{index}/layer.tar"] = tar
        paths.append(f"layer{index}/layer.tar")
    data = json.dumps(config).encode()
    files[f"{hexdigest(data)}.json"] = data
    manifest = [{"Config": f"{hexdigest(data)}.json", "RepoTags": ["x:1"], "Layers": paths}]
    files["manifest.json"] = json.dumps(manifest).encode()
    return tar_of(files)


def config(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(config_json(IMAGE))
    value.update(changes)
    return value


def lying_config() -> dict[str, Any]:
    """A config whose second diff ID names other bytes than the second layer's."""
    return config(rootfs={"type": "layers", "diff_ids": [sha256(LAYERS[0]), sha256(b"other")]})


def expect_mismatch(reference: str, start: str, environ: dict[str, str] | None = None) -> str:
    """The CLI exits 3 with ``start`` and reports nothing; returns the error line.

    Each call has a cache of its own unless ``environ`` names one: a layer the cache holds is
    not read again, so its blob would not be checked (see the last test).
    """
    if environ is None:
        with tempfile.TemporaryDirectory() as cache:
            return expect_mismatch(reference, start, {**NO_ENGINE, "AUGER_CACHE_DIR": cache})
    result = run_cli([reference, "--json", "/nonexistent/never-written.json"], environ)
    assert result.code == 3, result.stderr
    assert result.stdout == ""
    line = result.stderr.splitlines()[0]
    assert line.startswith(f"auger: error: {start}"), line
    assert "Traceback" not in result.stderr
    with pytest.raises(DigestMismatchError):
        analyze_reference(reference)
    return line


@pytest.fixture(autouse=True, params=["hashed as read", "hashed by helpers"])
def hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every check holds whether a layer is hashed as it is read or by a helper process from
    its file, its check then settled after the analysis (layers of 16 MiB and more)."""
    if request.param == "hashed by helpers":
        monkeypatch.setattr(digests, "HELPER_MIN", 0)


def test_a_config_that_lies_about_a_diff_id_fails(tmp_path: Path) -> None:
    archive = tmp_path / "image.tar"
    archive.write_bytes(legacy_archive(LAYERS, lying_config()))
    line = expect_mismatch(str(archive), "digest mismatch: layer 1")
    assert sha256(LAYERS[1]) in line
    assert sha256(b"other") in line


def test_a_lie_is_reported_before_what_it_made_the_analysis_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the analysis of a layer that is not what its config claims fails, the mismatch is
    what is reported (checked after the analysis, when a helper hashes the layer)."""

    def broken(image: object) -> None:
        raise ValueError("the analysis of unverified bytes went wrong")

    monkeypatch.setattr(pipeline, "analyze_image", broken)
    archive = tmp_path / "image.tar"
    archive.write_bytes(legacy_archive(LAYERS, lying_config()))
    expect_mismatch(str(archive), "digest mismatch: layer 1")


def test_a_compressed_archive_whose_config_lies_fails(tmp_path: Path) -> None:
    """Streamed archives scan layers before the config is known, and check them after."""
    archive = tmp_path / "image.tar.gz"
    archive.write_bytes(gzip.compress(legacy_archive(LAYERS, lying_config())))
    expect_mismatch(str(archive), "digest mismatch: layer 1")


def test_no_verify_reads_a_lying_archive(tmp_path: Path) -> None:
    archive = tmp_path / "image.tar"
    archive.write_bytes(legacy_archive(LAYERS, lying_config()))
    honest = tmp_path / "honest.tar"
    honest.write_bytes(legacy_archive(LAYERS, config()))
    result = run_cli([str(archive), "--no-verify", "--json", str(tmp_path / "out.json")])
    assert result.code == 0, result.stderr
    expected = run_cli([str(honest), "--no-cache", "--json", str(tmp_path / "honest.json")])
    assert expected.code == 0
    lied = json.loads((tmp_path / "out.json").read_text())
    truth = json.loads((tmp_path / "honest.json").read_text())
    assert lied["layer"][0] == truth["layer"][0]
    assert lied["image"] == truth["image"]


def test_a_docker_save_config_must_match_its_name(tmp_path: Path) -> None:
    data = json.dumps(config()).encode()
    files = {"layer0/layer.tar": LAYERS[0], "layer1/layer.tar": LAYERS[1]}
    files[f"{'0' * 64}.json"] = data
    manifest = [{"Config": f"{'0' * 64}.json", "Layers": list(files)[:2]}]
    files["manifest.json"] = json.dumps(manifest).encode()
    archive = tmp_path / "image.tar"
    archive.write_bytes(tar_of(files))
    expect_mismatch(str(archive), "digest mismatch: the image config")


def test_a_docker_25_blob_must_match_its_name(tmp_path: Path) -> None:
    """Docker 25 and later name each layer blob by its digest (its diff ID)."""
    data = bytearray(docker_archive(IMAGE, layout="oci"))
    position = bytes(data).find(b"bee")  # a file's contents, inside the first layer blob
    data[position : position + 3] = b"BEE"
    archive = tmp_path / "image.tar"
    archive.write_bytes(bytes(data))
    expect_mismatch(str(archive), "digest mismatch: layer 0")


def test_an_empty_diff_id_list_is_said_in_both_layouts(tmp_path: Path) -> None:
    empty = config(rootfs={"type": "layers", "diff_ids": []})
    archive = tmp_path / "image.tar"
    archive.write_bytes(legacy_archive(LAYERS, empty))
    image = ImageSpec(IMAGE.layers, extra_config={"rootfs": {"type": "layers", "diff_ids": []}})
    layout = write_directory(oci_layout([image]), tmp_path / "oci")
    found = [analyze_reference(ref).image.warnings for ref in (str(archive), f"oci://{layout}")]
    expected = "the config lists no layer diff IDs for the manifest's 2 layers"
    for warnings in found:
        assert [text for text in warnings if text.startswith(expected)], warnings
    assert found[0] == found[1]


# -- OCI layouts ----------------------------------------------------------------------------------


def oci_files(compression: str = "gzip") -> dict[str, bytes]:
    return oci_layout([IMAGE], compression)


def manifest_of(files: dict[str, bytes]) -> tuple[str, dict[str, Any]]:
    digest = json.loads(files["index.json"])["manifests"][0]["digest"]
    name = "blobs/sha256/" + digest.removeprefix("sha256:")
    return name, json.loads(files[name])


def with_manifest(files: dict[str, bytes], change: Callable[[dict[str, Any]], None]) -> None:
    """Edit the manifest, store it under its new digest, and point index.json at it."""
    name, manifest = manifest_of(files)
    change(manifest)
    data = json.dumps(manifest).encode()
    del files[name]
    files["blobs/sha256/" + hexdigest(data)] = data
    index = json.loads(files["index.json"])
    index["manifests"][0].update(digest=sha256(data), size=len(data))
    files["index.json"] = json.dumps(index).encode()


def layer_names(files: dict[str, bytes]) -> list[str]:
    return ["blobs/sha256/" + d["digest"][7:] for d in manifest_of(files)[1]["layers"]]


def both_forms(files: dict[str, bytes], root: Path) -> list[str]:
    layout = write_directory(files, root / "layout")
    (root / "layout.tar").write_bytes(tar_of(files))
    return [f"oci://{layout}", f"oci-archive://{root / 'layout.tar'}"]


def test_a_layer_blob_whose_bytes_do_not_match_its_digest_fails(tmp_path: Path) -> None:
    files = oci_files("none")
    name = layer_names(files)[0]
    files[name] = files[name].replace(b"bee", b"BEE")  # same size, still a valid tar
    for reference in both_forms(files, tmp_path):
        expect_mismatch(reference, "digest mismatch: layer 0")


def test_a_compressed_blob_is_checked_against_its_own_digest(tmp_path: Path) -> None:
    """Compressed differently, the blob holds the same layer (the diff ID matches) but is not
    the blob the manifest names."""
    files = oci_files("gzip")
    name = layer_names(files)[1]
    files[name] = gzip.compress(LAYERS[1], compresslevel=1, mtime=12345)
    with_manifest(files, lambda m: m["layers"][1].update(size=len(files[name])))
    for reference in both_forms(files, tmp_path):
        line = expect_mismatch(reference, "digest mismatch: layer 1")
        assert "hashes to" in line


@pytest.mark.parametrize("delta", [-1, 1, 1000])
def test_a_wrong_layer_descriptor_size_fails(delta: int, tmp_path: Path) -> None:
    files = oci_files("gzip")
    size = len(files[layer_names(files)[0]])
    with_manifest(files, lambda m: m["layers"][0].update(size=size + delta))
    for reference in both_forms(files, tmp_path):
        line = expect_mismatch(reference, "size mismatch: layer 0")
        assert f"is {size} bytes, but its descriptor says {size + delta}" in line


def test_a_wrong_config_descriptor_size_fails(tmp_path: Path) -> None:
    files = oci_files()
    with_manifest(files, lambda m: m["config"].update(size=m["config"]["size"] + 1))
    for reference in both_forms(files, tmp_path):
        expect_mismatch(reference, "size mismatch: the image config")


def test_a_tampered_config_fails(tmp_path: Path) -> None:
    """A config edited in place (same size) no longer matches its digest."""
    files = oci_files()
    digest = manifest_of(files)[1]["config"]["digest"]
    name = "blobs/sha256/" + digest.removeprefix("sha256:")
    files[name] = files[name].replace(b"step 0", b"STEP 0")
    for reference in both_forms(files, tmp_path):
        expect_mismatch(reference, "digest mismatch: the image config")


def test_a_tampered_manifest_fails(tmp_path: Path) -> None:
    files = oci_files()
    name, _ = manifest_of(files)
    files[name] = files[name].replace(b"schemaVersion", b"schemaVersioN")
    for reference in both_forms(files, tmp_path):
        expect_mismatch(reference, "digest mismatch: the image manifest")


def test_no_verify_reads_a_layout_with_wrong_sizes(tmp_path: Path) -> None:
    files = oci_files()
    with_manifest(files, lambda m: m["layers"][0].update(size=1))
    layout = write_directory(files, tmp_path / "layout")
    result = run_cli([f"oci://{layout}", "--no-verify"])
    assert result.code == 0, result.stderr


@pytest.mark.parametrize("target", ["/dev/zero", "outside"])
def test_a_blob_linked_out_of_the_layout_is_refused(target: str, tmp_path: Path) -> None:
    files = oci_files()
    layout = write_directory(files, tmp_path / "layout")
    blob = layout / layer_names(files)[0]
    if target == "outside":
        target = str(tmp_path / "elsewhere")
        Path(target).write_bytes(blob.read_bytes())  # the right bytes, in the wrong place
    blob.unlink()
    blob.symlink_to(target)
    for options in ([], ["--no-verify"]):
        result = run_cli([f"oci://{layout}", *options])
        assert result.code == 3, result.stderr
        assert "links outside the layout" in result.stderr
        assert result.stdout == ""
    with pytest.raises(ArchiveError, match="refused"):
        analyze_reference(f"oci://{layout}")


def test_a_blob_linked_inside_the_layout_is_read(tmp_path: Path) -> None:
    files = oci_files()
    layout = write_directory(files, tmp_path / "layout")
    blob = layout / layer_names(files)[0]
    (layout / "blobs" / "kept").write_bytes(blob.read_bytes())
    blob.unlink()
    blob.symlink_to("../kept")
    expected = analyze_reference(f"oci://{write_directory(files, tmp_path / 'plain')}")
    assert fingerprint(analyze_reference(f"oci://{layout}")) == fingerprint(expected)


def test_a_blob_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    files = oci_files()
    layout = write_directory(files, tmp_path / "layout")
    blob = layout / layer_names(files)[0]
    blob.unlink()
    os.mkfifo(blob)  # reading it would wait forever
    result = run_cli([f"oci://{layout}"])
    assert result.code == 3
    assert "is not a regular file; refused" in result.stderr


# -- the cache cannot be poisoned -----------------------------------------------------------------


def test_a_lying_config_cannot_poison_the_cache(tmp_path: Path) -> None:
    """The lie fails; the scans kept are named by the digests of the bytes read, so the honest
    image (and one whose config claims the other layer) reads true afterwards."""
    environ = {**NO_ENGINE, "AUGER_CACHE_DIR": str(tmp_path / "cache")}
    lying = tmp_path / "lying.tar"
    lying.write_bytes(legacy_archive(LAYERS, lying_config()))
    expect_mismatch(str(lying), "digest mismatch", environ)
    kept = {path.name.split(".")[0] for path in (tmp_path / "cache" / "layers").iterdir()}
    assert kept == {f"sha256-{hexdigest(tar)}" for tar in LAYERS}
    honest = tmp_path / "honest.tar"
    honest.write_bytes(legacy_archive(LAYERS, config()))
    for attempt in ("cold", "warm"):
        out = tmp_path / f"{attempt}.json"
        assert run_cli([str(honest), "--json", str(out)], environ).code == 0
    plain = tmp_path / "plain.json"
    assert run_cli([str(honest), "--no-cache", "--json", str(plain)]).code == 0
    assert (tmp_path / "warm.json").read_text() == plain.read_text()


def test_a_layer_the_cache_holds_is_not_read_again(tmp_path: Path) -> None:
    """The cache vouches for the layer's contents (its diff ID, which the config names), so its
    blob is not read: a copy compressed differently from what the manifest names goes
    unnoticed until the cache forgets the layer."""
    files = oci_files("gzip")
    layout = write_directory(files, tmp_path / "good")
    environ = {**NO_ENGINE, "AUGER_CACHE_DIR": str(tmp_path / "cache")}
    assert run_cli([f"oci://{layout}"], environ).code == 0
    name = layer_names(files)[1]
    files[name] = gzip.compress(LAYERS[1], compresslevel=1, mtime=12345)
    with_manifest(files, lambda m: m["layers"][1].update(size=len(files[name])))
    altered = write_directory(files, tmp_path / "altered")
    assert run_cli([f"oci://{altered}"], environ).code == 0
    assert run_cli([f"oci://{altered}", "--no-cache"], environ).code == 3
