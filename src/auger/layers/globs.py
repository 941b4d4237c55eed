"""Path globs over the final filesystem: ``*`` within a name, ``**`` across directories.

``/var/lib/apt/lists/**`` matches everything below that directory; ``/root/.cache/*``
matches its direct children; ``**/__pycache__/**`` matches at any depth. ``?`` is one
character, ``[abc]``, ``[a-z]`` and ``[!abc]`` (or ``[^abc]``) are character classes (``]``
first in a class is literal, so ``[]]`` matches ``]`` and ``[[]`` matches ``[``); nothing
matches ``/`` but ``**``, and there is no escape character. Globs and paths both start with
``/``. A malformed glob (an unclosed ``[``, a reversed range, an empty, ``.`` or ``..``
component, which no normalised path has) raises :class:`GlobError`.

Globs compile to regular expressions that cannot backtrack without bound, whatever the glob
and the path: in a name every ``*`` but the last takes the shortest text before what follows
it and never gives it back (an atomic group, as :mod:`fnmatch` does), and in a path every
``**`` but the last takes the fewest directories before the names that follow it, likewise.
That earliest fit is always right, so matching takes time linear in the path's length for a
given glob.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from auger.clipping import clip


class GlobError(ValueError):
    """A glob is malformed (the message says how)."""


_NAME_CHAR = "[^/]"


def _class(part: str, start: int) -> tuple[str, int]:
    """The character class opening at ``part[start]`` as a regular expression, and the position
    after its closing ``]``."""
    position = start + 1
    negated = position < len(part) and part[position] in "!^"
    if negated:
        position += 1
    ranges: list[tuple[str, str]] = []
    while True:
        if position >= len(part):
            raise GlobError(f"unclosed '[' in {clip(part)!r} (write [[] for a literal '[')")
        char = part[position]
        if char == "]" and ranges:
            break
        if position + 2 < len(part) and part[position + 1] == "-" and part[position + 2] != "]":
            high = part[position + 2]
            if high < char:
                raise GlobError(f"reversed range {char}-{high} in {clip(part)!r}")
            ranges.append((char, high))
            position += 3
        else:
            ranges.append((char, char))
            position += 1
    body = "".join(
        re.escape(low) if low == high else f"{re.escape(low)}-{re.escape(high)}"
        for low, high in ranges
    )
    if negated:
        return f"[^/{body}]", position + 1
    if any(low <= "/" <= high for low, high in ranges):
        return f"(?!/)[{body}]", position + 1
    return f"[{body}]", position + 1


def _name_pieces(part: str) -> list[str | None]:
    """One name's glob in pieces: a plain character as itself, ``?`` or a class as a
    regular expression (longer than one character), ``None`` for each run of ``*``."""
    pieces: list[str | None] = []
    position = 0
    while position < len(part):
        char = part[position]
        if char == "*":
            if not pieces or pieces[-1] is not None:
                pieces.append(None)
            position += 1
        elif char == "?":
            pieces.append(_NAME_CHAR)
            position += 1
        elif char == "[":
            piece, position = _class(part, position)
            pieces.append(piece)
        else:
            pieces.append(char)
            position += 1
    return pieces


def _regex(piece: str) -> str:
    return re.escape(piece) if len(piece) == 1 else piece


def _name(part: str) -> str:
    """A regular expression for one name that matches the whole name or nothing."""
    runs: list[str] = [""]
    for piece in _name_pieces(part):
        if piece is None:
            runs.append("")
        else:
            runs[-1] += _regex(piece)
    if len(runs) == 1:
        return runs[0] + "(?![^/])"
    first, *middle, last = runs
    pattern = first + "".join(f"(?>{_NAME_CHAR}*?{run})" for run in middle)
    pattern += f"{_NAME_CHAR}*+" if not last else f"{_NAME_CHAR}*{last}"
    return pattern + "(?![^/])"


def _components(glob: str) -> list[str | None]:
    """The glob's names as regular expressions, ``None`` for each ``**`` (repeats merged)."""
    items: list[str | None] = []
    for part in glob.strip("/").split("/"):
        if part in ("", ".", ".."):
            shown = "an empty name" if not part else f"a {part!r} name"
            raise GlobError(f"{clip(glob)!r} has {shown}; paths are matched normalised")
        if part == "**":
            if not items or items[-1] is not None:
                items.append(None)
        else:
            items.append(_name(part))
    return items


@functools.lru_cache(maxsize=1024)
def compile_glob(glob: str) -> re.Pattern[str]:
    """The regular expression a glob stands for (anchored, matched against ``/path``).

    Raises :class:`GlobError` when the glob is malformed.
    """
    runs: list[str] = [""]
    for item in _components(glob):
        if item is None:
            runs.append("")
        else:
            runs[-1] += "/" + item
    if len(runs) == 1:
        return re.compile(runs[0] + r"\Z", re.DOTALL)
    first, *middle, last = runs
    pattern = first + "".join(f"(?>(?:/[^/]++)*?{run})" for run in middle)
    pattern += r"(?:/.*)?" if not last else f"(?:/[^/]++)*{last}"
    return re.compile(pattern + r"\Z", re.DOTALL)


def check_glob(glob: str) -> None:
    """Raise :class:`GlobError` if ``glob`` is malformed."""
    compile_glob(glob)


def literal_runs(glob: str) -> list[str]:
    """Texts every path matching ``glob`` contains: the runs of plain characters in its names
    (to skip hopeless matches cheaply). Raises :class:`GlobError` when the glob is malformed."""
    check_glob(glob)
    runs: list[str] = []
    for part in glob.strip("/").split("/"):
        run = ""
        for piece in [*_name_pieces(part), None]:
            if piece is not None and len(piece) == 1:
                run += piece
                continue
            if run:
                runs.append(run)
            run = ""
    return runs


def matcher(glob: str) -> Callable[[str], bool]:
    """A test of normalised relative paths against ``glob``, for use over many paths: a path
    without the glob's longest plain text is turned down before the regular expression runs.
    Raises :class:`GlobError` when the glob is malformed."""
    match = compile_glob(glob).match
    required = max(literal_runs(glob), key=len, default="")
    if not required:
        return lambda path: match("/" + path) is not None
    return lambda path: required in path and match("/" + path) is not None


def matches(glob: str, path: str) -> bool:
    """True if the normalised relative ``path`` matches ``glob``."""
    return compile_glob(glob).match("/" + path) is not None
