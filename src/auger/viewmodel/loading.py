"""Load an image for the explorer in a worker thread, reporting progress as it goes.

:class:`ReportingProgress` turns the pipeline's progress hooks into calls of one ``report``
callback (phase, bytes read, layers scanned), at most every 50 ms for byte counts, so the
interface is told often enough to look alive and never so often that it falls behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from auger.display import format_size
from auger.pipeline import analyze
from auger.progress import Progress
from auger.viewmodel.comparison import compare
from auger.viewmodel.explorer import Explorer, ImageRef

Report = Callable[[str, int, int], None]
"""``report(phase, bytes_read, layers_scanned)``."""


class ReportingProgress(Progress):
    """Progress forwarded to a callback (which must be safe to call from a worker thread)."""

    def __init__(self, report: Report, interval: float = 0.05) -> None:
        self._report = report
        self._interval = interval
        self._phase = "starting"
        self._bytes = 0
        self._layers = 0
        self._last = 0.0
        self.warnings: list[str] = []

    def _send(self) -> None:
        self._last = time.monotonic()
        self._report(self._phase, self._bytes, self._layers)

    def phase(self, text: str) -> None:
        self._phase = text
        self._send()

    def bytes_read(self, count: int) -> None:
        self._bytes += count
        if time.monotonic() - self._last >= self._interval:
            self._send()

    def layer_scanned(self, index: int, entries: int) -> None:
        self._layers = max(self._layers, index + 1)
        self._send()

    def warning(self, text: str) -> None:
        self.warnings.append(text)


def progress_text(phase: str, bytes_read: int, layers: int, waited: float) -> str:
    """The line under the phase: what has been read, or, while an engine is still exporting
    the image and nothing has arrived, that we are waiting for it and for how long."""
    if bytes_read == 0 and phase.startswith("saving ") and " from " in phase:
        engine = phase.rsplit(" from ", 1)[1]
        return f"waiting for {engine} to export the image… {int(waited)} s"
    noun = "layer" if layers == 1 else "layers"
    return f"{layers} {noun} scanned · {format_size(bytes_read)} read"


def load(
    image: ImageRef, progress: ReportingProgress, baseline: ImageRef | None = None
) -> Explorer:
    """Analyse the image (and the baseline to compare it with) and index it for the explorer."""
    analysis = analyze(image.reference, image.options, progress, image.environ)
    base = None
    if baseline is not None:
        progress.phase(f"reading the baseline {baseline.reference}")
        base = analyze(baseline.reference, baseline.options, progress, baseline.environ)
    progress.phase("indexing paths")
    explorer = Explorer.build(analysis, with_waste=False)
    if base is not None:
        progress.phase("comparing the images")
        explorer.comparison = compare(base, analysis)
    return explorer
