"""rpm's header blob: the record each package is stored as in an rpm database.

The layout (rpm's ``lib/header.c``, big-endian throughout): two 32-bit counts, ``il`` index
entries and ``dl`` bytes of data, then ``il`` entries of 16 bytes (tag, type, offset into the
data, count), then the data. Numbers in the data are aligned to their size; strings end with a
NUL. A header read from a database starts with a *region* entry (tag 63,
``RPMTAG_HEADERIMMUTABLE``) whose data is a 16-byte trailer pointing back over the index
entries the region covers; the region is checked as rpm checks it, and entries after it
(``dribble`` entries added on install) are read too. Any inconsistency raises
:class:`HeaderError`; nothing is read outside the blob.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

NAME = 1000
VERSION = 1001
RELEASE = 1002
EPOCH = 1003
SIZE = 1009
GROUP = 1016
ARCH = 1022
OLDFILENAMES = 1027
FILESIZES = 1028
FILEMODES = 1030
FILEFLAGS = 1037
SOURCERPM = 1044
DIRINDEXES = 1116
BASENAMES = 1117
DIRNAMES = 1118
LONGSIZE = 5009

REGION_TAGS = (61, 62, 63)
"""``HEADERIMAGE``, ``HEADERSIGNATURES``, ``HEADERIMMUTABLE``."""
IMMUTABLE = 63

CHAR, INT8, INT16, INT32, INT64, STRING, BIN, STRING_ARRAY, I18NSTRING = range(1, 10)
"""The entry types (0, ``NULL``, carries no data and is refused like any unknown type)."""
_NUMBERS = {CHAR: ("B", 1), INT8: ("B", 1), INT16: ("H", 2), INT32: ("I", 4), INT64: ("Q", 8)}
_STRINGS = (STRING, STRING_ARRAY, I18NSTRING)
_ENTRY = struct.Struct(">iIiI")
_MAX_TAGS = 0xFFFF
_MAX_DATA = 256 * 1024 * 1024

Value = tuple[int, ...] | tuple[str, ...] | bytes


class HeaderError(ValueError):
    """A header blob that rpm itself would refuse."""


def _strings(data: bytes, offset: int, count: int, end: int) -> tuple[tuple[str, ...], int]:
    values = []
    for _ in range(count):
        stop = data.find(b"\0", offset, end)
        if stop < 0:
            raise HeaderError("a string runs past the end of the data")
        values.append(data[offset:stop].decode("utf-8", "surrogateescape"))
        offset = stop + 1
    return tuple(values), offset


def _value(data: bytes, kind: int, offset: int, count: int, end: int) -> Value:
    if kind in _STRINGS:
        if kind == STRING and count != 1:
            raise HeaderError("a STRING entry with a count other than 1")
        return _strings(data, offset, count, end)[0]
    if kind == BIN:
        if offset + count > end:
            raise HeaderError("a BIN entry runs past the end of the data")
        return data[offset : offset + count]
    if kind not in _NUMBERS:
        raise HeaderError(f"unknown entry type {kind}")
    code, width = _NUMBERS[kind]
    if offset % width:
        raise HeaderError("a misaligned number entry")
    if offset + width * count > end:
        raise HeaderError("a number entry runs past the end of the data")
    return struct.unpack_from(f">{count}{code}", data, offset)


def parse(blob: bytes) -> Mapping[int, Value]:
    """Every entry of a header blob (without the 8-byte header magic): tag to value."""
    if len(blob) < 8:
        raise HeaderError("shorter than its counts")
    il, dl = struct.unpack_from(">II", blob)
    if not 0 < il <= _MAX_TAGS or dl > _MAX_DATA:
        raise HeaderError(f"implausible counts: {il} entries, {dl} data bytes")
    data_start = 8 + 16 * il
    end = data_start + dl
    if end > len(blob):
        raise HeaderError("the data runs past the end of the blob")
    entries = [_ENTRY.unpack_from(blob, 8 + 16 * i) for i in range(il)]
    _check_region(blob, entries, data_start, dl)
    data = blob[data_start:end]
    values: dict[int, Value] = {}
    for tag, kind, offset, count in entries:
        if tag in REGION_TAGS:
            continue
        if offset < 0 or offset >= dl or count == 0 or count > dl:
            raise HeaderError(f"entry {tag} points outside the data")
        values[tag] = _value(data, kind, offset, count, dl)
    return values


def _check_region(
    blob: bytes, entries: list[tuple[int, int, int, int]], start: int, dl: int
) -> None:
    """Check the region entry (if the header has one) as rpm's ``hdrblobVerifyRegion`` does."""
    tag, kind, offset, count = entries[0]
    if tag not in REGION_TAGS:
        return  # a legacy header without a region: every entry is immutable
    if kind != BIN or count != 16 or offset < 0 or offset + 16 > dl:
        raise HeaderError("a malformed region entry")
    trailer_tag, trailer_kind, trailer_offset, trailer_count = _ENTRY.unpack_from(
        blob, start + offset
    )
    covered = -trailer_offset // 16
    if (
        trailer_tag != tag
        or trailer_kind != BIN
        or trailer_count != 16
        or trailer_offset > 0
        or -trailer_offset % 16
        or not 0 < covered <= len(entries)
    ):
        raise HeaderError("a region trailer that does not match its region")


def strings(header: Mapping[int, Value], tag: int) -> tuple[str, ...]:
    """The strings of ``tag`` (``()`` when absent or not strings)."""
    value = header.get(tag, ())
    if isinstance(value, bytes) or not all(isinstance(item, str) for item in value):
        return ()
    return tuple(str(item) for item in value)


def string(header: Mapping[int, Value], tag: int) -> str:
    """The first string of ``tag`` (``""`` when absent)."""
    found = strings(header, tag)
    return found[0] if found else ""


def numbers(header: Mapping[int, Value], tag: int) -> tuple[int, ...]:
    """The numbers of ``tag`` (``()`` when absent or not numbers)."""
    value = header.get(tag, ())
    if isinstance(value, bytes) or not all(isinstance(item, int) for item in value):
        return ()
    return tuple(int(item) for item in value)
