"""What the explorer works from: the analysis, its path index and view model, and waste.

Built once, in a worker thread, right after the analysis. Building pauses the garbage
collector (it would otherwise rescan the analysis's millions of objects over and over) and,
for large images, moves everything built so far out of its reach for the rest of the session
and makes full collections rare, so that no collection stalls the interface (the machinery and
its figures are in :mod:`auger.runtime`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from auger.analysis.advice import catalogue
from auger.analysis.waste_groups import WasteGroup, group_waste
from auger.attribution.ownership import Ownership
from auger.attribution.summary import image_ownership
from auger.model import ImageAnalysis
from auger.pipeline import AnalyzeOptions
from auger.runtime import cycle_collection_paused, freeze_heap, make_full_collections_rare
from auger.viewmodel.comparison import Comparison
from auger.viewmodel.index import PathIndex
from auger.viewmodel.model import ViewModel
from auger.viewmodel.packages import owner_label
from auger.viewmodel.pathfilter import Haystack

_FREEZE_ABOVE = 50_000
"""Paths beyond which the built objects are frozen out of the collector's reach and full
collections made rare."""


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
    ownership: Ownership | None = None
    """The image's packages and what each owns; ``None`` until :meth:`find_packages` ran."""
    comparison: Comparison | None = None
    """The image against a baseline (``auger explore IMAGE --baseline REF``), if one was given."""

    @classmethod
    def build(cls, analysis: ImageAnalysis, *, with_waste: bool = True) -> Explorer:
        """Index the analysis (linear in the number of changes); group its waste unless told
        not to (the app groups it in the background, after the first screen)."""
        with cycle_collection_paused():
            index = PathIndex(analysis)
        if len(index.paths) > _FREEZE_ABOVE:
            freeze_heap()
            make_full_collections_rare()
        explorer = cls(analysis, index, ViewModel(index), Haystack(index.paths))
        if with_waste:
            explorer.group_waste()
        return explorer

    def group_waste(self) -> tuple[WasteGroup, ...]:
        """Group the wasted paths (with advice); seconds on images with many wasted files."""
        if self.waste is None:
            self.waste = group_waste(self.analysis, catalogue())
            if len(self.index.paths) > _FREEZE_ABOVE:
                freeze_heap()
        return self.waste

    def find_packages(self) -> Ownership:
        """Read the image's package databases and map its files to their packages."""
        if self.ownership is None:
            self.ownership = image_ownership(self.analysis)
        return self.ownership

    def owner_label(self, number: int) -> str:
        """The owner column for path ``number`` (see :func:`~.packages.owner_label`)."""
        return owner_label(self.find_packages(), self.index.paths[number])
