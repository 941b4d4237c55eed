"""Blob stores: the files of an archive or layout, addressed by their path inside it.

This module holds the interface, the scanning of one layer blob (decompressed by its magic
bytes) and :class:`DirectoryStore` for OCI layout directories; the stores over tar files live
in :mod:`auger.sources.tar_stores`.
"""

from __future__ import annotations

import io
import os
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from auger.display import display
from auger.errors import ImageReadError, LayerFormatError
from auger.layers import paths
from auger.layers.tarstream import BLOCK, TarTruncatedError
from auger.model import Digest, LayerRef, LayerScan, Readable
from auger.progress import Progress
from auger.sources import streams
from auger.sources.interface import ArchiveError, BlobMissingError, LayerScanner

MAX_DOCUMENT = 64 << 20
"""Largest JSON document (manifest, config, index) accepted."""


@dataclass(frozen=True, slots=True)
class ScannedBlob:
    """A layer blob after scanning."""

    scan: LayerScan
    compression: str
    stored_size: int


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
    on_read: Callable[[int], None] | None = None,
) -> ScannedBlob:
    """Decompress (by magic bytes) and scan a layer blob whose first bytes are ``prefix``."""
    label = ref.label
    compression = streams.detect_compression(prefix)
    if compression == "none" and not looks_like_tar(prefix):
        kind = f" ({media})" if media else ""
        raise ArchiveError(f"{label}{kind} is neither a tar archive nor gzip or zstd data")
    window = streams.Window(stream, size, prefix, on_read)
    try:
        result = scan(streams.decompressed(window, compression), ref)
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
    window.drain()
    return ScannedBlob(result, compression, size)


class BlobStore(ABC):
    """Named files of an archive or layout."""

    description: str
    """How errors name the store (a path, or "the image stream")."""

    @abstractmethod
    def exists(self, name: str) -> bool:
        """True if the store holds ``name``."""

    @abstractmethod
    def read_document(self, name: str) -> bytes:
        """Return a small file (JSON) whole."""

    @abstractmethod
    def scan_layer(self, ref: LayerRef, scan: LayerScanner, media: str | None) -> ScannedBlob:
        """Scan the layer blob named ``ref.blob``."""

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
    """An OCI image layout on disk."""

    def __init__(self, root: Path, progress: Progress) -> None:
        self.root = root
        self.description = f"OCI layout {root}"
        self._progress = progress

    def _path(self, name: str) -> Path:
        normal, escaped = paths.normalize(name)
        if escaped or not normal:
            raise ArchiveError(f"{self.description}: invalid blob path {display(name)!r}")
        return self.root / normal

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def read_document(self, name: str) -> bytes:
        path = self._path(name)
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_DOCUMENT + 1)
        except FileNotFoundError as exc:
            raise self.missing(name) from exc
        except OSError as exc:
            raise ArchiveError(f"cannot read {path}: {exc.strerror}") from exc
        if len(data) > MAX_DOCUMENT:
            raise ArchiveError(f"{path} is too large for a JSON document")
        return data

    def scan_layer(self, ref: LayerRef, scan: LayerScanner, media: str | None) -> ScannedBlob:
        path = self._path(ref.blob)
        try:
            handle = open_buffered(path)
        except FileNotFoundError as exc:
            raise self.missing(ref.blob) from exc
        except OSError as exc:
            raise ArchiveError(f"cannot read {path}: {exc.strerror}") from exc
        with handle:
            size = os.fstat(handle.fileno()).st_size
            prefix = handle.read(BLOCK)
            progress = self._progress.bytes_read
            return scan_blob(handle, prefix, size, scan, ref=ref, media=media, on_read=progress)


def open_buffered(path: Path) -> io.BufferedReader:
    """Open a file for reading with a large buffer."""
    return io.BufferedReader(io.FileIO(path, "r"), buffer_size=streams.BUFFER)
