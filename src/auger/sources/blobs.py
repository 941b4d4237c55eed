"""Blob stores: the files of an archive or layout, addressed by their path inside it.

This module holds the interface, the scanning of one layer blob (decompressed by its magic
bytes) and :class:`DirectoryStore` for OCI layout directories; the stores over tar files live
in :mod:`auger.sources.tar_stores`.
"""

from __future__ import annotations

import io
import os
import stat
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from auger.display import display
from auger.errors import ImageReadError, LayerFormatError
from auger.layers import paths
from auger.layers.digests import DigestingReader
from auger.layers.tarstream import BLOCK, TarTruncatedError
from auger.model import Digest, LayerRef, LayerScan, Readable
from auger.progress import Progress
from auger.sources import streams
from auger.sources.interface import ArchiveError, BlobMissingError, LayerScanner

MAX_DOCUMENT = 64 << 20
"""Largest JSON document (manifest, config, index) accepted."""


class ScannedBlob(NamedTuple):
    """A layer blob after scanning (or found in the layer cache instead)."""

    scan: LayerScan
    compression: str
    stored_size: int
    digest: Digest | None = None
    """Digest of the blob's bytes as stored, when they were read and verification is on."""
    cached: bool = False
    """True when the scan came from the layer cache and the blob was not read."""


class BlobInfo(NamedTuple):
    """What a store can tell of a blob without reading it."""

    size: int
    compression: str


def looks_like_json(prefix: bytes) -> bool:
    return prefix.lstrip()[:1] in (b"{", b"[")


def looks_like_tar(prefix: bytes) -> bool:
    if prefix[257:262] == b"ustar":
        return True
    return len(prefix) >= BLOCK and prefix[:BLOCK].count(0) == BLOCK  # an empty tar


def scan_blob(
    stream: Readable,
    prefix: bytes,
    size: int,
    scan: LayerScanner,
    *,
    ref: LayerRef,
    media: str | None,
    verify: bool,
    on_read: Callable[[int], None] | None = None,
) -> ScannedBlob:
    """Decompress (by magic bytes) and scan a layer blob whose first bytes are ``prefix``.

    With ``verify``, a compressed blob's bytes are digested as they are decompressed (an
    uncompressed blob's digest is its diff ID, which the scanner reports).
    """
    label = ref.label
    compression = streams.detect_compression(prefix)
    if compression == "none" and not looks_like_tar(prefix):
        kind = f" ({media})" if media else ""
        raise ArchiveError(f"{label}{kind} is neither a tar archive nor gzip or zstd data")
    window = streams.Window(stream, size, prefix, on_read)
    stored: Readable = window
    digesting = None
    if verify and compression != "none":
        stored = digesting = DigestingReader(window)
    try:
        result = _scan_stored(stored, compression, scan, ref)
        if digesting is not None:
            digesting.drain()
    except BaseException:
        if digesting is not None:  # (a helper process may be hashing the blob)
            digesting.cancel()
        raise
    window.drain()
    digest = digesting.digest() if digesting is not None else result.diff_id
    return ScannedBlob(result, compression, size, digest if verify else None)


def _scan_stored(
    stored: Readable, compression: str, scan: LayerScanner, ref: LayerRef
) -> LayerScan:
    """``scan`` of the blob ``stored`` decompressed, with its errors in auger's terms."""
    label = ref.label
    try:
        return scan(streams.decompressed(stored, compression), ref)
    except TarTruncatedError as exc:
        if compression == "none":
            raise
        raise LayerFormatError(
            f"{label} is corrupt or truncated: its {compression} data ends early"
        ) from exc
    except ImageReadError:
        raise
    except streams.DECODE_ERRORS as exc:
        raise streams.decode_error(label, exc) from exc


