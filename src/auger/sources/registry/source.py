"""The registry source: an image read straight from a registry, with no daemon.

``registry://HOST[:PORT]/REPO[:TAG|@DIGEST]`` (or a Docker Hub shorthand): the manifest is
fetched (through an index, for the platform asked for), then the config, then the layers,
streamed and verified by digest as :mod:`auger.sources.registry.layers` describes, and the image
assembled in manifest order with each layer's compressed size from the manifest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from auger.model import Image
from auger.progress import Progress
from auger.sources.interface import Credentials, ImageSource, LayerScanner, ReadOptions
from auger.sources.registry.credentials import find_credentials
from auger.sources.registry.reference import parse_reference

if TYPE_CHECKING:
    from auger.sources.registry.transport import RetryPolicy


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
        from auger.sources.registry.reading import pull  # noqa: PLC0415 - loads the HTTP client

        return pull(
            self.image,
            reference=self.reference,
            kind=self.kind,
            lookup=lambda: self._lookup(options, progress),
            environ=self.environ,
            retry=self.retry,
            scan=scan,
            options=options,
            progress=progress,
        )
