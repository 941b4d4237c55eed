"""The path filter: a regular expression, or a glob when the text is not a valid one (plain
text when it is neither).

Paths are matched as ``/usr/lib/x`` (with the leading slash). A glob without a ``/`` matches a
name at any depth (``*.so``); one with a ``/`` matches from the root (``/usr/*/x``). Plain text
is matched as a substring, and typing more of it only re-checks the previous matches.
"""

from __future__ import annotations

import operator
import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import compress, repeat

from auger.layers.globs import GlobError, compile_glob

_SPECIAL = frozenset(".^$*+?{}[]\\|()")


@dataclass(frozen=True, slots=True, eq=False)
class PathFilter:
    """A compiled filter and the ids of every path it matches (sorted, root excluded)."""

    text: str
    kind: str
    """``text`` (a plain substring), ``regex`` or ``glob``."""
    matches: list[int]

    def __contains__(self, number: int) -> bool:
        """True if the path ``number`` matches (a binary search: no set of every match to
        build on each keystroke, when a screen only asks about a few dozen paths)."""
        matches = self.matches
        position = bisect_left(matches, number)
        return position < len(matches) and matches[position] == number

    def describe(self) -> str:
        """How the filter reads in the header line."""
        return f"filter {self.text!r} ({self.kind}, {len(self.matches)} matches)"


class Haystack:
    """What filters match, built on first use: each path with a leading ``/``, each name."""

    def __init__(self, paths: list[str]) -> None:
        self._paths = paths
        self._slashed: list[str] | None = None
        self._names: list[str] | None = None

    @property
    def ready(self) -> bool:
        """True once everything is built."""
        return self._slashed is not None and self._names is not None

    def prepare(self) -> None:
        """Build everything now (it takes a moment on large images) rather than on first use."""
        _ = self.slashed, self.names

    @property
    def slashed(self) -> list[str]:
        if self._slashed is None:
            self._slashed = ["/" + path for path in self._paths]
        return self._slashed

    @property
    def names(self) -> list[str]:
        if self._names is None:
            self._names = [path.rpartition("/")[2] for path in self._paths]
        return self._names


def _scan(text: str, haystack: Haystack) -> tuple[str, list[int]]:
    """The kind of filter ``text`` is and the ids it matches."""
    every = range(len(haystack.slashed))
    if not _SPECIAL.intersection(text):
        return "text", list(compress(every, map(operator.contains, haystack.slashed, repeat(text))))
    try:
        return "regex", list(compress(every, map(re.compile(text).search, haystack.slashed)))
    except (re.error, OverflowError, RecursionError):  # not a regular expression Python takes
        if text == "*":  # how every name glob begins: matches everything, no need to look
            return "glob", list(every)
        try:
            pattern = compile_glob(text)
        except GlobError:  # neither a regular expression nor a glob: the text as it is
            return "text", list(
                compress(every, map(operator.contains, haystack.slashed, repeat(text)))
            )
        if "/" in text:
            return "glob", list(compress(every, map(pattern.match, haystack.slashed)))
        name = re.compile(pattern.pattern.removeprefix("/"), pattern.flags)  # a name, any depth
        return "glob", list(compress(every, map(name.match, haystack.names)))


def apply_filter(text: str, haystack: Haystack, previous: PathFilter | None) -> PathFilter | None:
    """Match ``text`` against every path; ``None`` for empty text.

    ``previous`` (the filter before this keystroke) narrows the search when both are plain
    text and the new text contains the old.
    """
    if not text:
        return None
    narrowing = previous is not None and previous.kind == "text" and previous.text in text
    if previous is not None and narrowing and not _SPECIAL.intersection(text):
        slashed = haystack.slashed
        matches = [n for n in previous.matches if text in slashed[n]]
        return PathFilter(text, "text", matches)
    kind, matches = _scan(text, haystack)
    if matches and matches[0] == 0:
        matches = matches[1:]  # the root is always shown, never matched
    return PathFilter(text, kind, matches)
