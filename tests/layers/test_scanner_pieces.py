"""Scanning a layer that lies in a file in pieces on two processors gives what one pass gives.

Each piece starts at a header guessed near a cut; these tests put the starts everywhere a guess
could land (every block of a layer: headers, extended headers, contents, a tar archive inside a
file, several at random) and check the result, and the errors, against one pass.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from auger import parallel
from auger.layers import capture, scanner
from auger.layers.digests import DigestingReader
from auger.layers.scanner import scan_layer
from auger.layers.tarstream import BLOCK, TarReader, find_header
from auger.model import LayerRef, LayerScan
from auger.parallel import can_fork
from auger.pipeline import AnalyzeOptions, analyze
from auger.report.dive_json import format_json
from auger.sources.streams import PositionedReader, Window
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    directory,
    docker_archive,
    file,
    hardlink,
    layer_tar,
    oci_layout,
    opaque,
    symlink,
    whiteout,
    write_directory,
)

REF = LayerRef("layer.tar", 0, None, None)
LONG = "usr/share/" + "very-long-directory-name/" * 6


def one_pass(data: bytes) -> LayerScan:
    return scan_layer(io.BytesIO(data), REF)


class Pieces:
    """Scans files of layers in pieces, starting where a test says."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self._tmp_path = tmp_path
        self.outcomes: list[tuple[bool, bool]] = []
        """(the child finished sending its pieces, this process's first piece stopped where
        the next starts), per scan in pieces."""
        monkeypatch.setattr(scanner, "SPLIT_MIN", 0)
        real_beside = parallel.beside_in_parts

        def recording_beside(*args: Any, **kwargs: Any) -> Any:
            rest, finished, mine = real_beside(*args, **kwargs)
            self.outcomes.append((finished, kwargs["wanted"](mine)))
            return rest, finished, mine

        monkeypatch.setattr(scanner, "beside_in_parts", recording_beside)
        self._monkeypatch = monkeypatch

    def path(self, data: bytes) -> Path:
        """``data`` written to a file."""
        path = self._tmp_path / "layer.tar"
        path.write_bytes(data)
        return path

    def scan(
        self, data: bytes, split: int | list[int] | None = None, *, prefix: int = BLOCK
    ) -> LayerScan:
        """Scan ``data`` from a file as a source does (its first ``prefix`` bytes already
        taken), in pieces starting at 0 and ``split`` (else where the scanner guesses)."""
        if split is not None:
            starts = [0, *([split] if isinstance(split, int) else split)]
            self._monkeypatch.setattr(scanner, "_piece_starts", lambda *_: starts)
        path = self.path(data)
        descriptor = os.open(path, os.O_RDONLY)
        try:
            head = os.pread(descriptor, prefix, 0)
            window = Window(PositionedReader(descriptor, len(head)), len(data), head)
            result = scan_layer(window, REF)
            assert window.read(1) == b""  # the window counts every byte as read
            return result
        finally:
            os.close(descriptor)


@pytest.fixture
def pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Pieces:
    assert can_fork(), "these tests need fork and two processors"
    return Pieces(tmp_path, monkeypatch)


def assert_same(found: LayerScan, expected: LayerScan) -> None:
    assert found.entries == expected.entries
    assert found.size == expected.size
    assert found.warnings == expected.warnings
    assert dict(found.captured) == dict(expected.captured)
    assert list(found.captured) == list(expected.captured)


def header_offsets(data: bytes) -> list[int]:
    """Where every member's header (extended headers included) starts."""
    offsets = []
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        for member in archive:
            offsets.append(member.offset)
    return offsets


def archive_end(data: bytes) -> int:
    """Where the end-of-archive marker starts."""
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.getmembers()
        return archive.offset


def every_block(data: bytes) -> Iterator[int]:
    yield from range(BLOCK, len(data), BLOCK)


