"""Scanning layer tars into entries: kinds, names, fingerprints and the layer size."""

from __future__ import annotations

import io
import random
import zlib

import pytest

from auger.errors import LayerFormatError
from auger.layers.scanner import scan_layer
from auger.model import Digest, EntryKind, LayerRef
from auger.testing.images import (
    TarEntry,
    directory,
    file,
    hardlink,
    layer_tar,
    opaque,
    symlink,
    whiteout,
)
from auger.testing.scans import layer_scan


class Trickle(io.RawIOBase):
    """A raw stream that returns at most ``step`` bytes a call, like a pipe."""

    def __init__(self, payload: bytes, step: int) -> None:
        self._data = memoryview(payload)
        self._step = step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        size = min(len(buffer), self._step, len(self._data))
        buffer[:size] = self._data[:size]
        self._data = self._data[size:]
        return size


@pytest.mark.parametrize("size", [0, 1, 511, 512, 64 << 10, (64 << 10) + 1, 300_000, 1_100_000])
def test_fingerprints_are_the_crc32_of_the_whole_contents(size: int) -> None:
    rng = random.Random(size)
    payload = rng.randbytes(size)
    result = layer_scan(file("before", b"x" * 700), file("data", payload), file("after", b"y"))
    digests = {entry.path: entry.digest for entry in result.entries}
    assert digests == {
        "before": zlib.crc32(b"x" * 700),
        "data": zlib.crc32(payload),
        "after": zlib.crc32(b"y"),
    }


@pytest.mark.parametrize("step", [1, 97, 512, 4096, 300_000])
def test_short_reads_give_the_same_entries(step: int) -> None:
    rng = random.Random(step)
    items = [
        file(f"f{index}", rng.randbytes(rng.choice([0, 10, 5000, 280_000]))) for index in range(12)
    ]
    data = layer_tar([directory("d"), *items, symlink("d/s", "../f1")])
    whole = scan_layer(io.BytesIO(data), LayerRef("layer.tar"))
    trickled = scan_layer(Trickle(data, step), LayerRef("layer.tar"))
    assert trickled == whole
    assert len(whole.entries) == 14


def test_kinds_links_and_markers() -> None:
    result = layer_scan(
        directory("etc"),
        file("etc/a", b"abc", mode=0o4755, uid=7),
        symlink("etc/b", "a"),
        hardlink("etc/c", "etc/a"),
        whiteout("etc/gone"),
        opaque("var"),
    )
    kinds = {entry.path: entry.kind for entry in result.entries}
    assert kinds == {
        "etc": EntryKind.DIR,
        "etc/a": EntryKind.FILE,
        "etc/b": EntryKind.SYMLINK,
        "etc/c": EntryKind.HARDLINK,
        "etc/gone": EntryKind.WHITEOUT,
        "var": EntryKind.OPAQUE,
    }
    by_path = {entry.path: entry for entry in result.entries}
    assert (by_path["etc/a"].mode, by_path["etc/a"].uid, by_path["etc/a"].size) == (0o4755, 7, 3)
    assert by_path["etc/b"].link == "a"
    assert by_path["etc/c"].link == "etc/a"
    assert by_path["etc/b"].digest is None


def test_names_are_normalised_and_the_cleaned_name_kept_when_it_differs() -> None:
    result = layer_scan(file("./usr//bin/tool", b"1"), directory("./opt/"), file("../up", b"2"))
    named = {entry.path: entry.name for entry in result.entries}
    assert named == {"usr/bin/tool": "", "opt": "", "up": "../up"}


def test_root_entries_are_not_entries_and_only_slash_counts_in_the_size() -> None:
    """dive adds the header size of ``/`` to the layer size but not that of ``./``."""
    dot = layer_scan(TarEntry("./", kind="dir", data=b""), file("a", b"12345"))
    slash = layer_scan(TarEntry("/", kind="file", data=b"xyz"), file("a", b"12345"))
    assert [entry.path for entry in dot.entries] == ["a"]
    assert dot.size == 5
    assert [entry.path for entry in slash.entries] == ["a"]
    assert slash.size == 8


def test_climbing_names_are_confined_with_a_warning() -> None:
    result = layer_scan(file("../../etc/passwd", b"x"))
    assert [entry.path for entry in result.entries] == ["etc/passwd"]
    assert any("climbs above the root" in warning for warning in result.warnings)


@pytest.mark.parametrize(
    ("ref", "label"),
    [
        (
            LayerRef("blobs/sha256/ab", 2, Digest("sha256:ab"), Digest("sha256:cd")),
            "layer 2 (sha256:ab)",
        ),
        (LayerRef("0a1b/layer.tar", 0), "layer 0 (0a1b/layer.tar)"),
        (LayerRef("blobs/sha256/ab", digest=Digest("sha256:ab")), "layer blobs/sha256/ab"),
        (LayerRef("odd\x1b[31m/layer.tar"), "layer odd\\x1b[31m/layer.tar"),
    ],
)
def test_errors_name_the_blob_by_its_reference(ref: LayerRef, label: str) -> None:
    data = layer_tar([file("big", b"x" * 5000)])
    with pytest.raises(LayerFormatError) as raised:
        scan_layer(io.BytesIO(data[:1024]), ref)
    assert str(raised.value).startswith(f"{label} is truncated"), raised.value
