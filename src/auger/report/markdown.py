"""Escaping for Markdown that is posted where others read it (pull request comments).

Any name may contain ``|``, backticks, ``<script>``, newlines, terminal escapes or bytes that
are not UTF-8. :func:`cell` makes text safe inside a table cell or a sentence: no raw HTML, no
control characters, no Markdown syntax. :func:`inline` renders a name as inline code.
"""

from __future__ import annotations

import re

from auger.layers import paths

_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def cell(text: str) -> str:
    """Text made inert: HTML entities for ``<>&``, Markdown punctuation backslash-escaped."""
    shown = paths.display(text)
    shown = shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    shown = shown.replace('"', "&quot;")
    return _SPECIAL.sub(r"\\\1", shown)


def inline(text: str) -> str:
    """A name as inline code, fenced so that backticks inside cannot close it."""
    shown = paths.display(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{pad}{shown}{pad}{fence}"
