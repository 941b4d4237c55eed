"""Layers built in-process and read by the real scanner, which captures their package files."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from auger.analysis.overlay import OverlayResult, stack_layers
from auger.attribution.ownership import Ownership, attribute
from auger.layers.scanner import scan_layer
from auger.model import Entry, LayerRef
from auger.testing.images import TarEntry, layer_tar


@dataclass(frozen=True)
class Built:
    """Scanned layers, what a capturing scan keeps of them, and their overlay."""

    layers: list[tuple[Entry, ...]]
    sizes: list[int]
    captured: list[dict[str, bytes]]
    overlay: OverlayResult

    def ownership(self) -> Ownership:
        return attribute(self.captured, self.overlay.final, self.overlay.waste)


def build(*layers: Sequence[TarEntry]) -> Built:
    scans = [
        scan_layer(io.BytesIO(layer_tar(items)), LayerRef(f"layer{index}.tar"))
        for index, items in enumerate(layers)
    ]
    entries = [scan.entries for scan in scans]
    return Built(
        layers=entries,
        sizes=[scan.size for scan in scans],
        captured=[dict(scan.captured) for scan in scans],
        overlay=stack_layers(entries),
    )