def mixed_layer(tar_format: int = tarfile.PAX_FORMAT) -> bytes:
    """Long names and links, markers, package databases, a root entry, odd sizes."""
    return layer_tar(
        [
            directory("./"),
            directory("etc"),
            file("etc/os-release", b"ID=debian\n"),
            directory("var/lib/dpkg"),
            file("var/lib/dpkg/status", b"Package: a\nStatus: install ok installed\n"),
            file(f"{LONG}first.txt", 700),
            symlink("etc/link", f"/{LONG}first.txt"),
            whiteout("usr/old"),
            opaque("opt"),
            file("./usr/bin/tool", 1500),
            hardlink("usr/bin/tool2", "usr/bin/tool"),
            file("app/package.json", b'{"name": "app"}'),
            file(f"{LONG}second.txt", 0),
            file("var/lib/dpkg/status", b"Package: b\nStatus: install ok installed\n"),
            file("usr//lib/../lib/x.so", 2048),
            file("srv/data.bin", 5000),
        ],
        tar_format,
    )


@pytest.mark.parametrize("tar_format", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT])
def test_a_second_half_starting_at_any_block_gives_one_pass_result(
    pieces: Pieces, tar_format: int
) -> None:
    data = mixed_layer(tar_format)
    expected = one_pass(data)
    for split in every_block(data):
        assert_same(pieces.scan(data, split), expected)
    # the child's half was taken exactly where a header starts with no extended header before
    # it pending (tarfile's offset of a member is that of its first extended header), or at
    # the end-of-archive marker
    clean = set(header_offsets(data)) | {archive_end(data)}
    taken = {
        split
        for split, (sent, stopped) in zip(every_block(data), pieces.outcomes, strict=True)
        if sent and stopped
    }
    assert taken == clean - {0}


def test_a_guess_inside_contents_that_hold_a_tar_archive_is_not_trusted(
    pieces: Pieces, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scanner, "PIECES", 2)  # two pieces, cut at the middle byte
    inner = layer_tar([file(f"inner/f{index}", 600) for index in range(200)])
    data = layer_tar([file("a", 100), file("archive.tar", inner), file("z", 100)])
    middle = len(data) // 2 - len(data) // 2 % BLOCK
    path_start = header_offsets(data)[1] + BLOCK  # archive.tar's contents
    assert path_start < middle < path_start + len(inner)
    assert find_header(data[middle:]) is not None  # the inner archive's header looks right
    assert_same(pieces.scan(data), one_pass(data))
    assert pieces.outcomes == [(False, False)]  # this process ran past it: the child was stopped


def test_the_guess_the_scanner_makes_is_used_on_an_ordinary_layer(pieces: Pieces) -> None:
    data = layer_tar([file(f"usr/lib/f{index:04d}", 300 + index) for index in range(400)])
    assert_same(pieces.scan(data), one_pass(data))
    assert pieces.outcomes == [(True, True)]


