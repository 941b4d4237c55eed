"""A described layer read back as auger reads every layer: written to a tar, then scanned.

Tests of the overlay, the metrics, extraction and the explorer's model start from scanned
entries; this is the one way they get them, through the real tar writer and scanner rather
than hand-made records, so that what they test is what an image gives.
"""

from __future__ import annotations

import io

from auger.layers.scanner import scan_layer
from auger.model import Entry, LayerRef, LayerScan
from auger.testing.images import TarEntry, layer_tar

A_LAYER = LayerRef("layer.tar")
"""The blob a layer is scanned as unless told otherwise (errors and warnings name it)."""


def layer_scan(*items: TarEntry, ref: LayerRef = A_LAYER) -> LayerScan:
    """Scan a layer tar written from ``items``, as the blob ``ref`` names."""
    return scan_layer(io.BytesIO(layer_tar(items)), ref)


def entries(*items: TarEntry) -> tuple[Entry, ...]:
    """The entries the scanner finds in a layer tar written from ``items``, in tar order."""
    return layer_scan(*items).entries
