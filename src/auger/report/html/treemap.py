"""The size map's layout: views of directories as squarified treemaps, cut to a fixed budget.

A :class:`View` shows one directory: its children as rectangles whose areas are their bytes
(squarified by PyPI ``squarify``), each subdirectory with its own children nested inside, small
entries folded into one "N more" rectangle. Views are chosen largest directory first, down to
:data:`MAX_DEPTH`, until :data:`MAX_VIEWS` views or :data:`MAX_BOXES` rectangles are laid out,
so the page stays the same size whether the image has a thousand entries or a million.
Everything here is numbers and names; :mod:`auger.report.html.treemap_svg` draws it.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import NamedTuple

import squarify

from auger.report.html.sizetree import SizeNode, dominant

WIDTH = 1000.0
HEIGHT = 560.0
MIN_AREA = 500.0
"""The smallest rectangle (in the view's units) an entry gets before it is folded."""
MAX_ENTRIES = 40
"""Most rectangles side by side in one directory."""
HEADER = 16.0
"""The height of a nested directory's name strip."""
MAX_VIEWS = 400
MAX_BOXES = 12_000
MAX_DEPTH = 12


class Rect(NamedTuple):
    """A rectangle in the view's units (its top left corner, its width and height)."""

    x: float
    y: float
    w: float
    h: float

    def split(self, share: float) -> tuple[Rect, Rect]:
        """Two rectangles side by side along the longer side, the first with ``share``."""
        if self.w >= self.h:
            cut = self.w * share
            return (
                Rect(self.x, self.y, cut, self.h),
                Rect(self.x + cut, self.y, self.w - cut, self.h),
            )
        cut = self.h * share
        return Rect(self.x, self.y, self.w, cut), Rect(self.x, self.y + cut, self.w, self.h - cut)


class Box(NamedTuple):
    """A rectangle of a view and what it stands for."""

    rect: Rect
    kind: str
    """``frame`` (a directory with its children drawn inside), ``dir`` (one drawn whole),
    ``file``, ``wasted`` (bytes hidden in the final filesystem) or ``more`` (small entries
    folded together)."""
    name: str
    """The entry's name, unescaped (``""`` for folded entries)."""
    path: str
    """The entry's path under the view's directory, unescaped (for folded entries, their
    directory's: ``""`` for the view's own)."""
    size: int
    files: int
    folded: int
    """How many entries a ``more`` box folds together (1 for the others)."""
    layer: int | None
    """The layer that stored most of the box's bytes: its colour."""
    layers: tuple[tuple[int, int], ...]
    """(layer, bytes), most first: what the box's tooltip lists."""
    target: int | None = None
    """The view a click opens, for a directory that has one."""


@dataclass(frozen=True, slots=True)
class View:
    """One directory, laid out."""

    index: int
    path: str
    trail: tuple[tuple[str, int | None], ...]
    """The breadcrumb: (name, view) from the root to this directory's parent."""
    name: str
    size: int
    wasted: int
    boxes: tuple[Box, ...]


@dataclass(frozen=True, slots=True)
class SizeMap:
    """Every view, the root's first."""

    views: tuple[View, ...]
    layers: tuple[int, ...]
    """The layers some box is coloured by, for the legend."""


class _Draft(NamedTuple):
    box: Box
    node: SizeNode | None
    """The directory a click on the box opens, linked once the views are chosen."""


def _top(layers: dict[int, int], limit: int = 3) -> tuple[tuple[int, int], ...]:
    ranked = sorted(layers.items(), key=lambda item: (-item[1], item[0]))
    return tuple(ranked[:limit])


def _box(rect: Rect, kind: str, node: SizeNode, size: int, layers: dict[int, int]) -> Box:
    files = 0 if kind == "wasted" else node.files
    return Box(rect, kind, node.name, node.path, size, files, 1, dominant(layers), _top(layers))


def _leaves(node: SizeNode, rect: Rect, link: SizeNode | None) -> list[_Draft]:
    """A file or a directory drawn whole: its visible bytes, then its wasted bytes beside
    them. A click on a directory opens it; on a file, ``link`` (the directory around it)."""
    kind = "dir" if node.directory else "file"
    parts = [(kind, node.visible, node.layers), ("wasted", node.wasted, node.waste_layers)]
    shown = [part for part in parts if part[1] > 0]
    rects = [rect] if len(shown) == 1 else rect.split(shown[0][1] / node.total)
    target = node if node.directory else link
    return [
        _Draft(_box(area, what, node, size, layers), target)
        for area, (what, size, layers) in zip(rects, shown, strict=True)
    ]


def _more(nodes: list[SizeNode], rect: Rect, parent: SizeNode, link: SizeNode | None) -> _Draft:
    """The entries too small to show, as one box."""
    layers: dict[int, int] = {}
    for node in nodes:
        for source in (node.layers, node.waste_layers):
            for layer, size in source.items():
                layers[layer] = layers.get(layer, 0) + size
    size = sum(node.total for node in nodes)
    files = sum(node.files for node in nodes)
    box = Box(
        rect, "more", "", parent.path, size, files, len(nodes), dominant(layers), _top(layers)
    )
    return _Draft(box, link)


def _chosen(node: SizeNode, area: float) -> tuple[list[SizeNode], list[SizeNode]]:
    """The children that get a rectangle of their own, largest first, and those folded."""
    children = sorted(
        (child for child in node.children.values() if child.total > 0),
        key=lambda child: (-child.total, child.name),
    )
    scale = area / node.total if node.total else 0.0
    shown = 0
    while (
        shown < len(children) and shown < MAX_ENTRIES and children[shown].total * scale >= MIN_AREA
    ):
        shown += 1
    if len(children) - shown == 1:
        shown += 1  # one more entry is clearer than "1 more"
    return children[:shown], children[shown:]


def _layout(node: SizeNode, rect: Rect, nested: bool, link: SizeNode | None = None) -> list[_Draft]:
    """``node``'s children in ``rect``; with ``nested``, subdirectories show theirs inside.
    ``link``: where a click on a file opens (the directory ``node`` when it is nested)."""
    shown, folded = _chosen(node, rect.w * rect.h)
    sizes = [float(child.total) for child in shown]
    if folded:
        sizes.append(float(sum(child.total for child in folded)))
    if not sizes:
        return []
    areas = [
        Rect(area["x"], area["y"], area["dx"], area["dy"])
        for area in squarify.squarify(
            squarify.normalize_sizes(sizes, rect.w, rect.h), rect.x, rect.y, rect.w, rect.h
        )
    ]
    drafts: list[_Draft] = []
    for child, area in zip(shown, areas, strict=False):
        inner = Rect(area.x + 2, area.y + HEADER, area.w - 4, area.h - HEADER - 2)
        if nested and child.directory and inner.w >= 24 and inner.h >= 20:
            drafts.append(_Draft(_box(area, "frame", child, child.total, child.layers), child))
            drafts += _layout(child, inner, nested=False, link=child)
        else:
            drafts += _leaves(child, area, link)
    if folded:
        drafts.append(_more(folded, areas[-1], node, link))
    return drafts


def _depth(node: SizeNode) -> int:
    return sum(1 for _ in node.ancestors())


def layout(root: SizeNode) -> SizeMap:
    """Choose the views, largest directory first, and lay each out."""
    drafts: dict[int, tuple[SizeNode, list[_Draft]]] = {}
    order: list[SizeNode] = []
    queue: list[tuple[int, int, SizeNode]] = [(-root.total, 0, root)]
    queued = {id(root)}
    boxes = 0
    while queue and len(order) < MAX_VIEWS and boxes < MAX_BOXES:
        _, _, node = heapq.heappop(queue)
        laid = _layout(node, Rect(0.0, 0.0, WIDTH, HEIGHT), nested=True)
        drafts[id(node)] = (node, laid)
        order.append(node)
        boxes += len(laid)
        for draft in laid:
            child = draft.node
            if child is None or id(child) in queued or _depth(child) >= MAX_DEPTH:
                continue
            queued.add(id(child))
            heapq.heappush(queue, (-child.total, len(queued), child))
    index = {id(node): number for number, node in enumerate(order)}
    views = []
    for number, node in enumerate(order):
        _, laid = drafts[id(node)]
        cut = len(node.path) + 1 if node.parent is not None else 1
        boxes_of = tuple(
            draft.box._replace(
                path=draft.box.path[cut:],
                target=None if draft.node is None else index.get(id(draft.node)),
            )
            for draft in laid
        )
        trail = tuple((ancestor.name, index.get(id(ancestor))) for ancestor in node.ancestors())
        views.append(View(number, node.path, trail, node.name, node.total, node.wasted, boxes_of))
    used = sorted({box.layer for view in views for box in view.boxes if box.layer is not None})
    return SizeMap(tuple(views), tuple(used))
