"""Layer blobs from a registry: a few fetched at once, each streamed into the scanner.

:class:`LayerFetcher` is the :class:`~auger.sources.blobs.BlobStore` that
:func:`~auger.sources.layouts.assemble` reads, in manifest order, while the blobs download in
parallel behind it. A layer whose diff ID the scan cache knows is never downloaded; a blob that
appears twice is downloaded once. Each blob streams through its decompressor into the scanner,
and its digest is checked as it ends; when a blob fails to decompress, the rest of it is read to
tell a corrupted blob (a digest mismatch) from a bad image.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from auger.display import display
from auger.errors import LayerFormatError
from auger.layers.tarstream import BLOCK
from auger.model import Digest, LayerRef, LayerScan
from auger.progress import Progress
from auger.sources.blobs import BlobInfo, BlobStore, ScannedBlob, scan_blob
from auger.sources.interface import ArchiveError, LayerScanner, ScanCache
from auger.sources.layouts import LAYER_TYPES
from auger.sources.registry.blobs import BlobReader
from auger.sources.registry.transport import RegistryClient

WORKERS = 3
"""Blobs downloaded at once."""


@dataclass(frozen=True, slots=True)
class LayerBlob:
    """A layer as the manifest describes it."""

    digest: str
    size: int
    media_type: str
    diff_id: Digest | None


class _CountingProgress:
    """Forwards byte counts from the download threads, one at a time."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._lock = threading.Lock()

    def __call__(self, count: int) -> None:
        with self._lock:
            self._progress.bytes_read(count)


class LayerFetcher(BlobStore):
    """Starts every needed download at once (``WORKERS`` at a time); hands out the scans."""

    read_ahead = True

    def __init__(
        self,
        client: RegistryClient,
        layers: Sequence[LayerBlob],
        scan: LayerScanner,
        progress: Progress,
        cache: ScanCache | None,
        *,
        workers: int = WORKERS,
    ) -> None:
        self.description = f"{client.host}/{client.reference.repository}"
        self._client = client
        self._counter = _CountingProgress(progress)
        self._cancelled = threading.Event()
        self._cached: dict[str, ScannedBlob] = {}
        self._pending: dict[str, Future[ScannedBlob]] = {}
        self._layers = {layer.digest: layer for layer in layers}
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="auger-blob")
        for index, layer in enumerate(layers):
            if layer.digest in self._cached or layer.digest in self._pending:
                continue
            known = cache.get(layer.diff_id) if cache is not None and layer.diff_id else None
            if known is not None:
                self._cached[layer.digest] = _from_cache(known, layer)
                continue
            ref = LayerRef(layer.digest, index, Digest(layer.digest), layer.diff_id)
            self._pending[layer.digest] = self._executor.submit(self._fetch, layer, ref, scan)

    def _fetch(self, layer: LayerBlob, ref: LayerRef, scan: LayerScanner) -> ScannedBlob:
        reader = BlobReader(
            self._client,
            layer.digest,
            layer.size,
            on_read=self._counter,
            cancelled=self._cancelled,
        )
        try:
            prefix = _read_up_to(reader, BLOCK)
            try:
                # the reader checks the blob's digest itself: no second hash of the same bytes
                return scan_blob(
                    reader, prefix, layer.size, scan, ref=ref, media=layer.media_type, verify=False
                )
            except (LayerFormatError, ArchiveError):
                if not reader.verified:
                    reader.read_rest()  # a corrupted blob says so here, instead
                raise
        finally:
            reader.close()

    def exists(self, name: str) -> bool:
        return name in self._cached or name in self._pending

    def read_document(self, name: str) -> bytes:
        raise ArchiveError(f"{self.description}: {display(name)} is not a document")

    def blob_info(self, name: str) -> BlobInfo:
        if name not in self._layers:
            raise self.missing(name)
        layer = self._layers[name]
        return BlobInfo(layer.size, LAYER_TYPES.get(layer.media_type, "gzip"))

    def scan_layer(self, ref: LayerRef, scan: LayerScanner, media: str | None) -> ScannedBlob:
        if ref.blob in self._cached:
            return self._cached[ref.blob]
        if ref.blob not in self._pending:
            raise self.missing(ref.blob)
        return self._pending[ref.blob].result()

    def close(self) -> None:
        """Stop the downloads still running (after a failure) and wait for the threads."""
        self._cancelled.set()
        self._executor.shutdown(wait=True, cancel_futures=True)


def _from_cache(scan: LayerScan, layer: LayerBlob) -> ScannedBlob:
    return ScannedBlob(scan, LAYER_TYPES.get(layer.media_type, "gzip"), layer.size, cached=True)


def _read_up_to(reader: BlobReader, size: int) -> bytes:
    parts: list[bytes] = []
    wanted = size
    while wanted > 0 and (data := reader.read(wanted)):
        parts.append(data)
        wanted -= len(data)
    return b"".join(parts)


def layers_of(manifest: Mapping[str, object], diff_ids: Sequence[object]) -> list[LayerBlob]:
    """The manifest's layer descriptors, each with its diff ID from the config (by position)."""
    raw = manifest.get("layers")
    if not isinstance(raw, list):
        raise ArchiveError("the manifest lists no layers")
    usable = len(diff_ids) == len(raw)
    layers = []
    for index, descriptor in enumerate(raw):
        if not isinstance(descriptor, Mapping):
            raise ArchiveError("the manifest has a malformed layer descriptor")
        digest, size, media = (descriptor.get(key) for key in ("digest", "size", "mediaType"))
        if not isinstance(digest, str) or not isinstance(size, int) or size < 0:
            raise ArchiveError("a layer descriptor of the manifest has no digest or size")
        diff_id = diff_ids[index] if usable else None
        layers.append(
            LayerBlob(
                digest,
                size,
                media if isinstance(media, str) else "",
                Digest(diff_id) if isinstance(diff_id, str) else None,
            )
        )
    return layers
