"""The explorer's index of every path the image ever held, built once from an analysis.

Paths get integer ids in depth-first order (siblings by name), so a directory's subtree is the
id range ``[id, end[id])``. Each path keeps a timeline of ``(layer, diff, entry)`` events taken
from ``analysis.layers[*].changes``, and each layer keeps the sorted ids it changed, per diff
type. Nothing here depends on Textual, and no tree is built per layer.
"""

from __future__ import annotations

from typing import NamedTuple

from auger.model import Change, DiffType, Entry, EntryKind, ImageAnalysis

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


class PathIndex:
    """Ids, names, the directory tree over all layers, per-path timelines, per-layer changes."""

    def __init__(self, analysis: ImageAnalysis) -> None:
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
        self.changed = [
            self._add_layer(layer.index, layer.changes, scanned.scan.entries)
            for layer, scanned in zip(analysis.layers, analysis.image.layers, strict=True)
        ]
        """Per layer: the ids it changed, per diff type, sorted."""

    def _add_layer(
        self, layer: int, changes: tuple[Change, ...], entries: tuple[Entry, ...]
    ) -> dict[DiffType, list[int]]:
        id_of, timeline = self.id_of, self.timeline
        by_diff: dict[DiffType, list[int]] = {diff: [] for diff in DiffType}
        hidden = _hidden_in_layer(changes, entries)
        here: list[tuple[int, Event]] = []
        self.events.append(here)
        for path, diff, entry, _ in changes:
            number = id_of[path]
            if hidden and path in hidden:
                below = self.event_at(number, layer - 1)
                if below is None or below.diff is REMOVED:
                    continue  # added and buried within this layer: never visible
                diff, entry = REMOVED, below.entry
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


def _all_paths(analysis: ImageAnalysis) -> list[str]:
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


def _hidden_in_layer(changes: tuple[Change, ...], entries: tuple[Entry, ...]) -> set[str]:
    """Paths a layer's changes list as present that the layer itself buried again.

    Tar order can put ``a/b`` before a file ``a`` (which hides it) and even another ``a/c``
    after that (which makes ``a`` a directory again, without ``a/b``); the changes keep the
    last state of each path and still list ``a/b``. Only layers where a non-directory entry
    stands above a changed path need the tar-order replay below.
    """
    live = [c.path for c in changes if c.diff is not REMOVED]
    removed = {c.path for c in changes if c.diff is REMOVED}
    flat = {e.path for e in entries if not e.kind.is_marker and e.kind is not EntryKind.DIR}
    if (flat | removed).isdisjoint({path.rpartition("/")[0] for path in live}):
        return set()
    last_flat: dict[str, int] = {}
    made: dict[str, int] = {}
    for position, entry in enumerate(entries):
        if entry.kind.is_marker:
            continue
        if entry.kind is not EntryKind.DIR:
            last_flat[entry.path] = position
        path = entry.path
        while path:
            made[path] = position
            path = path.rpartition("/")[0]
    hidden: set[str] = set()
    for path in sorted(live, key=len):  # parents before their children
        created, head = made.get(path, -1), path.rpartition("/")[0]
        while head:
            if head in hidden or head in removed or last_flat.get(head, -1) > created:
                hidden.add(path)
                break
            head = head.rpartition("/")[0]
    return hidden
