"""The explorer's index of every path the image ever held, built once from an analysis.

Paths get integer ids in depth-first order (siblings by name), so a directory's subtree is the
id range ``[id, end[id])``. Each path keeps a timeline of ``(layer, diff, entry)`` events taken
from ``analysis.layers[*].changes``, and each layer keeps the sorted ids it changed, per diff
type. Nothing here depends on Textual, and no tree is built per layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

from auger.model import Change, DiffType, Entry, EntryKind, LayerAnalysis

ROOT = 0
"""The id of the root directory (path ``""``)."""

REMOVED = DiffType.REMOVED
_ROOT_EVENT_DIFF = DiffType.UNMODIFIED


class Event(NamedTuple):
    """What happened to a path in one layer."""

    layer: int
    diff: DiffType
    entry: Entry | None
    """The entry (for removals, the hidden one); ``None`` for a directory no layer declared."""


_ROOT_EVENT = Event(-1, _ROOT_EVENT_DIFF, None)


def is_dir_entry(entry: Entry | None) -> bool:
    """True for a directory entry or an implicit directory (``None``)."""
    return entry is None or entry.kind is EntryKind.DIR


class Stacked(Protocol):
    """What the index reads: layers of changes, bottom first (an
    :class:`~auger.model.ImageAnalysis`, or the two-image comparison's synthetic layers)."""

    @property
    def layers(self) -> Sequence[LayerAnalysis]: ...


class PathIndex:
    """Ids, names, the directory tree over all layers, per-path timelines, per-layer changes."""

    def __init__(self, analysis: Stacked) -> None:
        self.layer_count = len(analysis.layers)
        self.paths = _all_paths(analysis)
        self.id_of = {path: number for number, path in enumerate(self.paths)}
        count = len(self.paths)
        id_of = self.id_of
        self.parent = [ROOT, *(id_of[path.rpartition("/")[0]] for path in self.paths[1:])]
        self.children: list[list[int] | None] = [None] * count
        for number in range(1, count):
            up = self.parent[number]
            siblings = self.children[up]
            if siblings is None:
                self.children[up] = [number]
            else:
                siblings.append(number)
        self.end = list(range(1, count + 1))
        parent, end = self.parent, self.end
        for number in range(count - 1, 0, -1):  # children before parents
            end[parent[number]] = max(end[parent[number]], end[number])
        self.timeline: list[list[Event] | None] = [None] * count
        self.events: list[list[tuple[int, Event]]] = []
        """Per layer: ``(id, event)`` of every path it changed."""
        self.changed = [self._add_layer(layer.index, layer.changes) for layer in analysis.layers]
        """Per layer: the ids it changed, per diff type, sorted."""

    def _add_layer(self, layer: int, changes: tuple[Change, ...]) -> dict[DiffType, list[int]]:
        id_of, timeline = self.id_of, self.timeline
        by_diff: dict[DiffType, list[int]] = {diff: [] for diff in DiffType}
        here: list[tuple[int, Event]] = []
        self.events.append(here)
        for path, diff, entry, _ in changes:
            number = id_of[path]
            event = Event(layer, diff, entry)
            events = timeline[number]
            if events is None:
                timeline[number] = [event]
            else:
                events.append(event)
            by_diff[diff].append(number)
            here.append((number, event))
        for numbers in by_diff.values():
            numbers.sort()
        return by_diff

    def event_at(self, number: int, layer: int) -> Event | None:
        """The path as stacked up to ``layer``: its last event, or ``None`` when absent.

        A path removed below ``layer`` is absent; one removed in ``layer`` itself keeps its
        removal event (the explorer shows it as removed).
        """
        events = self.timeline[number]
        if events is None:
            return None if number else _ROOT_EVENT
        for event in reversed(events):
            if event.layer <= layer:
                if event.diff is REMOVED and event.layer != layer:
                    return None
                return event
        return None

    def change_in(self, number: int, layer: int) -> Event | None:
        """The path's event in exactly ``layer``, if it changed there."""
        for event in self.timeline[number] or ():
            if event.layer == layer:
                return event
        return None

    def name(self, number: int) -> str:
        """The last component of the path (``/`` for the root)."""
        return self.paths[number].rpartition("/")[2] if number else "/"

    def ancestors(self, number: int) -> list[int]:
        """The ids from the root down to the parent of ``number``."""
        chain: list[int] = []
        while number != ROOT:
            number = self.parent[number]
            chain.append(number)
        chain.reverse()
        return chain


def _all_paths(analysis: Stacked) -> list[str]:
    """Every path of every layer plus its ancestors, in depth-first order; the root first."""
    seen: set[str] = set()
    for layer in analysis.layers:
        seen.update([change.path for change in layer.changes])
    missing = {path.rpartition("/")[0] for path in seen} - seen
    while missing - {""}:
        seen |= missing
        missing = {path.rpartition("/")[0] for path in missing} - seen
    seen.discard("")
    keys = sorted([path.replace("/", "\0") for path in seen])  # "/" sorts before any name byte
    return ["", *(key.replace("\0", "/") for key in keys)]
