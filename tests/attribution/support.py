"""Layers built in-process, scanned by the real scanner, with their package files captured."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from auger.analysis.overlay import OverlayResult, stack_layers
from auger.attribution.ownership import Ownership, attribute
from auger.layers import capture
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


def captured_files(items: Sequence[TarEntry]) -> dict[str, bytes]:
    """The contents a capturing scan keeps of a layer: package database files only."""
    return {
        item.name.strip("/"): item.data
        for item in items
        if item.kind == "file" and capture.wanted(item.name.strip("/"))
    }


def build(*layers: Sequence[TarEntry]) -> Built:
    scans = [
        scan_layer(io.BytesIO(layer_tar(items)), LayerRef(f"layer{index}.tar"))
        for index, items in enumerate(layers)
    ]
    entries = [scan.entries for scan in scans]
    return Built(
        layers=entries,
        sizes=[scan.size for scan in scans],
        captured=[captured_files(items) for items in layers],
        overlay=stack_layers(entries),
    )
