"""A rule's measured value and its limits, written in the unit of the limit.

The measure is written in the unit its limit was written in (``500MB``: the measure in MB too,
``1GiB`` in GiB, a plain number of bytes in bytes), and each level as it was written, spaced
(``500 MB``); ratios are percentages on both sides, however the limit was written (``10%`` and
``0.1`` both read ``10 %``). So a reader compares ``0.6 MB`` with ``at most 50 MB``, never
``615.6 kB`` with ``at most 50MB``. A path rule that forbids a glob (a fail level of 0, no warn
level) is about files, not bytes: ``1 file present, none allowed``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from auger.budgets.evaluate import RuleResult, Style
from auger.budgets.schema import Direction, Value, number
from auger.budgets.units import IEC, SI, Ratio, Size


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit to write a measure in: its symbol and what one of it is worth."""

    symbol: str
    """``MB``, ``MiB``, ``B``, ``%``, or empty for a count."""
    worth: float


def _written_unit(size: Size) -> str | None:
    """The unit a size was written with (``MB`` of ``500MB``), ``None`` for plain bytes."""
    unit = size.text.lstrip("0123456789. ")
    return unit if unit in SI or unit in IEC else None


def unit_of(result: RuleResult) -> Unit:
    """The unit of the rule's limit (its fail level, else its warn level)."""
    if result.style is Style.COUNT:
        return Unit("", 1)
    if result.style is Style.PERCENT:
        return Unit("%", 0.01)
    like = result.limit.fail if result.limit.fail is not None else result.limit.warn
    unit = _written_unit(like) if isinstance(like, Size) else None
    if unit is None:
        return Unit("B", 1)
    return Unit(unit, {**SI, **IEC}[unit])


def _amount(value: float, unit: Unit) -> str:
    """A measure in ``unit``: one decimal (two for a percentage), or as many as it takes to
    show that it is not zero; whole bytes and counts."""
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    amount = value / unit.worth
    if unit.symbol in ("", "B"):
        return f"{round(amount):,}"
    decimals = 2 if unit.symbol == "%" else 1
    while decimals < 6 and amount != 0 and round(amount, decimals) == 0:
        decimals += 1
    return f"{amount:,.{decimals}f}"


def _with_unit(amount: str, symbol: str) -> str:
    return f"{amount} {symbol}" if symbol else amount


def _plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: ``90``, ``12.5``."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _level(value: Value) -> str:
    """A fail or warn level as written, in the unit style of the measure."""
    if isinstance(value, Size):
        unit = _written_unit(value)
        if unit is None:
            return f"{value.bytes:,} B"
        return f"{value.text[: -len(unit)].strip()} {unit}"
    if isinstance(value, Ratio):
        if value.text.endswith("%"):
            return f"{value.text[:-1].strip()} %"
        try:
            return f"{_plain(Decimal(value.text) * 100)} %"
        except InvalidOperation:
            return _with_unit(_amount(value.value, Unit("%", 0.01)), "%")
    return str(value)


def forbids(result: RuleResult) -> bool:
    """True for a path rule that allows no file at all (``max_size: 0``, no warn level)."""
    return (
        result.glob is not None
        and result.limit.warn is None
        and result.limit.fail is not None
        and number(result.limit.fail) == 0
    )


def _files(count: int) -> str:
    return "no file" if count == 0 else f"{count} file{'s' if count != 1 else ''}"


def measured(result: RuleResult) -> str:
    """The measured value in the rule's unit (``—`` when there is none); for a rule that
    forbids a glob, how many files are present."""
    if forbids(result):
        return f"{_files(result.path_count)} present"
    if result.measured_value is None:
        return "—"
    unit = unit_of(result)
    return _with_unit(_amount(result.measured_value, unit), unit.symbol)


def limit(result: RuleResult) -> str:
    """``at most 500 MB, warn above 400 MB``, ``at least 90 %``, ``none allowed``: the levels as
    written, in the unit style of :func:`measured`."""
    fail, warn = result.limit.fail, result.limit.warn
    if forbids(result):
        return "none allowed"
    if fail is None and warn is None:
        return "disabled"
    parts = []
    if fail is not None:
        parts.append(f"{result.direction.value} {_level(fail)}")
    if warn is not None:
        side = "above" if result.direction is Direction.AT_MOST else "below"
        parts.append(f"warn {side} {_level(warn)}")
    return ", ".join(parts)
