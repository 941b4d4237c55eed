"""SIGTERM handled as SIGINT is: an exception that unwinds, cleans up and exits.

CI systems cancel a job with SIGTERM. Python's default would end the process at once,
leaving a half-written temporary file beside the output; :func:`handle_termination` makes
SIGTERM raise :class:`Terminated` instead (``main`` exits 143 for it, and 130 for SIGINT's
``KeyboardInterrupt``), so ``finally`` blocks run. :func:`signals_deferred` holds both signals
back for the few statements that create a file and note its name, so that no signal can fall
between the two.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_DEFERRED = {signal.SIGINT, signal.SIGTERM}


class Terminated(BaseException):
    """SIGTERM arrived: unwind like ``KeyboardInterrupt`` (a ``BaseException``, so that no
    ``except Exception`` stops it)."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def handle_termination() -> None:
    """Make SIGTERM raise :class:`Terminated` in the main thread (where Python runs signal
    handlers); elsewhere, leave it be."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_terminated)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while the block runs; one that arrived meanwhile is
    handled as the block ends (its exception raised from the ``with`` statement)."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:
        yield
        return
    previous = mask(signal.SIG_BLOCK, _DEFERRED)
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, previous)
