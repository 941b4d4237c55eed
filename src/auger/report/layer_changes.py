"""A changed layer in words, for every format: "layer 6 grew by 12 MB: /app/node_modules +11.8 MB".

The words hold only numbers and auger's own vocabulary; the directories are names from the
image, which each format escapes itself (:class:`~auger.analysis.folding.Rollup` labels).
"""

from __future__ import annotations

from dataclasses import dataclass

from auger.analysis.diff import ImageDiff, LayerDelta
from auger.analysis.folding import Rollup
from auger.analysis.layer_match import LayerChange
from auger.display import format_size
from auger.model import Layer

NAMED = 3
"""Directories named after a changed layer; the rest are counted."""
NO_COMMAND = "(no command)"


def signed(value: int) -> str:
    """``+1.2 kB``, ``-300 B`` or ``±0 B``."""
    return ("+" if value > 0 else "-" if value < 0 else "±") + format_size(abs(value))


@dataclass(frozen=True, slots=True)
class LayerStory:
    """What happened to one layer: a headline, where its bytes went, and its command."""

    headline: str
    directories: tuple[Rollup, ...]
    """The directories that changed most (never one that changed by 0 bytes)."""
    others: int
    """How many more directories changed by some bytes."""
    others_delta: int
    layer: Layer
    """The layer whose command to show (the new one, or the removed one)."""

    @property
    def more(self) -> str:
        """``2 more directories +100 B`` (``""`` when there are none)."""
        if not self.others:
            return ""
        noun = "directory" if self.others == 1 else "directories"
        return f"{self.others} more {noun} {signed(self.others_delta)}"


def story(delta: LayerDelta) -> LayerStory:
    """Put a changed layer in words."""
    pair = delta.pair
    if pair.head is None:
        assert pair.base is not None
        headline = f"baseline layer {pair.base.index} is gone ({signed(delta.delta)})"
        layer = pair.base
    else:
        layer = pair.head
        if pair.base is None:
            headline = f"layer {pair.head.index} is new ({format_size(pair.head.size)})"
        elif pair.change is LayerChange.CHANGED and delta.delta:
            headline = f"layer {pair.head.index} {pair.verb} by {format_size(abs(delta.delta))}"
        else:
            headline = f"layer {pair.head.index} changed, same size"
        if pair.base is not None and pair.base.index != pair.head.index:
            headline += f" (layer {pair.base.index} before)"
    moved = [item for item in delta.directories if item.delta]
    rest = moved[NAMED:]
    return LayerStory(
        headline, tuple(moved[:NAMED]), len(rest), sum(item.delta for item in rest), layer
    )


def layer_counts(diff: ImageDiff) -> str:
    """``2 layers unchanged, 1 changed, 3 new``: every kind of pairing that occurs."""
    names = (
        (LayerChange.UNCHANGED, "unchanged"),
        (LayerChange.MOVED, "moved"),
        (LayerChange.REBUILT, "rebuilt with identical contents"),
        (LayerChange.CHANGED, "changed"),
        (LayerChange.ADDED, "new"),
        (LayerChange.REMOVED, "removed"),
    )
    parts = [f"{diff.count(change)} {name}" for change, name in names if diff.count(change)]
    if not parts:
        return "no layers"
    first, *rest = parts
    number, word = first.split(" ", 1)
    return ", ".join([f"{number} layer{'s' if number != '1' else ''} {word}", *rest])
