"""The one core: a reference in, an :class:`~auger.model.ImageAnalysis` out.

Every front end (the CLI gate and exports, reports, the TUI) calls :func:`analyze`; one that
reads the image again afterwards (to extract from it) resolves the source once and calls
:func:`analyze_source`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from auger.analysis.image import analyze_image
from auger.layers.scanner import scan_layer
from auger.model import ImageAnalysis
from auger.progress import NullProgress, Progress
from auger.runtime import cycle_collection_paused
from auger.sources.interface import Credentials, ImageSource, Platform, ReadOptions
from auger.sources.platforms import platform_not_applied
from auger.sources.reference import resolve_source


@dataclass(frozen=True, slots=True)
class AnalyzeOptions:
    """How to find the image."""

    source: str | None = None
    """Force a source kind instead of inferring it from the reference."""
    platform: Platform | None = None
    credentials: Credentials | None = None
    """Registry credentials that override the stored ones (``--creds``)."""
    tls_verify: bool = True
    """Verify a registry's TLS certificate (``--tls-verify=false`` turns it off)."""

    def read_options(self) -> ReadOptions:
        """What the source is told."""
        return ReadOptions(
            platform=self.platform, credentials=self.credentials, tls_verify=self.tls_verify
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
    """Read the image from a source already resolved and analyse it. When ``--platform`` asked
    for a platform the image is not for (a source with one image has no choice to make), the
    image carries a warning saying so."""
    progress = progress or NullProgress()
    with cycle_collection_paused(freeze_after=True):
        image = source.read(scan_layer, options, progress)
        if options.platform is not None:
            note = platform_not_applied(options.platform, image)
            image = image.with_warnings((note,)) if note else image
        progress.phase("analysing")
        return analyze_image(image)
