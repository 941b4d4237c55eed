"""Analyse an image: overlay stacking, waste and dive-compatible metrics, all pure."""

from __future__ import annotations

from auger.analysis.dive import dive_metrics
from auger.analysis.overlay import stack_layers
from auger.model import Image, ImageAnalysis


def analyze_image(image: Image) -> ImageAnalysis:
    """Compute everything auger reports about ``image``."""
    entries = [layer.scan.entries for layer in image.layers]
    overlay = stack_layers(entries)
    dive = dive_metrics(entries, [layer.size for layer in image.layers])
    if overlay.warnings:
        image = image.with_warnings(overlay.warnings)
    return ImageAnalysis(
        image=image,
        layers=overlay.layers,
        final=overlay.final,
        size=sum(layer.size for layer in image.layers),
        final_size=overlay.final_size,
        waste=overlay.waste,
        dive=dive,
    )
