"""What sources keep beside the layer cache between runs, so that a later read costs less.

- An engine image's ``save`` manifest entry and config, by engine and image ID: when every
  layer of the image is in the cache too, the next read needs no ``save`` at all
  (:func:`saved_image_store` rebuilds the same image from them).
- Which diff ID each layer blob name of a streamed ``docker save`` holds (``ID/layer.tar``,
  before Docker 25): the next stream can then read past a layer the cache holds, where the
  name alone would not say which layer it is (:func:`named_diff_id`).

Nothing kept is trusted blindly: a config must hash to the image ID the engine gives and list
the diff IDs the engine gives, and layers taken by name are still checked against the config.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from auger.hashes import small_hash
from auger.model import Digest, Image, LayerRef
from auger.sources.blobs import BlobInfo, BlobStore, ScannedBlob
from auger.sources.interface import DocumentCache, LayerScanner, ScanCache

_LEGACY_LAYER = re.compile(r"([0-9a-f]{64})/layer\.tar\Z")
_DIGEST = re.compile(r"[a-z0-9]+:[0-9a-f]{32,128}\Z")


def _image_key(kind: str, image_id: str) -> str:
    return f"{kind}-image-{image_id.replace(':', '-')}"


def remember_saved_image(
    documents: DocumentCache, *, kind: str, image_id: str, store: BlobStore, image: Image
) -> None:
    """Keep what the ``save`` of the engine ``kind`` (``docker``, ``podman``) said of
    ``image`` (read from ``store``) under its image ID."""
    try:
        manifest = json.loads(store.read_document("manifest.json"))
        entry = manifest[0]
        config = store.read_document(entry["Config"]).decode("utf-8")
        blobs = {}
        for path in entry["Layers"]:
            info = store.blob_info(path)
            blobs[path] = {"size": info.size, "compression": info.compression}
    except (ValueError, LookupError, TypeError, UnicodeDecodeError):
        return  # not the shape this module reads back: keep nothing
    record = {"entry": entry, "config": config, "blobs": blobs}
    documents.put_document(_image_key(kind, image_id), json.dumps(record).encode())
    remember_layer_names(documents, image)


def saved_image_store(
    documents: DocumentCache,
    cache: ScanCache,
    *,
    kind: str,
    image_id: str,
    diff_ids: Sequence[object],
    description: str,
) -> BlobStore | None:
    """A store that serves the image ``docker save`` would give, from what was kept and the
    cached scans of its layers; ``None`` unless every part is there and consistent."""
    data = documents.get_document(_image_key(kind, image_id))
    if data is None:
        return None
    try:
        record = json.loads(data)
        entry = record["entry"]
        config = record["config"].encode("utf-8")
        kept = json.loads(config)["rootfs"]["diff_ids"]
        layer_paths = entry["Layers"]
        blobs = record["blobs"]
        algorithm, _, expected = image_id.partition(":")
        if small_hash(algorithm, config).hexdigest() != expected or kept != list(diff_ids):
            return None
        scanned = {}
        for path, diff_id in zip(layer_paths, kept, strict=True):
            scan = cache.get(Digest(diff_id))
            if scan is None:
                return None
            info = blobs[path]
            scanned[path] = ScannedBlob(scan, info["compression"], info["size"], cached=True)
        manifest = json.dumps([entry]).encode()
        kept_documents = {"manifest.json": manifest, entry["Config"]: config}
    except (ValueError, LookupError, TypeError, AttributeError, UnicodeEncodeError):
        return None
    return _KeptStore(description, kept_documents, scanned)


def remember_layer_names(documents: DocumentCache, image: Image) -> None:
    """Keep which diff ID each legacy layer blob name of ``image`` holds."""
    for layer in image.layers:
        if layer.diff_id is not None and re.fullmatch("[0-9a-f]{64}", layer.id):
            documents.put_document(f"docker-layer-{layer.id}", layer.diff_id.encode("ascii"))


def named_diff_id(documents: DocumentCache | None, name: str) -> Digest | None:
    """The diff ID kept for the streamed layer blob ``name``, if any."""
    match = _LEGACY_LAYER.match(name)
    if documents is None or match is None:
        return None
    data = documents.get_document(f"docker-layer-{match[1]}")
    text = data.decode("ascii", "replace") if data is not None else ""
    return Digest(text) if _DIGEST.match(text) else None


class _KeptStore(BlobStore):
    """The documents and layer scans of an image, as kept: read ahead, nothing to read."""

    read_ahead = True

    def __init__(
        self,
        description: str,
        documents: Mapping[str, bytes],
        layers: Mapping[str, ScannedBlob],
    ) -> None:
        self.description = description
        self._documents = documents
        self._layers = layers

    def exists(self, name: str) -> bool:
        return name in self._documents or name in self._layers

    def read_document(self, name: str) -> bytes:
        if name not in self._documents:
            raise self.missing(name)
        return self._documents[name]

    def blob_info(self, name: str) -> BlobInfo:
        if name not in self._layers:
            raise self.missing(name)
        blob = self._layers[name]
        return BlobInfo(blob.stored_size, blob.compression)

    def scan_layer(self, ref: LayerRef, scan: LayerScanner, media: str | None) -> ScannedBlob:
        if ref.blob not in self._layers:
            raise self.missing(ref.blob)
        return self._layers[ref.blob]
