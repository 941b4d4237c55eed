"""The loading screen: reads and indexes the image in a thread worker, showing progress.

While an engine is still exporting the image (nothing read yet), it says so, with the seconds
waited, redrawn every second.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static

from auger.display import display
from auger.errors import describe
from auger.tui.messages import Loaded, LoadFailed, LoadProgress
from auger.viewmodel.explorer import ImageRef
from auger.viewmodel.loading import ReportingProgress, load, progress_text


class LoadingScreen(Screen[None]):
    """Progress while the image is analysed; the app replaces it when done."""

    def __init__(self, image: ImageRef, baseline: ImageRef | None = None) -> None:
        super().__init__()
        self.image, self.baseline = image, baseline
        self.last = LoadProgress("starting", 0, 0)
        self.since = time.monotonic()
        """When the current phase began."""

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static(f"Reading {display(self.image.reference)}", id="loading-title")
            yield Static("starting", id="loading-progress")

    def on_mount(self) -> None:
        self.run_worker(self._load, thread=True, exit_on_error=False, name="load")
        self.set_interval(1.0, self._draw)

    def _load(self) -> None:
        def report(phase: str, read: int, layers: int) -> None:
            self.post_message(LoadProgress(phase, read, layers))

        progress = ReportingProgress(report)
        try:
            explorer = load(self.image, progress, self.baseline)
        except Exception as error:  # every failure goes to the error dialog
            self.post_message(LoadFailed(*describe(error)))
        else:
            self.post_message(Loaded(explorer))

    def on_load_progress(self, event: LoadProgress) -> None:
        if event.phase != self.last.phase:
            self.since = time.monotonic()
        self.last = event
        self._draw()

    def _draw(self) -> None:
        event = self.last
        text = Text(display(event.phase) + "\n", style="bold")
        waited = time.monotonic() - self.since
        text.append(progress_text(event.phase, event.bytes_read, event.layers, waited))
        self.query_one("#loading-progress", Static).update(text)
