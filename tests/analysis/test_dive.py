"""dive-compatible metrics on hand-computed cases (dive itself checks them in tests/oracle)."""

from __future__ import annotations

import io
import math
import tarfile

import pytest

from auger.analysis.dive import dive_metrics, go_file_mode, go_is_dir, listed
from auger.layers.scanner import scan_layer
from auger.model import DiveMetrics, Entry, EntryKind, LayerRef
from auger.testing.images import (
    directory,
    file,
    opaque,
    symlink,
    whiteout,
)
from auger.testing.scans import entries


def metrics(*layers: tuple[Entry, ...]) -> DiveMetrics:
    sizes = [sum(entry.size for entry in entries) for entries in layers]
    return dive_metrics(list(layers), sizes)


def test_no_duplicates_is_fully_efficient() -> None:
    result = metrics(entries(file("a", 10)), entries(file("b", 20)))
    assert result.efficiency == 1.0
    assert result.wasted_bytes == 0
    assert result.inefficient_files == ()


def test_overwrite_counts_every_copy() -> None:
    result = metrics(entries(file("a", 100), file("x", 50)), entries(file("a", 40)))
    # key /a: count 2, cumulative 140, minimum 40; key /x: 50/50
    assert result.efficiency == (40 + 50) / (140 + 50)
    assert result.wasted_bytes == 140
    assert [(ref.path, ref.count, ref.size) for ref in result.inefficient_files] == [("/a", 2, 140)]
    assert result.user_wasted_percent == 140 / 40


def test_whiteout_of_a_file_weighs_nothing() -> None:
    result = metrics(entries(directory("d"), file("d/big", 1000)), entries(whiteout("d/big")))
    # /d/big seen twice: 1000 + 0, minimum 0; the directory d is not a leaf in layer 0
    assert result.wasted_bytes == 1000
    assert result.efficiency == 0.0
    assert result.user_wasted_percent == math.inf  # layer 1 holds no bytes: dive divides by 0


def test_whiteout_of_a_directory_weighs_its_subtree() -> None:
    lower = entries(directory("d"), file("d/x", 30), directory("d/sub"), file("d/sub/y", 70))
    result = metrics(lower, entries(whiteout("d"), file("keep", 5)))
    refs = {ref.path: (ref.count, ref.size) for ref in result.inefficient_files}
    # /d is not a leaf in layer 0, so it is seen once: only in layer 1, weighing 100
    assert refs == {}
    assert result.efficiency == 1.0
    again = metrics(lower, entries(whiteout("d/sub")))
    assert {ref.path: (ref.count, ref.size) for ref in again.inefficient_files} == {}
    leafy = metrics(entries(directory("e")), entries(whiteout("e")))
    # /e is an empty directory (a leaf) in layer 0 and a whiteout leaf in layer 1
    assert [(ref.path, ref.count, ref.size) for ref in leafy.inefficient_files] == [("/e", 2, 0)]


def test_opaque_markers_are_ignored_and_their_directory_is_a_leaf() -> None:
    result = metrics(
        entries(directory("d"), file("d/old", 10)),
        entries(directory("d"), opaque("d")),
    )
    assert result.wasted_bytes == 0
    assert result.efficiency == 1.0


def test_whiteout_of_a_missing_path_counts_minus_one_and_stops_the_layer() -> None:
    result = metrics(
        entries(directory("a"), file("a/keep", 10), directory("z"), file("z/file", 50)),
        entries(directory("a"), whiteout("a/missing"), directory("z"), file("z/file", 50)),
    )
    # /a/missing is registered with minimum -1; z/file of layer 1 is never visited
    assert result.efficiency == (10 + 50 - 1) / 60
    assert result.wasted_bytes == 0


def test_one_layer_image_has_zero_user_wasted_percent() -> None:
    result = metrics(entries(file("a", 10), file("a", 10)))
    assert result.user_wasted_percent == 0.0


def test_file_list_is_children_first_in_byte_order() -> None:
    layer = entries(
        directory("b"), file("b/z", 1), file("b/a", 1), file("a", 1), file("deep/x/y", 1)
    )
    [positions] = metrics(layer).file_lists
    names = [entry.path if entry else None for entry in listed(layer, positions)]
    assert names == ["a", "b/a", "b/z", "b", "deep/x/y", None, None]


def test_go_file_modes() -> None:
    layer = entries(
        directory("d", mode=0o755),
        file("f", 1, mode=0o4755),
        symlink("l", "f"),
    )
    modes = {entry.path: go_file_mode(entry) for entry in layer}
    assert modes["d"] == (1 << 31) | 0o755
    assert modes["f"] == (1 << 23) | 0o755
    assert modes["l"] == (1 << 27) | 0o777
    assert go_is_dir(layer[0])
    assert not go_is_dir(None)


@pytest.mark.parametrize(
    ("typeflag", "kind"),
    [(tarfile.CHRTYPE, EntryKind.CHAR), (tarfile.FIFOTYPE, EntryKind.FIFO)],
)
def test_special_files_scan(typeflag: bytes, kind: EntryKind) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("dev/thing")
        info.type = typeflag
        archive.addfile(info)
    [entry] = scan_layer(io.BytesIO(buffer.getvalue()), LayerRef("layer.tar")).entries
    assert entry.kind is kind
