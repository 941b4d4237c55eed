"""Find an image in a blob store: ``docker save``'s ``manifest.json`` or an OCI ``index.json``.

Both layouts end in the same place: an image config (history, ``rootfs.diff_ids``, platform)
and an ordered list of layer blobs, which are scanned in manifest order and assembled into an
:class:`~auger.model.Image`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auger.layers import paths
from auger.model import Digest, Image, Layer
from auger.progress import Progress
from auger.sources.blobs import BlobStore, blob_name
from auger.sources.interface import (
    AmbiguousImageError,
    ArchiveError,
    ImageNotFoundError,
    LayerScanner,
    Platform,
    UnsupportedMediaTypeError,
)

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_TYPES = frozenset(
    {"application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"}
)
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
REF_NAME = "org.opencontainers.image.ref.name"
CONTAINERD_NAME = "io.containerd.image.name"
_MAX_NESTING = 8


@dataclass(frozen=True, slots=True)
class LayerRef:
    """Where a layer's blob is and what the manifest says about it."""

    name: str
    layer_id: str
    digest: Digest | None
    media_type: str | None
    stored: bool
    """True when the blob's stored size counts as a compressed size (OCI layouts)."""


def read_json(store: BlobStore, name: str, what: str) -> Any:
    """Parse a JSON document of the store."""
    data = store.read_document(name)
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{what} in {store.description} is not valid JSON: {exc}") from exc


def _mapping(value: object, what: str, store: BlobStore) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ArchiveError(f"{what} in {store.description} is not a JSON object")
    return value


