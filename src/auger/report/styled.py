"""Lines of styled pieces, written as plain text or with ANSI colours through ``rich``.

A formatter builds its lines from :data:`Piece` values (text and the name of a style, or
``None``); :func:`render` joins them plainly, or, when colour is asked for, renders each styled
piece through ``rich``. ``rich`` is imported only then, so a gate writing to a file or a CI log
never loads it. Text is never parsed as markup: a name holding ``[red]`` stays as written.
"""

from __future__ import annotations

from collections.abc import Sequence

Piece = tuple[str, str | None]
"""Text and the name of its style in :data:`STYLES` (``None``: unstyled)."""

STYLES = {
    "pass": "green",
    "warn": "yellow",
    "fail": "bold red",
    "skip": "dim",
    "muted": "dim",
}
"""Style names and the ``rich`` styles they render as."""


def render(lines: Sequence[Sequence[Piece]], *, color: bool) -> str:
    """The lines, each ending in a newline; with ANSI colours when ``color``."""
    if not color:
        return "".join("".join(text for text, _ in line) + "\n" for line in lines)
    from rich.color import ColorSystem  # noqa: PLC0415 - only for a colour terminal
    from rich.style import Style  # noqa: PLC0415

    styles = {name: Style.parse(spec) for name, spec in STYLES.items()}
    out = []
    for line in lines:
        for text, name in line:
            style = styles.get(name) if name else None
            out.append(style.render(text, color_system=ColorSystem.STANDARD) if style else text)
        out.append("\n")
    return "".join(out)
