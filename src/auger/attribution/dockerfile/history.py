"""Map each layer of an image to the Dockerfile instruction that made it.

The image's history says what made each layer (``created_by``), in the builder's own words:

- BuildKit: ``RUN |2 A=1 B=2 /bin/sh -c CMD # buildkit`` (the ``|N`` prefix lists the build
  arguments in scope), ``COPY src dst # buildkit``, ``WORKDIR /app``;
- the classic builder and Buildah: ``|1 A=1 /bin/sh -c CMD`` or ``/bin/sh -c CMD``,
  ``/bin/sh -c #(nop) COPY file:HASH in /dst``, ``/bin/sh -c #(nop) WORKDIR /app``;
- Kaniko and others: ``RUN CMD``, ``COPY src dst``.

Layers are matched from the top down against the layer-making instructions of the final stage
(and of the stages it is built ``FROM``), from the last up: a ``RUN`` layer by its command
text (blanks collapsed, after the shell and the argument prefix), a ``WORKDIR`` by its
directory, ``COPY`` and ``ADD`` by their kind and order. A ``WORKDIR`` that made no layer (its
directory already existed) is passed over. The layers left below the first instruction come
from the base image and map to its ``FROM`` line. A layer that contradicts the Dockerfile
stops the matching, with a warning: the Dockerfile is not the one that built the image.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from auger.attribution.dockerfile.stages import Dockerfile, Instruction

_BUILDKIT_SUFFIX = re.compile(r"\s*#\s*buildkit\s*$")
_NOP = re.compile(r"#\(nop\)\s*(\w+)\s*(.*)$", re.DOTALL)
_KEYWORD = re.compile(r"(RUN|COPY|ADD|WORKDIR)(?:\s+|$)(.*)$", re.DOTALL)
_ARGS_PREFIX = re.compile(r"\|\d+\s.*")


@dataclass(frozen=True, slots=True)
class Recorded:
    """What a layer's history says made it."""

    keyword: str | None
    """``RUN``, ``COPY``, ``ADD``, ``WORKDIR``, or ``None`` when there is no history."""
    rest: str
    """For ``RUN``: the recorded command line (prefix and shell included); for ``WORKDIR``:
    the directory; else what follows the keyword."""


@dataclass(frozen=True, slots=True)
class LayerMapping:
    """Which instruction made each layer, and why some could not be told."""

    instructions: tuple[Instruction | None, ...]
    """One per layer, bottom first; ``None`` where unknown."""
    warnings: tuple[str, ...] = ()


def _collapse(text: str) -> str:
    return " ".join(text.split())


def recorded(created_by: str) -> Recorded:
    """Read a history ``created_by``."""
    text = _BUILDKIT_SUFFIX.sub("", created_by.strip())
    if not text:
        return Recorded(None, "")
    nop = _NOP.search(text)
    if nop is not None:
        return Recorded(nop.group(1).upper(), nop.group(2).strip())
    keyword = _KEYWORD.match(text)
    if keyword is not None:
        return Recorded(keyword.group(1), keyword.group(2).strip())
    return Recorded("RUN", text)  # the classic builder records a RUN as its command line


def _run_matches(instruction: Instruction, command_line: str) -> bool:
    line = _collapse(command_line)
    command = _collapse(instruction.command)
    if not line.endswith(command):
        return False
    head = line[: len(line) - len(command)].rstrip()
    if not head:
        return True  # the command alone (exec form, or a builder that records it as written)
    shell = _collapse(" ".join(instruction.shell))
    if shell and head.endswith(shell):
        head = head[: len(head) - len(shell)].rstrip()
    elif shell:
        return False  # shell form, but another shell recorded
    return not head or _ARGS_PREFIX.fullmatch(head) is not None


def matches(instruction: Instruction, layer: Recorded) -> bool:
    """True if a layer with this history could come from ``instruction``."""
    if layer.keyword is None:
        return True  # no history: only the order tells
    if layer.keyword != instruction.keyword:
        return False
    if instruction.keyword == "RUN":
        return _run_matches(instruction, layer.rest)
    if instruction.keyword == "WORKDIR":
        wanted = instruction.command.rstrip("/")
        return not instruction.command or layer.rest.rstrip("/") == wanted
    return True


def map_layers(dockerfile: Dockerfile, created_by: Sequence[str]) -> LayerMapping:
    """The instruction that made each layer whose history ``created_by`` lists (bottom first)."""
    chain = dockerfile.chain()
    candidates = [
        instruction
        for stage in chain
        for instruction in stage.instructions
        if instruction.makes_layer
    ]
    base = chain[0].start if chain else None
    result: list[Instruction | None] = [None] * len(created_by)
    position = len(candidates) - 1
    for index in range(len(created_by) - 1, -1, -1):
        layer = recorded(created_by[index])
        while position >= 0 and not matches(candidates[position], layer):
            if candidates[position].keyword != "WORKDIR" or layer.keyword is None:
                warning = (
                    f"the Dockerfile does not match layer {index}: the image records "
                    f"{_collapse(created_by[index])[:80]!r} where line "
                    f"{candidates[position].line} is {candidates[position].text[:80]!r}"
                )
                return LayerMapping(tuple(result), (warning,))
            position -= 1  # a WORKDIR whose directory existed: no layer
        if position >= 0:
            result[index] = candidates[position]
            position -= 1
        else:
            result[index] = base  # below the first instruction: the base image's layers
    return LayerMapping(tuple(result))
