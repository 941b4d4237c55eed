"""The cache directory: records by key, written atomically, shared safely, capped with LRU.

Layout: ``DIR/layers/ALG-HEX.TAG`` holds the scan of the layer whose diff ID is ``ALG:HEX``
(``TAG`` names every version the record depends on, see :data:`auger.cache.records.TAG`, so
versions never read each other's records); ``DIR/documents/NAME`` holds small checksummed
documents a source keeps beside them (an engine image's config and manifest entry).

Every write goes to a temporary file in the same directory, which is then renamed over the
record: a reader sees the old record, the new one or none, never part of one, on one machine or
over a shared volume, and two writers of one key both write the same scan. Records are checked
whole on every read (:mod:`auger.cache.records`): a damaged one counts as missing and is written
again by the next scan. Reading a record refreshes its modification time (at most once a
minute), and :meth:`LayerCache.trim` removes the least recently used records until the cache
fits its cap; removing a file another process is reading is harmless on POSIX systems, and a
record removed just before it is read is simply scanned again. Nothing here ever fails a run:
a cache that cannot be read or written behaves as an empty one, and says why in
:attr:`LayerCache.problems`.
"""

from __future__ import annotations

import os
import struct
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import NamedTuple

from auger import hashes
from auger.cache import records
from auger.model import Digest, LayerScan

DEFAULT_MAX_SIZE = 2 * 1024**3
"""The default cap: 2 GiB (a layer of 100,000 files takes about 1 MB)."""
TOUCH_EVERY = 60.0
"""Seconds between two refreshes of a record's modification time."""
STALE_TEMPORARY = 3600.0
"""Age after which a temporary file is a crashed writer's leftover, safe to remove."""
TRIM_TO = 0.9
"""Trimming removes records until the cache holds at most this share of its cap."""
RECENT = 16
"""Scans a cache object also keeps in memory, the last used first: an image read twice in one
process (a diff, a baseline, a source that looks before it reads) decodes each layer once."""

LAYERS = "layers"
DOCUMENTS = "documents"
_TEMPORARY = ".tmp-"
_DOCUMENT_MAGIC = b"AUGERDC\n"
_DOCUMENT_HEADER = struct.Struct("<8sHQ32s")
"""magic, version, length, SHA-256 of the document."""
_DOCUMENT_VERSION = 1
CACHEDIR_TAG = (
    b"Signature: 8a477f597d28d172789f06886806bc55\n"
    b"# This file marks the layer cache of auger, a container image inspector.\n"
    b"# For information about cache directory tags see https://bford.info/cachedir/\n"
)
"""Written into the cache directory so that backup tools skip it."""


class CachedFile(NamedTuple):
    """One file of the cache, as :meth:`LayerCache.files` lists it."""

    path: Path
    size: int
    used: float
    """Modification time: when the record was last written or read."""
    current: bool
    """False for records of another version, which this auger never reads."""


class Usage(NamedTuple):
    """What the cache holds."""

    layers: int
    documents: int
    stale: int
    """Records of other versions (or leftovers of crashed writers)."""
    bytes: int


def _layer_name(diff_id: Digest) -> str | None:
    """The file name of the record for ``diff_id``, or ``None`` for a malformed digest."""
    algorithm, sep, encoded = diff_id.partition(":")
    if not sep or not algorithm.isalnum() or not encoded.isalnum() or not encoded.isascii():
        return None
    return f"{algorithm}-{encoded}.{records.TAG}"


def _document_name(key: str) -> str | None:
    if not key or not all(char.isascii() and (char.isalnum() or char in "-_.") for char in key):
        return None
    return key if not key.startswith(".") else None


