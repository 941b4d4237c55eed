"""What a budget says: rules with fail and warn levels, where each rule came from.

A :class:`Budgets` value is what the loaders (``budgets.yaml``, ``.dive-ci``, dive's flags)
produce and what :mod:`auger.budgets.evaluate` checks an analysis against.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from auger.budgets.units import Ratio, Size

Value = Size | Ratio | int
"""A limit: a size, a ratio, or a plain count (layers)."""


class Direction(enum.Enum):
    """Whether the measured value must stay at most or at least the limit."""

    AT_MOST = "at most"
    AT_LEAST = "at least"


def number(value: Value) -> float:
    """A limit as a plain number for comparisons."""
    if isinstance(value, Size):
        return value.bytes
    if isinstance(value, Ratio):
        return value.value
    return value


@dataclass(frozen=True, slots=True)
class Limit:
    """A fail level and an optional warn level, and where they were written."""

    fail: Value | None
    warn: Value | None = None
    origin: str = ""
    """``FILE:LINE``, ``--flag`` or ``dive default``."""


@dataclass(frozen=True, slots=True)
class PathRule:
    """A glob over the final filesystem and the bytes it may hold."""

    glob: str
    limit: Limit
    advice: str | None = None


@dataclass(frozen=True, slots=True)
class Override:
    """Rules that apply instead when the image reference matches ``match``."""

    match: str
    budgets: Budgets
    origin: str


@dataclass(frozen=True, slots=True)
class Budgets:
    """Every rule of a budgets file (or of dive's CI configuration)."""

    image: dict[str, Limit] = field(default_factory=dict)
    """Keyed by rule name: ``max_size``, ``min_efficiency``, ..."""
    layers: dict[str, Limit] = field(default_factory=dict)
    paths: tuple[PathRule, ...] = ()
    ignore: tuple[str, ...] = ()
    growth: dict[str, Limit] = field(default_factory=dict)
    overrides: tuple[Override, ...] = ()
    source: str = "dive defaults"
    """Where these budgets came from, for the report."""

    def merged(self, other: Budgets) -> Budgets:
        """These budgets with ``other``'s rules taking precedence (paths and ignores added,
        each once: a rule that anchors repeat is the same rule)."""
        return Budgets(
            image={**self.image, **other.image},
            layers={**self.layers, **other.layers},
            paths=tuple(dict.fromkeys(self.paths + other.paths)),
            ignore=tuple(dict.fromkeys(self.ignore + other.ignore)),
            growth={**self.growth, **other.growth},
            overrides=self.overrides,
            source=self.source,
        )


@dataclass(frozen=True, slots=True)
class Metric:
    """A rule name's meaning: what it measures, in which unit, in which direction."""

    title: str
    unit: str
    """``size``, ``ratio``, ``ratio+`` (may exceed 100 %) or ``count``."""
    direction: Direction = Direction.AT_MOST


IMAGE_METRICS: dict[str, Metric] = {
    "max_size": Metric("image size", "size"),
    "max_compressed_size": Metric("compressed image size", "size"),
    "max_layers": Metric("layer count", "count"),
    "max_wasted_bytes": Metric("wasted bytes", "size"),
    "max_wasted_percent": Metric("wasted percent", "ratio"),
    "min_efficiency": Metric("efficiency (dive)", "ratio", Direction.AT_LEAST),
    "max_user_wasted_percent": Metric("user wasted percent (dive)", "ratio+"),
    "max_dive_wasted_bytes": Metric("wasted bytes (dive)", "size"),
}
LAYER_METRICS: dict[str, Metric] = {"max_size": Metric("largest layer", "size")}
GROWTH_METRICS: dict[str, Metric] = {
    "max_size_increase": Metric("size increase over the baseline", "size"),
    "max_size_increase_percent": Metric("size increase over the baseline (percent)", "ratio+"),
}
PATH_METRIC = Metric("bytes under a path glob", "size")
