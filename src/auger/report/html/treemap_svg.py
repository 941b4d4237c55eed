"""The size map drawn: one ``<svg>`` per view, with its breadcrumb, all in the page on load.

Each view is a ``<section id="tmN">``; a directory's rectangle and each breadcrumb step is a
link to its view's fragment, so drilling in and back works by the ``:target`` rule alone, and
the page's script only switches views without scrolling. Names reach the page through
:mod:`auger.report.html.escape`, as text in ``<text>``, ``<title>`` and the breadcrumb.
"""

from __future__ import annotations

from auger.display import format_size
from auger.report.html.escape import attribute, text
from auger.report.html.treemap import HEIGHT, WIDTH, Box, SizeMap, View

_CHAR = 6.4
"""Roughly the width of a character of the labels, in the view's units."""


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _fit(name: str, width: float) -> str:
    """As much of ``name`` as a label ``width`` wide holds, ending in ``…`` when cut."""
    room = int((width - 6) / _CHAR)
    if room < 2:
        return ""
    return name if len(name) <= room else name[: room - 1] + "…"


def _layers(box: Box) -> str:
    return ", ".join(f"layer {layer}: {format_size(size)}" for layer, size in box.layers)


def _tooltip(box: Box) -> str:
    """What hovering a box says (escaped for a ``<title>``)."""
    if box.kind == "more":
        where = f" in {attribute(box.path)}" if box.path else ""
        head = f"{box.folded} more entries{where}: {format_size(box.size)}"
    elif box.kind == "wasted":
        head = f"{attribute(box.path)}: {format_size(box.size)} wasted (hidden in the final image)"
    else:
        files = f", {box.files} files" if box.kind != "file" else ""
        head = f"{attribute(box.path)}: {format_size(box.size)}{files}"
    stored = "stored by " if box.kind == "wasted" else ""
    return f"{head}\n{stored}{_layers(box)}" if box.layers else head


def _label(box: Box) -> str:
    rect = box.rect
    if rect.w < 24 or rect.h < 13:
        return ""
    name = f"{box.folded} more" if box.kind == "more" else box.name
    if box.kind == "wasted":
        name = f"{name} (wasted)"
    shown = _fit(name, rect.w)
    if not shown:
        return ""
    x, y = _number(rect.x + 3), _number(rect.y + 12)
    label = f'<text x="{x}" y="{y}">{text(shown)}</text>'
    if box.kind != "frame" and rect.h >= 28 and rect.w >= 44:
        size = format_size(box.size)
        label += f'<text x="{x}" y="{_number(rect.y + 25)}" class="sz">{size}</text>'
    return label


_CLASS = {"frame": "fr", "dir": "d", "file": "f", "wasted": "w", "more": "m"}


def _box(box: Box) -> str:
    kind = _CLASS[box.kind]
    classes = f"{kind} L{box.layer}" if box.layer is not None else kind
    x, y, w, h = box.rect
    rect = f'<rect x="{_number(x)}" y="{_number(y)}" width="{_number(w)}" height="{_number(h)}"/>'
    inside = f"<title>{_tooltip(box)}</title>{rect}{_label(box)}"
    if box.target is None:
        return f'<g class="{classes}">{inside}</g>'
    return f'<a href="#tm{box.target}" class="{classes}">{inside}</a>'


def _trail(view: View) -> str:
    steps = []
    for name, target in view.trail:
        shown = text(name) if name else "/"
        steps.append(f'<a href="#tm{target}">{shown}</a>' if target is not None else shown)
    steps.append(f'<b aria-current="location">{text(view.name) if view.name else "/"}</b>')
    wasted = f", {format_size(view.wasted)} of it wasted" if view.wasted else ""
    return (
        '<nav class="crumbs" aria-label="directory">'
        + ' <span class="sep">/</span> '.join(steps)
        + f' <span class="muted">{format_size(view.size)}{wasted}</span></nav>'
    )


def _view(view: View) -> str:
    boxes = "".join(_box(box) for box in view.boxes)
    return (
        f'<section class="tm-view" id="tm{view.index}">{_trail(view)}'
        f'<svg class="tmap" viewBox="0 0 {_number(WIDTH)} {_number(HEIGHT)}" role="img" '
        f'aria-label="size map of {attribute(view.path)}">{boxes}</svg></section>'
    )


def legend(size_map: SizeMap) -> str:
    """The layers' colours, and how wasted bytes and folded entries look."""
    items = "".join(
        f'<li><span class="sw L{layer}"></span>layer {layer}</li>' for layer in size_map.layers
    )
    return (
        f'<ul class="legend">{items}<li><span class="sw wasted"></span>wasted (dashed)</li>'
        '<li><span class="sw more"></span>small entries folded together</li></ul>'
    )


def render(size_map: SizeMap) -> str:
    """Every view, the root's first (shown when the page opens)."""
    if not size_map.views or not size_map.views[0].boxes:
        return '<p class="muted">The image has no files.</p>'
    views = "".join(_view(view) for view in size_map.views)
    return f'<div class="tm" id="sizemap">{views}</div>{legend(size_map)}'
