"""What a report says, independent of its format: built once, rendered as text, JSON or Markdown.

:func:`build_report` gathers an image's headline numbers, its layers (with deltas against a
baseline), its wasted space in readable groups, advice, and the budget verdict when there is
one.
"""

from __future__ import annotations

from dataclasses import dataclass

from auger.analysis.advice import CHURN, Finding, catalogue, find_advice
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
    attribution: Attribution | None = None
    """Packages, groups, simulated savings and Dockerfile lines."""

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
    base_ids = {layer.diff_id for layer in baseline.image.layers} if baseline else set()
    rows = []
    for layer, result in zip(analysis.image.layers, analysis.layers, strict=True):
        shared = baseline is not None and layer.diff_id is not None and layer.diff_id in base_ids
        delta = None if baseline is None else (0 if shared else layer.size)
        rows.append(LayerRow(layer, result.stored_waste, result.caused_waste, delta, shared))
    groups = group_waste(analysis, rules)
    findings = tuple(f for f in find_advice(analysis, rules) if f.rule.kind != CHURN)
    attribution = attribute_image(analysis, findings, rules, dockerfile, dockerfile_path)
    return ImageReport(
        analysis=analysis,
        baseline=baseline,
        layers=tuple(rows),
        waste=tuple(group for group in groups if not group.churn),
        churn=tuple(group for group in groups if group.churn),
        findings=attribution.findings,
        verdict=verdict,
        attribution=attribution,
    )
