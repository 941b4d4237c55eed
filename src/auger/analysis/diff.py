"""How one image differs from another: its layers paired as a person reads them, what changed
in each (rolled up by directory), and the paths of the final filesystems that changed.

Pure: two :class:`~auger.model.ImageAnalysis` in, an :class:`ImageDiff` out. Layers are paired
by :func:`~auger.analysis.layer_match.match_layers` (same tar, then same command and place, then
the same tar elsewhere), so a rebuilt image reads "layer 6 grew by 12 MB: /app/node_modules
+11.8 MB", not "5 removed, 6 added". Paths compare the final filesystems by file size.
"""

from __future__ import annotations

from dataclasses import dataclass

from auger.analysis.folding import Folded, Rollup, fold_small, fold_threshold, rollup
from auger.analysis.layer_match import LayerChange, LayerPair, match_layers
from auger.model import Entry, EntryKind, ImageAnalysis, Layer


@dataclass(frozen=True, slots=True)
class PathChange:
    """A path whose visible size differs between two images."""

    path: str
    before: int | None
    after: int | None

    @property
    def delta(self) -> int:
        return (self.after or 0) - (self.before or 0)

    @property
    def kind(self) -> str:
        """``added``, ``removed``, ``grown`` or ``shrunk``."""
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "grown" if self.after > self.before else "shrunk"


@dataclass(frozen=True, slots=True)
class LayerDelta:
    """A pair of layers and, when their contents differ, where the bytes went."""

    pair: LayerPair
    directories: tuple[Rollup, ...]
    """The layer's stored bytes that changed, per directory, the largest change first."""

    @property
    def change(self) -> LayerChange:
        return self.pair.change

    @property
    def delta(self) -> int:
        return self.pair.delta


@dataclass(frozen=True, slots=True)
class ImageDiff:
    """How ``head`` differs from ``base``."""

    base: ImageAnalysis
    head: ImageAnalysis
    layers: tuple[LayerDelta, ...]
    """Every layer of either image, paired (see :func:`match_layers`), in the head's order."""
    paths: tuple[PathChange, ...]
    """Every changed path of the final filesystem, the biggest change first."""
    directories: tuple[Rollup, ...]
    """The changed paths rolled up per directory, the biggest change first."""

    @property
    def size_delta(self) -> int:
        return self.head.size - self.base.size

    @property
    def final_delta(self) -> int:
        """Change of the bytes a container sees (the sum of the path changes)."""
        return self.head.final_size - self.base.final_size

    @property
    def shared(self) -> int:
        """Leading layers both images share unchanged (same tars, same places)."""
        count = 0
        for layer in self.layers:
            if layer.change is not LayerChange.UNCHANGED:
                break
            count += 1
        return count

    def count(self, change: LayerChange) -> int:
        return sum(layer.change is change for layer in self.layers)

    @property
    def removed_layers(self) -> tuple[Layer, ...]:
        """Layers of the base image without a counterpart in the head."""
        return tuple(layer.pair.base for layer in self.layers if layer.pair.head is None)  # type: ignore[misc]

    @property
    def added_layers(self) -> tuple[Layer, ...]:
        """Layers of the head image without a counterpart in the base."""
        return tuple(layer.pair.head for layer in self.layers if layer.pair.base is None)  # type: ignore[misc]

    def folded_paths(self) -> list[PathChange | Folded[PathChange]]:
        """:attr:`paths` with small changes folded into their directory."""
        threshold = fold_threshold(max(self.base.size, self.head.size))
        return fold_small(self.paths, _path, _delta, threshold, _sign)


def folded_kind(fold: Folded[PathChange]) -> str:
    """The kind of change folded paths share (``added``...), else ``changed``."""
    kinds = {change.kind for change in fold.rows}
    return kinds.pop() if len(kinds) == 1 else "changed"


def _path(change: PathChange) -> str:
    return change.path


def _delta(change: PathChange) -> int:
    return change.delta


def _sign(change: PathChange) -> bool:
    return change.delta > 0


def _file_sizes(analysis: ImageAnalysis) -> dict[str, int]:
    return {
        path: visible.entry.size
        for path, visible in analysis.final.items()
        if visible.entry is not None and visible.entry.kind is not EntryKind.DIR
    }


def _stored(layer: Layer | None) -> dict[str, tuple[int, list[Entry]]]:
    found: dict[str, tuple[int, list[Entry]]] = {}
    for entry in layer.scan.entries if layer is not None else ():
        size, entries = found.get(entry.path, (0, []))
        entries.append(entry)
        found[entry.path] = (size + entry.size, entries)
    return found


def _layer_directories(pair: LayerPair) -> tuple[Rollup, ...]:
    """Where a changed layer's stored bytes changed, per directory."""
    if pair.change.same_contents:
        return ()
    old, new = _stored(pair.base), _stored(pair.head)
    changes = []
    for path in old.keys() | new.keys():
        before, after = old.get(path, (0, [])), new.get(path, (0, []))
        if before[0] != after[0] or {_fingerprint(e) for e in before[1]} != {
            _fingerprint(e) for e in after[1]
        }:
            changes.append((path, after[0] - before[0]))
    return rollup(changes, lambda item: item[0], lambda item: item[1])


def _fingerprint(entry: Entry) -> tuple[object, ...]:
    return (entry.kind, entry.size, entry.mode, entry.uid, entry.gid, entry.link, entry.digest)


def diff_images(base: ImageAnalysis, head: ImageAnalysis) -> ImageDiff:
    """Compare two images layer by layer and path by path."""
    pairs = match_layers(base.image.layers, head.image.layers)
    before = _file_sizes(base)
    after = _file_sizes(head)
    changes = [
        PathChange(path, before.get(path), after.get(path))
        for path in before.keys() | after.keys()
        if before.get(path) != after.get(path)
    ]
    changes.sort(key=lambda change: (-abs(change.delta), change.path))
    return ImageDiff(
        base=base,
        head=head,
        layers=tuple(LayerDelta(pair, _layer_directories(pair)) for pair in pairs),
        paths=tuple(changes),
        directories=rollup(changes, _path, _delta),
    )
