"""What both layouts share: reading JSON documents, and assembling the image.

``docker save``'s ``manifest.json`` (:mod:`auger.sources.docker_save`) and an OCI
``index.json`` (:mod:`auger.sources.oci_index`) both lead to an image config (history,
``rootfs.diff_ids``, platform) and an ordered list of layer blobs, which :func:`assemble` scans
in manifest order and turns into an :class:`~auger.model.Image`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from auger.errors import ImageReadError
from auger.model import Digest, Image, Layer, LayerRef
from auger.parallel import available_cpus
from auger.progress import Progress
from auger.sources.blobs import BlobInfo, BlobStore, ScannedBlob
from auger.sources.interface import (
    ArchiveError,
    LayerScanner,
    ReadOptions,
)
from auger.sources.verification import check_blob, check_diff_id, check_size

LAYER_TYPES = {
    "application/vnd.oci.image.layer.v1.tar": "none",
    "application/vnd.oci.image.layer.v1.tar+gzip": "gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd": "zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar": "none",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip": "gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd": "zstd",
    "application/vnd.docker.image.rootfs.diff.tar": "none",
    "application/vnd.docker.image.rootfs.diff.tar.gzip": "gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip": "gzip",
}

SCAN_THREADS = 2
"""Layers scanned at once where the store allows it: two, the processors auger is written for
(the analysis after the scan forks one child beside the main process, too)."""


class ManifestLayer(NamedTuple):
    """A layer as the manifest describes it: where its blob is, and what it says about it."""

    blob: str
    """The blob's name in the store."""
    layer_id: str
    digest: Digest | None
    media_type: str | None
    stored: bool
    """True when the blob's stored size counts as a compressed size (OCI layouts)."""
    size: object = None
    """The size the descriptor gives (OCI layouts), as written: checked, never trusted."""


def read_json(store: BlobStore, name: str, what: str) -> Any:
    """Parse a JSON document of the store."""
    return parse_json(store.read_document(name), what, store)


def parse_json(data: bytes, what: str, store: BlobStore) -> Any:
    """Parse a JSON document read from ``store``."""
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{what} in {store.description} is not valid JSON: {exc}") from exc


def mapping(value: object, what: str, store: BlobStore) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ArchiveError(f"{what} in {store.description} is not a JSON object")
    return value


def text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _history(config: Mapping[str, Any], count: int) -> tuple[list[Mapping[str, Any] | None], int]:
    """Map history to layers as dive does: skip ``empty_layer`` entries, in order."""
    raw = config.get("history")
    history = [item for item in raw if isinstance(item, Mapping)] if isinstance(raw, list) else []
    result: list[Mapping[str, Any] | None] = []
    position = 0
    for _ in range(count):
        while position < len(history) and history[position].get("empty_layer"):
            position += 1
        if position < len(history):
            result.append(history[position])
            position += 1
        else:
            result.append(None)
    non_empty = sum(1 for item in history if not item.get("empty_layer"))
    return result, non_empty


