"""Numbers the application reports."""

import statistics


def summary(values: list[float]) -> dict[str, float]:
    return {"mean": statistics.fmean(values), "max": max(values)}