class LayerCache:
    """Layer scans by diff ID (and small documents by name) in the directory ``root``."""

    def __init__(self, root: Path, max_size: int = DEFAULT_MAX_SIZE) -> None:
        self.root = root
        self.max_size = max_size
        self.problems: list[str] = []
        """Why the cache could not be used, once per cause (for a warning)."""
        self.written = 0
        """Bytes this object wrote."""
        self.hits = 0
        """Scans found (by :meth:`get`)."""
        self._recent: OrderedDict[Digest, LayerScan] = OrderedDict()
        self._lock = threading.Lock()
        """Guards the remembered scans and the count written: layers may be scanned, and
        kept, by several threads at once."""

    def _problem(self, action: str, error: OSError) -> None:
        text = f"layer cache {self.root}: cannot {action}: {error.strerror or error}"
        if text not in self.problems:
            self.problems.append(text)

    # -- layer scans ------------------------------------------------------------------------------

    def get(self, diff_id: Digest) -> LayerScan | None:
        """The scan of the layer ``diff_id`` names, if an intact record of it is here."""
        scan = self._recent.get(diff_id)
        if scan is None:
            name = _layer_name(diff_id)
            data = self._read(LAYERS, name) if name else None
            scan = records.decode(diff_id, data) if data is not None else None
        if scan is None:
            return None
        with self._lock:
            self.hits += 1
        self._remember(diff_id, scan)
        return scan

    def put(self, diff_id: Digest, scan: LayerScan) -> None:
        """Keep ``scan`` as the scan of the layer ``diff_id`` names."""
        name = _layer_name(diff_id)
        if name is not None:
            self._write(LAYERS, name, records.encode(diff_id, scan))
            self._remember(diff_id, scan)

    def _remember(self, diff_id: Digest, scan: LayerScan) -> None:
        with self._lock:
            self._recent[diff_id] = scan
            self._recent.move_to_end(diff_id)
            while len(self._recent) > RECENT:
                self._recent.popitem(last=False)

    # -- documents --------------------------------------------------------------------------------

    def get_document(self, key: str) -> bytes | None:
        """The document kept under ``key``, if it is here and intact."""
        name = _document_name(key)
        data = self._read(DOCUMENTS, name) if name else None
        if data is None or len(data) < _DOCUMENT_HEADER.size:
            return None
        magic, version, length, checksum = _DOCUMENT_HEADER.unpack_from(data)
        body = data[_DOCUMENT_HEADER.size :]
        if (magic, version, length) != (_DOCUMENT_MAGIC, _DOCUMENT_VERSION, len(body)):
            return None
        return body if hashes.sha256(body) == checksum else None

    def put_document(self, key: str, data: bytes) -> None:
        """Keep ``data`` under ``key``."""
        name = _document_name(key)
        if name is not None:
            header = _DOCUMENT_HEADER.pack(
                _DOCUMENT_MAGIC, _DOCUMENT_VERSION, len(data), hashes.sha256(data)
            )
            self._write(DOCUMENTS, name, header + data)

    # -- files ------------------------------------------------------------------------------------

    def _read(self, folder: str, name: str) -> bytes | None:
        path = self.root / folder / name
        try:
            with path.open("rb") as handle:
                data = handle.read()
                used = os.fstat(handle.fileno()).st_mtime
        except FileNotFoundError:
            return None
        except OSError as error:
            self._problem("read", error)
            return None
        if time.time() - used > TOUCH_EVERY:
            with suppress(OSError):  # refresh its place in the eviction order (if still there)
                os.utime(path)
        return data

    def stage(self, diff_id: Digest, scan: LayerScan) -> StagedScan | None:
        """Write ``scan`` as the scan of ``diff_id`` under a temporary name, to be kept by
        :meth:`StagedScan.commit` once the layer is known to be ``diff_id`` (or thrown away):
        the record is encoded and written now, while the memory it takes is free."""
        name = _layer_name(diff_id)
        if name is None:
            return None
        data = records.encode(diff_id, scan)
        temporary = self._write_temporary(self.root / LAYERS, data)
        if temporary is None:
            return None
        return StagedScan(self, temporary, name, diff_id, scan, len(data))

    def keep_staged(self, staged: StagedScan) -> None:
        """Keep a staged scan under its diff ID (see :meth:`StagedScan.commit`)."""
        path = staged.temporary.parent / staged.name
        if self._commit(staged.temporary, path, staged.size):
            self._remember(staged.diff_id, staged.scan)

    def _write(self, folder: str, name: str, data: bytes) -> None:
        temporary = self._write_temporary(self.root / folder, data)
        if temporary is not None:
            self._commit(temporary, self.root / folder / name, len(data))

    def _write_temporary(self, directory: Path, data: bytes) -> Path | None:
        temporary = directory / f"{_TEMPORARY}{os.getpid()}-{os.urandom(6).hex()}"
        try:
            self._prepare(directory)
            with temporary.open("xb") as handle:
                handle.write(data)
        except OSError as error:
            self._failed_write(temporary, error)
            return None
        return temporary

    def _commit(self, temporary: Path, path: Path, size: int) -> bool:
        try:
            temporary.replace(path)
        except OSError as error:
            self._failed_write(temporary, error)
            return False
        with self._lock:
            self.written += size
        return True

    def _failed_write(self, temporary: Path, error: OSError) -> None:
        self._problem("write", error)
        with suppress(OSError):
            temporary.unlink(missing_ok=True)

    def _prepare(self, directory: Path) -> None:
        if directory.is_dir():
            return
        directory.mkdir(parents=True, exist_ok=True)
        tag = self.root / "CACHEDIR.TAG"
        if not tag.exists():
            temporary = self.root / f"{_TEMPORARY}{os.getpid()}-{os.urandom(6).hex()}"
            temporary.write_bytes(CACHEDIR_TAG)
            temporary.replace(tag)

    def files(self) -> Iterator[CachedFile]:
        """Every record, document and leftover temporary file of the cache."""
        for folder in (LAYERS, DOCUMENTS):
            try:
                listing = os.scandir(self.root / folder)
            except FileNotFoundError:
                continue
            with listing:
                for item in listing:
                    try:
                        status = item.stat(follow_symlinks=False)
                    except FileNotFoundError:  # removed meanwhile
                        continue
                    current = not item.name.startswith(_TEMPORARY) and (
                        folder == DOCUMENTS or item.name.endswith(f".{records.TAG}")
                    )
                    yield CachedFile(Path(item.path), status.st_size, status.st_mtime, current)

    def usage(self) -> Usage:
        """Counts and bytes of what the cache holds."""
        layers = documents = stale = total = 0
        for item in self.files():
            total += item.size
            if not item.current:
                stale += 1
            elif item.path.parent.name == LAYERS:
                layers += 1
            else:
                documents += 1
        return Usage(layers, documents, stale, total)

    def trim(self, max_size: int | None = None, *, stale: bool = False) -> int:
        """Remove the least recently used records while the cache is over ``max_size``
        (default: its cap), down to :data:`TRIM_TO` of it; return the bytes removed.

        Records of other versions age out like the rest (another auger may share the
        directory), unless ``stale`` removes them first; crashed writers' leftovers go once
        they are old enough.
        """
        cap = self.max_size if max_size is None else max_size
        now = time.time()
        keep: list[CachedFile] = []
        removed = 0
        for item in self.files():
            if item.path.name.startswith(_TEMPORARY):
                if now - item.used > STALE_TEMPORARY:
                    removed += self._remove(item)
            elif stale and not item.current:
                removed += self._remove(item)
            else:
                keep.append(item)
        total = sum(item.size for item in keep)
        if total > cap:
            target = int(cap * TRIM_TO)
            for item in sorted(keep, key=lambda item: item.used):
                if total <= target:
                    break
                total -= item.size
                removed += self._remove(item)
        return removed

    def _remove(self, item: CachedFile) -> int:
        try:
            item.path.unlink()
        except FileNotFoundError:  # another process removed it first
            return 0
        except OSError as error:
            self._problem("remove old records", error)
            return 0
        return item.size

    def clear(self) -> int:
        """Remove every record and document; return bytes removed."""
        self._recent.clear()
        return sum(self._remove(item) for item in self.files())


class StagedScan(NamedTuple):
    """A scan written to the cache under a temporary name, not kept yet (see
    :meth:`LayerCache.stage`)."""

    cache: LayerCache
    temporary: Path
    name: str
    diff_id: Digest
    scan: LayerScan
    size: int

    def commit(self) -> None:
        """Keep the scan under its diff ID."""
        self.cache.keep_staged(self)

    def discard(self) -> None:
        """Throw the scan away."""
        with suppress(OSError):
            self.temporary.unlink(missing_ok=True)
