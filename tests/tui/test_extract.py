"""Extraction writes only inside the chosen directory, whatever the archive holds."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from auger.archive_writer import (
    ImageSpec,
    LayerSpec,
    TarEntry,
    compress,
    directory,
    docker_archive,
    file,
    hardlink,
    layer_tar,
    oci_layout,
    symlink,
    write_directory,
)
from auger.model import ImageAnalysis
from auger.pipeline import analyze
from auger.tui.extract import ExtractRequest, ExtractResult, extract, plan_extraction
from auger.tui.index import ROOT, PathIndex
from auger.tui.safe_write import SafeWriter, UnsafeEntryError, split_relative
from tests.support import NO_ENGINE


def hostile_layer(outside: Path) -> bytes:
    return layer_tar(
        [
            file("../../escape", b"escaped"),
            file("/abs/path", b"absolute"),
            symlink("out", str(outside)),
            file("out/pwned", b"through the link"),
            directory("d"),
            symlink("sd", "d"),
            file("sd/f", b"under a link to a directory"),
            symlink("up", "../../.."),
            hardlink("passwd", "/etc/passwd"),
            hardlink("passwd2", "../../../../etc/passwd"),
            file("suid", b"s", mode=0o4755),
            directory("sgid", mode=0o2775),
            file("sgid/x", b"x", mode=0o6644),
            TarEntry("dev/null", "char", mode=0o666),
            TarEntry("fifo", "fifo", mode=0o644),
            file("plain", b"plain"),
        ]
    )


def files_under(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*")}


def run_extract(archive: str, analysis: ImageAnalysis, target: Path) -> ExtractResult:
    index = PathIndex(analysis)
    last = len(analysis.layers) - 1
    plan = plan_extraction(index, ROOT, last, aggregated=True)
    request = ExtractRequest(
        archive, None, None, NO_ENGINE, analysis.image.layers, plan, "", target
    )
    return extract(request)


@pytest.mark.parametrize("layout", ["legacy", "oci", "gzip", "oci-dir"])
def test_a_hostile_archive_writes_nothing_outside_the_target(tmp_path: Path, layout: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    spec = ImageSpec(layers=[LayerSpec(hostile_layer(outside), "hostile")])
    if layout == "oci-dir":
        root = write_directory(oci_layout([spec], compression="gzip"), tmp_path / "layout")
        reference = f"oci://{root}"
    else:
        data = docker_archive(spec, layout="legacy" if layout == "legacy" else "oci")
        name = "image.tar.gz" if layout == "gzip" else "image.tar"
        (tmp_path / name).write_bytes(compress(data, "gzip") if layout == "gzip" else data)
        reference = str(tmp_path / name)
    target = tmp_path / "target"
    before = files_under(tmp_path)
    result = run_extract(reference, analyze(reference, None, None, NO_ENGINE), target)
    after = files_under(tmp_path)
    assert {path for path in after - before if not path.startswith("target")} == set()
    assert files_under(outside) == set()
    written = files_under(target)
    assert "plain" in written
    assert (target / "plain").read_bytes() == b"plain"
    assert (target / "abs" / "path").read_bytes() == b"absolute"  # confined, as the overlay does
    assert "escape" not in written
    assert not (target / "passwd").exists()
    assert not (target / "passwd2").exists()
    assert "dev/null" not in written and "fifo" not in written
    assert str((target / "up").readlink()) == "../../.."  # a link written as a link
    for path in target.rglob("*"):
        mode = path.lstat().st_mode
        assert not mode & (stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX), path
        if path.is_symlink():
            continue
        assert not path.is_block_device() and not path.is_char_device() and not path.is_fifo()
    assert stat.S_IMODE((target / "suid").stat().st_mode) == 0o755
    notes = "\n".join(result.notes)
    assert "refused dev/null: a device or special file" in notes
    assert "passwd" in notes and "escape" in notes


def test_symlinks_already_on_disk_are_never_followed(tmp_path: Path) -> None:
    outside, target = tmp_path / "outside", tmp_path / "target"
    outside.mkdir()
    target.mkdir()
    (target / "pre").symlink_to(outside)
    writer = SafeWriter(target)
    with pytest.raises(UnsafeEntryError):
        writer.file("pre/x", [b"x"], 0o644)
    with pytest.raises(UnsafeEntryError):
        writer.directory("pre/sub", 0o755)
    writer.symlink("link", str(outside))
    with pytest.raises(UnsafeEntryError):
        writer.file("link/pwned", [b"x"], 0o644)
    writer.file("pre", [b"replaces the link itself"], 0o644)
    writer.close()
    assert files_under(outside) == set()
    assert not (target / "pre").is_symlink()
    assert (target / "pre").read_bytes() == b"replaces the link itself"


def test_hard_links_point_only_at_files_written_here(tmp_path: Path) -> None:
    writer = SafeWriter(tmp_path / "t")
    with pytest.raises(UnsafeEntryError):
        writer.hardlink("h", "etc/passwd")
    writer.file("f", [b"content"], 0o644)
    writer.hardlink("h", "f")
    writer.symlink("f", "/etc/passwd")  # f is now a link: no longer a link target
    with pytest.raises(UnsafeEntryError):
        writer.hardlink("h2", "f")
    writer.close()
    assert (tmp_path / "t" / "h").read_bytes() == b"content"
    assert not (tmp_path / "t" / "h2").exists()


@pytest.mark.parametrize(
    "bad", ["", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a/.", "a\0b"]
)
def test_only_plain_relative_paths(bad: str) -> None:
    with pytest.raises(UnsafeEntryError):
        split_relative(bad)


def test_special_permission_bits_are_dropped(tmp_path: Path) -> None:
    writer = SafeWriter(tmp_path / "t")
    writer.directory("g", 0o2775)
    writer.file("g/s", [b"s"], 0o6755)
    writer.close()
    assert stat.S_IMODE((tmp_path / "t" / "g").stat().st_mode) == 0o775
    assert stat.S_IMODE((tmp_path / "t" / "g" / "s").stat().st_mode) == 0o755


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
        request = ExtractRequest(
            str(archive), None, None, NO_ENGINE, analysis.image.layers, plan, "app", target
        )
        result = extract(request)
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
    request = ExtractRequest(
        str(archive), None, None, NO_ENGINE, analysis.image.layers, plan, "x", tmp_path / "t"
    )
    extract(request)
    assert (tmp_path / "t" / "x").read_bytes() == b"same"
