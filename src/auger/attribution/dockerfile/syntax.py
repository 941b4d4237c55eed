"""A Dockerfile's lines into instructions, as BuildKit's parser splits them.

- Parser directives (``# escape=`` and ``# syntax=``...) are read from the top until the first
  line that is not one; ``escape`` sets the escape character (``\\`` or a backtick).
- A line that ends with the escape character (then optional blanks) continues on the next;
  comment lines and empty lines inside a continued instruction are skipped.
- Heredocs (``RUN <<EOF``, ``<<-EOF`` strips leading tabs, ``<<"EOF"`` is not expanded) take
  the lines after the instruction up to their terminator, several per instruction in order.

Each instruction keeps the line it starts on (1-based), which is what a person reads in an
editor and what GitHub annotates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from auger.errors import UsageError

_DIRECTIVE = re.compile(r"#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_HEREDOC = re.compile(r"(?<![<\w])(\d*)<<(-?)\s*(['\"]?)([A-Za-z0-9_.\-]+)\3")
_HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})


class DockerfileError(UsageError):
    """A Dockerfile auger cannot read (it names the line)."""


@dataclass(frozen=True, slots=True)
class Heredoc:
    """An inline document: its terminator name, its content, whether it expands variables."""

    name: str
    content: str
    """The lines between the instruction and the terminator, each ending with a newline
    (leading tabs removed for ``<<-``)."""
    expand: bool = True
    chomp: bool = False


@dataclass(frozen=True, slots=True)
class RawInstruction:
    """One instruction as written: keyword, the rest of its (joined) line, where it is."""

    keyword: str
    """Upper-cased: ``RUN``, ``COPY``, ``FROM``..."""
    arguments: str
    """Everything after the keyword, continuation lines joined (the escape character and the
    line break removed, as BuildKit joins them)."""
    line: int
    end_line: int
    heredocs: tuple[Heredoc, ...] = ()

    @property
    def text(self) -> str:
        """The instruction on one line, blanks collapsed (heredoc bodies left out)."""
        return " ".join(f"{self.keyword} {self.arguments}".split())


@dataclass(frozen=True, slots=True)
class Source:
    """A parsed Dockerfile: its directives and instructions."""

    escape: str
    directives: dict[str, str]
    instructions: tuple[RawInstruction, ...]


def _directives(lines: list[str]) -> tuple[dict[str, str], int]:
    found: dict[str, str] = {}
    for index, line in enumerate(lines):
        match = _DIRECTIVE.match(line)
        if match is None:
            return found, index
        name = match.group(1).lower()
        if name in found:
            return found, index  # a repeated directive is a comment, as BuildKit treats it
        found[name] = match.group(2)
    return found, len(lines)


def _continues(line: str, escape: str) -> str | None:
    """The line without its continuation mark, or ``None`` if it does not continue."""
    stripped = line.rstrip(" \t")
    if stripped.endswith(escape):
        return stripped[: -len(escape)]
    return None


def _heredoc_markers(keyword: str, arguments: str) -> list[tuple[str, bool, bool]]:
    if keyword not in _HEREDOC_KEYWORDS:
        return []
    return [
        (match.group(4), not match.group(3), bool(match.group(2)))
        for match in _HEREDOC.finditer(arguments)
    ]


def parse_source(text: str) -> Source:
    """Split a Dockerfile's text into instructions."""
    lines = text.lstrip("\ufeff").splitlines()
    directives, start = _directives(lines)
    escape = directives.get("escape", "\\")
    if escape not in ("\\", "`"):
        raise DockerfileError(f"line 1: escape must be \\ or `, not {escape!r}")
    instructions = []
    index = start
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        first = index
        parts = []
        while True:
            rest = _continues(lines[index], escape)
            if rest is None:
                parts.append(lines[index])
                index += 1
                break
            parts.append(rest)
            index += 1
            while index < len(lines) and (
                not lines[index].strip() or lines[index].lstrip().startswith("#")
            ):
                index += 1  # comments and empty lines inside a continuation are skipped
            if index >= len(lines):
                break
        joined = "".join(parts).strip()
        keyword, _, arguments = joined.partition(" ")
        if not re.fullmatch(r"[A-Za-z]+", keyword):
            raise DockerfileError(f"line {first + 1}: not an instruction: {keyword[:40]!r}")
        keyword = keyword.upper()
        heredocs = []
        for name, expand, chomp in _heredoc_markers(keyword, arguments):
            body = []
            while True:
                if index >= len(lines):
                    raise DockerfileError(f"line {first + 1}: heredoc {name} is not terminated")
                current = lines[index]
                index += 1
                if (current.lstrip("\t") if chomp else current) == name:
                    break
                body.append((current.lstrip("\t") if chomp else current) + "\n")
            heredocs.append(Heredoc(name, "".join(body), expand, chomp))
        instructions.append(
            RawInstruction(keyword, arguments.strip(), first + 1, index, tuple(heredocs))
        )
    return Source(escape, directives, tuple(instructions))
