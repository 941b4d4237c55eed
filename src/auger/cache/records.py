"""The binary record of one layer scan, as the layer cache stores it.

A record is a fixed header, the diff ID it belongs to, and a compressed payload. The header
names the format (magic bytes, the record version, the scanner's
:data:`~auger.layers.scanner.FORMAT` and the :mod:`marshal` version) and carries the payload's
length and SHA-256. The payload is the scan as columns rather than rows: every path in one
string, kinds one byte each, numbers as little-endian 64-bit arrays, the rare link targets and
cleaned names sparse; a column whose values do not fit its compact shape (a size beyond 64 bits,
a name the text codec cannot carry) is kept as a plain tuple instead; the package database
files the scanner kept follow as (path, contents) pairs. The columns are marshalled, then
compressed with zstd.

:func:`decode` returns ``None`` for anything that is not a whole, intact record of this version
for the diff ID asked for, so a damaged or foreign file is scanned again, never trusted.
"""

from __future__ import annotations

import hashlib
import marshal
import struct
import sys
from array import array
from collections.abc import Sequence
from itertools import repeat
from typing import Any

from auger.layers import scanner
from auger.model import Digest, Entry, EntryKind, LayerScan

MAGIC = b"AUGERLS\n"
RECORD_VERSION = 2
"""Raise whenever the layout below changes."""
TAG = f"{RECORD_VERSION}.{scanner.FORMAT}.{marshal.version}"
"""Every version a record depends on, in the file names of the cache (see ``auger.cache``)."""

_HEADER = struct.Struct("<8sHHHHQ32s")
"""magic, record version, scanner format, marshal version, key length, payload length,
payload SHA-256."""
_KINDS = tuple(EntryKind)
_KIND_CODES = {id(kind): code for code, kind in enumerate(_KINDS)}
_SEPARATOR = "\0"
"""Joins strings in one column; tar names are C strings, so they never hold it."""
_SWAP = sys.byteorder == "big"
_MAX_EXPANSION = 512
"""Largest ratio of payload to compressed payload believed (records compress about 15:1)."""
_new_entry = tuple.__new__


def _int64(values: Sequence[int]) -> bytes | tuple[int, ...]:
    """``values`` as a little-endian array of 64-bit integers, or a tuple when one is too big."""
    try:
        numbers = array("q", values)
    except (OverflowError, TypeError):
        return tuple(values)
    if _SWAP:
        numbers.byteswap()
    return numbers.tobytes()


def _from_int64(column: Any, count: int | None = None) -> list[int]:
    """The integers :func:`_int64` encoded (``count`` of them, when given)."""
    if isinstance(column, tuple):
        values = list(column)
    else:
        numbers = array("q")
        numbers.frombytes(column)
        if _SWAP:
            numbers.byteswap()
        values = numbers.tolist()
    if count is not None and len(values) != count:
        raise ValueError("column length")
    return values


def _strings(values: Sequence[str]) -> bytes | tuple[str, ...]:
    """The strings joined and encoded as UTF-8 (surrogate escapes as the bytes they stand for),
    or a tuple when that would not give them back exactly."""
    joined = _SEPARATOR.join(values)
    if values and joined.count(_SEPARATOR) == len(values) - 1:
        try:
            data = joined.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return tuple(values)
        if joined.isascii() or data.decode("utf-8", "surrogateescape") == joined:
            return data
    return tuple(values)


def _from_strings(column: Any, count: int) -> list[str]:
    if isinstance(column, tuple):
        values = list(column)
    elif count == 0:
        values = []
    else:
        values = column.decode("utf-8", "surrogateescape").split(_SEPARATOR)
    if len(values) != count:
        raise ValueError("column length")
    return values


def _sparse(values: Sequence[str]) -> tuple[bytes | tuple[int, ...], bytes | tuple[str, ...]]:
    """The positions and values of the strings that are not empty."""
    positions = [index for index, value in enumerate(values) if value]
    return _int64(positions), _strings([values[index] for index in positions])


def _from_sparse(column: Any, count: int) -> list[str]:
    encoded_positions, encoded_values = column
    values: list[str] = [""] * count
    positions = _from_int64(encoded_positions)
    for position, value in zip(
        positions, _from_strings(encoded_values, len(positions)), strict=True
    ):
        values[position] = value
    return values


