"""What-if: stack the scanned layers again with changes applied, and measure the result.

A change says what the fixed Dockerfile would not store: files matching globs
(:class:`Drop`), given paths or directories (:class:`DropPaths`, for a package), given
entries of given layers (:class:`DropStored`), or several layers made into one
(:class:`Squash`, as one ``RUN`` instead of several). The changed layers are stacked by the
same overlay as the real analysis (:func:`~auger.analysis.overlay.stack_layers`), so a saving
is a difference between two analyses, never a sum of file sizes: a file stored twice, hidden,
hard-linked or re-added is counted as the overlay counts it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from auger.analysis import dive
from auger.analysis.overlay import stack_layers
from auger.layers import paths
from auger.layers.globs import compile_glob
from auger.model import Entry, EntryKind


@dataclass(frozen=True, slots=True)
class Drop:
    """Never store the files that match ``globs`` (``/usr/share/doc/**``) unless they match
    ``keep``."""

    globs: tuple[str, ...]
    keep: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DropPaths:
    """Never store these paths, nor anything below the directories ``under``."""

    paths: frozenset[str]
    under: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DropStored:
    """Never store these ``(layer, path)`` entries (the copies a later layer hid)."""

    stored: frozenset[tuple[int, str]]


@dataclass(frozen=True, slots=True)
class Squash:
    """Make layers ``first`` to ``last`` (inclusive, 0-based) one layer."""

    first: int
    last: int


Change = Drop | DropPaths | DropStored | Squash


@dataclass(frozen=True, slots=True)
class Measures:
    """What the budgets measure of an image, before or after a change."""

    size: int
    final_size: int
    layers: int
    efficiency: float

    @property
    def wasted_bytes(self) -> int:
        return self.size - self.final_size

    @property
    def wasted_percent(self) -> float:
        return self.wasted_bytes / self.size if self.size else 0.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """An image before and after some changes."""

    before: Measures
    after: Measures

    @property
    def saves_bytes(self) -> int:
        """How much smaller the image gets (negative if it grows)."""
        return self.before.size - self.after.size


class WhatIfError(ValueError):
    """A change that cannot apply to this image (a layer range out of bounds...)."""


def _any_glob(globs: tuple[str, ...]) -> re.Pattern[str] | None:
    """One expression matching ``/path`` when any of ``globs`` does."""
    if not globs:
        return None
    return re.compile("|".join(f"(?:{compile_glob(glob).pattern})" for glob in globs), re.DOTALL)


def _dropped(change: Drop | DropPaths | DropStored) -> Callable[[int, str], bool]:
    """Whether ``change`` drops the entry at ``path`` of layer ``layer``."""
    if isinstance(change, Drop):
        match, keep = _any_glob(change.globs), _any_glob(change.keep)

        def by_glob(layer: int, path: str) -> bool:
            rooted = "/" + path
            return (
                match is not None
                and match.match(rooted) is not None
                and (keep is None or keep.match(rooted) is None)
            )

        return by_glob
    if isinstance(change, DropPaths):
        exact, under = change.paths, frozenset(change.under)
        within: dict[str, bool] = {"": False}  # the root itself is never one of them
        """Directories already looked at: in or below a directory of ``under``."""

        def inside(directory: str) -> bool:
            chain = []
            while (known := within.get(directory)) is None:
                chain.append(directory)
                directory = paths.parent(directory)
            for walked in reversed(chain):  # from the top down, each one's answer once
                known = known or walked in under
                within[walked] = known
            return known

        def by_path(layer: int, path: str) -> bool:
            if path in exact:
                return True
            if not under:
                return False
            return path in under or inside(paths.parent(path))

        return by_path
    stored = change.stored
    return lambda layer, path: (layer, path) in stored


class _Lower:
    """The paths the kept entries of the layers already done provide, to ask whether a
    whiteout still hides something (sorted per layer when first asked)."""

    def __init__(self) -> None:
        self._layers: list[list[str]] = []
        self._sorted: list[bool] = []

    def add(self, kept: Iterable[Entry]) -> None:
        self._layers.append([entry.path for entry in kept if not entry.kind.is_marker])
        self._sorted.append(False)

    def provides(self, path: str) -> bool:
        """True if some layer below has an entry at ``path`` or below it."""
        below = path + "/"
        for index, found in enumerate(self._layers):
            if not self._sorted[index]:
                found.sort()
                self._sorted[index] = True
            at = bisect.bisect_left(found, path)
            if at < len(found) and found[at] == path:
                return True
            at = bisect.bisect_left(found, below)
            if at < len(found) and found[at].startswith(below):
                return True
        return False


def _ancestors(path: str) -> Iterator[str]:
    while path:
        yield path
        path = paths.parent(path)


def apply_drops(
    layers: Sequence[tuple[Entry, ...]], sizes: Sequence[int], changes: Iterable[Change]
) -> tuple[list[tuple[Entry, ...]], list[int]]:
    """The layers without the entries the drops remove, and their new sizes.

    A whiteout that hid only dropped entries goes too, as the ``rm`` of the fixed Dockerfile
    finds nothing to delete; other markers stay.
    """
    tests = [_dropped(change) for change in changes if not isinstance(change, Squash)]
    if not tests:
        return list(layers), list(sizes)
    if len(tests) == 1:  # the usual case, without a generator per entry (a third of the time)
        drops = tests[0]
    else:

        def drops(layer: int, path: str) -> bool:
            return any(test(layer, path) for test in tests)

    new_layers = []
    new_sizes = []
    dropped: set[str] = set()
    """Paths dropped from the layers done, and their ancestors."""
    lower = _Lower()
    for index, (entries, size) in enumerate(zip(layers, sizes, strict=True)):
        kept = []
        gone: list[str] = []
        removed = 0
        for entry in entries:
            if entry.kind.is_marker:
                if (
                    entry.kind is EntryKind.WHITEOUT
                    and entry.path in dropped
                    and not lower.provides(entry.path)
                ):
                    removed += entry.size
                else:
                    kept.append(entry)
            elif drops(index, entry.path):
                gone.append(entry.path)
                removed += entry.size
            else:
                kept.append(entry)
        for path in gone:
            for ancestor in _ancestors(path):  # up to the first one already there
                if ancestor in dropped:
                    break
                dropped.add(ancestor)
        lower.add(kept)
        new_layers.append(entries if len(kept) == len(entries) else tuple(kept))
        new_sizes.append(size - removed)
    return new_layers, new_sizes


def squashed(layers: Sequence[tuple[Entry, ...]], first: int, last: int) -> tuple[Entry, ...]:
    """One layer with the net effect of ``layers[first..last]`` on the layers below: the entries
    those layers left visible, and a whiteout for each highest path they hid."""
    below = stack_layers(list(layers[:first])).final
    above = stack_layers(list(layers[: last + 1])).final
    entries = [
        shown.entry
        for shown in above.values()
        if first <= shown.layer <= last and shown.entry is not None
    ]
    gone = sorted(path for path in below if path not in above)
    hidden: list[str] = []
    for path in gone:
        if hidden and paths.is_within(path, hidden[-1]):
            continue
        hidden.append(path)
    markers = [Entry(path, EntryKind.WHITEOUT, 0, 0, 0, 0) for path in hidden]
    # targets before the hard links to them, parents before children
    entries.sort(key=lambda entry: (entry.kind is EntryKind.HARDLINK, entry.path))
    return tuple(markers + entries)


def apply(
    layers: Sequence[tuple[Entry, ...]], sizes: Sequence[int], changes: Sequence[Change]
) -> tuple[list[tuple[Entry, ...]], list[int]]:
    """The layers (and their sizes) with every change applied: drops first, then squashes
    (whose layer numbers are those of the original image)."""
    new_layers, new_sizes = apply_drops(layers, sizes, changes)
    squashes = sorted(
        (change for change in changes if isinstance(change, Squash)),
        key=lambda change: change.first,
        reverse=True,
    )
    previous_first = len(layers)
    for change in squashes:
        if not 0 <= change.first <= change.last < len(layers):
            raise WhatIfError(f"layers {change.first}-{change.last}: the image has {len(layers)}")
        if change.last >= previous_first:
            raise WhatIfError(f"layers {change.first}-{change.last} overlap another squash")
        previous_first = change.first
        merged = squashed(new_layers, change.first, change.last)
        new_layers[change.first : change.last + 1] = [merged]
        new_sizes[change.first : change.last + 1] = [sum(entry.size for entry in merged)]
    return new_layers, new_sizes


def measure(
    layers: Sequence[tuple[Entry, ...]], sizes: Sequence[int], efficiency: bool = True
) -> Measures:
    """Stack ``layers`` and measure the image they make (dive's efficiency only if asked:
    it costs a second pass; ``nan`` otherwise)."""
    result = stack_layers(list(layers))
    score = dive.dive_metrics(list(layers), list(sizes)).efficiency if efficiency else float("nan")
    return Measures(
        size=sum(sizes), final_size=result.final_size, layers=len(layers), efficiency=score
    )


def saved_bytes(
    layers: Sequence[tuple[Entry, ...]], sizes: Sequence[int], changes: Sequence[Change]
) -> int:
    """:attr:`Outcome.saves_bytes` of :func:`simulate`, without stacking the changed layers
    for the measures that saving does not use (the image's size is the sum of its layers')."""
    return sum(sizes) - sum(apply(layers, sizes, changes)[1])


def simulate(
    layers: Sequence[tuple[Entry, ...]],
    sizes: Sequence[int],
    changes: Sequence[Change],
    before: Measures | None = None,
    efficiency: bool = True,
) -> Outcome:
    """The image before and after ``changes`` (``before`` when already measured)."""
    if before is None:
        before = measure(layers, sizes, efficiency)
    new_layers, new_sizes = apply(layers, sizes, changes)
    return Outcome(before, measure(new_layers, new_sizes, efficiency))
