"""Sizes and percentages exactly as written in a budgets file.

``MB``, ``kB``, ``GB`` are SI (powers of 1000); ``MiB``, ``KiB``, ``GiB`` are IEC (powers of
1024); a bare number is bytes. Percentages are ``10%`` or a ratio like ``0.1``. Every parsed
value keeps the text it came from, so results are echoed back in the user's own units.

dive's ``highestWastedBytes`` follows go-humanize's looser rules instead (``20M`` is 20 MB, case
does not matter, commas are ignored): :func:`parse_dive_bytes` reproduces them for ``.dive-ci``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from auger.clipping import clip

SI = {"B": 1, "kB": 10**3, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12, "PB": 10**15}
IEC = {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40, "PiB": 2**50}
UNITS = {**SI, **IEC}

_SIZE = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[A-Za-z]*)\s*$")
_PERCENT = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?)\s*%\s*$")


MAX_BYTES = 2**64 - 1
"""The largest size a limit may name (dive's limit too): more is a mistake, not a budget."""


class UnitError(ValueError):
    """A value is not a size or a percentage (the message says what is expected)."""


def _bounded(amount: int | Decimal, value: object) -> None:
    if amount > MAX_BYTES:
        raise UnitError(f"{clip(str(value), 40)} is too large a size (at most 16 EiB)")


@dataclass(frozen=True, slots=True)
class Size:
    """A byte count and how the user wrote it."""

    bytes: int
    text: str

    def __str__(self) -> str:
        return self.text

    @property
    def binary(self) -> bool:
        """True when written in IEC units (``MiB``): sizes compared with it are shown in them."""
        return any(self.text.endswith(unit) for unit in IEC)


@dataclass(frozen=True, slots=True)
class Ratio:
    """A ratio (0.1 = 10 %) and how the user wrote it."""

    value: float
    text: str

    def __str__(self) -> str:
        return self.text


def _unit_hint(unit: str) -> str:
    lower = unit.lower()
    for known in UNITS:
        if known.lower() == lower:
            return f" (did you mean {known}? units are case-sensitive: MB = 10^6, MiB = 2^20)"
    return " (use B, kB, MB, GB, TB or KiB, MiB, GiB, TiB)"


def parse_size(value: object) -> Size:
    """Parse ``500MB``, ``1.5 GiB`` or a bare number of bytes."""
    if isinstance(value, bool):
        raise UnitError(f"expected a size such as 500MB or 1GiB, got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise UnitError("a size cannot be negative")
        _bounded(value, "this number")
        return Size(value, str(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UnitError(f"{value!r} is not a size (write e.g. 500MB, 1.5GiB or 1048576)")
        raise UnitError(f"{value!r} is not a whole number of bytes; add a unit, e.g. {value}MB")
    if not isinstance(value, str):
        raise UnitError(f"expected a size such as 500MB or 1GiB, got {type(value).__name__}")
    match = _SIZE.match(value)
    if match is None:
        raise UnitError(f"{clip(value)!r} is not a size (write e.g. 500MB, 1.5GiB or 1048576)")
    unit = match["unit"] or "B"
    if unit not in UNITS:
        raise UnitError(f"unknown unit {clip(unit, 20)!r} in {clip(value)!r}{_unit_hint(unit)}")
    integral = match["number"].partition(".")[0]
    if len(integral.lstrip("0")) > 20:  # past any limit, and past what Decimal keeps exactly
        raise UnitError(f"{clip(value, 40)} is too large a size (at most 16 EiB)")
    amount = Decimal(match["number"]) * UNITS[unit]
    _bounded(amount, value)
    if amount != amount.to_integral_value():
        raise UnitError(f"{clip(value)!r} is not a whole number of bytes")
    return Size(int(amount), value.strip())


def parse_ratio(value: object, *, allow_above_one: bool = False) -> Ratio:
    """Parse ``10%`` or ``0.1`` (a bare number is a ratio between 0 and 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise UnitError(f"expected a percentage such as 10% or 0.1, got {clip(repr(value))}")
    if isinstance(value, int):
        if value < 0:
            raise UnitError("a percentage cannot be negative")
        if value >= 10**20:
            raise UnitError("too large a number: write a percentage such as 10%, or a ratio")
        if value > 1:
            raise UnitError(f"{value} is ambiguous: write {value}% for a percentage, or a ratio")
        return Ratio(float(value), str(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UnitError(f"{value!r} is not a percentage (write e.g. 10% or 0.1)")
        value = repr(value)
    match = _PERCENT.match(value)
    if match is not None:
        ratio = float(Decimal(match["number"]) / 100)
        if ratio > 1 and not allow_above_one:
            raise UnitError(f"{clip(value, 40)!r} is more than 100%")
        if ratio > 10**15:
            raise UnitError(f"{clip(value, 40)!r} is too large a percentage")
        return Ratio(ratio, value.strip())
    try:
        number = Decimal(value.strip())
    except InvalidOperation as exc:
        raise UnitError(f"{clip(value)!r} is not a percentage (write e.g. 10% or 0.1)") from exc
    if not number.is_finite():
        raise UnitError(f"{clip(value)!r} is not a percentage (write e.g. 10% or 0.1)")
    text = value.strip()
    if number < 0:
        raise UnitError(f"a percentage cannot be negative ({clip(text, 40)})")
    if number > 1:
        shown = clip(text, 40)
        raise UnitError(
            f"{shown} is ambiguous: write {shown}% for a percentage, or a ratio up to 1"
        )
    return Ratio(float(number), text)


_GO_UNITS = {
    "": 1,
    "b": 1,
    "k": 10**3,
    "kb": 10**3,
    "ki": 2**10,
    "kib": 2**10,
    "m": 10**6,
    "mb": 10**6,
    "mi": 2**20,
    "mib": 2**20,
    "g": 10**9,
    "gb": 10**9,
    "gi": 2**30,
    "gib": 2**30,
    "t": 10**12,
    "tb": 10**12,
    "ti": 2**40,
    "tib": 2**40,
    "p": 10**15,
    "pb": 10**15,
    "pi": 2**50,
    "pib": 2**50,
    "e": 10**18,
    "eb": 10**18,
    "ei": 2**60,
    "eib": 2**60,
}


def parse_dive_bytes(text: str) -> int:
    """go-humanize's ``ParseBytes``, as dive applies it to ``highestWastedBytes``."""
    last = 0
    for char in text:
        if char not in "0123456789.,":
            break
        last += 1
    number = text[:last].replace(",", "")
    unit = text[last:].strip().lower()
    if not number:
        raise UnitError(f"{text!r} is not a size dive accepts (e.g. 20MB)")
    try:
        amount = float(number)  # float arithmetic, truncated, as Go does it
    except ValueError as exc:
        raise UnitError(f"{text!r} is not a size dive accepts (e.g. 20MB)") from exc
    if unit not in _GO_UNITS:
        raise UnitError(f"unknown size unit {unit!r} in {text!r}")
    result = amount * _GO_UNITS[unit]
    if result >= 2.0**64:
        raise UnitError(f"{text!r} is too large")
    return int(result)
