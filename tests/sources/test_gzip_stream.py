"""The gzip decoder the sources stream layers through: several members, zero padding, and the
errors GzipFile would raise for truncated or trailing garbage."""

from __future__ import annotations

import gzip
import io
import os
import sys

import pytest

from auger.sources import streams


def decode(data: bytes, read: int = 1000) -> bytes:
    stream = streams.decompressed(io.BytesIO(data), "gzip")
    parts = []
    while chunk := stream.read(read):
        parts.append(chunk)
    return b"".join(parts)


PAYLOAD = os.urandom(300_000) + b"text " * 100_000


def test_one_member_in_small_and_large_reads() -> None:
    data = gzip.compress(PAYLOAD)
    assert decode(data, 7) == PAYLOAD
    assert decode(data, 1 << 22) == PAYLOAD


def test_several_members_and_zero_padding_read_as_one_stream() -> None:
    data = gzip.compress(PAYLOAD[:1000]) + gzip.compress(PAYLOAD[1000:]) + bytes(1000)
    assert decode(data) == PAYLOAD


@pytest.mark.parametrize("cut", [5, 30_000, -4])
def test_truncated_data_raises_eof(cut: int) -> None:
    with pytest.raises(EOFError):
        decode(gzip.compress(PAYLOAD)[:cut])


def test_trailing_garbage_and_corruption_raise() -> None:
    with pytest.raises(OSError, match="trailing garbage"):
        decode(gzip.compress(b"abc") + b"\0\0junk")
    corrupt = bytearray(gzip.compress(PAYLOAD))
    corrupt[-6] ^= 0xFF  # the CRC trailer
    with pytest.raises(OSError):
        decode(bytes(corrupt))


def test_without_isal_zlib_decodes_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "isal", None)  # import isal fails
    data = gzip.compress(PAYLOAD) + gzip.compress(b"tail")
    assert decode(data) == PAYLOAD + b"tail"
    with pytest.raises(EOFError):
        decode(data[:-10])
