"""How one image differs from another: shared base layers, changed layers, changed paths.

Pure: two :class:`~auger.model.ImageAnalysis` in, an :class:`ImageDiff` out. Layers are shared
while both images have the same diff IDs in the same order; paths compare the final
filesystems by the size of each file.
"""

from __future__ import annotations

from dataclasses import dataclass

from auger.model import EntryKind, ImageAnalysis, Layer


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
class ImageDiff:
    """How ``head`` differs from ``base``."""

    base: ImageAnalysis
    head: ImageAnalysis
    shared: int
    """Number of leading layers both images share (same diff IDs, same order)."""
    removed_layers: tuple[Layer, ...]
    added_layers: tuple[Layer, ...]
    paths: tuple[PathChange, ...]
    """Every changed path, the biggest change first."""

    @property
    def size_delta(self) -> int:
        return self.head.size - self.base.size


def _file_sizes(analysis: ImageAnalysis) -> dict[str, int]:
    return {
        path: visible.entry.size
        for path, visible in analysis.final.items()
        if visible.entry is not None and visible.entry.kind is not EntryKind.DIR
    }


def diff_images(base: ImageAnalysis, head: ImageAnalysis) -> ImageDiff:
    """Compare two images layer by layer and path by path."""
    shared = 0
    for old, new in zip(base.image.layers, head.image.layers, strict=False):
        if old.diff_id is None or old.diff_id != new.diff_id:
            break
        shared += 1
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
        shared=shared,
        removed_layers=base.image.layers[shared:],
        added_layers=head.image.layers[shared:],
        paths=tuple(changes),
    )
