"""Layer scan records: every field comes back exactly, and anything damaged is refused."""

from __future__ import annotations

import io
import marshal
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auger.cache import records
from auger.layers.scanner import scan_layer
from auger.model import Digest, Entry, EntryKind, LayerRef, LayerScan
from auger.testing.images import (
    directory,
    file,
    hardlink,
    layer_tar,
    opaque,
    symlink,
    whiteout,
)

DIFF_ID = Digest("sha256:" + "ab" * 32)


def entry(path: str, kind: EntryKind = EntryKind.FILE, **fields: object) -> Entry:
    values: dict[str, object] = {"size": 0, "mode": 0o644, "uid": 0, "gid": 0}
    values.update(fields)
    return Entry(path, kind, **values)  # type: ignore[arg-type]


ODD = LayerScan(
    entries=(
        entry("etc", EntryKind.DIR, mode=0o40755),
        entry("etc/passwd", size=1234, digest=0xFFFFFFFF),
        entry("etc/empty", digest=0),
        entry("caf\udcc3\udca9/na\udcffme", size=7, digest=12345),  # not UTF-8: escapes
        entry("ünïcödé/文件", size=3, digest=1),
        entry("bin/sh", EntryKind.SYMLINK, link="/bin/busybox", typeflag="2"),
        entry("bin/ls", EntryKind.HARDLINK, link="bin/busybox", typeflag="1"),
        entry("dev/null", EntryKind.CHAR, mode=0o20666, typeflag="3"),
        entry("dev/sda", EntryKind.BLOCK, typeflag="4"),
        entry("run/fifo", EntryKind.FIFO, typeflag="6"),
        entry("odd", EntryKind.OTHER, typeflag="S"),
        entry("var/gone", EntryKind.WHITEOUT, mode=0, link="junk"),
        entry("var/cache", EntryKind.OPAQUE, mode=0),
        entry(".wh..wh.plnk/123", EntryKind.META),
        entry("huge", size=2**70, uid=2**40, gid=-5, digest=7),
        entry("named", name="./named//", digest=None),
        entry("", EntryKind.DIR),
    ),
    size=2**70 + 1234,
    warnings=("entry '../x' climbs above the root; confined", "caf\udcc3"),
    diff_id=DIFF_ID,
    captured={
        "var/lib/dpkg/status": b"Package: bash\n",
        "lib/apk/db/installed": b"",
        "\udcff": b"\0",
    },
)


def test_every_field_of_every_kind_comes_back() -> None:
    back = records.decode(DIFF_ID, records.encode(DIFF_ID, ODD))
    assert back == ODD
    assert [type(field) for field in back.entries[3]] == [type(field) for field in ODD.entries[3]]


def test_values_that_do_not_fit_the_compact_columns_come_back() -> None:
    """A NUL or an unpaired surrogate in a string, a long typeflag: kept as plain tuples."""
    scan = LayerScan(
        entries=(
            entry("a\0b", link="\ud800", name="x\udc41"),
            entry("\udcc3\udca9", typeflag="xx"),  # escapes that would re-read as "é"
            entry("c", digest=-3),
        ),
        size=0,
    )
    back = records.decode(DIFF_ID, records.encode(DIFF_ID, scan))
    assert back is not None
    assert back.entries == scan.entries


def test_an_empty_layer_comes_back() -> None:
    scan = LayerScan(entries=(), size=0)
    assert records.decode(DIFF_ID, records.encode(DIFF_ID, scan)) == LayerScan(
        entries=(), size=0, diff_id=DIFF_ID
    )


def test_a_scanned_layer_comes_back() -> None:
    tar = layer_tar(
        [
            directory("usr"),
            file("usr/a", b"hello"),
            file("./usr//b", 70000),
            symlink("usr/c", "a"),
            hardlink("usr/d", "usr/a"),
            whiteout("etc/x"),
            opaque("var"),
            file("l\udcffatin", b"1"),
        ]
    )
    scan = scan_layer(io.BytesIO(tar), LayerRef("layer"))
    back = records.decode(DIFF_ID, records.encode(DIFF_ID, scan))
    assert back is not None
    assert back.entries == scan.entries
    assert (back.size, back.warnings) == (scan.size, scan.warnings)


def test_the_captured_package_databases_come_back() -> None:
    status = b"Package: bash\nStatus: install ok installed\nVersion: 5.2\n"
    tar = layer_tar([file("var/lib/dpkg/status", status), file("usr/bin/bash", 900)])
    scan = scan_layer(io.BytesIO(tar), LayerRef("layer"))
    assert scan.captured == {"var/lib/dpkg/status": status}
    back = records.decode(DIFF_ID, records.encode(DIFF_ID, scan))
    assert back is not None
    assert back.captured == scan.captured


texts = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from("\0/\udc80\udcff")
)
ints = st.integers(min_value=-(2**70), max_value=2**70)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.builds(
            Entry,
            texts,
            st.sampled_from(list(EntryKind)),
            ints,
            ints,
            ints,
            ints,
            texts,
            st.none() | st.integers(min_value=-1, max_value=2**64),
            texts,
            st.sampled_from(["0", "5", "2", "x", "", "ab"]),
        ),
        max_size=12,
    ),
    st.lists(texts, max_size=3),
)
def test_any_scan_comes_back(entries: list[Entry], warnings: list[str]) -> None:
    scan = LayerScan(tuple(entries), 5, tuple(warnings), DIFF_ID)
    assert records.decode(DIFF_ID, records.encode(DIFF_ID, scan)) == scan


def test_a_record_is_compact() -> None:
    """Paths of a real-looking layer cost a few bytes per entry once encoded."""
    entries = [directory("usr/lib/python3")]
    entries += [
        file(f"usr/lib/python3/pkg{i // 50:04d}/mod{i % 50:02d}.py", i % 300) for i in range(5000)
    ]
    scan = scan_layer(io.BytesIO(layer_tar(entries)), LayerRef("layer"))
    size = len(records.encode(DIFF_ID, scan))
    assert size < 12 * len(scan.entries), size


# -- damaged and foreign records ------------------------------------------------------------------


def small_record() -> bytes:
    scan = LayerScan((entry("a", size=3, digest=9), entry("b", EntryKind.DIR)), 3)
    return records.encode(DIFF_ID, scan)


def test_every_flipped_byte_is_refused() -> None:
    record = small_record()
    for position in range(len(record)):
        damaged = bytearray(record)
        damaged[position] ^= 0x40
        assert records.decode(DIFF_ID, bytes(damaged)) is None, position


def test_every_truncation_and_extension_is_refused() -> None:
    record = small_record()
    for length in range(len(record)):
        assert records.decode(DIFF_ID, record[:length]) is None, length
    assert records.decode(DIFF_ID, record + b"\0") is None


def test_a_record_of_another_layer_is_refused() -> None:
    assert records.decode(Digest("sha256:" + "cd" * 32), small_record()) is None


@pytest.mark.parametrize("field", [1, 2, 3], ids=["record", "scanner", "marshal"])
def test_a_record_of_another_version_is_refused(field: int) -> None:
    record = bytearray(small_record())
    offset = 8 + 2 * (field - 1)
    value = struct.unpack_from("<H", record, offset)[0]
    struct.pack_into("<H", record, offset, value + 1)
    assert records.decode(DIFF_ID, bytes(record)) is None


def test_the_tag_names_every_version() -> None:
    from auger.layers import scanner  # noqa: PLC0415

    assert f"{records.RECORD_VERSION}.{scanner.FORMAT}.{marshal.version}" == records.TAG
