"""The layer chart: one bar per layer, its size, the part of it that became waste, and what
made it on hover, drawn as inline SVG on a scale of round sizes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auger.display import format_size
from auger.report.html.escape import attribute

_WIDTH, _HEIGHT = 1000.0, 240.0
_LEFT, _RIGHT, _TOP, _BOTTOM = 70.0, 8.0, 10.0, 24.0


@dataclass(frozen=True, slots=True)
class Bar:
    """A layer as the chart shows it."""

    layer: int
    """The layer's index: its colour and its label."""
    size: int
    wasted: int
    """Bytes of the layer that are hidden in the final filesystem."""
    note: str
    """More for the tooltip, unescaped (the command that made the layer)."""


def _step(top: float) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving four or five ticks."""
    step = 1.0
    while top / step > 5:
        for factor in (2, 2.5, 2):
            step *= factor
            if top / step <= 5:
                break
    return step


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _axis(top: float, plot_height: float) -> str:
    step = _step(top)
    lines = []
    tick = 0.0
    while tick <= top + 1e-9:
        y = _TOP + plot_height * (1 - tick / top)
        lines.append(
            f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{_number(y)}" y2="{_number(y)}"/>'
            f'<text x="{_LEFT - 6}" y="{_number(y + 4)}" class="y">{format_size(tick)}</text>'
        )
        tick += step
    return f'<g class="axis">{"".join(lines)}</g>'


def layer_chart(bars: Sequence[Bar], label: str) -> str:
    """The chart of ``bars`` as ``<svg>`` (``label`` names it for screen readers)."""
    if not bars:
        return '<p class="muted">No layers.</p>'
    plot_width = _WIDTH - _LEFT - _RIGHT
    plot_height = _HEIGHT - _TOP - _BOTTOM
    biggest = max(1, *(bar.size for bar in bars))
    step = _step(biggest)
    top = step * -(-biggest // step)
    slot = plot_width / len(bars)
    width = max(slot * 0.72, 1.0)
    every = max(1, int(28 // slot) + 1)
    groups = []
    for position, bar in enumerate(bars):
        x = _LEFT + slot * position
        height = plot_height * bar.size / top
        wasted = plot_height * min(bar.wasted, bar.size) / top
        y = _TOP + plot_height - height
        tip = f"layer {bar.layer}: {format_size(bar.size)}"
        if bar.wasted:
            tip += f", {format_size(bar.wasted)} of it wasted"
        if bar.note:
            tip += "\n" + attribute(bar.note)
        bar_x = _number(x + (slot - width) / 2)
        parts = [
            f"<title>{tip}</title>",
            f'<rect class="hit" x="{_number(x)}" y="{_TOP}" width="{_number(slot)}" '
            f'height="{_number(plot_height)}"/>',
            f'<rect class="l" x="{bar_x}" y="{_number(y)}" width="{_number(width)}" '
            f'height="{_number(height)}"/>',
        ]
        if wasted >= 0.5:
            parts.append(
                f'<rect class="w" x="{bar_x}" y="{_number(y)}" width="{_number(width)}" '
                f'height="{_number(wasted)}"/>'
            )
        if position % every == 0:
            parts.append(
                f'<text x="{_number(x + slot / 2)}" y="{_number(_HEIGHT - 8)}" class="x">'
                f"{bar.layer}</text>"
            )
        groups.append(f'<g class="bar L{bar.layer}">{"".join(parts)}</g>')
    return (
        f'<svg class="chart" viewBox="0 0 {_number(_WIDTH)} {_number(_HEIGHT)}" role="img" '
        f'aria-label="{attribute(label)}">{_axis(top, plot_height)}{"".join(groups)}</svg>'
    )
