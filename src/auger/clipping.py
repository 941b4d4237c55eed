"""Echoed input, cut to a readable length.

Messages quote what they are about: a reference, a path, a glob, the images an archive
holds. Any of these can be huge (a 100,000-character reference, a manifest naming 2,000
images), so a quote goes through :func:`clip`, which keeps the start and the end and says how
much it left out, and a list through :func:`clip_list`. The command line also clips each
whole message line (:data:`LINE_LIMIT`) as a last resort.
"""

from __future__ import annotations

from collections.abc import Iterable

LIMIT = 200
"""Characters of one quoted value."""
LINE_LIMIT = 1000
"""Characters of one message line."""
ITEMS = 10
"""Items of a quoted list."""


def clip(text: str, limit: int = LIMIT) -> str:
    """``text``, or its start and end with the number of characters left out between them."""
    if len(text) <= limit:
        return text
    tail = max(limit // 4, 1)
    head = max(limit - tail, 1)
    cut = len(text) - head - tail
    return f"{text[:head]}…[{cut:,} characters cut]…{text[-tail:]}"


def clip_value(value: object, limit: int = LIMIT) -> str:
    """``repr(value)``, clipped; an integer too long to write out (Python refuses past 4,300
    digits) is described instead."""
    if isinstance(value, int) and value.bit_length() > 10_000:
        return f"a number of about {int(value.bit_length() * 0.30103):,} digits"
    return clip(repr(value), limit)


def clip_list(items: Iterable[str], limit: int = ITEMS, *, each: int = LIMIT) -> str:
    """The first ``limit`` items (each clipped), comma-separated, then how many more."""
    shown: list[str] = []
    more = 0
    for item in items:
        if len(shown) < limit:
            shown.append(clip(item, each))
        else:
            more += 1
    return ", ".join(shown) + (f" and {more:,} more" if more else "")
