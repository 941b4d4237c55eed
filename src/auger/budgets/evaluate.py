"""Check an analysis against budgets: one result per rule, and the verdict.

Pure: an :class:`~auger.model.ImageAnalysis` (and optionally a baseline's) and a
:class:`~auger.budgets.schema.Budgets` in, a :class:`Verdict` out. A result keeps numbers: the
measured value, the limit as it was written, and the unit style to show values in (the
limit's own: a limit in ``MiB`` has its measure shown in IEC units). The formatters in
:mod:`auger.report` render them.
"""

from __future__ import annotations

import dataclasses
import enum
import fnmatch
import math
from collections.abc import Callable
from dataclasses import dataclass

from auger.budgets.schema import (
    GROWTH_METRICS,
    IMAGE_METRICS,
    LAYER_METRICS,
    PATH_METRIC,
    Budgets,
    Direction,
    Limit,
    Metric,
    Value,
    number,
)
from auger.budgets.units import Size
from auger.display import format_size, one_line
from auger.layers.globs import matcher
from auger.model import EntryKind, ImageAnalysis


class Status(enum.Enum):
    """A rule's outcome."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


class Style(enum.Enum):
    """How a rule's values are shown: in the unit style its limit was written in."""

    SI = "si"
    """Sizes in powers of 1000 (``kB``, ``MB``), also for a limit written in bytes."""
    IEC = "iec"
    """Sizes in powers of 1024 (``KiB``, ``MiB``)."""
    PERCENT = "percent"
    """Ratios, as percentages."""
    COUNT = "count"
    """Whole numbers (layers)."""


@dataclass(frozen=True, slots=True)
class RuleResult:
    """What one rule measured and decided, in numbers."""

    rule: str
    """``image.max_size``, ``layers.max_size``, ``paths[0]``, ``growth.max_size_increase``."""
    title: str
    status: Status
    measured_value: float | None
    """The measured value (``None`` when the rule was skipped for want of one)."""
    limit: Limit
    """The fail and warn levels as written (each a number and its text), and their origin."""
    direction: Direction
    style: Style
    detail: str = ""
    advice: str | None = None
    glob: str | None = None
    """A path rule's glob (formats that set names apart show it as code)."""
    paths: tuple[str, ...] = ()
    """A path rule's first matching paths (``/``-rooted), as its detail lists them."""
    path_count: int = 0
    """How many paths a path rule matched."""

    @property
    def origin(self) -> str:
        """``FILE:LINE``, ``--flag`` or ``dive default``."""
        return self.limit.origin

    @property
    def fail_value(self) -> float | None:
        return None if self.limit.fail is None else number(self.limit.fail)

    @property
    def warn_value(self) -> float | None:
        return None if self.limit.warn is None else number(self.limit.warn)


@dataclass(frozen=True, slots=True)
class Verdict:
    """Every rule's result for one image."""

    image: str
    budgets_source: str
    results: tuple[RuleResult, ...]

    @property
    def status(self) -> Status:
        """FAIL if any rule failed, WARN if any warned, else PASS."""
        statuses = {result.status for result in self.results}
        if Status.FAIL in statuses:
            return Status.FAIL
        if Status.WARN in statuses:
            return Status.WARN
        return Status.PASS

    def count(self, status: Status) -> int:
        """How many rules ended with ``status``."""
        return sum(1 for result in self.results if result.status is status)

    def summary(self) -> str:
        """``FAIL: 1 failed, 2 passed, 1 skipped`` style one-liner."""
        parts = [
            f"{self.count(status)} {label}"
            for status, label in (
                (Status.FAIL, "failed"),
                (Status.WARN, "warned"),
                (Status.PASS, "passed"),
                (Status.SKIP, "skipped"),
            )
            if self.count(status)
        ]
        return f"{self.status.value.upper()}: {', '.join(parts) or 'no rules'}"


def _binary(like: Value | None) -> bool:
    """True when a limit was written in IEC units, so sizes are shown in them too."""
    return isinstance(like, Size) and like.binary


