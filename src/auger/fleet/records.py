"""The fleet's records: one per image read (or not read), as written to and read from JSON lines.

A record holds what the fleet summary needs of an image and no more: its names and identity,
its sizes, waste and efficiency, its layers by diff ID, its top waste, the advice that matched
and its budget verdict. Every name from an image is escaped for display (see
:func:`auger.display.display`), so a record is plain JSON. :func:`build_record` makes one
from an analysis; :func:`to_json` and :func:`from_json` write and read them, and reading what
was written gives back an equal record (the summary of a merge is that of one run).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auger.analysis.advice import CHURN, catalogue, find_advice
from auger.analysis.waste_groups import group_waste
from auger.budgets.evaluate import RuleResult, Status, Verdict
from auger.budgets.schema import Direction
from auger.display import display, finite, one_line
from auger.model import ImageAnalysis, Layer

SCHEMA_VERSION = 1
TOP_WASTE = 5
"""Waste groups kept per image, largest first."""
_COMMAND = 200


@dataclass(frozen=True, slots=True)
class LayerFacts:
    """A layer of an image."""

    diff_id: str
    """The digest of its content; else its blob's digest; else ``REFERENCE#INDEX``."""
    size_bytes: int
    compressed_size_bytes: int | None
    digest: str | None
    """The blob's digest as stored, where the source has one."""
    created_by: str


@dataclass(frozen=True, slots=True)
class WasteFacts:
    """A group of wasted paths (a deleted directory, an overwritten file...)."""

    path: str
    size_bytes: int
    files: int
    cause: str
    hidden_by: int
    advice: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AdviceFacts:
    """Advice that matched the image, and the bytes it would save."""

    id: str
    title: str
    fix: str
    size_bytes: int
    files: int


@dataclass(frozen=True, slots=True)
class RuleFacts:
    """A budget rule that did not pass."""

    rule: str
    title: str
    status: str
    measured: float | None
    style: str
    """How to show ``measured``: ``si`` or ``iec`` (a size), ``percent`` or ``count``."""
    limit: str
    """As written: ``at most 500MB, warn above 400MB``."""


@dataclass(frozen=True, slots=True)
class VerdictFacts:
    """An image's budget verdict."""

    status: str
    """``pass``, ``warn`` or ``fail``."""
    summary: str
    rules: tuple[RuleFacts, ...]
    """The rules that warned or failed."""


@dataclass(frozen=True, slots=True)
class ImageRecord:
    """An image that was read."""

    reference: str
    refs: tuple[str, ...]
    """Every name the fleet's inputs gave the image, sorted."""
    digest: str | None
    """The manifest's digest, where the source has one."""
    image_id: str | None
    """The config's digest."""
    source: str
    platform: str | None
    size_bytes: int
    compressed_size_bytes: int | None
    final_size_bytes: int
    wasted_bytes: int
    wasted_percent: float
    efficiency: float
    layers: tuple[LayerFacts, ...]
    top_waste: tuple[WasteFacts, ...]
    advice: tuple[AdviceFacts, ...]
    verdict: VerdictFacts | None

    @property
    def identity(self) -> str:
        """What tells images apart: the config digest, else the reference."""
        return self.image_id or f"reference:{self.reference}"


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """An image that could not be read."""

    reference: str
    refs: tuple[str, ...]
    error: str
    hint: str | None
    exit_code: int


@dataclass(frozen=True, slots=True)
class ShardHeader:
    """The first line of a shard's records: which shard, of which plan."""

    shard: int
    shards: int
    plan: str
    """The plan's fingerprint: every shard of one run carries the same."""
    fleet: tuple[str, ...]
    """The reference of every image of the whole fleet, sorted."""


Record = ImageRecord | ErrorRecord


def _layer(layer: Layer, reference: str, compressed: bool) -> LayerFacts:
    key = layer.diff_id or layer.scan.diff_id or layer.digest or f"{reference}#{layer.index}"
    return LayerFacts(
        diff_id=key,
        size_bytes=layer.size,
        compressed_size_bytes=layer.stored_size if compressed else None,
        digest=layer.digest,
        created_by=display(one_line(layer.created_by, _COMMAND)),
    )


def _real(value: float | None) -> float | None:
    """A number as JSON writes and reads it back alike (``1.0``, never ``1``)."""
    return None if value is None else float(value)


def _limit(result: RuleResult) -> str:
    fail, warn = result.limit.fail, result.limit.warn
    parts = [f"{result.direction.value} {fail}"] if fail is not None else []
    if warn is not None:
        parts.append(f"warn {'above' if result.direction is Direction.AT_MOST else 'below'} {warn}")
    return ", ".join(parts) or "disabled"


def verdict_facts(verdict: Verdict) -> VerdictFacts:
    """The verdict as a record keeps it: its status and the rules that did not pass."""
    return VerdictFacts(
        status=verdict.status.value,
        summary=verdict.summary(),
        rules=tuple(
            RuleFacts(
                rule=result.rule,
                title=display(result.title),
                status=result.status.value,
                measured=_real(finite(result.measured_value)),
                style=result.style.value,
                limit=display(_limit(result)),
            )
            for result in verdict.results
            if result.status in (Status.FAIL, Status.WARN)
        ),
    )


def build_record(
    analysis: ImageAnalysis, reference: str, names: Sequence[str], verdict: Verdict | None
) -> ImageRecord:
    """The record of an analysed image."""
    image = analysis.image
    rules = catalogue()
    groups = [group for group in group_waste(analysis, rules) if not group.churn]
    findings = [f for f in find_advice(analysis, rules) if f.rule.kind != CHURN]
    return ImageRecord(
        reference=display(reference),
        refs=tuple(sorted({display(name) for name in names} | {display(reference)})),
        digest=image.manifest_digest,
        image_id=image.config_digest,
        source=image.source,
        platform=image.platform,
        size_bytes=analysis.size,
        compressed_size_bytes=analysis.compressed_size,
        final_size_bytes=analysis.final_size,
        wasted_bytes=analysis.wasted_bytes,
        wasted_percent=float(analysis.wasted_percent),
        efficiency=float(analysis.dive.efficiency),
        layers=tuple(
            _layer(layer, reference, analysis.compressed_size is not None) for layer in image.layers
        ),
        top_waste=tuple(
            WasteFacts(
                path=display(group.label),
                size_bytes=group.size,
                files=group.files,
                cause=group.cause.value,
                hidden_by=group.hidden_by,
                advice=group.advice,
            )
            for group in groups[:TOP_WASTE]
        ),
        advice=tuple(
            AdviceFacts(f.rule.id, f.rule.title, f.rule.fix, f.size, f.count) for f in findings
        ),
        verdict=verdict_facts(verdict) if verdict is not None else None,
    )


def error_record(
    reference: str, names: Sequence[str], message: str, hint: str | None, code: int
) -> ErrorRecord:
    """The record of an image that could not be read."""
    return ErrorRecord(
        reference=display(reference),
        refs=tuple(sorted({display(name) for name in names} | {display(reference)})),
        error=message,
        hint=hint,
        exit_code=code,
    )
