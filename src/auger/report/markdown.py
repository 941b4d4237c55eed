"""Escaping for Markdown that is posted where others read it (pull request comments).

Any name may contain ``|``, backticks, ``<script>``, newlines, terminal escapes or bytes that
are not UTF-8. :func:`cell` makes text safe inside a table cell or a sentence: no raw HTML, no
control characters, no Markdown syntax. :func:`inline` renders a name as inline code.
"""

from __future__ import annotations

import re

from auger.display import display

_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def no_comment(text: str) -> str:
    """``<!--`` broken with a zero-width space: a name can never open an HTML comment or
    repeat the marker that identifies a sticky comment."""
    return text.replace("<!--", "<\u200b!--")


def code_block(text: str) -> str:
    """A fenced code block that shows ``text`` (escaped) and that no backtick run can end."""
    shown = no_comment(display(text))
    longest = max((len(run) for run in re.findall("`+", shown)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{shown}\n{fence}"


def cell(text: str) -> str:
    """Text made inert: HTML entities for ``<>&``, Markdown punctuation backslash-escaped."""
    shown = display(text)
    shown = shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    shown = shown.replace('"', "&quot;")
    return _SPECIAL.sub(r"\\\1", shown)


def inline(text: str, *, in_table: bool = True) -> str:
    """A name as inline code, fenced so that backticks inside cannot close it (and with
    ``<!--`` broken up, so a name can never repeat a comment marker). In a table, ``|`` is
    escaped as GitHub requires; elsewhere that escape would show, so it is left alone."""
    shown = no_comment(display(text))
    if in_table:
        shown = shown.replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{pad}{shown}{pad}{fence}"
