"""Byte streams the sources read from: chunk iterators, bounded members, decompression.

Everything here is a forward-only, buffered binary stream. Nothing is written to disk and no
more than one buffer is held in memory.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from typing import IO, cast

import zstandard

from auger.errors import LayerFormatError
from auger.model import Readable

BUFFER = 1 << 20

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class ChunkStream(io.RawIOBase):
    """A raw stream over an iterator of byte chunks (such as the Docker SDK's ``save()``)."""

    def __init__(self, chunks: Iterator[bytes], on_read: Callable[[int], None] | None = None):
        self._chunks = chunks
        self._pending = memoryview(b"")
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                self._pending = memoryview(next(self._chunks))
            except StopIteration:
                return 0
            if self._on_read is not None:
                self._on_read(len(self._pending))
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class CountingStream(io.RawIOBase):
    """A raw stream that reports how many bytes pass through it."""

    def __init__(self, inner: IO[bytes], on_read: Callable[[int], None]) -> None:
        self._inner = inner
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        if size:
            self._on_read(size)
        return size


class BoundedStream(io.RawIOBase):
    """The next ``size`` bytes of ``inner``, optionally preceded by bytes already read."""

    def __init__(self, inner: Readable, size: int, prefix: bytes = b"") -> None:
        self._inner = inner
        self._remaining = size - len(prefix)
        self._prefix = memoryview(prefix)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._prefix:
            size = min(len(buffer), len(self._prefix))
            buffer[:size] = self._prefix[:size]
            self._prefix = self._prefix[size:]
            return size
        if self._remaining <= 0:
            return 0
        data = self._inner.read(min(len(buffer), self._remaining))
        size = len(data)
        buffer[:size] = data
        self._remaining -= size
        if size == 0:
            self._remaining = 0
        return size

    def drain(self) -> None:
        """Consume whatever the reader of this member left unread."""
        self._prefix = memoryview(b"")
        while self._remaining > 0:
            data = self._inner.read(min(BUFFER, self._remaining))
            if not data:
                break
            self._remaining -= len(data)


def buffered(raw: io.RawIOBase) -> io.BufferedReader:
    """Wrap a raw stream in a large read buffer."""
    return io.BufferedReader(raw, buffer_size=BUFFER)


def detect_compression(prefix: bytes) -> str:
    """``gzip``, ``zstd`` or ``none``, from a blob's first bytes."""
    if prefix.startswith(GZIP_MAGIC):
        return "gzip"
    if prefix.startswith(ZSTD_MAGIC):
        return "zstd"
    return "none"


def decompressed(stream: Readable, compression: str) -> Readable:
    """A stream of the uncompressed bytes of ``stream``."""
    if compression == "gzip":
        return gzip.GzipFile(fileobj=cast(IO[bytes], stream), mode="rb")
    if compression == "zstd":
        reader = zstandard.ZstdDecompressor().stream_reader(
            cast(IO[bytes], stream), read_across_frames=True, closefd=False
        )
        return io.BufferedReader(reader, buffer_size=BUFFER)
    return stream


DECODE_ERRORS: tuple[type[BaseException], ...] = (
    EOFError,
    OSError,
    zlib.error,
    zstandard.ZstdError,
)
"""What decompressors raise on corrupt or truncated input."""


def decode_error(label: str, error: BaseException) -> LayerFormatError:
    """Turn a decompressor's exception into a one-line, user-facing error."""
    if isinstance(error, EOFError):
        return LayerFormatError(f"{label} is truncated (compressed data ends early)")
    return LayerFormatError(f"{label} could not be decompressed: {error}")
