"""Human units for sizes and ratios, shared by the text formats."""

from __future__ import annotations

import math


def size(value: int) -> str:
    """``2.1 MB`` style (SI, as dive and docker print sizes)."""
    if value < 1000:
        return f"{value} B"
    import humanize  # noqa: PLC0415 - a slow import, kept off the start-up path

    return humanize.naturalsize(value, format="%.1f")


def percent(ratio: float) -> str:
    """``12.34 %``; infinite ratios (dive's user wasted percent over empty layers) as ``inf``."""
    if not math.isfinite(ratio):
        return "inf"
    return f"{ratio * 100:.2f} %"