def _payload(scan: LayerScan) -> tuple[Any, ...]:
    entries = scan.entries
    count = len(entries)
    if count:
        paths, kinds, sizes, modes, uids, gids, links, digests, names, flags = zip(
            *entries, strict=True
        )
    else:
        paths = kinds = sizes = modes = uids = gids = links = digests = names = flags = ()
    codes = bytes(map(_KIND_CODES.__getitem__, map(id, kinds)))
    missing = [index for index, digest in enumerate(digests) if digest is None]
    fingerprints = _int64([0 if digest is None else digest for digest in digests])
    typeflags = "".join(flags)
    return (
        scan.size,
        tuple(scan.warnings),
        count,
        _strings(paths),
        codes,
        _int64(sizes),
        _int64(modes),
        _int64(uids),
        _int64(gids),
        _sparse(links),
        (_int64(missing), fingerprints),
        _sparse(names),
        typeflags if len(typeflags) == count and "" not in flags else tuple(flags),
        tuple(scan.captured.items()),
    )


def _scan(payload: tuple[Any, ...], diff_id: Digest) -> LayerScan:
    (size, warnings, count, paths, codes, sizes, modes, uids, gids) = payload[:9]
    links, (missing, fingerprints), names, flags, captured = payload[9:]
    if not isinstance(count, int) or len(codes) != count or len(flags) != count:
        raise ValueError("column length")
    files = dict(captured)
    if not all(isinstance(k, str) and isinstance(v, bytes) for k, v in files.items()):
        raise ValueError("captured files")
    digests: list[int | None] = list(_from_int64(fingerprints, count))
    for index in _from_int64(missing):
        digests[index] = None
    kinds = map(_KINDS.__getitem__, codes)
    columns = zip(
        _from_strings(paths, count),
        kinds,
        _from_int64(sizes, count),
        _from_int64(modes, count),
        _from_int64(uids, count),
        _from_int64(gids, count),
        _from_sparse(links, count),
        digests,
        _from_sparse(names, count),
        flags,
        strict=True,
    )
    entries = tuple(map(_new_entry, repeat(Entry), columns))
    return LayerScan(
        entries=entries,
        size=int(size),
        warnings=tuple(str(text) for text in warnings),
        diff_id=diff_id,
        captured=files,
    )


def encode(diff_id: Digest, scan: LayerScan) -> bytes:
    """The record of ``scan``, the scan of the layer whose diff ID is ``diff_id``."""
    import zstandard  # noqa: PLC0415 - loaded only by runs that use the cache

    payload = zstandard.ZstdCompressor(level=3).compress(marshal.dumps(_payload(scan)))
    key = diff_id.encode("ascii")
    header = _HEADER.pack(
        MAGIC,
        RECORD_VERSION,
        scanner.FORMAT,
        marshal.version,
        len(key),
        len(payload),
        hashlib.sha256(payload).digest(),
    )
    return header + key + payload


def decode(diff_id: Digest, record: bytes) -> LayerScan | None:
    """The scan in ``record`` if it is an intact record of this version for ``diff_id``."""
    if len(record) < _HEADER.size:
        return None
    magic, version, scanner_format, marshal_version, key_length, length, checksum = (
        _HEADER.unpack_from(record)
    )
    start = _HEADER.size + key_length
    if (
        magic != MAGIC
        or (version, scanner_format, marshal_version)
        != (RECORD_VERSION, scanner.FORMAT, marshal.version)
        or record[_HEADER.size : start] != diff_id.encode("ascii", "replace")
        or len(record) != start + length
    ):
        return None
    payload = memoryview(record)[start:]
    if hashlib.sha256(payload).digest() != checksum:
        return None
    import zstandard  # noqa: PLC0415

    try:
        size = zstandard.frame_content_size(payload)
        if size < 0 or size > _MAX_EXPANSION * length + (1 << 20):
            return None
        return _scan(marshal.loads(zstandard.ZstdDecompressor().decompress(payload)), diff_id)
    except (zstandard.ZstdError, ValueError, TypeError, EOFError, IndexError, KeyError):
        return None  # a record that passed its checksum yet does not decode: written by a bug
