"""How values are shown to people: sizes, ratios, names, commands, and numbers for JSON.

One home for every front end and report, at the bottom of the package beside the model, so it
imports nothing but the standard library. :func:`display` renders any name so that it is safe
to print on a terminal: bytes that are not UTF-8 (carried as surrogate escapes) become ``\\xNN``
and control characters (terminal escapes, newlines) become visible escapes. It runs once per
name in an export of hundreds of thousands of entries, so it is one regular-expression pass.
"""

from __future__ import annotations

import math
import re

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


def finite(value: float | None) -> float | None:
    """``value``, or ``None`` for infinity and NaN, which JSON cannot carry."""
    return value if value is None or math.isfinite(value) else None


def one_line(text: str, width: int | None = None) -> str:
    """``text`` on one line (each run of whitespace, newlines included, becomes one space), cut
    to ``width`` characters ending in ``…`` when it is longer.

    Not escaped: pass the result through :func:`display` for a terminal, or through the
    Markdown escapers for Markdown.
    """
    flat = " ".join(text.split())
    if width is None or len(flat) <= width:
        return flat
    return flat[: max(width - 1, 0)] + "…"


_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\\\\\udc80-\udcff]"
)

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def display(name: str) -> str:
    """Render a name for a terminal or a log: no control characters, no raw non-UTF-8 bytes.

    A backslash is doubled so that the escaping cannot be mistaken for a real name.
    """
    return _UNSAFE.sub(_escape, name)


_UNSAFE_IN_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\udc80-\udcff]"
)


def safe_line(text: str) -> str:
    """Make a message safe for one terminal line: like :func:`display`, but backslashes are
    left alone (the message may already hold escaped names)."""
    return _UNSAFE_IN_LINE.sub(_escape, text)
