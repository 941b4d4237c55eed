"""What the explorer works from: the analysis, its path index and view model, and waste.

Built once, in a worker thread, right after the analysis. Building pauses the garbage
collector (it would otherwise rescan the analysis's millions of objects over and over) and,
for large images, moves everything built so far out of its reach for the rest of the session
and makes full collections rare, so that no collection stalls the interface.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from dataclasses import dataclass, field

from auger.analysis.advice import catalogue
from auger.analysis.waste_groups import WasteGroup, group_waste
from auger.model import ImageAnalysis
from auger.pipeline import AnalyzeOptions
from auger.viewmodel.index import PathIndex
from auger.viewmodel.model import ViewModel
from auger.viewmodel.pathfilter import Haystack

_FREEZE_ABOVE = 50_000
"""Paths beyond which the built objects are frozen out of the collector's reach."""
_FULL_COLLECTIONS_EVERY = 1000
"""For large images, a full collection only every 1000 middle-generation ones (Python's
default is 10): each walks the view's caches and rows, a pause of 50-300 ms in the middle of a
keystroke. Young garbage is still collected as usual."""


@dataclass(frozen=True, slots=True)
class ImageRef:
    """Where the image came from (extraction reads it again from there)."""

    reference: str
    options: AnalyzeOptions = field(default_factory=AnalyzeOptions)
    environ: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Explorer:
    analysis: ImageAnalysis
    index: PathIndex
    model: ViewModel
    haystack: Haystack
    waste: tuple[WasteGroup, ...] | None = None
    """Wasted bytes in groups, largest first; ``None`` until :meth:`group_waste` ran."""

    @classmethod
    def build(cls, analysis: ImageAnalysis, *, with_waste: bool = True) -> Explorer:
        """Index the analysis (linear in the number of changes); group its waste unless told
        not to (the app groups it in the background, after the first screen)."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            index = PathIndex(analysis)
        finally:
            if enabled:
                gc.enable()
        if len(index.paths) > _FREEZE_ABOVE:
            gc.freeze()
            first, second, _ = gc.get_threshold()
            gc.set_threshold(first, second, _FULL_COLLECTIONS_EVERY)
        explorer = cls(analysis, index, ViewModel(index), Haystack(index.paths))
        if with_waste:
            explorer.group_waste()
        return explorer

    def group_waste(self) -> tuple[WasteGroup, ...]:
        """Group the wasted paths (with advice); seconds on images with many wasted files."""
        if self.waste is None:
            self.waste = group_waste(self.analysis, catalogue())
            if len(self.index.paths) > _FREEZE_ABOVE:
                gc.freeze()
        return self.waste
