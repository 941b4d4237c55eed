"""A short human summary of an analysis, for a terminal or a log."""

from __future__ import annotations

from auger.display import display, one_line
from auger.display import format_ratio as percent
from auger.display import format_size as size
from auger.model import ImageAnalysis

TOP_WASTE = 10
_COMMAND_WIDTH = 60


def format_summary(analysis: ImageAnalysis) -> str:
    """Image facts, per-layer sizes and the largest wasted paths."""
    image = analysis.image
    title = display(image.name or image.reference)
    facts = [image.source]
    if image.platform:
        facts.append(image.platform)
    lines = [f"Image: {title} ({', '.join(facts)})"]
    compressed = analysis.compressed_size
    lines.append(
        f"  size {size(analysis.size)}"
        + (f", compressed {size(compressed)}" if compressed is not None else "")
        + f", {len(image.layers)} layers, final filesystem {size(analysis.final_size)}"
    )
    lines.append(
        f"  wasted {size(analysis.wasted_bytes)} ({percent(analysis.wasted_percent)} of the image)"
    )
    dive = analysis.dive
    lines.append(
        f"  dive-compatible: efficiency {percent(dive.efficiency)}, "
        f"wasted {size(dive.wasted_bytes)}, user wasted {percent(dive.user_wasted_percent)}"
    )
    lines.append("")
    lines.append(f"  {'#':>3}  {'size':>9}  {'wasted':>9}  command")
    for layer, result in zip(image.layers, analysis.layers, strict=True):
        lines.append(
            f"  {layer.index:>3}  {size(layer.size):>9}  {size(result.stored_waste):>9}  "
            f"{display(one_line(layer.command, _COMMAND_WIDTH))}"
        )
    if analysis.waste:
        lines.append("")
        lines.append("  Largest wasted paths:")
        for item in analysis.waste[:TOP_WASTE]:
            lines.append(
                f"  {size(item.size):>9}  /{display(item.path)}  "
                f"({item.cause.value} by layer {item.hidden_by}, stored in layer {item.stored_in})"
            )
        if len(analysis.waste) > TOP_WASTE:
            lines.append(f"  … and {len(analysis.waste) - TOP_WASTE} more")
    return "\n".join(lines) + "\n"