class BlobStore(ABC):
    """Named files of an archive or layout."""

    description: str
    """How errors name the store (a path, or "the image stream")."""
    read_ahead = False
    """True for a store that scanned its layer blobs as they went by, before the manifest was
    known (a streamed archive): nothing is saved by not asking it for one."""
    concurrent_scans = False
    """True for a store whose :meth:`scan_layer` may run in several threads at once."""

    @abstractmethod
    def exists(self, name: str) -> bool:
        """True if the store holds ``name``."""

    @abstractmethod
    def read_document(self, name: str) -> bytes:
        """Return a small file (JSON) whole."""

    @abstractmethod
    def scan_layer(self, ref: LayerRef, scan: LayerScanner, media: str | None) -> ScannedBlob:
        """Scan the layer blob named ``ref.blob``."""

    @abstractmethod
    def blob_info(self, name: str) -> BlobInfo:
        """The size and compression of a blob, without reading it (for a layer the cache
        already holds)."""

    def close(self) -> None:  # noqa: B027 - most stores hold nothing open
        """Release any open file."""

    def missing(self, name: str) -> BlobMissingError:
        """The error for a blob that is not there."""
        return BlobMissingError(f"{self.description} has no {display(name)}")


def blob_digest(name: str) -> Digest | None:
    """The digest a blob's path spells (``blobs/ALG/HEX``, as in an OCI layout), if it does."""
    parts = name.split("/")
    if len(parts) == 3 and parts[0] == "blobs":
        return Digest(f"{parts[1]}:{parts[2]}")
    return None


def blob_name(digest: str) -> str:
    """The path of a blob in an OCI layout; rejects digests that are not plain names."""
    algorithm, _, encoded = digest.partition(":")
    if not algorithm.isalnum() or not encoded or not encoded.isalnum():
        raise ArchiveError(f"invalid digest {display(digest)!r}")
    return f"blobs/{algorithm}/{encoded}"


class DirectoryStore(BlobStore):
    """An OCI image layout on disk.

    Every name resolves inside the layout: a blob that is a link to anything outside it (or a
    device, a pipe, a directory) is refused rather than read.
    """

    concurrent_scans = True
    """Each scan opens its own file."""

    def __init__(self, root: Path, progress: Progress, *, verify: bool = True) -> None:
        self.root = root
        self.description = f"OCI layout {root}"
        self._real_root = os.path.realpath(root)
        self._progress = progress
        self._verify = verify

    def _path(self, name: str) -> Path:
        normal, escaped = paths.normalize(name)
        if escaped or not normal:
            raise ArchiveError(f"{self.description}: invalid blob path {display(name)!r}")
        real = os.path.realpath(self.root / normal)
        if os.path.commonpath([real, self._real_root]) != self._real_root:
            raise ArchiveError(
                f"{self.description}: {display(normal)} links outside the layout "
                f"(to {display(real)}); refused"
            )
        return Path(real)

    def _open(self, name: str) -> io.BufferedReader:
        """Open a regular file of the layout."""
        path = self._path(name)
        try:
            kind = path.stat().st_mode
            if not stat.S_ISREG(kind):
                raise ArchiveError(
                    f"{self.description}: {display(name)} is not a regular file; refused"
                )
            return open_buffered(path)
        except FileNotFoundError as exc:
            raise self.missing(name) from exc
        except OSError as exc:
            raise ArchiveError(f"cannot read {path}: {exc.strerror}") from exc

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def read_document(self, name: str) -> bytes:
        with self._open(name) as handle:
            try:
                data = handle.read(MAX_DOCUMENT + 1)
            except OSError as exc:
                raise ArchiveError(f"cannot read {handle.name}: {exc.strerror}") from exc
        if len(data) > MAX_DOCUMENT:
            raise ArchiveError(f"{self.root / name} is too large for a JSON document")
        return data

    def blob_info(self, name: str) -> BlobInfo:
        with self._open(name) as handle:
            size = os.fstat(handle.fileno()).st_size
            return BlobInfo(size, streams.detect_compression(handle.peek(BLOCK)[:BLOCK]))

    def scan_layer(self, ref: LayerRef, scan: LayerScanner, media: str | None) -> ScannedBlob:
        with self._open(ref.blob) as handle:
            size = os.fstat(handle.fileno()).st_size
            blob = streams.PositionedReader(handle.fileno(), 0)
            prefix = blob.read(BLOCK)
            return scan_blob(
                blob,
                prefix,
                size,
                scan,
                ref=ref,
                media=media,
                verify=self._verify,
                on_read=self._progress.bytes_read,
            )


def open_buffered(path: Path) -> io.BufferedReader:
    """Open a file for reading with a large buffer."""
    return io.BufferedReader(io.FileIO(path, "r"), buffer_size=streams.BUFFER)
