"""The fleet's summary, computed from its records alone.

:func:`summarize` is a pure function of the *set* of records: the order they come in, and how
they were split among shards, change nothing. Images are deduplicated by identity (the config
digest), layers by diff ID; every list is sorted with a full tie-break. So the summary of a
merge of shards is exactly the summary of one process that read the same images. Names are
already escaped for display in the records; the formatters in :mod:`auger.report` escape them
again for their own medium.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from auger.errors import ExitCode
from auger.fleet.records import ErrorRecord, ImageRecord, Record, RuleFacts

TOP = 10
"""Rows kept in the lists of wasters."""
TOP_BASES = 20
"""Shared bases kept, the most bytes saved first."""
MISSING = "no shard reported this image: its shard's records are missing or were cut short"


@dataclass(frozen=True, slots=True)
class FleetLayer:
    """A distinct layer of the fleet and the images that carry it."""

    diff_id: str
    size_bytes: int
    compressed_size_bytes: int | None
    """The smallest stored size seen for it (the same layer may be compressed differently)."""
    images: int
    refs: tuple[str, ...]
    created_by: str


@dataclass(frozen=True, slots=True)
class SharedBase:
    """Bottom layers that several images share, up to where they part."""

    layers: int
    """How many layers, from the bottom."""
    diff_id: str
    """Its top layer."""
    created_by: str
    """Its top layer's command."""
    size_bytes: int
    images: int
    refs: tuple[str, ...]

    @property
    def saved_bytes(self) -> int:
        """What sharing it saves against a copy in each image."""
        return self.size_bytes * (self.images - 1)


@dataclass(frozen=True, slots=True)
class Waster:
    """An image and its wasted bytes."""

    reference: str
    size_bytes: int
    wasted_bytes: int
    wasted_percent: float
    top_waste: str | None
    """Its largest group of wasted paths."""
    top_waste_bytes: int


@dataclass(frozen=True, slots=True)
class Saving:
    """Advice, with its savings summed over the images it matched."""

    id: str
    title: str
    fix: str
    size_bytes: int
    files: int
    images: int
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BudgetOutcome:
    """An image that warned or failed its budgets."""

    reference: str
    status: str
    rules: tuple[RuleFacts, ...]


@dataclass(frozen=True, slots=True)
class BudgetTally:
    """The fleet's budget verdicts."""

    checked: int
    passed: int
    warned: int
    failed: int
    outcomes: tuple[BudgetOutcome, ...]
    """The images that failed (first) or warned."""


@dataclass(frozen=True, slots=True)
class Unreadable:
    """An image that could not be read."""

    reference: str
    refs: tuple[str, ...]
    error: str
    hint: str | None
    exit_code: int


@dataclass(frozen=True, slots=True)
class FleetSummary:
    """Where the fleet's bytes are."""

    images: int
    """Images read (distinct by identity)."""
    unreadable: tuple[Unreadable, ...]
    size_bytes: int
    """The sum of the images' sizes: what every image would cost stored apart."""
    unique_bytes: int
    """Each distinct layer once: what the fleet costs where layers are shared."""
    compressed_size_bytes: int | None
    """The sum of the compressed sizes of the images whose source has them."""
    unique_compressed_bytes: int | None
    """Each distinct compressed blob once, over those images."""
    compressed_images: int
    final_size_bytes: int
    wasted_bytes: int
    layers: tuple[FleetLayer, ...]
    """The most widely shared first, then the largest."""
    shared_bases: tuple[SharedBase, ...]
    unshared: tuple[str, ...]
    """Images that share no layer with any other."""
    biggest_wasters: tuple[Waster, ...]
    savings: tuple[Saving, ...]
    budgets: BudgetTally | None
    shard: tuple[int, int] | None = field(default=None)
    """``(index, count)`` when the summary covers one shard only."""

    @property
    def shared_bytes(self) -> int:
        """Bytes that sharing layers saves: ``size_bytes - unique_bytes``."""
        return self.size_bytes - self.unique_bytes

    @property
    def exit_code(self) -> ExitCode:
        """3 when an image could not be read, else 1 when one failed its budgets, else 0."""
        if self.unreadable:
            return ExitCode.IMAGE_UNREADABLE
        if self.budgets is not None and self.budgets.failed:
            return ExitCode.BUDGET_FAILED
        return ExitCode.OK


