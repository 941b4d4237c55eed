"""The one core: a reference in, an :class:`~auger.model.ImageAnalysis` out.

Every front end (the CLI gate and exports, reports, the TUI) calls :func:`analyze`; one that
reads the image again afterwards (to extract from it) resolves the source once and calls
:func:`analyze_source`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple

from auger.analysis.image import analyze_image
from auger.cache.scanning import Settlement, digesting_scanner
from auger.cache.store import LayerCache
from auger.layers.scanner import scan_layer
from auger.model import ImageAnalysis
from auger.progress import NullProgress, Progress
from auger.runtime import cycle_collection_paused
from auger.sources.interface import Credentials, ImageSource, Platform, ReadOptions
from auger.sources.platforms import platform_not_applied
from auger.sources.reference import resolve_source


class AnalyzeOptions(NamedTuple):
    """How to find the image."""

    source: str | None = None
    """Force a source kind instead of inferring it from the reference."""
    platform: Platform | None = None
    credentials: Credentials | None = None
    """Registry credentials that override the stored ones (``--creds``)."""
    tls_verify: bool = True
    """Verify a registry's TLS certificate (``--tls-verify=false`` turns it off)."""
    cache: LayerCache | None = None
    """The layer cache to take scans from and keep them in (none: every layer is read)."""
    verify: bool = True
    """Check blobs and layers against the digests and sizes that name them."""

    def read_options(self) -> ReadOptions:
        """What the source is told."""
        return ReadOptions(
            platform=self.platform,
            credentials=self.credentials,
            tls_verify=self.tls_verify,
            cache=self.cache,
            verify=self.verify,
            documents=self.cache,
        )


def analyze(
    reference: str,
    options: AnalyzeOptions | None = None,
    progress: Progress | None = None,
    environ: Mapping[str, str] | None = None,
) -> ImageAnalysis:
    """Read the image ``reference`` names and analyse it."""
    options = options or AnalyzeOptions()
    source = resolve_source(reference, options.source, os.environ if environ is None else environ)
    return analyze_source(source, options.read_options(), progress)


def analyze_source(
    source: ImageSource, options: ReadOptions, progress: Progress | None = None
) -> ImageAnalysis:
    """Read the image from a source already resolved and analyse it.

    With ``options.verify``, each layer is digested as it is scanned (so that sources can check
    it, and the cache can keep it under the digest of what was read); a layer hashed from its
    file beside the scan is checked once the analysis is done, before it is returned (see
    :class:`~auger.cache.scanning.Settlement`). A layer cache that was added to is trimmed to
    its cap afterwards. When ``--platform`` asked for a platform the
    image is not for (a source with one image has no choice to make), the image carries a
    warning saying so.
    """
    progress = progress or NullProgress()
    cache = options.cache
    settlement = Settlement(cache)
    scan = (
        digesting_scanner(scan_layer, cache, settlement=settlement)
        if options.verify
        else scan_layer
    )
    with cycle_collection_paused(freeze_after=True):
        try:
            image = source.read(scan, options, progress)
            if options.platform is not None:
                note = platform_not_applied(options.platform, image)
                image = image.with_warnings((note,)) if note else image
            progress.phase("analysing")
            try:
                analysis = analyze_image(image)
            except Exception:  # (an interrupt is not kept waiting for the digests)
                settlement.settle()  # a layer that is not what it claims explains the failure
                raise
            progress.phase("verifying")
            settlement.settle()
            return analysis
        finally:
            settlement.abandon()
            if isinstance(cache, LayerCache) and cache.written:
                cache.trim()
