"""A registry blob as a verified, resumable byte stream.

:class:`BlobReader` reads ``/v2/REPO/blobs/DIGEST`` forward, hashing every byte as it passes.
When the connection breaks, it asks again from where it stopped (``Range: bytes=N-``), with the
client's retries and backoff. When the last byte the manifest promises has been read, the digest
is checked: a mismatch raises :class:`~auger.sources.interface.DigestMismatchError`, so nothing
read from a wrong blob is ever reported. Nothing is written to disk; one chunk is held at a time.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator

import httpx

from auger.display import display
from auger.errors import ImageReadError
from auger.sources.interface import BlobMissingError, DigestMismatchError
from auger.sources.registry.errors import RegistryProtocolError
from auger.sources.registry.transport import RegistryClient, describe_status, error_code

CHUNK = 1 << 20
"""How much :func:`read_small_blob` and :meth:`BlobReader.read_rest` ask for at a time."""
MAX_RESUMES = 8
"""Breaks tolerated in one blob (each resume gets the client's full retries)."""


class CancelledError(ImageReadError):
    """The read was abandoned because another layer failed."""


class BlobReader:
    """The bytes of one blob, ``read`` front to back, checked against ``digest``."""

    def __init__(
        self,
        client: RegistryClient,
        digest: str,
        size: int,
        *,
        on_read: Callable[[int], None] | None = None,
        cancelled: threading.Event | None = None,
    ) -> None:
        algorithm, _, self._expected = digest.partition(":")
        if algorithm not in ("sha256", "sha512"):
            raise RegistryProtocolError(f"unsupported digest algorithm in {display(digest)}")
        self.digest = digest
        self.size = size
        self.offset = 0
        self.verified = False
        self._client = client
        self._hash = hashlib.new(algorithm)
        self._on_read = on_read
        self._cancelled = cancelled or threading.Event()
        self._response: httpx.Response | None = None
        self._chunks: Iterator[bytes] | None = None
        self._pending = memoryview(b"")
        self._resumes = 0

    @property
    def _what(self) -> str:
        return f"blob {self.digest}"

    def _open(self) -> None:
        """Ask for the blob from ``offset`` on."""
        headers = {"Range": f"bytes={self.offset}-"} if self.offset else {}
        path = f"{self._client.reference.repository}/blobs/{self.digest}"
        response = self._client.request(path, headers, stream=True, what=self._what)
        status = response.status_code
        if status == 404:
            response.read()
            response.close()
            raise BlobMissingError(
                f"{self._client.host}/{self._client.reference.repository} has no "
                f"{self._what} (named by the manifest)"
                + (f" ({error_code(response)})" if error_code(response) else "")
            )
        if status == 416 or status not in (200, 206):
            response.read()
            response.close()
            if status == 416:
                raise self._truncated()
            raise RegistryProtocolError(describe_status(response, f"reading {self._what}"))
        length = response.headers.get("content-length")
        if status == 200 and length is not None and length.isdigit() and int(length) != self.size:
            response.close()
            raise DigestMismatchError(
                f"digest mismatch: {self._what} is {int(length)} bytes on the registry, "
                f"but the manifest says {self.size}"
            )
        self._response = response
        self._chunks = response.iter_raw()  # as received: no re-chunking copies
        if status == 200 and self.offset:
            self._skip(self.offset)  # the server ignored Range: read past what we have

    def _skip(self, count: int) -> None:
        assert self._chunks is not None
        while count > 0:
            chunk = next(self._chunks, b"")
            if not chunk:
                raise self._truncated()
            if len(chunk) > count:
                self._pending = memoryview(chunk)[count:]
            count -= len(chunk)

    def _truncated(self) -> ImageReadError:
        return RegistryProtocolError(
            f"{self._what} ended after {self.offset} of its {self.size} bytes"
        )

    def _next_chunk(self) -> bytes:
        """The next chunk of the body; resumes where a broken connection stopped."""
        while True:
            if self._cancelled.is_set():
                self.close()
                raise CancelledError("cancelled")
            if self._chunks is None:
                self._open()
            assert self._chunks is not None
            try:
                chunk = next(self._chunks, b"")
            except httpx.TransportError as exc:
                self._close_response()
                self._resumes += 1
                if self._resumes > MAX_RESUMES:
                    raise self._client.lost(exc, self._what) from exc
                continue
            if chunk:
                return chunk
            self._close_response()
            if self.offset >= self.size:
                return b""
            self._resumes += 1  # the body ended early without an error: ask for the rest
            if self._resumes > MAX_RESUMES:
                raise self._truncated()

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes (fewer only at the end); ``b""`` once the blob is read."""
        remaining = self.size - self.offset
        if remaining <= 0:
            self._verify()
            return b""
        if size < 0 or size > remaining:
            size = remaining
        if not self._pending:
            self._pending = memoryview(self._next_chunk())
            if not self._pending:
                raise self._truncated()
        data = bytes(self._pending[:size])
        self._pending = self._pending[len(data) :]
        self._hash.update(data)
        self.offset += len(data)
        if self._on_read is not None:
            self._on_read(len(data))
        if self.offset >= self.size:
            self._verify()
        return data

    def _verify(self) -> None:
        if self.verified:
            return
        if self._hash.hexdigest() != self._expected:
            self.close()
            raise DigestMismatchError(
                f"digest mismatch: {self._what} does not have the content its digest names "
                "(corrupted on the registry or on the way)",
                hint="nothing from this blob was used; push the image again, or report it "
                "to the registry's operator",
            )
        self.verified = True
        self.close()

    def read_rest(self) -> None:
        """Read (and so verify) whatever is left of the blob."""
        while self.offset < self.size:
            self.read(CHUNK)
        self._verify()

    def _close_response(self) -> None:
        if self._response is not None:
            self._response.close()
        self._response = None
        self._chunks = None
        self._pending = memoryview(b"")

    def close(self) -> None:
        self._close_response()


def read_small_blob(client: RegistryClient, digest: str, size: int, limit: int) -> bytes:
    """A whole small blob (a config), verified."""
    if size > limit:
        raise RegistryProtocolError(f"blob {digest} is too large ({size} bytes) for a config")
    reader = BlobReader(client, digest, size)
    try:
        parts = []
        while data := reader.read(CHUNK):
            parts.append(data)
        reader.read_rest()
        return b"".join(parts)
    finally:
        reader.close()
