"""Pair the layers of two images the way a person reads a Dockerfile: "layer 6 grew".

Pure: two layer sequences in, one :class:`LayerPair` per layer of either image out. Pairing
goes from the strongest evidence to the weakest:

1. the same diff ID, in order (identical tars that kept their place);
2. within each stretch between those, the same command, in order, and then what is left at
   the same place in stretches of equal length (a ``RUN`` that now installs more);
3. the same diff ID out of order (a reordered stack).

A paired layer with another diff ID whose entries are identical (same paths, types, modes,
owners, sizes, link targets and content checksums: only timestamps differ, as after a build
without cache) is *rebuilt*, not changed.
"""

from __future__ import annotations

import enum
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from auger.model import Entry, EntryKind, Layer


class LayerChange(enum.Enum):
    """How a layer compares with its counterpart in the other image."""

    UNCHANGED = "unchanged"
    """The same diff ID at the same place."""
    MOVED = "moved"
    """The same diff ID at another place (a reordered stack)."""
    REBUILT = "unchanged (rebuilt)"
    """Another diff ID, identical entries: only timestamps differ."""
    CHANGED = "changed"
    ADDED = "added"
    """Only in the new image."""
    REMOVED = "removed"
    """Only in the old image."""

    @property
    def same_contents(self) -> bool:
        return self in (LayerChange.UNCHANGED, LayerChange.MOVED, LayerChange.REBUILT)


@dataclass(frozen=True, slots=True)
class LayerPair:
    """A layer of the new image and its counterpart in the old one (either may be missing)."""

    base: Layer | None
    head: Layer | None
    change: LayerChange

    @property
    def delta(self) -> int:
        """Bytes the layer grew by (0 for layers with the same contents)."""
        if self.change.same_contents:
            return 0
        return (self.head.size if self.head else 0) - (self.base.size if self.base else 0)

    @property
    def index(self) -> int:
        """The layer's index in the new image, else in the old one."""
        layer = self.head or self.base
        assert layer is not None
        return layer.index

    @property
    def verb(self) -> str:
        """``grew``, ``shrank`` or ``changed`` for a changed layer, ``new`` for an added one;
        its change otherwise."""
        if self.change is LayerChange.ADDED:
            return "new"
        if self.change is not LayerChange.CHANGED:
            return str(self.change.value)
        return "grew" if self.delta > 0 else "shrank" if self.delta < 0 else "changed"


def _key(entry: Entry) -> tuple[object, ...]:
    return (entry.path, entry.kind, entry.size, entry.mode, entry.uid, entry.gid, entry.link)


def same_contents(old: Layer, new: Layer) -> bool:
    """True if two layers hold the same entries with the same contents (timestamps aside).

    Needs the content checksums the scanner records for regular files; without them, a file
    cannot be told equal and the layers are not.
    """
    if old.diff_id is not None and old.diff_id == new.diff_id:
        return True
    if old.size != new.size or len(old.scan.entries) != len(new.scan.entries):
        return False
    for entries in (old.scan.entries, new.scan.entries):
        if any(e.kind is EntryKind.FILE and e.size and e.digest is None for e in entries):
            return False
    return Counter((*_key(e), e.digest) for e in old.scan.entries) == Counter(
        (*_key(e), e.digest) for e in new.scan.entries
    )


def _identity(layer: Layer) -> object:
    """What makes two layers the same tar: the diff ID (a layer without one is like no other)."""
    return layer.diff_id if layer.diff_id is not None else object()


def _aligned(old: Sequence[object], new: Sequence[object]) -> list[tuple[int, int]]:
    """Index pairs of equal items of two sequences, in order (longest matching blocks)."""
    matcher = SequenceMatcher(None, list(old), list(new), autojunk=False)
    return [
        (block.a + offset, block.b + offset)
        for block in matcher.get_matching_blocks()
        for offset in range(block.size)
    ]


def _pair_stretch(old: Sequence[Layer], new: Sequence[Layer], pairs: dict[int, int]) -> None:
    """Pair a stretch between identical layers by command, then by place."""
    by_command = _aligned([layer.created_by for layer in old], [layer.created_by for layer in new])
    inner = list(by_command)
    edges = [(-1, -1), *by_command, (len(old), len(new))]
    for (a0, b0), (a1, b1) in itertools.pairwise(edges):
        if a1 - a0 == b1 - b0:  # a stretch of as many old as new layers pairs them by place
            inner += [(a0 + k, b0 + k) for k in range(1, a1 - a0)]
    for a, b in inner:
        pairs[new[b].index] = old[a].index


def match_layers(old: Sequence[Layer], new: Sequence[Layer]) -> tuple[LayerPair, ...]:
    """Pair the layers of ``new`` with those of ``old``: the new image's layers in order, each
    old layer without a counterpart just after the new layer it followed."""
    pairs: dict[int, int] = {}  # new index -> old index
    identical = _aligned([_identity(layer) for layer in old], [_identity(layer) for layer in new])
    edges = [(-1, -1), *identical, (len(old), len(new))]
    for (a0, b0), (a1, b1) in itertools.pairwise(edges):
        _pair_stretch(old[a0 + 1 : a1], new[b0 + 1 : b1], pairs)
    for a, b in identical:
        pairs[new[b].index] = old[a].index
    in_place = {(old_index, new_index) for new_index, old_index in pairs.items()}
    used = set(pairs.values())
    elsewhere: dict[object, list[int]] = {}
    for layer in old:
        if layer.index not in used:
            elsewhere.setdefault(_identity(layer), []).append(layer.index)
    for layer in new:  # a reordered stack: the same tar elsewhere
        candidates = elsewhere.get(_identity(layer))
        if layer.index not in pairs and candidates:
            pairs[layer.index] = candidates.pop(0)
            used.add(pairs[layer.index])
    by_index = {layer.index: layer for layer in old}
    result: list[LayerPair] = []
    leftovers = [layer for layer in old if layer.index not in used]
    for layer in new:
        counterpart = by_index.get(pairs[layer.index]) if layer.index in pairs else None
        while leftovers and counterpart is not None and leftovers[0].index < counterpart.index:
            result.append(LayerPair(leftovers.pop(0), None, LayerChange.REMOVED))
        if counterpart is None:
            result.append(LayerPair(None, layer, LayerChange.ADDED))
        elif counterpart.diff_id is not None and counterpart.diff_id == layer.diff_id:
            moved = (counterpart.index, layer.index) not in in_place
            result.append(
                LayerPair(counterpart, layer, LayerChange.MOVED if moved else LayerChange.UNCHANGED)
            )
        elif same_contents(counterpart, layer):
            result.append(LayerPair(counterpart, layer, LayerChange.REBUILT))
        else:
            result.append(LayerPair(counterpart, layer, LayerChange.CHANGED))
    result += [LayerPair(layer, None, LayerChange.REMOVED) for layer in leftovers]
    return tuple(result)
