"""Byte streams the sources read from: chunk iterators, bounded members, decompression.

Everything here is a forward-only, buffered binary stream. Nothing is written to disk and no
more than one buffer is held in memory.
"""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Callable, Iterator
from typing import IO, Any, cast

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


class PositionedReader:
    """Reads a file from ``offset`` on with ``pread``, leaving the file's own offset alone, so
    that several readers may share one open file (and read it from several threads)."""

    def __init__(self, descriptor: int, offset: int) -> None:
        self._descriptor = descriptor
        self._position = offset

    def read(self, size: int = -1, /) -> bytes:
        if size < 0:
            size = BUFFER
        data = os.pread(self._descriptor, size, self._position)
        self._position += len(data)
        return data

    def readinto(self, buffer: memoryview, /) -> int:
        count = os.preadv(self._descriptor, [buffer], self._position)
        self._position += count
        return count

    def location(self) -> tuple[int, int]:
        """The open file and the offset in it of the next byte to be read."""
        return self._descriptor, self._position


class Window:
    """The next ``size`` bytes of ``inner`` (after ``prefix``, bytes already taken from it).

    Reads are exact, like a file's: fewer bytes only at the end. Nothing is buffered here,
    so contents are copied once, from ``inner``'s buffer into the returned bytes.
    """

    def __init__(
        self,
        inner: Readable,
        size: int,
        prefix: bytes = b"",
        on_read: Callable[[int], None] | None = None,
    ) -> None:
        self._inner = inner
        self._size = size
        self._remaining = size - len(prefix)
        self._prefix = prefix
        self._on_read = on_read
        location = getattr(inner, "location", None)
        self._start: tuple[int, int] | None = None
        if location is not None:
            descriptor, offset = location()
            self._start = descriptor, offset - len(prefix)

    @property
    def length(self) -> int:
        """How many bytes the window holds (prefix included)."""
        return self._size

    def byte_span(self) -> tuple[int, int, int] | None:
        """Where the window's bytes lie in a regular file (descriptor, offset, length), while
        none has been read yet and ``inner`` is a :class:`PositionedReader`; else ``None``."""
        untouched = self._remaining + len(self._prefix) == self._size
        if self._start is None or not untouched:
            return None
        return self._start[0], self._start[1], self._size

    def skip_rest(self) -> None:
        """Count the rest of the window as read without reading it (another reader read those
        bytes from the file :meth:`byte_span` named)."""
        rest, self._remaining, self._prefix = self._remaining, 0, b""
        if self._on_read is not None and rest > 0:
            self._on_read(rest)

    def read(self, size: int = -1, /) -> bytes:
        if size < 0:
            size = self._remaining + len(self._prefix)
        head = b""
        if self._prefix:
            head, self._prefix = self._prefix[:size], self._prefix[size:]
            size -= len(head)
            if not size:
                return head
        size = min(size, self._remaining)
        data = self._inner.read(size) if size > 0 else b""
        self._remaining -= len(data)
        if self._on_read is not None and data:
            self._on_read(len(data))
        return head + data if head else data

    def readinto(self, buffer: memoryview, /) -> int:
        """Read into ``buffer`` (without a copy when the inner stream has ``readinto``)."""
        inner_readinto = getattr(self._inner, "readinto", None)
        if self._prefix or inner_readinto is None:
            data = self.read(len(buffer))
            buffer[: len(data)] = data
            return len(data)
        size = min(len(buffer), self._remaining)
        if size <= 0:
            return 0
        count: int = inner_readinto(buffer[:size]) or 0
        self._remaining -= count
        if self._on_read is not None and count:
            self._on_read(count)
        return count

    def drain(self) -> None:
        """Consume whatever the reader of this window left unread."""
        self._prefix = b""
        while self._remaining > 0:
            data = self.read(min(BUFFER, self._remaining))
            if not data:
                break


def buffered(raw: io.RawIOBase) -> io.BufferedReader:
    """Wrap a raw stream in a large read buffer."""
    return io.BufferedReader(raw, buffer_size=BUFFER)


