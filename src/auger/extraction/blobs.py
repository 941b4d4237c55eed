"""Tell which layers a blob holds, from the :class:`~auger.model.LayerRef` its source passes.

A source that reads the manifest first names the layer's position, digest and diff ID; one that
scans a streamed archive's blobs as they pass names only the blob (and the digest its name
spells). Layers with the same diff ID have the same contents, so one blob serves all of them
(``docker save`` links a repeated layer to its first copy).
"""

from __future__ import annotations

from collections.abc import Sequence

from auger.model import Layer, LayerRef


def is_blob_of(ref: LayerRef, layer: Layer) -> bool:
    """True if ``ref`` names the blob ``layer`` was read from, by the strongest fact both have."""
    if ref.digest is not None and layer.digest is not None:
        return ref.digest == layer.digest
    if ref.diff_id is not None and layer.diff_id is not None:
        return ref.diff_id == layer.diff_id
    return ref.blob == layer.blob


def layers_holding(ref: LayerRef, layers: Sequence[Layer]) -> set[int]:
    """The indices of the layers whose contents the blob ``ref`` holds."""
    if ref.index is not None:
        known = ref.index < len(layers) and is_blob_of(ref, layers[ref.index])
        found = {ref.index} if known else set()
    else:
        found = {layer.index for layer in layers if is_blob_of(ref, layer)}
    same = {layers[index].diff_id for index in found} - {None}
    return found | {layer.index for layer in layers if layer.diff_id in same}