def _merge_names(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(set(a) | set(b)))


def distinct(records: Iterable[Record]) -> tuple[list[ImageRecord], list[ErrorRecord]]:
    """The records with each image once (by identity, names merged, the smallest reference
    kept) and each unreadable reference once (unless another record read it), sorted."""
    images: dict[str, ImageRecord] = {}
    errors: dict[str, ErrorRecord] = {}
    for record in records:
        if isinstance(record, ErrorRecord):
            kept_error = errors.get(record.reference)
            if kept_error is None or (record.error, record.exit_code) < (
                kept_error.error,
                kept_error.exit_code,
            ):
                errors[record.reference] = record
            continue
        kept = images.get(record.identity)
        if kept is None:
            images[record.identity] = record
            continue
        first, other = sorted((kept, record), key=lambda r: (r.reference, r.digest or ""))
        images[record.identity] = replace(first, refs=_merge_names(first.refs, other.refs))
    read = {name for record in images.values() for name in record.refs}
    return (
        sorted(images.values(), key=lambda r: r.reference),
        sorted((e for ref, e in errors.items() if ref not in read), key=lambda e: e.reference),
    )


def _layers(images: list[ImageRecord]) -> tuple[FleetLayer, ...]:
    found: dict[str, FleetLayer] = {}
    for record in images:
        for layer in record.layers:
            kept = found.get(layer.diff_id)
            if kept is None:
                found[layer.diff_id] = FleetLayer(
                    layer.diff_id,
                    layer.size_bytes,
                    layer.compressed_size_bytes,
                    1,
                    (record.reference,),
                    layer.created_by,
                )
                continue
            if record.reference in kept.refs:
                continue  # an image that carries one layer twice pays for it once here
            sizes = [s for s in (kept.compressed_size_bytes, layer.compressed_size_bytes) if s]
            found[layer.diff_id] = FleetLayer(
                kept.diff_id,
                kept.size_bytes,
                min(sizes) if sizes else None,
                kept.images + 1,
                (*kept.refs, record.reference),
                kept.created_by,
            )
    return tuple(
        sorted(found.values(), key=lambda layer: (-layer.images, -layer.size_bytes, layer.diff_id))
    )


def _unique_compressed(images: list[ImageRecord]) -> int | None:
    blobs: dict[str, int] = {}
    for record in images:
        if record.compressed_size_bytes is None:
            continue
        for layer in record.layers:
            if layer.compressed_size_bytes is not None:
                blobs.setdefault(layer.digest or layer.diff_id, layer.compressed_size_bytes)
    return sum(blobs.values()) if any(r.compressed_size_bytes is not None for r in images) else None


class _Node:
    """A node of the tree of layer chains: the images whose chains pass through it."""

    __slots__ = ("children", "created_by", "depth", "diff_id", "refs", "size_bytes")

    def __init__(self, diff_id: str, created_by: str, depth: int, size_bytes: int) -> None:
        self.diff_id = diff_id
        self.created_by = created_by
        self.depth = depth
        self.size_bytes = size_bytes
        self.refs: list[str] = []
        self.children: dict[str, _Node] = {}


def _shared_bases(images: list[ImageRecord]) -> tuple[SharedBase, ...]:
    root = _Node("", "", 0, 0)
    for record in images:
        node = root
        for layer in record.layers:
            child = node.children.get(layer.diff_id)
            if child is None:
                child = _Node(
                    layer.diff_id,
                    layer.created_by,
                    node.depth + 1,
                    node.size_bytes + layer.size_bytes,
                )
                node.children[layer.diff_id] = child
            child.refs.append(record.reference)
            node = child
    bases = []
    stack = list(root.children.values())
    while stack:
        node = stack.pop()
        stack.extend(node.children.values())
        if len(node.refs) >= 2 and all(
            len(child.refs) < len(node.refs) for child in node.children.values()
        ):
            bases.append(
                SharedBase(
                    layers=node.depth,
                    diff_id=node.diff_id,
                    created_by=node.created_by,
                    size_bytes=node.size_bytes,
                    images=len(node.refs),
                    refs=tuple(sorted(node.refs)),
                )
            )
    bases.sort(key=lambda base: (-base.saved_bytes, -base.layers, base.diff_id))
    return tuple(bases[:TOP_BASES])


