"""Loading for the explorer: progress reported from the worker thread, throttled."""

from __future__ import annotations

from pathlib import Path

from auger.viewmodel.explorer import ImageRef
from auger.viewmodel.loading import ReportingProgress, load, progress_text
from tests.support import NO_ENGINE
from tests.viewmodel.support import sample_spec


def test_progress_reports_layers_and_bytes_read(sample: Path) -> None:
    reports: list[tuple[str, int, int]] = []
    progress = ReportingProgress(lambda *report: reports.append(report), interval=0.0)
    explorer = load(ImageRef(str(sample), environ=NO_ENGINE), progress)
    assert explorer.waste is None  # grouped later, in the background
    assert reports[-1][0] == "indexing paths"
    assert max(layers for _, _, layers in reports) == len(sample_spec().layers)
    assert max(read for _, read, _ in reports) > 0
    assert [layers for _, _, layers in reports] == sorted(layers for _, _, layers in reports)


def test_byte_counts_are_throttled() -> None:
    reports: list[tuple[str, int, int]] = []
    progress = ReportingProgress(lambda *report: reports.append(report), interval=60.0)
    progress.phase("reading")
    for _ in range(1000):
        progress.bytes_read(10)
    assert reports == [("reading", 0, 0)]
    progress.layer_scanned(0, 5)
    assert reports[-1] == ("reading", 10_000, 1)


def test_while_the_engine_exports_the_screen_says_it_is_waiting() -> None:
    phase = "saving app:1 from the Docker Engine"
    assert progress_text(phase, 0, 0, 12.4) == (
        "waiting for the Docker Engine to export the image… 12 s"
    )
    assert progress_text(phase, 2_500_000, 1, 13.0) == "1 layer scanned · 2.5 MB read"
    assert progress_text("reading app.tar", 0, 0, 3.0) == "0 layers scanned · 0 B read"
