"""How values are shown to people: sizes and ratios.

One home for every front end and report, at the bottom of the package beside the model, so it
imports nothing but the standard library.
"""

from __future__ import annotations

import math

_SI_UNITS = (" kB", " MB", " GB", " TB", " PB", " EB", " ZB", " YB", " RB", " QB")
_IEC_UNITS = (" KiB", " MiB", " GiB", " TiB", " PiB", " EiB", " ZiB", " YiB", " RiB", " QiB")


def format_size(value: float, *, binary: bool = False) -> str:
    """``532 B``, ``1.2 MB`` (SI, as dive and docker print sizes), or ``1.2 MiB`` (IEC) when
    ``binary``: one decimal, and the next unit up when rounding reaches the base (``1.0 MB``,
    never ``1000.0 kB``)."""
    base = 1024 if binary else 1000
    if value < base:
        return f"{int(value)} B"
    units = _IEC_UNITS if binary else _SI_UNITS
    exponent = 1
    while exponent < len(units) and value >= base ** (exponent + 1):
        exponent += 1
    if exponent < len(units) and float(f"{value / base**exponent:.1f}") >= base:
        exponent += 1
    return f"{value / base**exponent:.1f}{units[exponent - 1]}"


def format_ratio(value: float) -> str:
    """``12.34 %`` (``inf %`` for an infinite ratio, ``n/a`` for an undefined one)."""
    if math.isinf(value):
        return "inf %"
    if math.isnan(value):
        return "n/a"
    return f"{value * 100:.2f} %"
