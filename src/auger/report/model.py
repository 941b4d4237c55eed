"""What a report says, independent of its format: built once, rendered as text, JSON or Markdown.

:func:`build_report` gathers an image's headline numbers, its layers (with deltas against a
baseline), its wasted space in readable groups, advice, and the budget verdict when there is
one. :func:`diff_images` compares two images: shared base layers (by diff ID), layers added and
removed, and per-path size changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from auger.analysis.advice import CHURN, Finding, catalogue, find_advice
from auger.analysis.waste_groups import WasteGroup, group_waste
from auger.budgets.evaluate import Verdict
from auger.model import EntryKind, ImageAnalysis, Layer


@dataclass(frozen=True, slots=True)
class LayerRow:
    """A layer as a report lists it."""

    layer: Layer
    stored_waste: int
    """Bytes it stored that later became waste."""
    caused_waste: int
    """Bytes of this or earlier layers it hid."""
    delta: int | None
    """Against the baseline: 0 for a layer the baseline shares (same diff ID), else its size."""
    shared: bool


@dataclass(frozen=True, slots=True)
class ImageReport:
    """Everything a report shows about one image."""

    analysis: ImageAnalysis
    baseline: ImageAnalysis | None
    layers: tuple[LayerRow, ...]
    waste: tuple[WasteGroup, ...]
    """Actionable waste groups, largest first."""
    churn: tuple[WasteGroup, ...]
    """Package-manager metadata rewritten per layer, reported apart."""
    findings: tuple[Finding, ...]
    """Actionable advice that matched, largest first."""
    verdict: Verdict | None

    @property
    def size_delta(self) -> int | None:
        """Size change against the baseline."""
        return None if self.baseline is None else self.analysis.size - self.baseline.size

    @property
    def size_delta_ratio(self) -> float | None:
        """Size change against the baseline, relative to it."""
        if self.baseline is None or not self.baseline.size:
            return None
        return (self.analysis.size - self.baseline.size) / self.baseline.size


def build_report(
    analysis: ImageAnalysis,
    baseline: ImageAnalysis | None = None,
    verdict: Verdict | None = None,
) -> ImageReport:
    """Gather what a report shows."""
    rules = catalogue()
    base_ids = {layer.diff_id for layer in baseline.image.layers} if baseline else set()
    rows = []
    for layer, result in zip(analysis.image.layers, analysis.layers, strict=True):
        shared = baseline is not None and layer.diff_id is not None and layer.diff_id in base_ids
        delta = None if baseline is None else (0 if shared else layer.size)
        rows.append(LayerRow(layer, result.stored_waste, result.caused_waste, delta, shared))
    groups = group_waste(analysis, rules)
    findings = tuple(f for f in find_advice(analysis, rules) if f.rule.kind != CHURN)
    return ImageReport(
        analysis=analysis,
        baseline=baseline,
        layers=tuple(rows),
        waste=tuple(group for group in groups if not group.churn),
        churn=tuple(group for group in groups if group.churn),
        findings=findings,
        verdict=verdict,
    )


@dataclass(frozen=True, slots=True)
class PathChange:
    """A path whose visible size differs between two images."""

    path: str
    before: int | None
    after: int | None

    @property
    def delta(self) -> int:
        return (self.after or 0) - (self.before or 0)

    @property
    def kind(self) -> str:
        """``added``, ``removed``, ``grown`` or ``shrunk``."""
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "grown" if self.after > self.before else "shrunk"


@dataclass(frozen=True, slots=True)
class ImageDiff:
    """How ``head`` differs from ``base``."""

    base: ImageAnalysis
    head: ImageAnalysis
    shared: int
    """Number of leading layers both images share (same diff IDs, same order)."""
    removed_layers: tuple[Layer, ...]
    added_layers: tuple[Layer, ...]
    paths: tuple[PathChange, ...]
    """Every changed path, the biggest change first."""

    @property
    def size_delta(self) -> int:
        return self.head.size - self.base.size


def _file_sizes(analysis: ImageAnalysis) -> dict[str, int]:
    return {
        path: visible.entry.size
        for path, visible in analysis.final.items()
        if visible.entry is not None and visible.entry.kind is not EntryKind.DIR
    }


def diff_images(base: ImageAnalysis, head: ImageAnalysis) -> ImageDiff:
    """Compare two images layer by layer and path by path."""
    shared = 0
    for old, new in zip(base.image.layers, head.image.layers, strict=False):
        if old.diff_id is None or old.diff_id != new.diff_id:
            break
        shared += 1
    before = _file_sizes(base)
    after = _file_sizes(head)
    changes = [
        PathChange(path, before.get(path), after.get(path))
        for path in before.keys() | after.keys()
        if before.get(path) != after.get(path)
    ]
    changes.sort(key=lambda change: (-abs(change.delta), change.path))
    return ImageDiff(
        base=base,
        head=head,
        shared=shared,
        removed_layers=base.image.layers[shared:],
        added_layers=head.image.layers[shared:],
        paths=tuple(changes),
    )
