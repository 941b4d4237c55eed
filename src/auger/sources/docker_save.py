"""``docker save`` tarballs: the image ``manifest.json`` describes (either Docker layout)."""

from __future__ import annotations

from collections.abc import Mapping

from auger.clipping import clip, clip_list
from auger.display import display
from auger.model import Digest, Image
from auger.progress import Progress
from auger.sources.blobs import BlobStore, blob_digest
from auger.sources.interface import (
    AmbiguousImageError,
    ArchiveError,
    ImageNotFoundError,
    LayerScanner,
    ReadOptions,
)
from auger.sources.layouts import (
    ManifestLayer,
    assemble,
    mapping,
    matches_tag,
    parse_json,
    read_json,
    repo_tags,
    text,
)
from auger.sources.verification import check_document


def docker_save_image(
    store: BlobStore,
    *,
    reference: str,
    selector: str | None,
    scan: LayerScanner,
    progress: Progress,
    options: ReadOptions,
) -> Image:
    """Read the image ``docker save`` described in ``manifest.json``."""
    manifest = read_json(store, "manifest.json", "manifest.json")
    if not isinstance(manifest, list) or not manifest:
        raise ArchiveError(f"manifest.json in {store.description} lists no image")
    entries = [mapping(item, "an entry of manifest.json", store) for item in manifest]
    if selector is not None:
        entries = [e for e in entries if any(matches_tag(selector, t) for t in repo_tags(e))]
        if not entries:
            raise ImageNotFoundError(f"{store.description} holds no image tagged {clip(selector)}")
    if len(entries) > 1:
        listed = clip_list(tag for e in entries for tag in repo_tags(e)[:1]) or "untagged"
        raise AmbiguousImageError(
            f"{store.description} holds {len(entries)} images ({listed})",
            hint="choose one with ARCHIVE:TAG, e.g. docker-archive://image.tar:name:tag",
        )
    entry = entries[0]
    config_path = text(entry.get("Config"))
    layer_paths = entry.get("Layers")
    if config_path is None or not isinstance(layer_paths, list):
        raise ArchiveError(f"manifest.json in {store.description} has no Config or Layers")
    sources = entry.get("LayerSources")
    sources = sources if isinstance(sources, Mapping) else {}
    config_digest = _digest_from_path(config_path)
    data = store.read_document(config_path)
    if options.verify:  # docker save names the config by its digest, the image ID
        check_document(f"the image config {display(config_path)}", data, config_digest, None)
    config = mapping(parse_json(data, "the image config", store), "the config", store)
    manifest_layers = []
    for path in layer_paths:
        if not isinstance(path, str):
            raise ArchiveError(f"manifest.json in {store.description} has a malformed layer")
        digest = _digest_from_path(path)
        source = sources.get(digest) if digest else None
        media = text(source.get("mediaType")) if isinstance(source, Mapping) else None
        manifest_layers.append(ManifestLayer(path, path.split("/")[0], digest, media, stored=False))
    tags = repo_tags(entry)
    name = selector if selector is not None else (tags[0] if tags else None)
    return assemble(
        store=store,
        reference=reference,
        kind="docker-archive",
        config=config,
        manifest_layers=manifest_layers,
        scan=scan,
        progress=progress,
        options=options,
        name=name,
        config_digest=config_digest,
        manifest_digest=None,
    )


def _digest_from_path(path: str) -> Digest | None:
    """``blobs/sha256/HEX`` or ``HEX.json`` as a digest, where the path says one."""
    if len(path) == 69 and path.endswith(".json") and "/" not in path:
        return Digest(f"sha256:{path[:-5]}")
    return blob_digest(path)
