"""Layer charts for pull request comments: Mermaid ``xychart-beta`` blocks, which GitHub draws.

A chart shows each layer's size as a bar and, drawn over it, the part of it that became
waste. It holds numbers and auger's own words only, never a name from the image, so nothing
in it needs escaping. Sizes are written in the one SI unit that suits the largest layer.
"""

from __future__ import annotations

from collections.abc import Sequence

from auger.model import ImageAnalysis

_UNITS = ((10**9, "GB"), (10**6, "MB"), (10**3, "kB"), (1, "B"))
_PALETTE = "#4e79a7, #e15759"
"""The size bars' colour, then the waste bars'."""


def _unit(largest: int) -> tuple[int, str]:
    return next((scale, name) for scale, name in _UNITS if largest >= scale or scale == 1)


def _numbers(values: Sequence[int], scale: int) -> str:
    shown = (f"{value / scale:.2f}".rstrip("0").rstrip(".") for value in values)
    return "[" + ", ".join(shown) + "]"


def _largest(analysis: ImageAnalysis) -> int:
    return max((layer.size for layer in analysis.image.layers), default=0)


def layer_chart(analysis: ImageAnalysis, title: str, largest: int) -> list[str]:
    """A fenced ``mermaid`` block: the layers of ``analysis``, titled with auger's ``title``,
    on a scale up to ``largest`` bytes."""
    sizes = [layer.size for layer in analysis.image.layers]
    if not sizes:
        return []
    wasted = [
        min(result.stored_waste, size) for result, size in zip(analysis.layers, sizes, strict=True)
    ]
    scale, unit = _unit(largest)
    top = max(largest / scale * 1.05, 1.0)
    return [
        "```mermaid",
        f'%%{{init: {{"themeVariables": {{"xyChart": {{"plotColorPalette": "{_PALETTE}"}}}}}}}}%%',
        "xychart-beta",
        f'    title "{title}"',
        f'    x-axis "layer" [{", ".join(str(layer.index) for layer in analysis.image.layers)}]',
        f'    y-axis "size ({unit})" 0 --> {float(f"{top:.3g}"):g}',
        f"    bar {_numbers(sizes, scale)}",
        f"    bar {_numbers(wasted, scale)}",
        "```",
    ]


def layer_charts(
    analysis: ImageAnalysis,
    baseline: ImageAnalysis | None,
    names: tuple[str, str] = ("this build", "the baseline"),
) -> list[str]:
    """This build's chart, then the baseline's on the same scale when there is one, with a
    line that says how to read them; ``names`` (auger's own words) end their titles."""
    largest = max(_largest(analysis), _largest(baseline) if baseline is not None else 0)
    lines = layer_chart(analysis, f"Layer sizes and waste: {names[0]}", largest)
    if not lines:
        return []
    lines.append("")
    if baseline is not None:
        lines += [*layer_chart(baseline, f"Layer sizes and waste: {names[1]}", largest), ""]
    lines += [
        "_Each bar is a layer's size; the red part drawn over it is the bytes of that layer "
        "that became waste._",
        "",
    ]
    return lines