def cut_at_the_middle_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two pieces, the second at a header within 4 blocks of the middle byte, if one is."""
    monkeypatch.setattr(scanner, "PIECES", 2)
    monkeypatch.setattr(scanner, "_SYNC_WINDOW", 4 * BLOCK)
    monkeypatch.setattr(scanner, "_SYNC_MAX", 4 * BLOCK)


def test_a_large_file_across_the_middle_puts_the_second_half_after_it(
    pieces: Pieces, monkeypatch: pytest.MonkeyPatch
) -> None:
    cut_at_the_middle_only(monkeypatch)  # no header near the middle
    data = layer_tar([file("a", 10), file("big", 64 * BLOCK), file("y", 10), file("z", 10)])
    points: list[list[int]] = []
    real_piece_starts = scanner._piece_starts

    def recording(*args: int) -> list[int]:
        points.append(real_piece_starts(*args))
        return points[-1]

    monkeypatch.setattr(scanner, "_piece_starts", recording)
    assert_same(pieces.scan(data), one_pass(data))
    assert points == [[0, header_offsets(data)[2]]]  # found by walking the headers: y's
    assert pieces.outcomes == [(True, True)]


def test_a_layer_of_one_large_file_is_scanned_in_one_pass(
    pieces: Pieces, monkeypatch: pytest.MonkeyPatch
) -> None:
    cut_at_the_middle_only(monkeypatch)
    data = layer_tar([file("a", 10), file("big", 64 * BLOCK)])
    assert_same(pieces.scan(data), one_pass(data))
    assert pieces.outcomes == []  # nothing after it but the end-of-archive marker


def test_a_long_walk_to_the_middle_is_given_up(
    pieces: Pieces, monkeypatch: pytest.MonkeyPatch
) -> None:
    cut_at_the_middle_only(monkeypatch)
    monkeypatch.setattr(scanner, "_WALK_MAX", 5)
    small = [file(f"s{index}", 10) for index in range(20)]
    data = layer_tar([*small, file("big", 64 * BLOCK), file("z", 10)])
    assert_same(pieces.scan(data), one_pass(data))
    assert pieces.outcomes == []  # scanned in one pass


def test_a_corrupt_header_before_the_middle_leaves_the_walk_to_the_scan(
    pieces: Pieces, monkeypatch: pytest.MonkeyPatch
) -> None:
    cut_at_the_middle_only(monkeypatch)
    data = layer_tar([file("a", 10), file("b", 10), file("big", 64 * BLOCK), file("z", 10)])
    bad = corrupt_at(data, header_offsets(data)[1])
    assert error_of(lambda: pieces.scan(bad)) == error_of(lambda: one_pass(bad))
    assert pieces.outcomes == []


def test_a_dpkg_status_d_directory_in_the_first_half_makes_one_pass_of_the_rest(
    pieces: Pieces,
) -> None:
    entries = [directory("var/lib/dpkg/status.d")]
    entries += [file(f"usr/share/doc/f{index}", 900) for index in range(20)]
    entries += [file("var/lib/dpkg/status.d/libc6", b"Package: libc6\n")]
    data = layer_tar(entries)
    split = header_offsets(data)[-1]
    found = pieces.scan(data, split)
    assert_same(found, one_pass(data))
    assert "var/lib/dpkg/status.d/libc6" in found.captured
    assert pieces.outcomes == [(True, True)]  # sent, stopped, but not taken


def test_package_databases_over_the_layer_cap_together_make_one_pass_of_the_rest(
    pieces: Pieces, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(capture, "MAX_LAYER", 3000)
    entries = [file("var/lib/dpkg/status", b"s" * 2000)]
    entries += [file(f"usr/f{index}", 900) for index in range(10)]
    entries += [file("app/package.json", b"p" * 1500)]
    data = layer_tar(entries)
    split = header_offsets(data)[6]
    expected = one_pass(data)
    assert "app/package.json" not in expected.captured  # one pass hits the cap here
    assert_same(pieces.scan(data, split), expected)


def corrupt_at(data: bytes, offset: int) -> bytes:
    """``data`` with the header at ``offset`` damaged (its checksum no longer matches)."""
    damaged = bytearray(data)
    damaged[offset + 10] ^= 0x55
    return bytes(damaged)


def error_of(scan: Callable[[], object]) -> str:
    with pytest.raises(Exception) as caught:  # the type is compared with one pass's below
        scan()
    return f"{type(caught.value).__name__}: {caught.value}"


@pytest.mark.parametrize("which", ["first", "second"])
def test_a_corrupt_header_in_either_half_raises_one_pass_error(pieces: Pieces, which: str) -> None:
    data = layer_tar([file(f"f{index}", 700) for index in range(12)])
    offsets = header_offsets(data)
    split = offsets[6]
    bad = corrupt_at(data, offsets[3] if which == "first" else offsets[9])
    assert error_of(lambda: pieces.scan(bad, split)) == error_of(lambda: one_pass(bad))


def test_a_layer_cut_short_in_its_second_half_raises_one_pass_error(pieces: Pieces) -> None:
    data = layer_tar([file(f"f{index}", 700) for index in range(12)])
    split = header_offsets(data)[6]
    cut = data[: header_offsets(data)[10] + 300]
    message = error_of(lambda: pieces.scan(cut, split))
    assert message == error_of(lambda: one_pass(cut))
    assert "truncated" in message


def test_a_layer_smaller_than_the_threshold_is_scanned_in_one_pass(
    pieces: Pieces, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = mixed_layer()
    monkeypatch.setattr(scanner, "SPLIT_MIN", len(data) + 1)
    assert_same(pieces.scan(data), one_pass(data))
    assert pieces.outcomes == []


def test_a_verified_layer_is_scanned_in_pieces_only_when_a_helper_hashes_its_file(
    pieces: Pieces, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = layer_tar([file(f"usr/lib/f{index:04d}", 300 + index) for index in range(200)])
    path = tmp_path / "verified.tar"
    path.write_bytes(data)
    for helper_min, split_expected in ((0, True), (len(data) + 1, False)):
        monkeypatch.setattr("auger.layers.digests.HELPER_MIN", helper_min)
        pieces.outcomes.clear()
        with path.open("rb") as handle:
            window = Window(PositionedReader(handle.fileno(), 0), len(data))
            with DigestingReader(window) as digesting:
                assert digesting.from_file is split_expected
                found = scan_layer(digesting, REF)
                digesting.drain()
                digest = digesting.digest()
        assert_same(found, one_pass(data))
        assert digest == f"sha256:{hashlib.sha256(data).hexdigest()}"
        assert bool(pieces.outcomes) is split_expected


def test_skipping_the_rest_of_a_stream_hashed_here_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "small.tar"
    path.write_bytes(b"x" * 4096)
    with path.open("rb") as handle:
        window = Window(PositionedReader(handle.fileno(), 0), 4096)
        with DigestingReader(window) as digesting:
            assert not digesting.from_file
            assert digesting.byte_span() is None
            with pytest.raises(ValueError, match="missing from the digest"):
                digesting.skip_rest()


def test_skipping_the_rest_of_a_window_reports_it_read(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    path.write_bytes(bytes(range(256)) * 16)
    seen: list[int] = []
    with path.open("rb") as handle:
        window = Window(PositionedReader(handle.fileno(), 2), 4096, b"\x00\x01", seen.append)
        assert window.byte_span() == (handle.fileno(), 0, 4096)
        assert window.read(100) == bytes(range(100))
        window.skip_rest()
    assert sum(seen) == 4096 - 2
    assert window.read(1) == b""


def test_a_reader_told_where_to_stop_stops_only_at_a_clean_header() -> None:
    data = layer_tar([file("a", 10), file(f"{LONG}b", 10), file("c", 10)])
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        _, long_one, last = archive.getmembers()
    pax, b, c = long_one.offset, long_one.offset_data - BLOCK, last.offset
    assert b - pax == 2 * BLOCK  # b's pax header and its one block of records come first
    for stop, expected in ((c, ["a", f"{LONG}b"]), (b, None), (pax + BLOCK, None)):
        reader = TarReader(io.BytesIO(data), "layer")
        reader.stop_at = stop
        names = [header.name for header in reader]
        if expected is None:  # after a pending extended header, or inside one: read on
            assert names == ["a", f"{LONG}b", "c"]
            assert not reader.stopped
        else:
            assert names == expected
            assert reader.stopped
            assert [header.name for header in reader] == ["c"]  # and on from there


def test_find_header_skips_what_only_looks_like_one() -> None:
    data = layer_tar([file("a", b"ustar" * 300), file("b", 10)])
    b = header_offsets(data)[1]
    assert find_header(data) == 0
    assert find_header(data, BLOCK) == b  # "ustar" in contents, never at a header's place
    damaged = corrupt_at(data, b)
    assert find_header(damaged, BLOCK) is None
    assert find_header(data[: b + 300], BLOCK) is None  # a header cut short


@pytest.mark.parametrize("verify", [True, False])
@pytest.mark.parametrize("layout", ["legacy", "oci", "directory"])
def test_an_image_analysed_with_layers_in_pieces_matches_one_pass(
    pieces: Pieces, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, verify: bool, layout: str
) -> None:
    layers = [
        LayerSpec(layer_tar([file(f"usr/lib/f{index:04d}", 100 + index) for index in range(300)])),
        LayerSpec(layer_tar([file(f"usr/lib/f{index:04d}", 7) for index in range(0, 300, 3)])),
        LayerSpec(layer_tar([whiteout(f"usr/lib/f{index:04d}") for index in range(1, 300, 7)])),
    ]
    if layout == "directory":  # an OCI image layout on disk, uncompressed
        root = write_directory(oci_layout([ImageSpec(layers)], "none"), tmp_path / "layout")
        reference = f"oci://{root}"
    else:
        archive = tmp_path / "image.tar"
        archive.write_bytes(docker_archive(ImageSpec(layers), layout))
        reference = str(archive)
    monkeypatch.setattr("auger.layers.digests.HELPER_MIN", 0)  # helpers hash every layer
    options = AnalyzeOptions(verify=verify)
    in_pieces = analyze(reference, options)
    assert len(pieces.outcomes) == 3
    assert all(outcome == (True, True) for outcome in pieces.outcomes)
    monkeypatch.setattr(scanner, "SPLIT_MIN", 1 << 62)
    in_one_pass = analyze(reference, options)
    assert len(pieces.outcomes) == 3
    assert format_json(in_pieces) == format_json(in_one_pass)
    assert [layer.scan for layer in in_pieces.image.layers] == [
        layer.scan for layer in in_one_pass.image.layers
    ]


def test_an_ordinary_layer_is_cut_into_pieces_at_headers(pieces: Pieces) -> None:
    data = layer_tar([file(f"usr/lib/f{index:04d}", 300 + index) for index in range(400)])
    path = pieces.path(data)
    descriptor = os.open(path, os.O_RDONLY)
    try:
        starts = scanner._piece_starts(descriptor, 0, len(data))
    finally:
        os.close(descriptor)
    assert len(starts) == scanner.PIECES
    assert set(starts) <= set(header_offsets(data))
    assert starts == sorted(starts)
    assert_same(pieces.scan(data), one_pass(data))
    assert pieces.outcomes == [(True, True)]


def test_pieces_the_child_has_no_room_to_send_are_scanned_here(
    pieces: Pieces, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = layer_tar([file(f"usr/lib/f{index:04d}", 300 + index) for index in range(400)])
    expected = one_pass(data)
    for room in (1, 3000):  # none of its pieces fits, or not all of them
        monkeypatch.setattr(scanner, "_room", lambda _, room=room: room)
        assert_same(pieces.scan(data), expected)
    assert pieces.outcomes == [(True, True), (True, True)]


def test_any_pieces_at_any_blocks_give_one_pass_result(pieces: Pieces) -> None:
    data = mixed_layer()
    expected = one_pass(data)
    chooser = random.Random(7)
    blocks = list(every_block(data))
    for _ in range(40):
        starts = sorted(chooser.sample(blocks, chooser.randint(2, 7)))
        assert_same(pieces.scan(data, starts), expected)
    bad = corrupt_at(data, header_offsets(data)[9])
    expected_error = error_of(lambda: one_pass(bad))
    for _ in range(20):
        starts = sorted(chooser.sample(blocks, chooser.randint(2, 7)))
        assert error_of(lambda: pieces.scan(bad, starts)) == expected_error  # noqa: B023


def test_a_status_d_directory_in_one_piece_reaches_every_later_piece(pieces: Pieces) -> None:
    entries = [directory("var/lib/dpkg/status.d")]
    entries += [file(f"usr/share/doc/f{index}", 900) for index in range(20)]
    entries += [file("var/lib/dpkg/status.d/libc6", b"Package: libc6\n")]
    data = layer_tar(entries)
    offsets = header_offsets(data)
    found = pieces.scan(data, [offsets[5], offsets[10], offsets[-1]])
    assert_same(found, one_pass(data))
    assert "var/lib/dpkg/status.d/libc6" in found.captured