def _style(metric: Metric, limit: Limit) -> Style:
    if metric.unit == "count":
        return Style.COUNT
    if metric.unit != "size":
        return Style.PERCENT
    like = limit.fail if limit.fail is not None else limit.warn
    return Style.IEC if _binary(like) else Style.SI


def judge(
    rule: str,
    metric: Metric,
    limit: Limit,
    measured: float | None,
    *,
    skip_reason: str = "",
    detail: str = "",
    advice: str | None = None,
    title: str | None = None,
) -> RuleResult:
    """Compare a measured value with a limit (``None`` measured: the rule is skipped)."""
    base = RuleResult(
        rule=rule,
        title=title or metric.title,
        status=Status.SKIP,
        measured_value=measured,
        limit=limit,
        direction=metric.direction,
        style=_style(metric, limit),
        detail=detail or skip_reason,
        advice=advice,
    )
    fail, warn = base.fail_value, base.warn_value
    if measured is None or (fail is None and warn is None):
        if fail is None and warn is None:
            return _with(base, Status.SKIP, detail or "rule disabled")
        return _with(base, Status.SKIP, skip_reason or detail)

    def beyond(level: float | None) -> bool:
        if level is None or math.isnan(measured) or math.isnan(level):
            return False
        if metric.direction is Direction.AT_LEAST:
            return measured < level
        return measured > level

    if beyond(fail):
        return _with(base, Status.FAIL, detail)
    if beyond(warn):
        return _with(base, Status.WARN, detail)
    return _with(base, Status.PASS, detail)


def _with(result: RuleResult, status: Status, detail: str) -> RuleResult:
    return dataclasses.replace(result, status=status, detail=detail)


def applicable(budgets: Budgets, analysis: ImageAnalysis) -> Budgets:
    """The budgets with every override whose ``match`` glob fits the image applied."""
    names = {analysis.image.reference, analysis.image.name or ""}
    result = budgets
    for override in budgets.overrides:
        if any(name and fnmatch.fnmatchcase(name, override.match) for name in names):
            result = result.merged(override.budgets)
    return result


def _waste(analysis: ImageAnalysis, ignore: tuple[str, ...]) -> int:
    if not ignore:
        return analysis.wasted_bytes
    ignored = [matcher(glob) for glob in dict.fromkeys(ignore)]
    return sum(item.size for item in analysis.waste if not any(test(item.path) for test in ignored))


def _image_measures(
    analysis: ImageAnalysis, ignore: tuple[str, ...]
) -> dict[str, Callable[[], tuple[float | None, str]]]:
    """Per image rule: a function returning (measured value, reason to skip)."""
    wasted = _waste(analysis, ignore)
    return {
        "max_size": lambda: (analysis.size, ""),
        "max_compressed_size": lambda: (
            analysis.compressed_size,
            "the source stores no compressed layers",
        ),
        "max_layers": lambda: (len(analysis.image.layers), ""),
        "max_wasted_bytes": lambda: (wasted, ""),
        "max_wasted_percent": lambda: (wasted / analysis.size if analysis.size else 0.0, ""),
        "min_efficiency": lambda: (analysis.dive.efficiency, ""),
        "max_user_wasted_percent": lambda: (analysis.dive.user_wasted_percent, ""),
        "max_dive_wasted_bytes": lambda: (analysis.dive.wasted_bytes, ""),
    }


def _layer_results(analysis: ImageAnalysis, budgets: Budgets) -> list[RuleResult]:
    limit = budgets.layers.get("max_size")
    if limit is None or not analysis.image.layers:
        return []
    largest = max(analysis.image.layers, key=lambda layer: layer.size)
    over = [
        layer
        for layer in analysis.image.layers
        if limit.fail is not None and layer.size > number(limit.fail)
    ]
    detail = (
        "; ".join(
            f"layer {layer.index} is {format_size(layer.size, binary=_binary(limit.fail))}"
            f" ({one_line(layer.command, 60)})"
            for layer in over[:5]
        )
        or f"largest is layer {largest.index}"
    )
    return [judge("layers.max_size", LAYER_METRICS["max_size"], limit, largest.size, detail=detail)]


