"""The registry source: an image read straight from a registry, with no daemon.

``registry://HOST[:PORT]/REPO[:TAG|@DIGEST]`` (or a Docker Hub shorthand): the manifest is
fetched (through an index, for the platform asked for), then the config, then the layers,
streamed and verified by digest as :mod:`auger.sources.registry.layers` describes, and the image
assembled in manifest order with each layer's compressed size from the manifest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from auger.layers import paths
from auger.model import Digest, Image
from auger.progress import Progress
from auger.sources.blobs import MAX_DOCUMENT
from auger.sources.interface import (
    Credentials,
    ImageSource,
    LayerScanner,
    ReadOptions,
    UnsupportedMediaTypeError,
)
from auger.sources.layouts import LAYER_TYPES, ManifestLayer, assemble
from auger.sources.oci_index import CONFIG_TYPES
from auger.sources.platforms import host_platform
from auger.sources.registry.blobs import read_small_blob
from auger.sources.registry.credentials import find_credentials
from auger.sources.registry.errors import RegistryProtocolError
from auger.sources.registry.layers import LayerFetcher, layers_of
from auger.sources.registry.manifests import fetch_image_manifest
from auger.sources.registry.reference import RegistryReference, parse_reference
from auger.sources.registry.transport import RegistryClient, RetryPolicy


class RegistrySource(ImageSource):
    """An image in a registry (OCI Distribution API over HTTP)."""

    kind = "registry"

    def __init__(
        self,
        name: str,
        reference: str,
        environ: Mapping[str, str],
        retry: RetryPolicy | None = None,
    ) -> None:
        self.image = parse_reference(name)
        self.reference = reference
        self.environ = environ
        self.retry = retry

    def _lookup(self, options: ReadOptions, progress: Progress) -> Credentials | None:
        if options.credentials is not None:
            return options.credentials
        return find_credentials(self.image, self.environ, progress)

    def read(self, scan: LayerScanner, options: ReadOptions, progress: Progress) -> Image:
        image = self.image
        progress.phase(f"reading {image} from the registry")
        with RegistryClient(
            image,
            lambda: self._lookup(options, progress),
            tls_verify=options.tls_verify,
            retry=self.retry,
            environ=self.environ,
        ) as client:
            manifest = fetch_image_manifest(client, options.platform or host_platform())
            config_digest, config = _config(client, manifest.document, image)
            rootfs = config.get("rootfs")
            diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, Mapping) else None
            layers = layers_of(manifest.document, diff_ids if isinstance(diff_ids, list) else [])
            for layer in layers:
                if layer.media_type not in LAYER_TYPES:
                    raise UnsupportedMediaTypeError(
                        f"layer media type {paths.display(layer.media_type)} is not supported"
                    )
            fetcher = LayerFetcher(client, layers, scan, progress, options.cache)
            try:
                return assemble(
                    store=fetcher,
                    reference=self.reference,
                    kind=self.kind,
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
            f"{image} is not a container image (config media type {paths.display(str(media))})"
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
