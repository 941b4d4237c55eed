"""Digests of byte streams, computed as the bytes pass on their way to a reader.

:class:`DigestingReader` wraps a stream and hashes everything read through it, so a layer's
diff ID (the digest of its uncompressed tar) or a blob's digest costs no second pass. With
``background=True`` the hashing runs in a second thread, overlapped with the reader's work:
:mod:`hashlib` releases the GIL while it hashes a chunk, so on a machine with a spare processor
the digest is almost free. The chunks read are immutable ``bytes``, handed to that thread in
batches of :data:`BATCH` bytes (each hashed in one call, long enough to be worth the wait for the
GIL that follows it), at most :data:`QUEUED` batches at a time: memory stays bounded whatever
the stream's length.

A stream whose bytes also lie in a regular file (``byte_span()``, as a blob of an archive or
layout on disk does) and are many is hashed differently: a helper process
(:class:`~auger.parallel.RangeDigest`) reads that range of the file and hashes it while the
reader's reads pass through untouched, so the scan and the digest use two processors, share
no GIL, and the scan copies nothing for the hasher. Both read the same range of the same open
file. With ``stream_helper``, a long stream that lies in no file but whose length is known
(``length``: a layer of an engine's ``save`` or of standard input) is fed as it is read to a
helper process through a pipe (:class:`~auger.parallel.StreamDigest`), which costs the reader
a copy instead of the hashing. On two processors that the engine sends its ``save`` from, the
time is the same either way (0.57-0.64 s after the first byte of the slim image, against 0.30
unverified: the machine is busy); the gain is memory, as OpenSSL stays out of this process
(a peak of 28.0 instead of 32.4 MiB). A registry's blobs are read and hashed in threads of their
own, which gained nothing from it (2.83 against 2.75 s for a 1 GB image, within the noise). A
stream of at most :data:`auger.hashes.SMALL` bytes is hashed here with CPython's own code, so
that a run whose other layers all go to helpers never loads OpenSSL.
"""

from __future__ import annotations

import os
import queue
import threading
from typing import Any

from auger import hashes
from auger.errors import ImageReadError
from auger.model import Digest, Readable
from auger.parallel import RangeDigest, StreamDigest

ALGORITHMS = frozenset({"sha256", "sha384", "sha512"})
"""Digest algorithms auger can verify (the OCI image spec registers sha256 and sha512)."""

BATCH = 8 << 20
"""Bytes handed to the background hasher at once."""
QUEUED = 3
"""Batches at most waiting for the background hasher."""
_CHUNK = 1 << 20
HELPER_MIN = hashes.SMALL + 1
"""Ranges this long or longer are hashed by a helper process; shorter ones are hashed as they
are read, with CPython's own code (see :data:`auger.hashes.SMALL`). From 4 MiB rather than
16 MiB, the multi-stage Node image's 15 MiB layer and the data image's two 3.5 MiB layers no
longer load OpenSSL here: their verified runs peaked at 24.3 MiB instead of 27.9 MiB and at
23.1 instead of 26.7, in the same time (farm-bench, medians of 12 and 6 pairs)."""
SPAN_CHUNK = 256 << 10
"""Bytes of a file range read per call when this process hashes the range itself (a helper
that failed)."""


class DigestHelperError(ImageReadError):
    """The helper process that hashed a stream failed: its bytes cannot be hashed again."""


def _hashlib_hash(algorithm: str) -> Any:
    """OpenSSL's hash object (loaded only here: see :mod:`auger.hashes`)."""
    import hashlib  # noqa: PLC0415

    return hashlib.new(algorithm)


def algorithm_of(digest: str) -> str | None:
    """The algorithm of ``ALG:HEX`` when auger can compute it, else ``None``."""
    algorithm, sep, encoded = digest.partition(":")
    if not sep or algorithm not in ALGORITHMS or not encoded:
        return None
    return algorithm


