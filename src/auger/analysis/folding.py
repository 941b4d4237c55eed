"""Fewer, truer rows: small paths folded into their directory, sizes rolled up by directory.

Pure and generic over what a row is (a waste group, a changed path): the caller says how to
read a row's path and size. A path is normalised and relative (``usr/lib/libc.so``); the root
directory is ``""``.

- :func:`fold_small` folds rows smaller than a threshold into one row per directory (and per
  whatever else the caller keeps apart, such as a cause), when a directory has two or more.
- :func:`rollup` sums sizes per directory at a fixed depth (``/usr/lib +40 MB``).
- :func:`by_directory` lists the largest rows of each top directory, for lists too long to
  show whole.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from auger.layers import paths

T = TypeVar("T")

FOLD_BELOW = 1000
"""Rows under this many bytes may be folded..."""
FOLD_FRACTION = 100
"""... and, in a small image, only rows under 1/100 of the whole."""
ROLLUP_DEPTH = 2
"""Directories are rolled up two levels deep: ``/usr/lib``, ``/app/node_modules``."""


def fold_threshold(total: int) -> int:
    """The size under which a row counts as small, in an image of ``total`` bytes."""
    return max(min(FOLD_BELOW, abs(total) // FOLD_FRACTION), 1)


@dataclass(frozen=True, slots=True)
class Folded(Generic[T]):
    """Small rows of one directory, shown as one."""

    directory: str
    rows: tuple[T, ...]
    size: int


def fold_small(
    rows: Iterable[T],
    path: Callable[[T], str],
    size: Callable[[T], int],
    threshold: int,
    apart: Callable[[T], Hashable] = lambda _row: None,
) -> list[T | Folded[T]]:
    """``rows`` with those under ``threshold`` bytes folded by directory (and by ``apart``),
    where a directory holds two or more; the order of the first row of each is kept."""
    out: list[T | Folded[T] | tuple[str, Hashable]] = []
    small: dict[tuple[str, Hashable], list[T]] = {}
    for row in rows:
        if abs(size(row)) >= threshold:
            out.append(row)
            continue
        key = (paths.parent(path(row)), apart(row))
        if key not in small:
            small[key] = []
            out.append(key)
        small[key].append(row)
    result: list[T | Folded[T]] = []
    for item in out:
        if isinstance(item, tuple) and item in small:
            group = small[item]
            if len(group) == 1:
                result.append(group[0])
            else:
                total = sum(size(row) for row in group)
                result.append(Folded(item[0], tuple(group), total))
        else:
            result.append(item)  # type: ignore[arg-type]
    return result


def rollup_directory(path: str, depth: int = ROLLUP_DEPTH) -> str:
    """The directory a path is rolled up into: its parent, cut to ``depth`` levels."""
    parent = paths.parent(path)
    return "/".join(parent.split("/")[:depth]) if parent else ""


@dataclass(frozen=True, slots=True)
class Rollup:
    """The change (or size) of everything under one directory."""

    directory: str
    delta: int
    paths: int

    @property
    def label(self) -> str:
        return "/" + self.directory


def rollup(
    rows: Iterable[T], path: Callable[[T], str], size: Callable[[T], int]
) -> tuple[Rollup, ...]:
    """Sizes summed per directory (:func:`rollup_directory`), the largest change first."""
    totals: dict[str, list[int]] = {}
    for row in rows:
        tally = totals.setdefault(rollup_directory(path(row)), [0, 0])
        tally[0] += size(row)
        tally[1] += 1
    found = [Rollup(directory, delta, count) for directory, (delta, count) in totals.items()]
    found.sort(key=lambda item: (-abs(item.delta), item.directory))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class DirectoryRows(Generic[T]):
    """The largest rows under one top directory, and how many more it has."""

    directory: str
    size: int
    count: int
    rows: tuple[T, ...]


def by_directory(
    rows: Sequence[T], path: Callable[[T], str], size: Callable[[T], int], limit: int
) -> list[DirectoryRows[T]]:
    """At most ``limit`` rows, grouped by top directory (the largest total first), the
    largest rows of each group first, every group with at least one row while ``limit``
    allows."""
    groups: dict[str, list[T]] = {}
    for row in rows:
        groups.setdefault(rollup_directory(path(row), 1), []).append(row)
    ordered = sorted(
        groups.items(), key=lambda item: (-sum(abs(size(row)) for row in item[1]), item[0])
    )
    ordered = ordered[: max(limit, 1)]
    share = max(1, limit // len(ordered)) if ordered else 0
    spare = max(limit - share * len(ordered), 0)
    result = []
    for directory, members in ordered:
        members = sorted(members, key=lambda row: -abs(size(row)))
        take = share + min(spare, max(len(members) - share, 0))
        spare -= take - share
        result.append(
            DirectoryRows(
                directory,
                sum(size(row) for row in members),
                len(members),
                tuple(members[:take]),
            )
        )
    return result
