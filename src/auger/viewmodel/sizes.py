"""Directory sizes, computed on demand from each layer's changes and cached per layer.

A directory's size in the aggregated view of layer K is the sum, over layers 0..K, of how much
each layer changed the bytes visible under it; in the layer view it is what layer K itself
stored under it. Each layer's contributions are worked out once, the first time any size in
that layer is asked for, by walking up from the paths it changed.
"""

from __future__ import annotations

from heapq import heapify, heappop, heappush

from auger.model import DiffType, Entry, EntryKind
from auger.viewmodel.index import ROOT, Event, PathIndex, is_dir_entry

_ADDED, _REMOVED = DiffType.ADDED, DiffType.REMOVED
_DIR = EntryKind.DIR


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

    @property
    def ready(self) -> bool:
        """True once every layer's contributions are known."""
        count = self.index.layer_count
        return len(self._deltas) == count and len(self._stored) == count

    def prepare(self) -> None:
        """Work out every layer's contributions now (for a background thread), so that no
        layer switch waits for them; a few tens of milliseconds per large layer."""
        for layer in range(self.index.layer_count):
            self._layer_deltas(layer)
            self.in_layer(ROOT, layer)

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
        """Per directory: bytes the layer stored under it, or its net change of visible bytes.

        Only the directories above the layer's changes are visited (deepest first, so that a
        directory is complete before it is added to its parent), not every path of the image.
        """
        index = self.index
        parent, timeline = index.parent, index.timeline
        totals: dict[int, int] = {}
        for number, (_, diff, entry) in index.events[layer]:
            # entry_size(), inlined: this loop sees every change of the layer
            new = 0 if diff is _REMOVED or entry is None or entry.kind is _DIR else entry.size
            old = 0
            if not stored_only and diff is not _ADDED:
                old = _size_below(timeline[number] or [], layer)
            if new != old:
                up = parent[number]
                totals[up] = totals.get(up, 0) + new - old
        pending = [-number for number in totals]  # a max-heap of ids: children before parents
        heapify(pending)
        while pending:
            number = -heappop(pending)
            total = totals[number]
            if number == ROOT or not total:
                continue
            up = parent[number]
            if up in totals:
                totals[up] += total
            else:
                totals[up] = total
                heappush(pending, -up)
        return {number: total for number, total in totals.items() if total}


def _size_below(events: list[Event], layer: int) -> int:
    """The bytes a path showed just below ``layer`` (0 where it was absent or removed)."""
    for event in reversed(events):
        if event.layer < layer:
            return 0 if event.diff is _REMOVED else entry_size(event.entry)
    return 0
