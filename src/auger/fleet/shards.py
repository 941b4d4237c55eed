"""Which shard this process is: ``--shard I/N``, or a Kubernetes Indexed Job's environment.

Shards count from 0, as Kubernetes counts completion indexes: ``--shard 0/4`` to ``--shard
3/4``. Without ``--shard``, ``JOB_COMPLETION_INDEX`` (which Kubernetes sets in each pod of an
Indexed Job) and ``JOB_COMPLETIONS`` (which the Job's manifest sets to its ``completions``)
choose it; with neither, the process is the whole fleet (``0/1``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from auger.errors import UsageError

INDEX_VARIABLE = "JOB_COMPLETION_INDEX"
COUNT_VARIABLE = "JOB_COMPLETIONS"
_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard ``index`` of ``count``."""

    index: int = 0
    count: int = 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def _checked(index: int, count: int, origin: str) -> Shard:
    if count < 1:
        raise UsageError(f"{origin}: the number of shards must be at least 1")
    if not 0 <= index < count:
        raise UsageError(
            f"{origin}: shard {index} does not exist among {count}",
            hint=f"shards count from 0: 0/{count} to {count - 1}/{count}",
        )
    return Shard(index, count)


def parse_shard(text: str) -> Shard:
    """``I/N``."""
    match = _SHARD.fullmatch(text)
    if match is None:
        raise UsageError(f"--shard {text!r}: expected I/N, e.g. 0/4", hint="shards count from 0")
    return _checked(int(match[1]), int(match[2]), f"--shard {text}")


def choose_shard(option: str | None, environ: Mapping[str, str]) -> Shard:
    """The shard ``--shard`` names, else the Indexed Job's, else the whole fleet."""
    if option is not None:
        return parse_shard(option)
    index, count = environ.get(INDEX_VARIABLE, "").strip(), environ.get(COUNT_VARIABLE, "").strip()
    if not index and not count:
        return Shard()
    if not index or not count:
        missing = INDEX_VARIABLE if not index else COUNT_VARIABLE
        raise UsageError(
            f"{missing} is not set, but {COUNT_VARIABLE if not index else INDEX_VARIABLE} is",
            hint=f"an Indexed Job sets {INDEX_VARIABLE}; set {COUNT_VARIABLE} to its "
            "completions in the manifest (or pass --shard I/N)",
        )
    if not index.isdigit() or not count.isdigit():
        raise UsageError(f"{INDEX_VARIABLE}={index!r} and {COUNT_VARIABLE}={count!r}: not numbers")
    return _checked(int(index), int(count), f"{INDEX_VARIABLE}={index}, {COUNT_VARIABLE}={count}")
