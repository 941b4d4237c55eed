"""The binary record of one layer scan, as the layer cache stores it.

A record is a fixed header, the diff ID it belongs to, and a compressed payload. The header
names the format (magic bytes, the record version, the scanner's
:data:`~auger.layers.scanner.FORMAT` and the :mod:`marshal` version) and carries the payload's
length and SHA-256. The payload is the scan as columns (:mod:`auger.layers.columns`; raise
:data:`RECORD_VERSION` when their layout changes), marshalled, then compressed with zstd.

:func:`decode` returns ``None`` for anything that is not a whole, intact record of this version
for the diff ID asked for, so a damaged or foreign file is scanned again, never trusted.
"""

from __future__ import annotations

import marshal
import struct

from auger import hashes
from auger.layers import scanner
from auger.layers.columns import from_columns, to_columns
from auger.model import Digest, LayerScan

MAGIC = b"AUGERLS\n"
RECORD_VERSION = 2
"""Raise whenever the layout below changes."""
TAG = f"{RECORD_VERSION}.{scanner.FORMAT}.{marshal.version}"
"""Every version a record depends on, in the file names of the cache (see ``auger.cache``)."""

_HEADER = struct.Struct("<8sHHHHQ32s")
"""magic, record version, scanner format, marshal version, key length, payload length,
payload SHA-256."""
_MAX_EXPANSION = 512
"""Largest ratio of payload to compressed payload believed (records compress about 15:1)."""


def encode(diff_id: Digest, scan: LayerScan) -> bytes:
    """The record of ``scan``, the scan of the layer whose diff ID is ``diff_id``."""
    import zstandard  # noqa: PLC0415 - loaded only by runs that use the cache

    payload = zstandard.ZstdCompressor(level=3).compress(marshal.dumps(to_columns(scan)))
    key = diff_id.encode("ascii")
    header = _HEADER.pack(
        MAGIC,
        RECORD_VERSION,
        scanner.FORMAT,
        marshal.version,
        len(key),
        len(payload),
        hashes.sha256(payload),
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
    if hashes.sha256(payload) != checksum:
        return None
    import zstandard  # noqa: PLC0415

    try:
        size = zstandard.frame_content_size(payload)
        if size < 0 or size > _MAX_EXPANSION * length + (1 << 20):
            return None
        return from_columns(
            marshal.loads(zstandard.ZstdDecompressor().decompress(payload)), diff_id
        )
    except (zstandard.ZstdError, ValueError, TypeError, EOFError, IndexError, KeyError):
        return None  # a record that passed its checksum yet does not decode: written by a bug
