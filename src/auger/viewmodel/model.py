"""The explorer's view model: what the file tree shows, answered lazily, without Textual.

A :class:`View` says which layer, which mode (that layer's changes only, or the filesystem as
stacked up to it), which diff types, which filter and which order. :class:`ViewModel` answers
"the children of directory D" for a view from the :class:`~auger.viewmodel.index.PathIndex`, one
directory at a time, caching only per view; nothing is built per layer up front.
"""

from __future__ import annotations

import enum
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from auger.model import DiffType, Entry, EntryKind
from auger.viewmodel.index import PathIndex, is_dir_entry
from auger.viewmodel.pathfilter import PathFilter
from auger.viewmodel.sizes import DirSizes, entry_size

ALL_DIFFS = frozenset(DiffType)
_UNMODIFIED = DiffType.UNMODIFIED
_REMOVED = DiffType.REMOVED
_DIR = EntryKind.DIR


class Mode(enum.Enum):
    """Which filesystem the tree shows for the selected layer."""

    LAYER = "layer changes"
    AGGREGATED = "aggregated"


class SortOrder(enum.Enum):
    NAME = "name"
    SIZE = "size"


@dataclass(frozen=True, slots=True)
class View:
    """Everything that decides what the tree shows."""

    layer: int
    mode: Mode = Mode.AGGREGATED
    shown: frozenset[DiffType] = field(default=ALL_DIFFS)
    sort: SortOrder = SortOrder.NAME
    filter: PathFilter | None = None


class Item(NamedTuple):
    """A path as a view shows it."""

    id: int
    diff: DiffType
    entry: Entry | None
    is_dir: bool
    context: bool = False
    """An unchanged directory shown in the layer view only because it holds changes."""


