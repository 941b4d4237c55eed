"""Digests of byte streams, computed as the bytes pass on their way to a reader.

:class:`DigestingReader` wraps a stream and hashes everything read through it, so a layer's
diff ID (the digest of its uncompressed tar) or a blob's digest costs no second pass. With
``background=True`` the hashing runs in a second thread, overlapped with the reader's work:
:mod:`hashlib` releases the GIL while it hashes a chunk, so on a machine with a spare processor
the digest is almost free. The chunks read are immutable ``bytes``, handed to that thread in
batches of :data:`BATCH` bytes (each hashed in one call, long enough to be worth the wait for the
GIL that follows it), at most :data:`QUEUED` batches at a time: memory stays bounded whatever
the stream's length.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from typing import Any

from auger.model import Digest, Readable

ALGORITHMS = frozenset({"sha256", "sha384", "sha512"})
"""Digest algorithms auger can verify (the OCI image spec registers sha256 and sha512)."""

BATCH = 8 << 20
"""Bytes handed to the background hasher at once."""
QUEUED = 3
"""Batches at most waiting for the background hasher."""
_CHUNK = 1 << 20


def algorithm_of(digest: str) -> str | None:
    """The algorithm of ``ALG:HEX`` when auger can compute it, else ``None``."""
    algorithm, sep, encoded = digest.partition(":")
    if not sep or algorithm not in ALGORITHMS or not encoded:
        return None
    return algorithm


class DigestingReader:
    """A stream that hashes every byte read through it (``read`` and ``readinto``)."""

    def __init__(self, inner: Readable, algorithm: str = "sha256", *, background: bool = False):
        self._inner = inner
        self._algorithm = algorithm
        self._hash = hashlib.new(algorithm)
        self._thread: threading.Thread | None = None
        self._queue: queue.Queue[list[bytes]] | None = None
        self._batch: list[bytes] = []
        self._batched = 0
        self._failure: BaseException | None = None
        self.position = 0
        """Bytes read through the wrapper so far."""
        if background:
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

    def read(self, size: int = -1, /) -> bytes:
        data = self._inner.read(size)
        if data:
            self.position += len(data)
            if self._queue is None:
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
            self._hash.update(memoryview(buffer)[:count])
        return count

    def drain(self) -> None:
        """Read (and hash) whatever the reader left, up to the end of the stream."""
        while self.read(_CHUNK):
            pass

    def close(self) -> None:
        """Stop the background hasher, if any (the digest so far stays available)."""
        thread, self._thread = self._thread, None
        if thread is not None and self._queue is not None:
            if self._batch:
                self._queue.put(self._batch)
                self._batch = []
            self._queue.put([])  # the end
            thread.join()

    def digest(self) -> Digest:
        """``ALG:HEX`` of every byte read so far (ends the background hasher)."""
        self.close()
        if self._failure is not None:
            raise self._failure
        return Digest(f"{self._algorithm}:{self._hash.hexdigest()}")

    def __enter__(self) -> DigestingReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