class DigestingReader:
    """A stream that hashes every byte read through it (``read`` and ``readinto``)."""

    def __init__(
        self,
        inner: Readable,
        algorithm: str = "sha256",
        *,
        background: bool = False,
        stream_helper: bool = False,
    ):
        self._inner = inner
        self.algorithm = algorithm
        self._thread: threading.Thread | None = None
        self._queue: queue.Queue[list[bytes]] | None = None
        self._batch: list[bytes] = []
        self._batched = 0
        self._failure: BaseException | None = None
        self.position = 0
        """Bytes read through the wrapper so far."""
        span = getattr(inner, "byte_span", None)
        located: tuple[int, int, int] | None = span() if span is not None else None
        self._helper: RangeDigest | None = None
        self._located: tuple[int, int, int] | None = None
        if located is not None and located[2] >= HELPER_MIN:
            self._helper = RangeDigest.start(*located, algorithm)
            if self._helper is not None:  # kept for a helper that fails, whoever closes the file
                self._located = (os.dup(located[0]), located[1], located[2])
        self.from_file = self._helper is not None
        """True when a helper process hashes the stream's bytes from the file they lie in
        (it goes on after the reading ends, until :meth:`digest` or :meth:`cancel`)."""
        length = located[2] if located is not None else getattr(inner, "length", None)
        self._fed: StreamDigest | None = None
        """The helper process hashing a long stream that lies in no file, as it is read."""
        self._fed_digest: Digest | None = None
        if stream_helper and located is None and isinstance(length, int) and length >= HELPER_MIN:
            self._fed = StreamDigest.start(algorithm)
        # CPython's own SHA-2 where helpers take the long ones (a registry's blobs, hashed in
        # threads of their own, keep OpenSSL's, which releases the GIL)
        small = (
            (located is not None or stream_helper)
            and isinstance(length, int)
            and length <= hashes.SMALL
        )
        self._hash: Any = hashes.small_hash(algorithm) if small else None
        if self._hash is None and not self.from_file and self._fed is None:
            self._hash = _hashlib_hash(algorithm)
        if background and not self.from_file and self._fed is None:
            self._queue = queue.Queue(QUEUED)
            self._thread = threading.Thread(target=self._hash_queued, name="digest", daemon=True)
            self._thread.start()

    def _hash_queued(self) -> None:
        assert self._queue is not None
        update = self._hash.update
        get = self._queue.get
        try:
            while batch := get():
                update(batch[0] if len(batch) == 1 else b"".join(batch))
        except BaseException as exc:  # handed to the reading thread
            self._failure = exc
            while get():  # keep taking batches, so the reading thread never waits forever
                pass

    def _hash_range(self) -> None:
        """Hash the stream's range of its file here (a helper that failed leaves it to us)."""
        assert self._located is not None
        descriptor, offset, length = self._located
        self._hash = self._hash or _hashlib_hash(self.algorithm)
        buffer = memoryview(bytearray(SPAN_CHUNK))
        end = offset + length
        while offset < end:
            count = os.preadv(descriptor, [buffer[: min(SPAN_CHUNK, end - offset)]], offset)
            if not count:
                break
            self._hash.update(buffer[:count])
            offset += count

    def _release_range(self) -> None:
        located, self._located = self._located, None
        if located is not None:
            os.close(located[0])

    def read(self, size: int = -1, /) -> bytes:
        data = self._inner.read(size)
        if data:
            self.position += len(data)
            if self.from_file:  # hashed from the file by the helper
                return data
            if self._fed is not None:
                self._fed.feed(data)
            elif self._queue is None:
                self._hash.update(data)
            else:
                self._batch.append(data)
                self._batched += len(data)
                if self._batched >= BATCH:
                    self._queue.put(self._batch)
                    self._batch = []
                    self._batched = 0
        return data

    def readinto(self, buffer: Any, /) -> int:
        """Read into ``buffer``; in the background mode the chunk is copied for the hasher."""
        if self.from_file:
            return self._readinto_unhashed(buffer)
        if self._queue is not None:
            data = self.read(len(buffer))
            buffer[: len(data)] = data
            return len(data)
        inner = getattr(self._inner, "readinto", None)
        if inner is None:
            data = self.read(len(buffer))
            buffer[: len(data)] = data
            return len(data)
        count: int = inner(buffer) or 0
        if count:
            self.position += count
            if self._fed is not None:
                self._fed.feed(memoryview(buffer)[:count])
            else:
                self._hash.update(memoryview(buffer)[:count])
        return count

    def _readinto_unhashed(self, buffer: Any) -> int:
        inner = getattr(self._inner, "readinto", None)
        if inner is None:
            data = self._inner.read(len(buffer))
            buffer[: len(data)] = data
            count = len(data)
        else:
            count = inner(buffer) or 0
        self.position += count
        return count

    def byte_span(self) -> tuple[int, int, int] | None:
        """Where the stream's bytes lie in a regular file (descriptor, offset, length), when a
        helper hashes them from there and none has been read yet; else ``None`` (a reader that
        read them from the file itself would leave this process's hash short of them)."""
        span = getattr(self._inner, "byte_span", None)
        return span() if span is not None and self.from_file and not self.position else None

    def skip_rest(self) -> None:
        """Count the rest of the stream as read (only where :meth:`byte_span` named a file)."""
        skip = getattr(self._inner, "skip_rest", None)
        if skip is None or not self.from_file:
            raise ValueError("bytes skipped would be missing from the digest")
        skip()

    def drain(self) -> None:
        """Read (and hash) whatever the reader left, up to the end of the stream (nothing to
        do when a helper hashes the file's range)."""
        if self.from_file:
            return
        while self.read(_CHUNK):
            pass

    def close(self) -> None:
        """Stop the background hasher, if any (the digest so far stays available)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        if self._queue is not None:
            if self._batch:
                self._queue.put(self._batch)
                self._batch = []
            self._queue.put([])  # the end
        thread.join()

    def cancel(self) -> None:
        """Stop hashing: the digest is wanted no more."""
        helper, self._helper = self._helper, None
        if helper is not None:
            helper.cancel()
        fed, self._fed = self._fed, None
        if fed is not None:
            fed.cancel()
        self._release_range()
        self.close()

    def digest(self) -> Digest:
        """``ALG:HEX`` of every byte read so far (ends the background hasher); of the whole
        range, when a helper hashes it from the file."""
        fed, self._fed = self._fed, None
        if fed is not None:
            hexdigest = fed.result()
            if hexdigest is None:
                raise DigestHelperError("the helper process hashing a stream failed")
            self._fed_digest = Digest(f"{self.algorithm}:{hexdigest}")
        if self._fed_digest is not None:
            return self._fed_digest
        helper, self._helper = self._helper, None
        if helper is not None:
            found = helper.result()
            try:
                if found is not None:
                    return Digest(f"{self.algorithm}:{found}")
                self._hash_range()
            finally:
                self._release_range()
        self.close()
        if self._failure is not None:
            raise self._failure
        return Digest(f"{self.algorithm}:{self._hash.hexdigest()}")

    def __enter__(self) -> DigestingReader:
        return self

    def __exit__(self, failure: type[BaseException] | None, *_: object) -> None:
        if failure is not None:
            self.cancel()
        elif not self.from_file:  # a helper is waited for by whoever asks for the digest
            self.close()
