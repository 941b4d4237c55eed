"""Sections any page about images can show: headline cards, a size map, layer charts.

Each returns HTML built from escaped names (:mod:`auger.report.html.escape`), so a page is
these sections and its tables, in the order it chooses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auger.display import format_size, one_line
from auger.model import ImageAnalysis
from auger.report.html import charts, treemap_svg
from auger.report.html.escape import text
from auger.report.html.sizetree import SizeNode
from auger.report.html.treemap import SizeMap, layout

_NOTE = 300
"""How much of a layer's command its bar's tooltip shows."""


@dataclass(frozen=True, slots=True)
class Card:
    """A headline number: what it is, its value, and how it moved (as HTML, or ``""``)."""

    label: str
    value: str
    change: str = ""


def cards(items: Sequence[Card]) -> str:
    """The headline numbers, side by side."""
    cells = "".join(
        f'<li><div class="k">{text(card.label)}</div><div class="v">{text(card.value)}</div>'
        + (f'<div class="d">{card.change}</div>' if card.change else "")
        + "</li>"
        for card in items
    )
    return f'<ul class="cards">{cells}</ul>'


def change(delta: float, shown: str, *, worse_when_higher: bool = True, suffix: str = "") -> str:
    """A change as HTML, red when it is for the worse and green when for the better."""
    if delta == 0:
        return f'<span class="muted">±{text(shown)}{text(suffix)}</span>'
    worse = (delta > 0) == worse_when_higher
    sign = "+" if delta > 0 else "-"
    return f'<span class="{"up" if worse else "down"}">{sign}{text(shown)}{text(suffix)}</span>'


def size_change(delta: int, base: int, suffix: str = " vs baseline") -> str:
    """``+1.2 MB (+4.10 %) vs baseline``, coloured."""
    ratio = f" ({abs(delta) / base:.2%})" if base else ""
    return change(delta, format_size(abs(delta)) + ratio, suffix=suffix)


def size_map(tree: SizeNode) -> tuple[str, SizeMap]:
    """The size map section of an image's tree (see :func:`~auger.report.html.sizetree.size_tree`)
    and its layout, whose layers need colours."""
    laid = layout(tree)
    intro = (
        '<p class="muted">The image\'s bytes by directory: the final filesystem, coloured by '
        "the layer that stored each file, and wasted bytes (stored in a layer, hidden in the "
        "final image) dashed. Click a directory to open it; the path above the map goes "
        "back. Small entries are folded together.</p>"
    )
    drawn = treemap_svg.render(laid)
    return f'<section id="size-map"><h2>Size map</h2>{intro}{drawn}</section>', laid


def layer_bars(analysis: ImageAnalysis) -> list[charts.Bar]:
    """Each layer's size, waste and command, for :func:`charts.layer_chart`."""
    return [
        charts.Bar(layer.index, layer.size, result.stored_waste, one_line(layer.command, _NOTE))
        for layer, result in zip(analysis.image.layers, analysis.layers, strict=True)
    ]


def layer_charts(named: Sequence[tuple[str, ImageAnalysis]]) -> str:
    """One layer chart per (title, image), side by side."""
    figures = "".join(
        f"<figure><h3>{text(title)}</h3>"
        f"{charts.layer_chart(layer_bars(analysis), f'layer sizes of {title}')}</figure>"
        for title, analysis in named
    )
    intro = (
        '<p class="muted">Each bar is a layer\'s size; its dashed top is the part that became '
        "waste. Hover a bar for the command that made the layer.</p>"
    )
    charts_html = f'<div class="charts">{figures}</div>'
    return f'<section id="layer-chart"><h2>Layers</h2>{intro}{charts_html}</section>'