class ViewModel:
    """Answers what a view shows, one directory at a time."""

    def __init__(self, index: PathIndex) -> None:
        self.index = index
        self.sizes = DirSizes(index)
        self._view: View | None = None
        self._holds: dict[int, bool] = {}
        self._changed_all: dict[int, list[int]] = {}
        self._changed_sets: dict[tuple[int, DiffType], frozenset[int]] = {}

    def _use(self, view: View) -> None:
        if view != self._view:
            self._view = view
            self._holds = {}

    def item(self, view: View, number: int) -> Item | None:
        """How path ``number`` appears in ``view`` (ignoring toggles and filter), if at all."""
        index = self.index
        if view.mode is Mode.AGGREGATED:
            event = index.event_at(number, view.layer)
            if event is None:
                return None
            diff = event.diff if event.layer == view.layer else _UNMODIFIED
            return Item(number, diff, event.entry, is_dir_entry(event.entry))
        event = index.change_in(number, view.layer)
        if event is not None:
            return Item(number, event.diff, event.entry, is_dir_entry(event.entry))
        if number and not self._changes_below(number, view.layer):
            return None
        below = index.event_at(number, view.layer)
        return Item(number, _UNMODIFIED, below.entry if below else None, True, context=True)

    def children(self, view: View, number: int) -> list[Item]:
        """The items directly under directory ``number`` that ``view`` shows, in its order."""
        self._use(view)
        candidates = self.index.children[number] or []
        if view.filter is not None and len(candidates) > 1:
            candidates = self._holding_matches(number, view.filter.matches, candidates)
        if view.mode is Mode.AGGREGATED:
            items = self._stacked(view.layer, candidates)
        else:
            items = [item for n in candidates if (item := self.item(view, n)) is not None]
        if view.filter is not None or view.shown != ALL_DIFFS:
            items = [item for item in items if self.shows(view, item)]
        if view.sort is SortOrder.SIZE:
            items.sort(key=lambda item: -self.size(view, item))
        return items

    def _holding_matches(self, number: int, matches: list[int], children: list[int]) -> list[int]:
        """The ``children`` of ``number`` whose subtree holds a filter match (no other child
        can be shown), found from the matches when they are fewer than the children.

        A path's subtree is the id range ``[id, end[id])``, so each child holding matches is
        found from its first match, and its other matches are skipped by bisection.
        """
        index = self.index
        first = bisect_left(matches, number + 1)
        last = bisect_left(matches, index.end[number], first)
        if last - first >= len(children):
            return children
        parent, end = index.parent, index.end
        found: list[int] = []
        position = first
        while position < last:
            child = matches[position]
            while parent[child] != number:
                child = parent[child]
            found.append(child)
            position = bisect_left(matches, end[child], position + 1, last)
        return found

    def _stacked(self, layer: int, candidates: list[int]) -> list[Item]:
        """:meth:`item` for many paths of the aggregated view (the hot loop, inlined)."""
        timeline = self.index.timeline
        items: list[Item] = []
        for n in candidates:
            events = timeline[n]
            if events is None:
                continue
            event = events[-1]
            if event.layer > layer:
                for event in reversed(events):  # the loop finds the event
                    if event.layer <= layer:
                        break
                else:
                    continue
            if event.layer == layer:
                diff = event.diff
            elif event.diff is _REMOVED:
                continue
            else:
                diff = _UNMODIFIED
            entry = event.entry
            items.append(Item(n, diff, entry, entry is None or entry.kind is _DIR))
        return items

    def shows(self, view: View, item: Item) -> bool:
        """True if the item passes the toggles and the filter itself or holds one that does."""
        self._use(view)
        matched = view.filter is None or item.id in view.filter
        if not item.context and item.diff in view.shown and matched:
            return True
        if not item.is_dir:
            return False
        held = self._holds.get(item.id)
        if held is None:
            held = self._holds[item.id] = self._holds_shown(view, item.id)
        return held

    def size(self, view: View, item: Item) -> int:
        """A file's size, or the bytes under a directory in this view."""
        if not item.is_dir:
            return entry_size(item.entry)
        if view.mode is Mode.LAYER:
            return self.sizes.in_layer(item.id, view.layer)
        if item.diff is _REMOVED:
            return self.sizes.aggregated(item.id, view.layer - 1) if view.layer else 0
        return self.sizes.aggregated(item.id, view.layer)

    def _changes_below(self, number: int, layer: int) -> bool:
        changed = self._changed_all.get(layer)
        if changed is None:
            changed = sorted(n for ids in self.index.changed[layer].values() for n in ids)
            self._changed_all[layer] = changed
        position = bisect_left(changed, number + 1)
        return position < len(changed) and changed[position] < self.index.end[number]

    def _holds_shown(self, view: View, number: int) -> bool:
        """True if some path below ``number`` is in the view and passes toggles and filter."""
        low, high = number + 1, self.index.end[number]
        changed = self.index.changed[view.layer]
        for diff in view.shown:
            found = self._changed_matching(view, diff, changed[diff], low, high)
            if diff is not _REMOVED:
                if next(found, None) is not None:
                    return True
            elif any(self._reachable(n, number, view.layer) for n in found):
                return True
        if _UNMODIFIED not in view.shown or view.mode is Mode.LAYER:
            return False
        return self._holds_inherited(view, low, high)

    def _changed_matching(
        self, view: View, diff: DiffType, ids: list[int], low: int, high: int
    ) -> Iterator[int]:
        """Ids in ``[low, high)`` that changed with ``diff`` and match the filter, lazily.

        Walks the shorter of the two sorted ranges (changed ids, filter matches) and tests
        membership in the other, so a directory with a match answers at the first one.
        """
        start, stop = bisect_left(ids, low), bisect_left(ids, high)
        if view.filter is None:
            return (ids[k] for k in range(start, stop))
        matches = view.filter.matches
        first, last = bisect_left(matches, low), bisect_left(matches, high)
        if last - first < stop - start:
            key = (view.layer, diff)
            members = self._changed_sets.get(key)
            if members is None:
                members = self._changed_sets[key] = frozenset(ids)
            return (matches[k] for k in range(first, last) if matches[k] in members)
        found = view.filter
        return (ids[k] for k in range(start, stop) if ids[k] in found)

    def _reachable(self, number: int, top: int, layer: int) -> bool:
        """False for a path removed below something that is no longer a directory."""
        index = self.index
        up = index.parent[number]
        while up != top:
            event = index.event_at(up, layer)
            if event is None or not is_dir_entry(event.entry):
                return False
            up = index.parent[up]
        return True

    def _holds_inherited(self, view: View, low: int, high: int) -> bool:
        """True if a path in ``[low, high)`` is visible from a layer below the view's."""
        index, layer = self.index, view.layer
        if view.filter is not None:
            matches = view.filter.matches
            for n in matches[bisect_left(matches, low) : bisect_left(matches, high)]:
                event = index.event_at(n, layer)
                if event is not None and event.layer < layer:
                    return True
            return False
        n = low
        while n < high:
            event = index.event_at(n, layer)
            if event is None:
                n = index.end[n]  # absent here, and so is everything below it
            elif event.layer < layer:
                return True
            else:
                n += 1
        return False