def _text(value: object) -> str | None:
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
    refs: Sequence[LayerRef],
    scan: LayerScanner,
    progress: Progress,
    name: str | None,
    config_digest: Digest | None,
    manifest_digest: Digest | None,
) -> Image:
    """Scan the layers in manifest order and build the :class:`Image`."""
    rootfs = config.get("rootfs")
    diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, Mapping) else None
    diff_ids = diff_ids if isinstance(diff_ids, list) else []
    warnings: list[str] = []
    if diff_ids and len(diff_ids) != len(refs):
        warnings.append(
            f"the config lists {len(diff_ids)} layer diff IDs but the manifest {len(refs)} layers"
        )
    history, non_empty = _history(config, len(refs))
    if non_empty != len(refs):
        warnings.append(
            f"history describes {non_empty} layers but the image has {len(refs)}; "
            "layer commands may be missing or misattributed"
        )
    layers = []
    progress.phase("scanning layers")
    for index, ref in enumerate(refs):
        label = f"layer {index} ({paths.display(ref.digest or ref.name)})"
        blob = store.scan_layer(ref.name, scan, label=label, media=ref.media_type)
        progress.layer_scanned(index, len(blob.scan.entries))
        expected = LAYER_TYPES.get(ref.media_type or "")
        if expected is not None and expected != blob.compression:
            warnings.append(
                f"{label} is {blob.compression} data although its media type says {expected}"
            )
        warnings.extend(f"{label}: {text}" for text in blob.scan.warnings)
        entry = history[index]
        diff_id = diff_ids[index] if index < len(diff_ids) else None
        layers.append(
            Layer(
                index=index,
                scan=blob.scan,
                id=ref.layer_id,
                diff_id=Digest(diff_id) if isinstance(diff_id, str) else None,
                digest=ref.digest,
                media_type=ref.media_type,
                stored_size=blob.stored_size if ref.stored else None,
                compression=blob.compression,
                created_by=_text(entry.get("created_by")) or "" if entry else "",
                created=_text(entry.get("created")) if entry else None,
                comment=_text(entry.get("comment")) if entry else None,
                has_history=entry is not None,
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
        os=_text(config.get("os")),
        architecture=_text(config.get("architecture")),
        variant=_text(config.get("variant")),
        created=_text(config.get("created")),
        config=settings if isinstance(settings, Mapping) else {},
        warnings=tuple(warnings),
    )


# -- docker save ----------------------------------------------------------------------------


def _repo_tags(entry: Mapping[str, Any]) -> list[str]:
    tags = entry.get("RepoTags")
    return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []


def _matches_tag(selector: str, tag: str) -> bool:
    candidates = {selector}
    if ":" not in selector.rpartition("/")[2]:
        candidates.add(f"{selector}:latest")
    for candidate in list(candidates):
        candidates.add(f"docker.io/{candidate}")
        candidates.add(f"docker.io/library/{candidate}")
    return tag in candidates


def docker_save_image(
    store: BlobStore,
    *,
    reference: str,
    selector: str | None,
    scan: LayerScanner,
    progress: Progress,
) -> Image:
    """Read the image ``docker save`` described in ``manifest.json``."""
    manifest = read_json(store, "manifest.json", "manifest.json")
    if not isinstance(manifest, list) or not manifest:
        raise ArchiveError(f"manifest.json in {store.description} lists no image")
    entries = [_mapping(item, "an entry of manifest.json", store) for item in manifest]
    if selector is not None:
        entries = [e for e in entries if any(_matches_tag(selector, t) for t in _repo_tags(e))]
        if not entries:
            raise ImageNotFoundError(f"{store.description} holds no image tagged {selector}")
    if len(entries) > 1:
        listed = ", ".join(tag for e in entries for tag in _repo_tags(e)[:1]) or "untagged"
        raise AmbiguousImageError(
            f"{store.description} holds {len(entries)} images ({listed})",
            hint="choose one with ARCHIVE:TAG, e.g. docker-archive://image.tar:name:tag",
        )
    entry = entries[0]
    config_path = _text(entry.get("Config"))
    layer_paths = entry.get("Layers")
    if config_path is None or not isinstance(layer_paths, list):
        raise ArchiveError(f"manifest.json in {store.description} has no Config or Layers")
    sources = entry.get("LayerSources")
    sources = sources if isinstance(sources, Mapping) else {}
    config = _mapping(read_json(store, config_path, "the image config"), "the config", store)
    refs = []
    for path in layer_paths:
        if not isinstance(path, str):
            raise ArchiveError(f"manifest.json in {store.description} has a malformed layer")
        digest = _digest_from_path(path)
        source = sources.get(digest) if digest else None
        media = _text(source.get("mediaType")) if isinstance(source, Mapping) else None
        refs.append(LayerRef(path, path.split("/")[0], digest, media, stored=False))
    tags = _repo_tags(entry)
    name = selector if selector is not None else (tags[0] if tags else None)
    return assemble(
        store=store,
        reference=reference,
        kind="docker-archive",
        config=config,
        refs=refs,
        scan=scan,
        progress=progress,
        name=name,
        config_digest=_digest_from_path(config_path),
        manifest_digest=None,
    )


def _digest_from_path(path: str) -> Digest | None:
    """``blobs/sha256/HEX`` or ``HEX.json`` as a digest, where the path says one."""
    parts = path.split("/")
    if len(parts) == 3 and parts[0] == "blobs":
        return Digest(f"{parts[1]}:{parts[2]}")
    if len(parts) == 1 and parts[0].endswith(".json") and len(parts[0]) == 69:
        return Digest(f"sha256:{parts[0][:-5]}")
    return None


# -- OCI layout -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    descriptor: Mapping[str, Any]
    ref_name: str | None

    @property
    def platform(self) -> Platform | None:
        raw = self.descriptor.get("platform")
        if not isinstance(raw, Mapping):
            return None
        os_name, arch = _text(raw.get("os")), _text(raw.get("architecture"))
        if not os_name or not arch:
            return None
        return Platform(os_name, arch, _text(raw.get("variant")))


def _ref_names(descriptor: Mapping[str, Any]) -> list[str]:
    notes = descriptor.get("annotations")
    if not isinstance(notes, Mapping):
        return []
    return [
        value for key in (REF_NAME, CONTAINERD_NAME) if isinstance(value := notes.get(key), str)
    ]


def _is_attestation(candidate: _Candidate) -> bool:
    notes = candidate.descriptor.get("annotations")
    if isinstance(notes, Mapping) and notes.get("vnd.docker.reference.type"):
        return True
    platform = candidate.platform
    return platform is not None and (platform.os, platform.architecture) == ("unknown", "unknown")


def _descriptor_digest(descriptor: Mapping[str, Any], store: BlobStore) -> str:
    digest = _text(descriptor.get("digest"))
    if digest is None:
        raise ArchiveError(f"a descriptor in {store.description} has no digest")
    return digest


def _expand(
    store: BlobStore, descriptors: list[Mapping[str, Any]], ref: str | None, depth: int
) -> list[_Candidate]:
    """Image manifests reachable from ``descriptors``, nested indexes opened."""
    if depth > _MAX_NESTING:
        raise ArchiveError(f"{store.description} nests indexes too deeply")
    found: list[_Candidate] = []
    for descriptor in descriptors:
        media = _text(descriptor.get("mediaType"))
        names = _ref_names(descriptor)
        name = names[0] if names else ref
        if media in (OCI_INDEX, DOCKER_LIST):
            digest = _descriptor_digest(descriptor, store)
            nested = read_json(store, blob_name(digest), "a nested index")
            children = nested.get("manifests") if isinstance(nested, Mapping) else None
            if not isinstance(children, list):
                raise ArchiveError(f"index {digest} in {store.description} lists no manifests")
            found.extend(
                _expand(store, [c for c in children if isinstance(c, Mapping)], name, depth + 1)
            )
        elif media in (OCI_MANIFEST, DOCKER_MANIFEST, None):
            found.append(_Candidate(descriptor, name))
        else:
            raise UnsupportedMediaTypeError(
                f"{store.description} lists a manifest of unsupported media type {media}"
            )
    return found


def _platform_matches(wanted: Platform, offered: Platform | None) -> bool:
    if offered is None:
        return True
    if (offered.os, offered.architecture) != (wanted.os, wanted.architecture):
        return False
    return wanted.variant is None or offered.variant in (None, wanted.variant)


def _ref_matches(selector: str, descriptor: Mapping[str, Any]) -> bool:
    for name in _ref_names(descriptor):
        if name == selector or name.endswith(f":{selector}") or _matches_tag(selector, name):
            return True
    return False


def select_manifest(
    store: BlobStore, index: Mapping[str, Any], selector: str | None, platform: Platform
) -> _Candidate:
    """Choose one image manifest from an index by ref name and platform."""
    top = index.get("manifests")
    if not isinstance(top, list) or not top:
        raise ArchiveError(f"index.json in {store.description} lists no manifests")
    descriptors = [item for item in top if isinstance(item, Mapping)]
    if selector is not None:
        descriptors = [d for d in descriptors if _ref_matches(selector, d)]
        if not descriptors:
            raise ImageNotFoundError(f"{store.description} has no image named {selector}")
    candidates = [c for c in _expand(store, descriptors, None, 0) if not _is_attestation(c)]
    if not candidates:
        raise ArchiveError(f"{store.description} holds no image manifest")
    if len(candidates) == 1:
        return candidates[0]
    matching = [c for c in candidates if _platform_matches(platform, c.platform)]
    if not matching:
        offered = ", ".join(sorted({str(c.platform) for c in candidates}))
        raise ImageNotFoundError(
            f"{store.description} has no image for platform {platform} (it has {offered})",
            hint="choose one with --platform",
        )
    names = {c.ref_name for c in matching}
    if len(names) > 1:
        listed = ", ".join(sorted(name or "(unnamed)" for name in names))
        raise AmbiguousImageError(
            f"{store.description} holds several images ({listed})",
            hint="choose one with LAYOUT:REF, e.g. oci://dir:latest",
        )
    exact = [
        c for c in matching if c.platform is not None and c.platform.variant == platform.variant
    ]
    return (exact or matching)[0]


def oci_image(
    store: BlobStore,
    *,
    reference: str,
    kind: str,
    selector: str | None,
    platform: Platform,
    scan: LayerScanner,
    progress: Progress,
) -> Image:
    """Read the image an OCI layout's ``index.json`` leads to."""
    index = _mapping(read_json(store, "index.json", "index.json"), "index.json", store)
    chosen = select_manifest(store, index, selector, platform)
    manifest_digest = _descriptor_digest(chosen.descriptor, store)
    manifest = _mapping(
        read_json(store, blob_name(manifest_digest), "the image manifest"), "the manifest", store
    )
    config_ref = _mapping(manifest.get("config"), "the manifest's config", store)
    config_media = _text(config_ref.get("mediaType"))
    if config_media not in CONFIG_TYPES:
        raise UnsupportedMediaTypeError(
            f"{manifest_digest} is not a container image (config media type {config_media})"
        )
    config_digest = _descriptor_digest(config_ref, store)
    config = _mapping(
        read_json(store, blob_name(config_digest), "the image config"), "the config", store
    )
    raw_layers = manifest.get("layers")
    if not isinstance(raw_layers, list):
        raise ArchiveError(f"manifest {manifest_digest} in {store.description} lists no layers")
    refs = []
    for raw in raw_layers:
        descriptor = _mapping(raw, "a layer descriptor", store)
        media = _text(descriptor.get("mediaType"))
        if media not in LAYER_TYPES:
            raise UnsupportedMediaTypeError(f"layer media type {media} is not supported")
        digest = _descriptor_digest(descriptor, store)
        name = blob_name(digest)
        refs.append(LayerRef(name, digest.partition(":")[2], Digest(digest), media, stored=True))
    return assemble(
        store=store,
        reference=reference,
        kind=kind,
        config=config,
        refs=refs,
        scan=scan,
        progress=progress,
        name=chosen.ref_name,
        config_digest=Digest(config_digest),
        manifest_digest=Digest(manifest_digest),
    )
