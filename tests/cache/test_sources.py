"""What the layer cache saves, source by source: a layer it holds is not read (seekable
archives, OCI layouts) or not scanned (streamed archives), and results never change."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from auger.cache.scanning import digesting_scanner
from auger.cache.store import LayerCache
from auger.layers.scanner import scan_layer
from auger.model import Image, LayerRef, LayerScan, Readable
from auger.pipeline import AnalyzeOptions, analyze
from auger.progress import Progress
from auger.sources.interface import ReadOptions
from auger.sources.reference import resolve_source
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    directory,
    docker_archive,
    file,
    layer_tar,
    oci_layout,
    tar_of,
    whiteout,
    write_directory,
)
from tests.support import NO_ENGINE, fingerprint, run_cli

BASE = layer_tar([directory("usr"), *(file(f"usr/f{n}", 5000 + n) for n in range(200))])
MIDDLE = layer_tar([file("usr/f1", 10), whiteout("usr/f2"), file("etc/conf", b"x=1")])
TOP = layer_tar([directory("app"), file("app/main.py", 4000)])
OTHER_TOP = layer_tar([directory("app"), file("app/other.py", 7000)])


def spec(*layers: bytes) -> ImageSpec:
    return ImageSpec([LayerSpec(tar, f"/bin/sh -c step {n}") for n, tar in enumerate(layers)])


def write(form: str, image: ImageSpec, root: Path) -> str:
    """The image in one of the forms auger reads, as a reference."""
    root.mkdir(parents=True, exist_ok=True)
    if form == "oci":
        return f"oci://{write_directory(oci_layout([image], 'gzip'), root / 'layout')}"
    path = root / "image.tar"
    if form == "docker-archive":
        path.write_bytes(docker_archive(image))
    elif form == "docker-25.tar.gz":  # streamed: blobs named by digest, scanned as they pass
        path = root / "image.tar.gz"
        path.write_bytes(gzip.compress(docker_archive(image, layout="oci"), 1))
    elif form == "legacy.tar.gz":  # streamed, layer names say nothing of their contents
        path = root / "image.tar.gz"
        path.write_bytes(gzip.compress(docker_archive(image), 1))
    else:
        path.write_bytes(tar_of(oci_layout([image], "zstd")))
        return f"oci-archive://{path}"
    return str(path)


class Counting(Progress):
    def __init__(self) -> None:
        self.bytes = 0

    def bytes_read(self, count: int) -> None:
        self.bytes += count


class Read:
    """Reads images through their source with a cache, counting the layers scanned."""

    def __init__(self, cache: LayerCache) -> None:
        self.cache = cache
        self.scanned: list[int] = []

    def __call__(self, reference: str) -> Image:
        def counting(stream: Readable, ref: LayerRef) -> LayerScan:
            result = scan_layer(stream, ref)
            self.scanned.append(len(result.entries))
            return result

        source = resolve_source(reference, None, NO_ENGINE)
        scan = digesting_scanner(counting, self.cache)
        return source.read(scan, ReadOptions(cache=self.cache, documents=self.cache), Progress())


FORMS = ["docker-archive", "oci", "oci-archive", "docker-25.tar.gz", "legacy.tar.gz"]


@pytest.mark.parametrize("form", FORMS)
def test_results_are_the_same_cold_warm_and_without_cache(form: str, tmp_path: Path) -> None:
    reference = write(form, spec(BASE, MIDDLE, TOP), tmp_path)
    options = AnalyzeOptions(cache=LayerCache(tmp_path / "cache"))
    plain = fingerprint(analyze(reference, AnalyzeOptions(), None, NO_ENGINE))
    cold = analyze(reference, options, None, NO_ENGINE)
    warm = analyze(reference, options, None, NO_ENGINE)
    assert fingerprint(cold) == plain
    assert fingerprint(warm) == plain
    assert warm.image == cold.image


@pytest.mark.parametrize("form", FORMS)
def test_a_second_read_scans_no_layer(form: str, tmp_path: Path) -> None:
    reference = write(form, spec(BASE, MIDDLE, TOP), tmp_path)
    read = Read(LayerCache(tmp_path / "cache"))
    read(reference)
    assert len(read.scanned) == 3
    read.scanned.clear()
    read(reference)
    assert read.scanned == []
    assert read.cache.hits >= 3


@pytest.mark.parametrize("form", ["docker-archive", "oci"])
def test_a_seekable_source_does_not_read_cached_layers(form: str, tmp_path: Path) -> None:
    reference = write(form, spec(BASE, MIDDLE, TOP), tmp_path)
    options = AnalyzeOptions(cache=LayerCache(tmp_path / "cache"))
    cold, warm = Counting(), Counting()
    analyze(reference, options, cold, NO_ENGINE)
    analyze(reference, options, warm, NO_ENGINE)
    assert cold.bytes > 1000
    assert warm.bytes == 0


@pytest.mark.parametrize("form", FORMS)
def test_the_next_build_costs_only_its_new_layers(form: str, tmp_path: Path) -> None:
    read = Read(LayerCache(tmp_path / "cache"))
    read(write(form, spec(BASE, MIDDLE, TOP), tmp_path / "first"))
    read.scanned.clear()
    image = read(write(form, spec(BASE, MIDDLE, OTHER_TOP), tmp_path / "next"))
    assert read.scanned == [2]  # the new top layer only
    assert [layer.scan.entries[-1].path for layer in image.layers] == [
        "usr/f199",
        "etc/conf",
        "app/other.py",
    ]


def test_diff_and_baseline_read_the_shared_layers_once(tmp_path: Path) -> None:
    base = write("docker-archive", spec(BASE, MIDDLE, TOP), tmp_path / "base")
    head = write("docker-archive", spec(BASE, MIDDLE, OTHER_TOP), tmp_path / "head")
    environ = {**NO_ENGINE, "AUGER_CACHE_DIR": str(tmp_path / "cache")}
    result = run_cli(["diff", base, head], environ)
    assert result.code == 0, result.stderr
    layers = list((tmp_path / "cache" / "layers").iterdir())
    assert len(layers) == 4  # three layers of the base, one new one
    plain = run_cli(["diff", base, head, "--no-cache"], environ)
    assert plain.stdout == result.stdout


def test_a_damaged_record_is_scanned_again_and_rewritten(tmp_path: Path) -> None:
    reference = write("oci", spec(BASE, MIDDLE, TOP), tmp_path)
    read = Read(LayerCache(tmp_path / "cache"))
    expected = read(reference)
    records = sorted((tmp_path / "cache" / "layers").iterdir(), key=lambda p: p.stat().st_size)
    biggest = records[-1]
    data = bytearray(biggest.read_bytes())
    data[len(data) // 2] ^= 0xFF
    biggest.write_bytes(bytes(data))
    records[0].write_bytes(records[0].read_bytes()[:-3])  # and one truncated
    read.scanned.clear()
    read.cache = LayerCache(read.cache.root)  # as the next process finds it
    again = read(reference)
    assert len(read.scanned) == 2  # those two layers, and only them
    assert len(expected.layers[0].scan.entries) in read.scanned
    assert again == expected
    read.scanned.clear()
    read.cache = LayerCache(read.cache.root)
    read(reference)
    assert read.scanned == []  # rewritten whole


def test_no_cache_neither_reads_nor_writes_it(tmp_path: Path) -> None:
    reference = write("docker-archive", spec(BASE, TOP), tmp_path)
    environ = {**NO_ENGINE, "AUGER_CACHE_DIR": str(tmp_path / "cache")}
    assert run_cli([reference, "--no-cache"], environ).code == 0
    assert not (tmp_path / "cache").exists()
    assert run_cli([reference], environ).code == 0
    assert len(list((tmp_path / "cache" / "layers").iterdir())) == 2


def test_no_verify_keeps_no_new_scans(tmp_path: Path) -> None:
    """Without digests there is no trustworthy key to keep a scan under."""
    reference = write("docker-archive", spec(BASE, TOP), tmp_path)
    environ = {**NO_ENGINE, "AUGER_CACHE_DIR": str(tmp_path / "cache")}
    assert run_cli([reference, "--no-verify"], environ).code == 0
    assert not (tmp_path / "cache" / "layers").exists()


def test_the_default_cache_is_the_user_cache_directory(tmp_path: Path) -> None:
    """(The test suite points XDG_CACHE_HOME at a directory of each test's own.)"""
    import os  # noqa: PLC0415

    reference = write("docker-archive", spec(BASE), tmp_path)
    assert run_cli([reference]).code == 0
    layers = Path(os.environ["XDG_CACHE_HOME"]) / "auger" / "layers"
    assert len(list(layers.iterdir())) == 1


def test_the_cache_stays_under_its_cap(tmp_path: Path) -> None:
    environ = {**NO_ENGINE, "AUGER_CACHE_DIR": str(tmp_path / "cache")}
    assert run_cli([write("docker-archive", spec(BASE), tmp_path / "a")], environ).code == 0
    one = sum(path.stat().st_size for path in (tmp_path / "cache" / "layers").iterdir())
    environ["AUGER_CACHE_MAX_SIZE"] = str(one * 2)
    for name, layers in (("b", (MIDDLE,)), ("c", (TOP,)), ("d", (OTHER_TOP,))):
        assert run_cli([write("docker-archive", spec(*layers), tmp_path / name)], environ).code == 0
        total = sum(path.stat().st_size for path in (tmp_path / "cache" / "layers").iterdir())
        assert total <= one * 2
    environ["AUGER_CACHE_MAX_SIZE"] = "lots"
    result = run_cli([write("docker-archive", spec(BASE), tmp_path / "e")], environ)
    assert result.code == 2
    assert "AUGER_CACHE_MAX_SIZE" in result.stderr