class _ZstdRaw(io.RawIOBase):
    """A zstd stream reader whose errors are ``OSError`` like the other decompressors'."""

    def __init__(self, reader: IO[bytes], error: type[Exception]) -> None:
        self._reader = reader
        self._error = error

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            return self._reader.readinto(buffer)  # type: ignore[attr-defined, no-any-return]
        except self._error as exc:
            raise OSError(f"zstd: {exc}") from exc


def detect_compression(prefix: bytes) -> str:
    """``gzip``, ``zstd`` or ``none``, from a blob's first bytes."""
    if prefix.startswith(GZIP_MAGIC):
        return "gzip"
    if prefix.startswith(ZSTD_MAGIC):
        return "zstd"
    return "none"


_GZIP_WBITS = zlib.MAX_WBITS | 16
"""zlib's window bits for gzip framing (header and CRC trailer checked by zlib itself)."""
_INPUT = 1 << 18


def _inflate() -> tuple[Callable[[int], Any], type[Exception]]:
    """ISA-L's inflate where it is installed (it decodes in a little over half of zlib's
    time), else zlib's: the decoder factory and its error."""
    try:
        from isal import isal_zlib  # noqa: PLC0415 - optional, and loaded only when needed
    except ImportError:
        return zlib.decompressobj, zlib.error
    return isal_zlib.decompressobj, cast(type[Exception], isal_zlib.error)


class _GzipRaw(io.RawIOBase):
    """gzip data (one member or several, zero padding after them) decoded directly.

    :class:`gzip.GzipFile` does the same with Python-level framing that costs about a third
    more time per byte (and always zlib's inflate). Truncated input raises :class:`EOFError`
    and corrupt input :class:`OSError`, as with ``GzipFile``.
    """

    def __init__(self, stream: Readable) -> None:
        self._stream = stream
        self._new_decoder, self._error = _inflate()
        self._decoder = self._new_decoder(_GZIP_WBITS)
        self._input = b""

    def readable(self) -> bool:
        return True

    def _next_member(self) -> bool:
        """After a member's end: start the next one; ``False`` at the end of the stream."""
        self._input = self._decoder.unused_data + self._input
        while True:
            self._input = self._input.lstrip(b"\0")
            if len(self._input) >= 2:
                break
            more = self._stream.read(_INPUT)
            if not more:
                if self._input:
                    raise OSError("gzip: trailing garbage after the compressed data")
                return False
            self._input += more
        if not self._input.startswith(GZIP_MAGIC):
            raise OSError("gzip: trailing garbage after the compressed data")
        self._decoder = self._new_decoder(_GZIP_WBITS)
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while True:
            if self._decoder.eof and not self._next_member():
                return 0
            if not self._input:
                self._input = self._stream.read(_INPUT)
                if not self._input:
                    raise EOFError("compressed data ends before its end-of-stream marker")
            try:
                out = self._decoder.decompress(self._input, len(buffer))
            except self._error as exc:
                raise OSError(f"gzip: {exc}") from exc
            self._input = self._decoder.unconsumed_tail
            if out:
                buffer[: len(out)] = out
                return len(out)


def decompressed(stream: Readable, compression: str) -> Readable:
    """A stream of the uncompressed bytes of ``stream``."""
    if compression == "gzip":
        return io.BufferedReader(_GzipRaw(stream), buffer_size=BUFFER)
    if compression == "zstd":
        import zstandard  # noqa: PLC0415

        reader = zstandard.ZstdDecompressor().stream_reader(
            cast(IO[bytes], stream), read_across_frames=True, closefd=False
        )
        return io.BufferedReader(_ZstdRaw(reader, zstandard.ZstdError), buffer_size=BUFFER)
    return stream


DECODE_ERRORS: tuple[type[BaseException], ...] = (EOFError, OSError, zlib.error)
"""What decompressors raise on corrupt or truncated input."""


def decode_error(label: str, error: BaseException) -> LayerFormatError:
    """Turn a decompressor's exception into a one-line, user-facing error."""
    if isinstance(error, EOFError):
        return LayerFormatError(f"{label} is truncated (compressed data ends early)")
    return LayerFormatError(f"{label} could not be decompressed: {error}")
