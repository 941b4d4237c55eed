"""Reading a shard's images, one after the other, into records.

Each image is analysed by the function the caller gives (the command line passes the pipeline
with its layer cache), checked against the budgets if there are any, and turned into a record
that is handed on at once, so a long run leaves its records behind as it goes. An image that
cannot be read, for any reason, becomes an error record with the one line that says why; the
next image is read as if nothing had happened. Only an interruption stops the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from auger.budgets.evaluate import evaluate
from auger.budgets.schema import Budgets
from auger.display import safe_line
from auger.errors import AugerError, ExitCode, exit_code_for
from auger.fleet.plan import PlannedImage
from auger.fleet.records import Record, build_record, error_record
from auger.model import ImageAnalysis
from auger.progress import NullProgress, Progress

Analyze = Callable[[PlannedImage, Progress], ImageAnalysis]
"""Reads and analyses one image, reporting to the progress observer given."""


class FleetObserver:
    """Hears about each image as it is read. Every hook does nothing by default."""

    def image_started(self, position: int, count: int, image: PlannedImage) -> Progress:
        """Image ``position`` (from 0) of ``count`` is about to be read; returns the observer
        of its read."""
        return NullProgress()

    def image_done(self, position: int, count: int, record: Record, seconds: float) -> None:
        """Image ``position`` was read (or not: an error record) in ``seconds``."""


def _failure(image: PlannedImage, error: Exception) -> Record:
    if isinstance(error, AugerError):
        hint = safe_line(error.hint) if error.hint else None
        return error_record(
            image.reference, image.names, safe_line(error.message), hint, exit_code_for(error)
        )
    return error_record(
        image.reference,
        image.names,
        safe_line(f"internal error: {type(error).__name__}: {error}"),
        "run auger on this image alone with --debug and report the traceback",
        ExitCode.IMAGE_UNREADABLE,
    )


def read_image(
    image: PlannedImage, analyze: Analyze, budgets: Budgets | None, progress: Progress
) -> Record:
    """The record of one image: read, analysed and checked, or the error that stopped it."""
    try:
        analysis = analyze(image, progress)
        verdict = evaluate(analysis, budgets) if budgets is not None else None
        return build_record(analysis, image.reference, image.names, verdict)
    except Exception as error:  # one image's failure, bug or not, is its record alone
        return _failure(image, error)


def run_images(
    images: Sequence[PlannedImage],
    analyze: Analyze,
    write: Callable[[Record], None],
    *,
    budgets: Budgets | None = None,
    observer: FleetObserver | None = None,
) -> list[Record]:
    """Read ``images`` in order; each record goes to ``write`` as soon as it is made."""
    observer = observer or FleetObserver()
    records = []
    for position, image in enumerate(images):
        progress = observer.image_started(position, len(images), image)
        started = time.monotonic()
        record = read_image(image, analyze, budgets, progress)
        write(record)
        records.append(record)
        observer.image_done(position, len(images), record, time.monotonic() - started)
    return records
