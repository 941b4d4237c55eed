"""Use a second CPU for pure, CPU-bound work: run one function in a forked child while another
runs here.

A forked child shares the parent's memory copy-on-write, so it starts at once with every input
already in place; only its result crosses back, as :mod:`marshal` data through a pipe. Forking
is only safe while this process runs a single thread (another thread could hold a lock the
child would then wait on forever), so anywhere else (the explorer analyses in a worker thread),
on a single CPU, or where ``fork`` does not exist, both functions simply run here, one after the
other. If the child fails for any reason, its function runs again here, so results and errors
are exactly those of a sequential run. The rest of auger's process-level machinery (the
collector, the exit) is in :mod:`auger.runtime`.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import threading
from collections.abc import Callable
from typing import Any, TypeVar

B = TypeVar("B")
F = TypeVar("F")


def can_fork() -> bool:
    """True when a child process would both be safe to fork and have a CPU of its own."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    return available_cpus() > 1


def available_cpus() -> int:
    """The processors this process may run on."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)


def _same(value: Any) -> Any:
    return value


def in_parallel(
    background: Callable[[], B],
    foreground: Callable[[], F],
    *,
    send: Callable[[B], Any] = _same,
    receive: Callable[[Any], B] = _same,
) -> tuple[B, F]:
    """Run ``background`` in a forked child while ``foreground`` runs in this process; return
    both results.

    The child passes its result through ``send``, which must turn it into :mod:`marshal`-able
    data, and the parent rebuilds it with ``receive``; neither runs when there is no child.
    """
    if not can_fork():
        return background(), foreground()
    reap_exited()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running any cleanup
        os.close(reader)
        _send(writer, lambda: send(background()))
    os.close(writer)
    with os.fdopen(reader, "rb") as stream:
        try:
            foreground_result = foreground()
            data = stream.read()
        except BaseException:
            _reap(pid, kill=True)
            raise
    try:  # a child that failed sent nothing or was cut short: no whole object to load
        plain = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        _reap(pid, kill=False)
        return background(), foreground_result
    # the result is complete, so the child's exit (unmapping its copy of the heap, several
    # milliseconds for a large image) need not be waited for: it is reaped later
    _exiting.append(pid)
    reap_exited()
    return receive(plain), foreground_result


_exiting: list[int] = []
"""Children that sent their result and may still be exiting."""


def reap_exited() -> None:
    """Reap, without waiting, the children that have finished exiting since they sent."""
    for pid in list(_exiting):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # already reaped elsewhere
            done = pid
        if done:
            _exiting.remove(pid)


def reap_all() -> None:
    """Wait for every child that sent its result and may still be exiting.

    Called before the process ends, so that no child outlives it as a zombie that whoever
    waits on the process's group would see. A child that has sent its result only unmaps its
    memory, so the wait is short.
    """
    while _exiting:
        pid = _exiting.pop()
        with contextlib.suppress(ChildProcessError):  # already reaped elsewhere
            os.waitpid(pid, 0)


def _send(writer: int, background: Callable[[], Any]) -> None:
    """In the child: write ``background``'s result to ``writer`` and exit."""
    code = 1
    try:
        data = marshal.dumps(background())
        with os.fdopen(writer, "wb") as stream:
            stream.write(data)
        code = 0
    finally:
        os._exit(code)


def _reap(pid: int, *, kill: bool) -> int:
    """Wait for the child (stopping it first if ``kill``); return its exit code."""
    if kill:  # the child is not reaped yet, so its pid cannot have been reused
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)
