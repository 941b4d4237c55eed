"""Tell which layer a blob is from the label a source passes to its scanner.

Sources label each blob they scan: ``layer N (DIGEST-or-NAME)`` when they read the manifest's
layers in order (plain archives, OCI directories), ``layer NAME`` when they scan every blob of a
streamed archive as it goes by (the engine, compressed archives). ``NAME`` is the blob's path in
the archive: ``blobs/sha256/HEX``, or ``ID/layer.tar`` in the layout before Docker 25. Layers
with the same diff ID have the same contents, so one blob serves all of them.
"""

from __future__ import annotations

import re

from auger.layers.paths import display
from auger.model import Layer

_INDEXED = re.compile(r"layer (\d+) \((.*)\)\Z", re.DOTALL)


def blob_names(layer: Layer) -> set[str]:
    """The names a source may use for the layer's blob in a label."""
    names = {f"{layer.id}/layer.tar"}
    if layer.digest:
        algorithm, _, encoded = layer.digest.partition(":")
        names |= {display(layer.digest), f"blobs/{algorithm}/{encoded}"}
    return names


def layers_for_label(label: str, layers: tuple[Layer, ...]) -> set[int]:
    """The indices of the layers whose contents the blob labelled ``label`` holds."""
    indexed = _INDEXED.match(label)
    if indexed and int(indexed[1]) < len(layers):
        found = {int(indexed[1])} if indexed[2] in blob_names(layers[int(indexed[1])]) else set()
    else:
        name = label.removeprefix("layer ")
        found = {layer.index for layer in layers if name in blob_names(layer)}
    same = {layers[index].diff_id for index in found} - {None}
    return found | {layer.index for layer in layers if layer.diff_id in same}
