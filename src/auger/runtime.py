"""Process-level performance machinery: how auger asks Python to treat its memory and its exit.

An analysis is millions of small objects that live until the process ends. Python's cyclic
garbage collector would walk them over and over, and its normal exit would free them one by
one; both are pure cost, and each trick here removes one, with the figure that justified it.
Everything here changes the whole process, so only entry points and the one core call it:
:func:`auger.pipeline.analyze`, the explorer's build, and the console script.

:mod:`auger.parallel` is the other half of this machinery: a second CPU for pure work (fork,
then :mod:`marshal` back). Hot-loop tricks that only make one loop faster (named tuples made
with ``tuple.__new__``, local names) stay beside their loops, each with its own figure. This
module uses the standard library only and knows nothing of images.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import NoReturn

FULL_COLLECTIONS_EVERY = 1000
"""Middle-generation collections per full one under :func:`make_full_collections_rare`
(Python's default is 10)."""


@contextmanager
def cycle_collection_paused(*, freeze_after: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector for the block; reference counting frees as usual.

    Reading and analysing an image allocates an object or more per entry and none of them form
    cycles, so the collector's passes over the growing heap reclaim nothing: they were a sixth
    of the run time on large layers. With ``freeze_after``, when no other thread runs (whose
    garbage could be among them), the objects left at the end are frozen (see
    :func:`freeze_heap`) rather than left for the collector's next pass to walk in vain. A
    collector that was already off stays off, and nothing is frozen then.
    """
    was_enabled = gc.isenabled()
    alone = threading.active_count() == 1
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if freeze_after and alone:
                gc.freeze()
            gc.enable()


MMAP_THRESHOLD = 1 << 20
"""Blocks at least this large are mapped on their own and returned to the system when freed."""
_M_MMAP_THRESHOLD = -3
"""glibc's ``mallopt`` parameter number for the threshold."""


def return_large_blocks_at_once() -> None:
    """Have glibc's allocator hand every block of :data:`MMAP_THRESHOLD` or more straight back
    to the system when it is freed (elsewhere, or without ctypes, nothing changes).

    By default glibc raises that threshold each time a large block is freed, up to 32 MiB,
    so once a large block has come and gone, later megabyte buffers are carved from the heap of
    the thread that asked (each scanning thread has its own) and stay there, fragmented, after
    they are freed. Fixing it at 1 MiB saved 2.3 MiB of the peak on a 10,000-file image
    (34.8 to 32.5 MiB) and 8.5 MiB on a 214,000-file one (172.2 to 163.7 MiB). At 128 KiB it
    saved as much, but mapping and unmapping every middling block cost 8 % more CPU time on
    the 214,000-file image. Importing ctypes costs 0.35 MiB.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes  # noqa: PLC0415 - only where it can help

        mallopt = ctypes.CDLL(None).mallopt
    except (ImportError, OSError, AttributeError):  # not glibc (musl has no mallopt)
        return
    mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def freeze_heap() -> None:
    """Move every object alive now out of the collector's sight for the rest of the process.

    Later collections then walk only what is allocated afterwards: for the explorer, the
    analysis and its index stop being rescanned on every full collection. Frozen objects are
    still freed by reference counting; only cycles among them would stay until exit.
    """
    gc.freeze()


def make_full_collections_rare(every: int = FULL_COLLECTIONS_EVERY) -> None:
    """Let a full collection run only once per ``every`` middle-generation ones.

    Each full collection walks everything not frozen; with the explorer's caches and rows of a
    large image that is a pause of 50-300 ms in the middle of a keystroke. Young garbage is
    still collected as usual.
    """
    first, second, _ = gc.get_threshold()
    gc.set_threshold(first, second, every)


_kept: list[object] | None = None
"""What :func:`keep_until_exit` holds, while :func:`run_then_exit_without_teardown` runs."""


def keep_until_exit(value: object) -> None:
    """Hold ``value`` until the process ends, so that it is never freed object by object.

    This only holds while :func:`run_then_exit_without_teardown` runs the program, whose exit
    then leaves the memory to the operating system. Anywhere else (``main`` called in-process,
    as tests and embedders do) it does nothing and ``value`` is freed as usual.
    """
    if _kept is not None:
        _kept.append(value)


def run_then_exit_without_teardown(entry: Callable[[], int]) -> NoReturn:
    """Run ``entry``, flush stdout and stderr, and end the process with its exit code at once.

    The exit is :func:`os._exit`: the analyses given to :func:`keep_until_exit` are still
    referenced then, so nothing frees them one object at a time (5 ms for an image of 26,000
    files, up to 55 ms for 200,000); the operating system takes the memory back at once. No
    ``atexit`` handler or ``finally`` block runs after ``entry`` returns, so ``entry`` must
    close every file it writes before it returns.
    """
    global _kept  # noqa: PLW0603 - process-wide by nature: one program runs until the exit
    _kept = []
    code = entry()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError, AttributeError):  # a reader gone, a closed stream
            stream.flush()  # (None: the process started without it)
    os._exit(code)
