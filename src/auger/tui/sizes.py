"""Directory sizes, computed on demand from each layer's changes and cached per layer.

A directory's size in the aggregated view of layer K is the sum, over layers 0..K, of how much
each layer changed the bytes visible under it; in the layer view it is what layer K itself
stored under it. Each layer's contributions are worked out once, the first time any size in
that layer is asked for, by walking up from the paths it changed.
"""

from __future__ import annotations

from auger.model import DiffType, Entry
from auger.tui.index import PathIndex, is_dir_entry

_ADDED, _REMOVED = DiffType.ADDED, DiffType.REMOVED


def entry_size(entry: Entry | None) -> int:
    """The content bytes of an entry (0 for directories and implicit directories)."""
    return 0 if entry is None or is_dir_entry(entry) else entry.size


class DirSizes:
    """Sizes of directories per layer, for both views."""

    def __init__(self, index: PathIndex) -> None:
        self.index = index
        self._deltas: dict[int, dict[int, int]] = {}
        self._stored: dict[int, dict[int, int]] = {}
        self._totals: dict[tuple[int, int], int] = {}

    def aggregated(self, number: int, layer: int) -> int:
        """Bytes visible under directory ``number`` once layers 0..``layer`` are stacked."""
        key = (number, layer)
        total = self._totals.get(key)
        if total is None:
            total = sum(self._layer_deltas(k).get(number, 0) for k in range(layer + 1))
            self._totals[key] = total
        return total

    def in_layer(self, number: int, layer: int) -> int:
        """Bytes ``layer`` itself stored under directory ``number``."""
        stored = self._stored.get(layer)
        if stored is None:
            stored = self._stored[layer] = self._sum_up(layer, stored_only=True)
        return stored.get(number, 0)

    def _layer_deltas(self, layer: int) -> dict[int, int]:
        deltas = self._deltas.get(layer)
        if deltas is None:
            deltas = self._deltas[layer] = self._sum_up(layer, stored_only=False)
        return deltas

    def _sum_up(self, layer: int, *, stored_only: bool) -> dict[int, int]:
        """Per directory: bytes the layer stored under it, or its net change of visible bytes."""
        index = self.index
        parent, event_at = index.parent, index.event_at
        totals = [0] * len(index.paths)
        for number, event in index.events[layer]:
            new = 0 if event.diff is _REMOVED else entry_size(event.entry)
            old = 0
            if not stored_only and layer and event.diff is not _ADDED:
                below = event_at(number, layer - 1)
                if below is not None and below.diff is not _REMOVED:
                    old = entry_size(below.entry)
            if new != old:
                totals[parent[number]] += new - old
        for number in range(len(totals) - 1, 0, -1):  # children before parents
            if totals[number]:
                totals[parent[number]] += totals[number]
        return {number: total for number, total in enumerate(totals) if total}