def _wasters(images: list[ImageRecord]) -> tuple[Waster, ...]:
    ranked = sorted(
        (record for record in images if record.wasted_bytes > 0),
        key=lambda record: (-record.wasted_bytes, record.reference),
    )
    return tuple(
        Waster(
            reference=record.reference,
            size_bytes=record.size_bytes,
            wasted_bytes=record.wasted_bytes,
            wasted_percent=record.wasted_percent,
            top_waste=record.top_waste[0].path if record.top_waste else None,
            top_waste_bytes=record.top_waste[0].size_bytes if record.top_waste else 0,
        )
        for record in ranked[:TOP]
    )


def _savings(images: list[ImageRecord]) -> tuple[Saving, ...]:
    found: dict[str, Saving] = {}
    for record in images:
        for advice in record.advice:
            kept = found.get(advice.id)
            if kept is None:
                kept = Saving(advice.id, advice.title, advice.fix, 0, 0, 0, ())
            found[advice.id] = Saving(
                kept.id,
                kept.title,
                kept.fix,
                kept.size_bytes + advice.size_bytes,
                kept.files + advice.files,
                kept.images + 1,
                (*kept.refs, record.reference),
            )
    return tuple(sorted(found.values(), key=lambda saving: (-saving.size_bytes, saving.id)))


def _budgets(images: list[ImageRecord]) -> BudgetTally | None:
    checked = [record for record in images if record.verdict is not None]
    if not checked:
        return None
    statuses = [record.verdict.status for record in checked if record.verdict is not None]
    outcomes = [
        BudgetOutcome(record.reference, record.verdict.status, record.verdict.rules)
        for record in checked
        if record.verdict is not None and record.verdict.status in ("fail", "warn")
    ]
    outcomes.sort(key=lambda outcome: (outcome.status != "fail", outcome.reference))
    return BudgetTally(
        checked=len(checked),
        passed=statuses.count("pass"),
        warned=statuses.count("warn"),
        failed=statuses.count("fail"),
        outcomes=tuple(outcomes),
    )


def summarize(
    records: Iterable[Record],
    expected: Iterable[str] = (),
    shard: tuple[int, int] | None = None,
) -> FleetSummary:
    """The summary of ``records``. Each reference in ``expected`` (a plan's) that no record
    names counts as unreadable."""
    images, errors = distinct(records)
    named = {name for record in images for name in record.refs}
    named |= {name for error in errors for name in error.refs}
    missing = [
        ErrorRecord(reference, (reference,), MISSING, None, ExitCode.IMAGE_UNREADABLE)
        for reference in sorted(set(expected) - named)
    ]
    if missing:
        errors = sorted([*errors, *missing], key=lambda error: error.reference)
    layers = _layers(images)
    compressed = [r.compressed_size_bytes for r in images if r.compressed_size_bytes is not None]
    shared_layers = {layer.diff_id for layer in layers if layer.images > 1}
    return FleetSummary(
        images=len(images),
        unreadable=tuple(
            Unreadable(e.reference, e.refs, e.error, e.hint, e.exit_code) for e in errors
        ),
        size_bytes=sum(record.size_bytes for record in images),
        unique_bytes=sum(layer.size_bytes for layer in layers),
        compressed_size_bytes=sum(compressed) if compressed else None,
        unique_compressed_bytes=_unique_compressed(images),
        compressed_images=len(compressed),
        final_size_bytes=sum(record.final_size_bytes for record in images),
        wasted_bytes=sum(record.wasted_bytes for record in images),
        layers=layers,
        shared_bases=_shared_bases(images),
        unshared=tuple(
            record.reference
            for record in images
            if not any(layer.diff_id in shared_layers for layer in record.layers)
        ),
        biggest_wasters=_wasters(images),
        savings=_savings(images),
        budgets=_budgets(images),
        shard=shard,
    )
