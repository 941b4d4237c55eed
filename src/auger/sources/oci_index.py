"""OCI image layouts: choose an image from ``index.json`` by ref name and platform.

Nested indexes are opened, attestation manifests skipped, and the config and layer media types
checked before anything is scanned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from auger.clipping import clip, clip_list
from auger.display import display
from auger.model import Digest, Image
from auger.progress import Progress
from auger.sources.blobs import BlobStore, blob_name
from auger.sources.interface import (
    AmbiguousImageError,
    ArchiveError,
    ImageNotFoundError,
    LayerScanner,
    Platform,
    ReadOptions,
    UnsupportedMediaTypeError,
)
from auger.sources.layouts import (
    LAYER_TYPES,
    ManifestLayer,
    assemble,
    mapping,
    matches_tag,
    parse_json,
    read_json,
    text,
)
from auger.sources.platforms import descriptor_platform, is_attestation, platform_matches
from auger.sources.verification import check_document

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_TYPES = frozenset(
    {"application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"}
)
REF_NAME = "org.opencontainers.image.ref.name"
CONTAINERD_NAME = "io.containerd.image.name"
_MAX_NESTING = 8


class _Candidate(NamedTuple):
    descriptor: Mapping[str, Any]
    ref_name: str | None

    @property
    def platform(self) -> Platform | None:
        return descriptor_platform(self.descriptor)


def _ref_names(descriptor: Mapping[str, Any]) -> list[str]:
    notes = descriptor.get("annotations")
    if not isinstance(notes, Mapping):
        return []
    return [
        value for key in (REF_NAME, CONTAINERD_NAME) if isinstance(value := notes.get(key), str)
    ]


def _read_blob(
    store: BlobStore, descriptor: Mapping[str, Any], what: str, verify: bool
) -> tuple[str, Any]:
    """The digest a descriptor names, and the JSON document it points at (checked against the
    descriptor's digest and size unless ``verify`` is off)."""
    digest = _descriptor_digest(descriptor, store)
    name = blob_name(digest)
    data = store.read_document(name)
    if verify:
        check_document(f"{what} {display(digest)}", data, digest, descriptor.get("size"))
    return digest, parse_json(data, what, store)


def _descriptor_digest(descriptor: Mapping[str, Any], store: BlobStore) -> str:
    digest = text(descriptor.get("digest"))
    if digest is None:
        raise ArchiveError(f"a descriptor in {store.description} has no digest")
    return digest


def _expand(
    store: BlobStore,
    descriptors: list[Mapping[str, Any]],
    ref: str | None,
    depth: int,
    verify: bool,
) -> list[_Candidate]:
    """Image manifests reachable from ``descriptors``, nested indexes opened."""
    if depth > _MAX_NESTING:
        raise ArchiveError(f"{store.description} nests indexes too deeply")
    found: list[_Candidate] = []
    for descriptor in descriptors:
        media = text(descriptor.get("mediaType"))
        names = _ref_names(descriptor)
        name = names[0] if names else ref
        if media in (OCI_INDEX, DOCKER_LIST):
            digest, nested = _read_blob(store, descriptor, "a nested index", verify)
            children = nested.get("manifests") if isinstance(nested, Mapping) else None
            if not isinstance(children, list):
                raise ArchiveError(f"index {digest} in {store.description} lists no manifests")
            children = [c for c in children if isinstance(c, Mapping)]
            found.extend(_expand(store, children, name, depth + 1, verify))
        elif media in (OCI_MANIFEST, DOCKER_MANIFEST, None):
            found.append(_Candidate(descriptor, name))
        else:
            raise UnsupportedMediaTypeError(
                f"{store.description} lists a manifest of unsupported media type {media}"
            )
    return found


def _ref_matches(selector: str, descriptor: Mapping[str, Any]) -> bool:
    for name in _ref_names(descriptor):
        if name == selector or name.endswith(f":{selector}") or matches_tag(selector, name):
            return True
    return False


def select_manifest(
    store: BlobStore,
    index: Mapping[str, Any],
    selector: str | None,
    platform: Platform,
    verify: bool = True,
) -> _Candidate:
    """Choose one image manifest from an index by ref name and platform."""
    top = index.get("manifests")
    if not isinstance(top, list) or not top:
        raise ArchiveError(f"index.json in {store.description} lists no manifests")
    descriptors = [item for item in top if isinstance(item, Mapping)]
    if selector is not None:
        descriptors = [d for d in descriptors if _ref_matches(selector, d)]
        if not descriptors:
            raise ImageNotFoundError(f"{store.description} has no image named {clip(selector)}")
    expanded = _expand(store, descriptors, None, 0, verify)
    candidates = [c for c in expanded if not is_attestation(c.descriptor)]
    if not candidates:
        raise ArchiveError(f"{store.description} holds no image manifest")
    if len(candidates) == 1:
        return candidates[0]
    matching = [c for c in candidates if platform_matches(platform, c.platform)]
    if not matching:
        offered = clip_list(sorted({str(c.platform) for c in candidates}))
        raise ImageNotFoundError(
            f"{store.description} has no image for platform {platform} (it has {offered})",
            hint="choose one with --platform",
        )
    names = {c.ref_name for c in matching}
    if len(names) > 1:
        listed = clip_list(sorted(name or "(unnamed)" for name in names))
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
    options: ReadOptions,
) -> Image:
    """Read the image an OCI layout's ``index.json`` leads to."""
    verify = options.verify
    index = mapping(read_json(store, "index.json", "index.json"), "index.json", store)
    chosen = select_manifest(store, index, selector, platform, verify)
    manifest_digest, manifest = _read_blob(store, chosen.descriptor, "the image manifest", verify)
    manifest = mapping(manifest, "the manifest", store)
    config_ref = mapping(manifest.get("config"), "the manifest's config", store)
    config_media = text(config_ref.get("mediaType"))
    if config_media not in CONFIG_TYPES:
        raise UnsupportedMediaTypeError(
            f"{manifest_digest} is not a container image (config media type {config_media})"
        )
    config_digest, config = _read_blob(store, config_ref, "the image config", verify)
    config = mapping(config, "the config", store)
    raw_layers = manifest.get("layers")
    if not isinstance(raw_layers, list):
        raise ArchiveError(f"manifest {manifest_digest} in {store.description} lists no layers")
    manifest_layers = []
    for raw in raw_layers:
        descriptor = mapping(raw, "a layer descriptor", store)
        media = text(descriptor.get("mediaType"))
        if media not in LAYER_TYPES:
            raise UnsupportedMediaTypeError(f"layer media type {media} is not supported")
        digest = _descriptor_digest(descriptor, store)
        name = blob_name(digest)
        manifest_layers.append(
            ManifestLayer(
                name,
                digest.partition(":")[2],
                Digest(digest),
                media,
                stored=True,
                size=descriptor.get("size"),
            )
        )
    return assemble(
        store=store,
        reference=reference,
        kind=kind,
        config=config,
        manifest_layers=manifest_layers,
        scan=scan,
        progress=progress,
        options=options,
        name=chosen.ref_name,
        config_digest=Digest(config_digest),
        manifest_digest=Digest(manifest_digest),
    )