def assemble(
    *,
    store: BlobStore,
    reference: str,
    kind: str,
    config: Mapping[str, Any],
    manifest_layers: Sequence[ManifestLayer],
    scan: LayerScanner,
    progress: Progress,
    options: ReadOptions,
    name: str | None,
    config_digest: Digest | None,
    manifest_digest: Digest | None,
) -> Image:
    """Scan the layers in manifest order (those the cache holds are not read) and build the
    :class:`Image`, checking each layer against the manifest and the config."""
    rootfs = config.get("rootfs")
    diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, Mapping) else None
    diff_ids = diff_ids if isinstance(diff_ids, list) else []
    warnings: list[str] = []
    count = len(manifest_layers)
    checked = diff_ids  # what layers are looked up by and checked against: one per layer
    if not diff_ids and count:
        warnings.append(
            f"the config lists no layer diff IDs for the manifest's {count} layers; "
            "the layers cannot be checked against it"
        )
    elif len(diff_ids) != count:
        warnings.append(
            f"the config lists {len(diff_ids)} layer diff IDs but the manifest {count} "
            "layers; the layers cannot be checked against them"
        )
        checked = []
    history, non_empty = _history(config, count)
    if non_empty != count:
        warnings.append(
            f"history describes {non_empty} layers but the image has {count}; "
            "layer commands may be missing or misattributed"
        )
    refs = []
    for index, described in enumerate(manifest_layers):
        diff_id = diff_ids[index] if index < len(diff_ids) else None
        refs.append(
            LayerRef(
                described.blob,
                index,
                described.digest,
                Digest(diff_id) if isinstance(diff_id, str) else None,
            )
        )

    def read(index: int) -> tuple[ScannedBlob, list[str]]:
        found: list[str] = []
        claimed = checked[index] if checked else None
        blob = _read_layer(
            store,
            manifest_layers[index],
            refs[index],
            claimed=claimed,
            scan=scan,
            options=options,
            warnings=found,
        )
        return blob, found

    layers = []
    progress.phase("scanning layers")
    order, threads = _scan_plan(store, manifest_layers, options)
    for index, (blob, found) in enumerate(_in_order(read, order, threads)):
        described = manifest_layers[index]
        ref = refs[index]
        label = ref.label
        warnings.extend(found)
        progress.layer_scanned(index, len(blob.scan.entries))
        expected = LAYER_TYPES.get(described.media_type or "")
        if expected is not None and expected != blob.compression and not blob.cached:
            warnings.append(
                f"{label} is {blob.compression} data although its media type says {expected}"
            )
        warnings.extend(f"{label}: {text}" for text in blob.scan.warnings)
        entry = history[index]
        layers.append(
            Layer(
                index=index,
                scan=blob.scan,
                id=described.layer_id,
                diff_id=ref.diff_id,
                digest=ref.digest,
                media_type=described.media_type,
                stored_size=blob.stored_size if described.stored else None,
                compression=blob.compression,
                created_by=text(entry.get("created_by")) or "" if entry else "",
                created=text(entry.get("created")) if entry else None,
                has_history=entry is not None,
                blob=ref.blob,
            )
        )
    settings = config.get("config")
    return Image(
        reference=reference,
        source=kind,
        layers=tuple(layers),
        name=name,
        config_digest=config_digest,
        manifest_digest=manifest_digest,
        os=text(config.get("os")),
        architecture=text(config.get("architecture")),
        variant=text(config.get("variant")),
        created=text(config.get("created")),
        config=settings if isinstance(settings, Mapping) else {},
        warnings=tuple(warnings),
    )


def _scan_plan(
    store: BlobStore, manifest_layers: Sequence[ManifestLayer], options: ReadOptions
) -> tuple[Sequence[int], int]:
    """In which order to scan the layers, and with how many threads.

    Where the store can read blobs side by side, the largest blob goes first: the longest
    scan (and the hash of its blob) then starts at once instead of last, when every other
    processor would wait for it at the end (on an image of 0.1, 0.4, 0.5 and 1 GB layers the
    1 GB one came third). Two threads scan at once where much of a scan releases the GIL
    (decompression). When no blob is compressed, what is left is mostly Python holding the GIL,
    and a second thread cost more in switching than it gained (5-10 % more wall time on the
    realistic images, verified); one thread instead scans each large blob in pieces on two
    processors (:func:`auger.layers.scanner.scan_layer`, which may fork only while this process
    runs one thread), while helper processes hash them (:mod:`auger.layers.digests`).
    """
    count = len(manifest_layers)
    if not (store.concurrent_scans and options.concurrent):
        return range(count), 1
    sizes: list[int] = []
    compressed = False
    for described in manifest_layers:
        try:
            info = store.blob_info(described.blob)
        except ImageReadError:  # the scan will say what is wrong with it, in its turn
            info = BlobInfo(0, "none")
        sizes.append(info.size)
        compressed = compressed or info.compression != "none"
    order = sorted(range(count), key=lambda index: -sizes[index])
    return order, min(SCAN_THREADS, available_cpus()) if compressed else 1