def files_text(count: int) -> str:
    """``1 file``, ``3 files``."""
    return f"{count} file{'s' if count != 1 else ''}"


def more_text(count: int, shown: int = 3) -> str:
    """`` and 2 more`` when ``count`` paths were found and ``shown`` listed."""
    return f" and {count - shown} more" if count > shown else ""


def _path_results(analysis: ImageAnalysis, budgets: Budgets) -> list[RuleResult]:
    results = []
    files = [
        (path, visible.entry.size)
        for path, visible in analysis.final.items()
        if visible.entry is not None and visible.entry.kind is not EntryKind.DIR
    ]
    for index, rule in enumerate(budgets.paths):
        test = matcher(rule.glob)
        found = [(path, size) for path, size in files if test(path)]
        total = sum(size for _, size in found)
        forbidden = rule.limit.fail is not None and number(rule.limit.fail) == 0
        banned = forbidden and rule.limit.warn is None  # about files, not bytes
        measured: float = total
        if forbidden and found and total == 0:
            measured = 1  # an empty file still breaks a ban
        examples = tuple("/" + path for path in sorted(path for path, _ in found)[:3])
        shown = f"{', '.join(examples)}{more_text(len(found))}"
        if banned:  # the count is the measure already
            detail = f"{shown} ({format_size(total)})" if found else ""
        else:
            detail = f"{files_text(len(found))}: {shown}" if found else "no matching files"
        result = judge(
            f"paths[{index}]",
            PATH_METRIC,
            rule.limit,
            measured,
            detail=detail,
            advice=rule.advice,
            title=f"{'files' if banned else 'bytes'} under {rule.glob}",
        )
        result = dataclasses.replace(result, glob=rule.glob, paths=examples, path_count=len(found))
        if measured != total:  # judged as a violation, reported as the bytes it holds
            result = dataclasses.replace(result, measured_value=total)
        results.append(result)
    return results


def _growth_results(
    analysis: ImageAnalysis, budgets: Budgets, baseline: ImageAnalysis | None
) -> list[RuleResult]:
    results = []
    for name, limit in budgets.growth.items():
        metric = GROWTH_METRICS[name]
        if baseline is None:
            results.append(
                judge(f"growth.{name}", metric, limit, None, skip_reason="no --baseline given")
            )
            continue
        increase = analysis.size - baseline.size
        if name == "max_size_increase_percent":
            value = (
                increase / baseline.size if baseline.size else (0.0 if not increase else math.inf)
            )
        else:
            value = increase
        detail = (
            f"{format_size(baseline.size)} -> {format_size(analysis.size)} "
            f"({'+' if increase >= 0 else '-'}{format_size(abs(increase))})"
        )
        results.append(judge(f"growth.{name}", metric, limit, value, detail=detail))
    return results


def _enabled(result: RuleResult) -> bool:
    """False for a rule switched off (dive's ``disabled``): it is left out of the verdict."""
    return result.limit.fail is not None or result.limit.warn is not None


def evaluate(
    analysis: ImageAnalysis, budgets: Budgets, baseline: ImageAnalysis | None = None
) -> Verdict:
    """Check ``analysis`` against ``budgets`` (overrides for this image applied). A disabled
    rule has no result."""
    budgets = applicable(budgets, analysis)
    results: list[RuleResult] = []
    measures = _image_measures(analysis, budgets.ignore)
    for name, metric in IMAGE_METRICS.items():
        limit = budgets.image.get(name)
        if limit is None:
            continue
        value, reason = measures[name]()
        results.append(judge(f"image.{name}", metric, limit, value, skip_reason=reason))
    results.extend(_layer_results(analysis, budgets))
    results.extend(_path_results(analysis, budgets))
    results.extend(_growth_results(analysis, budgets, baseline))
    label = analysis.image.name or analysis.image.reference
    return Verdict(label, budgets.source, tuple(filter(_enabled, results)))
