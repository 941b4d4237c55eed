"""Pulling an image's manifest, config and layers from a registry (see :mod:`.source`).

Only here are the HTTP client and its modules loaded, so that naming a registry image costs
nothing until it is read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from auger.display import display
from auger.model import Digest, Image
from auger.progress import Progress
from auger.sources.blobs import MAX_DOCUMENT
from auger.sources.interface import (
    Credentials,
    LayerScanner,
    ReadOptions,
    UnsupportedMediaTypeError,
)
from auger.sources.layouts import LAYER_TYPES, ManifestLayer, assemble
from auger.sources.oci_index import CONFIG_TYPES
from auger.sources.platforms import host_platform
from auger.sources.registry.blobs import read_small_blob
from auger.sources.registry.errors import RegistryProtocolError
from auger.sources.registry.layers import LayerFetcher, layers_of
from auger.sources.registry.manifests import fetch_image_manifest
from auger.sources.registry.reference import RegistryReference
from auger.sources.registry.transport import RegistryClient, RetryPolicy


def pull(
    image: RegistryReference,
    *,
    reference: str,
    kind: str,
    lookup: Callable[[], Credentials | None],
    environ: Mapping[str, str],
    retry: RetryPolicy | None,
    scan: LayerScanner,
    options: ReadOptions,
    progress: Progress,
) -> Image:
    """Read ``image`` from its registry, scanning its layers with ``scan``."""
    progress.phase(f"reading {image} from the registry")
    with RegistryClient(
        image,
        lookup,
        tls_verify=options.tls_verify,
        retry=retry,
        environ=environ,
    ) as client:
        manifest = fetch_image_manifest(client, options.platform or host_platform())
        config_digest, config = _config(client, manifest.document, image)
        rootfs = config.get("rootfs")
        diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, Mapping) else None
        layers = layers_of(manifest.document, diff_ids if isinstance(diff_ids, list) else [])
        for layer in layers:
            if layer.media_type not in LAYER_TYPES:
                raise UnsupportedMediaTypeError(
                    f"layer media type {display(layer.media_type)} is not supported"
                )
        fetcher = LayerFetcher(client, layers, scan, progress, options.cache)
        try:
            return assemble(
                store=fetcher,
                reference=reference,
                kind=kind,
                config=config,
                manifest_layers=[
                    ManifestLayer(
                        layer.digest,
                        layer.digest.partition(":")[2],
                        Digest(layer.digest),
                        layer.media_type,
                        stored=True,
                    )
                    for layer in layers
                ],
                scan=scan,
                progress=progress,
                options=options,
                name=str(image),
                config_digest=Digest(config_digest),
                manifest_digest=Digest(manifest.digest),
            )
        finally:
            fetcher.close()


def _config(
    client: RegistryClient, manifest: Mapping[str, Any], image: RegistryReference
) -> tuple[str, Mapping[str, Any]]:
    descriptor = manifest.get("config")
    if not isinstance(descriptor, Mapping):
        raise RegistryProtocolError(f"the manifest of {image} has no config")
    media, digest, size = (descriptor.get(key) for key in ("mediaType", "digest", "size"))
    if media not in CONFIG_TYPES:
        raise UnsupportedMediaTypeError(
            f"{image} is not a container image (config media type {display(str(media))})"
        )
    if not isinstance(digest, str) or not isinstance(size, int):
        raise RegistryProtocolError(f"the manifest of {image} has a malformed config descriptor")
    data = read_small_blob(client, digest, size, MAX_DOCUMENT)
    try:
        config = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RegistryProtocolError(f"the config of {image} is not JSON") from exc
    if not isinstance(config, Mapping):
        raise RegistryProtocolError(f"the config of {image} is not a JSON object")
    return digest, config