def _in_order(
    read: Callable[[int], tuple[ScannedBlob, list[str]]],
    order: Sequence[int],
    threads: int,
) -> Iterator[tuple[ScannedBlob, list[str]]]:
    """``read(0)``, ``read(1)`` ... in that order, computed in ``order`` (each index once) by
    up to ``threads`` threads.

    Hashing (SHA-256 of every byte), decompression, CRC-32 and the reads themselves release the
    GIL, and they are most of a layer's scan, so a second thread uses a second processor. The
    results (and the first error, by layer order) come back in layer order, as from one thread.
    Plain threads, not :mod:`concurrent.futures`, whose import (and :mod:`logging`'s) costs
    0.8 MiB and several milliseconds of every run.
    """
    count = len(order)
    workers = min(threads, count)
    if workers < 2:
        yield from _one_at_a_time(read, order)
        return
    results: list[tuple[ScannedBlob, list[str]] | BaseException | None] = [None] * count
    finished = [threading.Event() for _ in range(count)]
    indices = iter(order)  # shared: each thread takes the next layer not yet taken
    stopping = threading.Event()

    def work() -> None:
        for index in indices:
            if stopping.is_set():
                return
            try:
                results[index] = read(index)
            except BaseException as error:  # handed to the reading thread, raised there
                results[index] = error
            finished[index].set()

    pool = [threading.Thread(target=work, name="scan", daemon=True) for _ in range(workers)]
    for thread in pool:
        thread.start()
    try:
        for index in range(count):
            finished[index].wait()
            result, results[index] = results[index], None
            if isinstance(result, BaseException):
                raise result
            assert result is not None
            yield result
    finally:  # an error, or a caller that stopped early: start no further layer
        stopping.set()
        for thread in pool:
            thread.join()


def _one_at_a_time(
    read: Callable[[int], tuple[ScannedBlob, list[str]]], order: Sequence[int]
) -> Iterator[tuple[ScannedBlob, list[str]]]:
    """:func:`_in_order` in this thread; the first error by layer order is the one raised."""
    if list(order) == sorted(order):
        for index in order:
            yield read(index)
        return
    done: dict[int, tuple[ScannedBlob, list[str]] | BaseException] = {}
    for index in order:
        try:
            done[index] = read(index)
        except Exception as error:  # raised in its turn, after the layers before it
            done[index] = error
    for index in range(len(order)):
        result = done.pop(index)
        if isinstance(result, BaseException):
            raise result
        yield result


def _read_layer(
    store: BlobStore,
    described: ManifestLayer,
    ref: LayerRef,
    *,
    claimed: object,
    scan: LayerScanner,
    options: ReadOptions,
    warnings: list[str],
) -> ScannedBlob:
    """The layer's scan: from the cache by the diff ID the config ``claimed`` (the blob is then
    not read), else by scanning its blob; verified unless ``options`` say not to."""
    verify = options.verify
    label = ref.label
    if not store.read_ahead:  # blobs not read yet: what can be known without reading them
        if options.cache is not None and isinstance(claimed, str):
            cached = options.cache.get(Digest(claimed))
            if cached is not None:
                info = store.blob_info(ref.blob)
                if verify:
                    check_size(label, info.size, described.size)
                return ScannedBlob(cached, info.compression, info.size, cached=True)
        if verify and described.size is not None:
            check_size(label, store.blob_info(ref.blob).size, described.size)
    blob = store.scan_layer(ref, scan, media=described.media_type)
    if verify:
        check_size(label, blob.stored_size, described.size)
        check_blob(label, blob.digest, described.digest, warnings)
        check_diff_id(label, blob.scan.diff_id, claimed, warnings)
    return blob


def repo_tags(entry: Mapping[str, Any]) -> list[str]:
    tags = entry.get("RepoTags")
    return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []


def with_latest(name: str) -> str:
    """``name`` with the ``:latest`` a reference without a tag means."""
    return name if ":" in name.rpartition("/")[2] else f"{name}:latest"


def matches_tag(selector: str, tag: str) -> bool:
    candidates = {selector, with_latest(selector)}
    for candidate in list(candidates):
        candidates.add(f"docker.io/{candidate}")
        candidates.add(f"docker.io/library/{candidate}")
    return tag in candidates
