"""What a report says, independent of its format: built once, rendered as text, JSON or Markdown.

:func:`build_report` gathers an image's headline numbers, its layers (each paired with its
counterpart in a baseline, as :mod:`auger.analysis.layer_match` pairs them, so a rebuilt layer
with the same contents is no growth), its wasted space in readable groups with small paths
folded into their directory, advice, and the budget verdict when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass

from auger.analysis.advice import CHURN, Finding, catalogue, find_advice
from auger.analysis.diff import LayerDelta, diff_images
from auger.analysis.folding import Folded, fold_small, fold_threshold
from auger.analysis.layer_match import LayerChange
from auger.analysis.waste_groups import WasteGroup, group_waste
from auger.attribution.dockerfile.stages import Dockerfile
from auger.attribution.summary import Attribution, attribute_image
from auger.budgets.evaluate import Verdict
from auger.model import ImageAnalysis, Layer


@dataclass(frozen=True, slots=True)
class LayerRow:
    """A layer as a report lists it."""

    layer: Layer
    stored_waste: int
    """Bytes it stored that later became waste."""
    caused_waste: int
    """Bytes of this or earlier layers it hid."""
    delta: int | None
    """Against the baseline: growth over its counterpart (0 for the same contents, the whole
    size for a layer the baseline has no counterpart of); ``None`` without a baseline."""
    shared: bool
    """The baseline has the very same layer (same diff ID)."""
    change: LayerDelta | None = None
    """The layer paired with its counterpart in the baseline, and where its bytes changed."""

    @property
    def status(self) -> str:
        """``unchanged``, ``unchanged (rebuilt)``, ``moved``, ``changed`` or ``added``
        (``""`` without a baseline)."""
        if self.change is None:
            return ""
        if self.change.change is LayerChange.MOVED:
            return "unchanged"
        return str(self.change.change.value)


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
    removed: tuple[LayerDelta, ...] = ()
    """Baseline layers with no counterpart in the image."""
    folded: int = 0
    """Waste groups folded into a directory row (each such row is a group with ``folded``)."""
    fold_below: int = 0
    """The size under which waste groups were folded."""
    attribution: Attribution | None = None
    """Packages, groups, simulated savings and Dockerfile lines."""

    @property
    def changed_layers(self) -> tuple[LayerRow, ...]:
        """Layers whose contents differ from the baseline's (grown, shrunk, new)."""
        return tuple(
            row
            for row in self.layers
            if row.change is not None and not row.change.change.same_contents
        )

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
    dockerfile: Dockerfile | None = None,
    dockerfile_path: str = "Dockerfile",
) -> ImageReport:
    """Gather what a report shows (with the lines of ``dockerfile``, named ``dockerfile_path``,
    beside the layers and the advice when it is given)."""
    rules = catalogue()
    paired: dict[int, LayerDelta] = {}
    removed: tuple[LayerDelta, ...] = ()
    if baseline is not None:
        layer_deltas = diff_images(baseline, analysis).layers
        paired = {d.pair.head.index: d for d in layer_deltas if d.pair.head is not None}
        removed = tuple(d for d in layer_deltas if d.pair.head is None)
    rows = []
    for layer, result in zip(analysis.image.layers, analysis.layers, strict=True):
        change = paired.get(layer.index)
        shared = change is not None and change.change in _SAME_TAR
        delta = None if baseline is None else (change.delta if change else layer.size)
        rows.append(
            LayerRow(layer, result.stored_waste, result.caused_waste, delta, shared, change)
        )
    groups = group_waste(analysis, rules)
    findings = tuple(f for f in find_advice(analysis, rules) if f.rule.kind != CHURN)
    threshold = fold_threshold(analysis.size)
    waste, folded = _fold(tuple(group for group in groups if not group.churn), threshold)
    churn, folded_churn = _fold(tuple(group for group in groups if group.churn), threshold)
    attribution = attribute_image(analysis, findings, rules, dockerfile, dockerfile_path)
    return ImageReport(
        analysis=analysis,
        baseline=baseline,
        layers=tuple(rows),
        waste=waste,
        churn=churn,
        findings=attribution.findings,
        verdict=verdict,
        removed=removed,
        folded=folded + folded_churn,
        fold_below=threshold,
        attribution=attribution,
    )


_SAME_TAR = (LayerChange.UNCHANGED, LayerChange.MOVED)


def _fold(groups: tuple[WasteGroup, ...], threshold: int) -> tuple[tuple[WasteGroup, ...], int]:
    """Small groups folded per directory, cause and hiding layer; how many were folded."""
    rows = fold_small(
        groups,
        lambda group: group.path,
        lambda group: group.size,
        threshold,
        lambda group: (group.cause, group.hidden_by, group.contents),
    )
    out: list[WasteGroup] = []
    folded = 0
    for row in rows:
        if isinstance(row, Folded):
            folded += len(row.rows)
            out.append(_merged(row))
        else:
            out.append(row)
    out.sort(key=lambda group: (-group.size, group.path))
    return tuple(out), folded


def _merged(fold: Folded[WasteGroup]) -> WasteGroup:
    first = fold.rows[0]
    return WasteGroup(
        path=fold.directory,
        size=fold.size,
        files=sum(group.files for group in fold.rows),
        cause=first.cause,
        hidden_by=first.hidden_by,
        stored_in=tuple(sorted({layer for group in fold.rows for layer in group.stored_in})),
        advice=tuple(sorted({rule for group in fold.rows for rule in group.advice})),
        churn=all(group.churn for group in fold.rows),
        folded=len(fold.rows),
    )
