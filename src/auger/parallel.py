"""Use a second CPU for pure, CPU-bound work: run one function in a forked child while another
runs here.

A forked child shares the parent's memory copy-on-write, so it starts at once with every input
already in place; only its result crosses back, as :mod:`marshal` data through a pipe (or, for
work that is done in parts, each part through shared memory as it is ready). Forking
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
import mmap
import os
import signal
import struct
import sys
import threading
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

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
    sent, foreground_result = _forked(background, foreground, send, lambda _: True)
    if sent is _NOTHING:
        return background(), foreground_result
    return receive(sent), foreground_result


def beside_in_parts(
    background: Callable[[Callable[[Any], None]], None],
    foreground: Callable[[Callable[[], list[Any]]], F],
    *,
    room: int,
    wanted: Callable[[F], bool],
) -> tuple[list[Any], bool, F]:
    """Run ``background`` in a forked child (a :class:`_PartsChild`) while ``foreground`` runs
    here and takes the parts that have arrived whenever it likes; return the parts it did not
    take, whether the child finished, and ``foreground``'s result. ``foreground`` is given
    :meth:`_PartsChild.arrived`. When ``wanted`` says, of ``foreground``'s result, that the rest
    is not needed, the child is stopped. Call it only where :func:`can_fork`: ``background``
    never runs here.
    """
    child = _PartsChild.start(background, room=room)
    if child is None:
        return [], False, foreground(list)
    try:
        foreground_result = foreground(child.arrived)
        if not wanted(foreground_result):
            child.stop()
            return [], False, foreground_result
        rest, finished = child.rest()
    finally:
        child.stop()
    return rest, finished, foreground_result


class _PartsChild:
    """A forked child that sends its result in parts, each as soon as it is ready.

    The parts cross through shared memory (a pipe would make the child wait on this process
    whenever it was busy), with a 16-byte notice of where each lies on a pipe that never fills.
    A part that does not fit in the room given, and every part after it, is not sent. A child
    that fails sends nothing more; what it sent stands.
    """

    def __init__(self, pid: int, shared: mmap.mmap, notices: int) -> None:
        self._pid: int | None = pid
        self._shared = shared
        self._notices = notices
        self._pending = b""
        self.finished = False
        """True once the child has said it sent every part."""
        os.set_blocking(notices, False)

    @classmethod
    def start(
        cls, background: Callable[[Callable[[Any], None]], None], *, room: int
    ) -> _PartsChild | None:
        """Fork a child that runs ``background`` with ``send``, which sends one
        :mod:`marshal`-able part; ``None`` if no room of ``room`` bytes can be had (the caller
        does the work itself). Call it only where :func:`can_fork`."""
        try:
            shared = mmap.mmap(-1, max(room, 1))  # anonymous and shared with the child
        except OSError:  # (no memory to promise it)
            return None
        notices, noticing = os.pipe()  # (offset, length) of each part, as it is written
        reap_exited()
        pid = os.fork()
        if pid == 0:  # the child: compute and send, then leave without running any cleanup
            os.close(notices)
            _send_parts(shared, noticing, background)
        os.close(noticing)
        return cls(pid, shared, notices)

    def arrived(self) -> list[Any]:
        """The parts noticed since the last call, without waiting for more."""
        try:
            data = os.read(self._notices, 1 << 16)
        except BlockingIOError:
            return []
        return self._parts(data)

    def rest(self) -> tuple[list[Any], bool]:
        """Every part not taken yet, once the child has finished or failed, and whether it
        finished."""
        os.set_blocking(self._notices, True)
        chunks = []
        while chunk := os.read(self._notices, 1 << 16):
            chunks.append(chunk)
        parts = self._parts(b"".join(chunks))
        if self._pid is not None:  # its exit (unmapping its copy of the heap) is waited later
            _exiting.append(self._pid)
            self._pid = None
            reap_exited()
        return parts, self.finished

    def stop(self) -> None:
        """Stop the child if it still runs, and let go of what it shared."""
        if self._pid is not None:
            _reap(self._pid, kill=True)
            self._pid = None
        if not self._shared.closed:
            os.close(self._notices)
            self._shared.close()

    def _parts(self, data: bytes) -> list[Any]:
        data = self._pending + data
        whole = len(data) - len(data) % _NOTICE.size
        self._pending = data[whole:]
        parts = []
        for offset, length in _NOTICE.iter_unpack(data[:whole]):
            if offset + length > len(self._shared):
                self.finished = True
            else:
                parts.append(marshal.loads(self._shared[offset : offset + length]))
        return parts


_NOTICE = struct.Struct("<QQ")
"""Where a part lies in the shared memory: offset and length."""
_FINISHED = _NOTICE.pack((1 << 64) - 1, 0)
"""The child's last notice, once ``background`` has returned."""


def _send_parts(
    shared: mmap.mmap, noticing: int, background: Callable[[Callable[[Any], None]], None]
) -> NoReturn:
    """In the child: run ``background`` with a ``send`` that writes each part to ``shared`` and
    tells ``noticing`` where it lies; then exit."""
    used = 0

    def send(part: Any) -> None:
        nonlocal used
        data = marshal.dumps(part)
        if used < 0 or used + len(data) > len(shared):
            used = -1  # no room: nothing more is sent, so the parts that arrive stay in order
            return
        shared[used : used + len(data)] = data
        os.write(noticing, _NOTICE.pack(used, len(data)))  # (a pipe never splits 16 bytes)
        used += len(data)

    code = 1
    try:
        background(send)
        os.write(noticing, _FINISHED)
        code = 0
    finally:
        os._exit(code)


_NOTHING = object()
"""What a child that sent no whole result sent."""


def _forked(
    background: Callable[[], B],
    foreground: Callable[[], F],
    send: Callable[[B], Any],
    wanted: Callable[[F], bool],
) -> tuple[Any, F]:
    """Fork a child that sends ``send(background())``, run ``foreground`` here; return what the
    child sent (loaded) or :data:`_NOTHING`, and ``foreground``'s result."""
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
            if not wanted(foreground_result):
                _reap(pid, kill=True)
                return _NOTHING, foreground_result
            data = stream.read()
        except BaseException:
            _reap(pid, kill=True)
            raise
    try:  # a child that failed sent nothing or was cut short: no whole object to load
        plain = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        _reap(pid, kill=False)
        return _NOTHING, foreground_result
    # the result is complete, so the child's exit (unmapping its copy of the heap, several
    # milliseconds for a large image) need not be waited for: it is reaped later
    _exiting.append(pid)
    reap_exited()
    return plain, foreground_result


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


_HASHER = """
import hashlib, mmap, os, sys
offset, length, algorithm = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
digest, end = hashlib.new(algorithm), min(offset + length, os.fstat(3).st_size)
start = offset - offset % mmap.ALLOCATIONGRANULARITY
while start < end:
    size = min(1 << 22, end - start)
    with mmap.mmap(3, size, offset=start, prot=mmap.PROT_READ) as window:
        digest.update(memoryview(window)[max(0, offset - start):])
    start += size
sys.stdout.write(digest.hexdigest())
"""
"""The helper's program: the digest of bytes ``offset`` to ``offset + length`` of file
descriptor 3 (fewer if the file ends first), written as hex to its standard output. It maps the
file 4 MiB at a time instead of reading it: no copy, 8 % less time than ``pread`` into a
buffer, and only the window mapped counts in its memory."""


_STREAM_HASHER = """
import hashlib, os, sys
digest, read = hashlib.new(sys.argv[1]), os.read
while chunk := read(0, 1 << 20):
    digest.update(chunk)
sys.stdout.write(digest.hexdigest())
"""
"""The stream helper's program: the digest of its standard input, written as hex to its
standard output."""
PIPE_SIZE = 1 << 20
"""The buffer asked for the pipe to a stream helper (Linux's limit for a user by default): with
the default 64 KiB, a scanner's 256 KiB read waited for the helper three times."""


class _Helper:
    """A helper interpreter (``python -I -S``: no site, no environment; it starts in about 10
    ms and 12 MiB) that hashes on another processor and writes the hex digest to a pipe."""

    def __init__(self, pid: int, output: int) -> None:
        self._pid: int | None = pid
        self._output = output

    @staticmethod
    def _spawn(
        program: str, arguments: list[str], actions: list[tuple[Any, ...]]
    ) -> tuple[int, int] | None:
        """Start ``program`` with ``arguments`` and the file ``actions`` (its standard output
        is added); its pid and the read end of its output, or ``None`` if it cannot start."""
        executable = sys.executable
        frozen = getattr(sys, "frozen", False)  # a bundled app's executable is not Python
        if not executable or frozen or not hasattr(os, "posix_spawn"):
            return None
        reader, writer = os.pipe()
        actions = [
            *actions,
            (os.POSIX_SPAWN_DUP2, writer, 1),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        ]
        command = [executable, "-I", "-S", "-c", program, *arguments]
        try:
            pid = os.posix_spawn(executable, command, os.environ, file_actions=actions)
        except OSError:
            os.close(reader)
            return None
        finally:
            os.close(writer)
        return pid, reader

    def result(self) -> str | None:
        """The hex digest, once the helper is done; ``None`` if it failed."""
        with os.fdopen(self._output, "rb") as output:
            text = output.read().decode("ascii", "replace")
        code = self._wait()
        if code != 0 or not text or not all(c in "0123456789abcdef" for c in text):
            return None
        return text

    def cancel(self) -> None:
        """Stop the helper (its digest is wanted no more)."""
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            self._wait()
            with contextlib.suppress(OSError):
                os.close(self._output)

    def _wait(self) -> int:
        pid, self._pid = self._pid, None
        if pid is None:
            return -1
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status)


class RangeDigest(_Helper):
    """The digest of a range of a file, computed by a helper process started at once.

    Hashing is the one large piece of auger's work that needs no Python objects, and a thread
    of this process hashes only while the GIL lets it: beside a busy scanner it measured at a
    quarter of its speed. The helper reads the range from a copy of the descriptor and hashes
    at full speed on another processor, with no GIL shared.
    """

    @classmethod
    def start(cls, descriptor: int, offset: int, length: int, algorithm: str) -> RangeDigest | None:
        """Start hashing; ``None`` when no helper can be started (hash some other way)."""
        started = cls._spawn(
            _HASHER, [str(offset), str(length), algorithm], [(os.POSIX_SPAWN_DUP2, descriptor, 3)]
        )
        return cls(*started) if started is not None else None


class StreamDigest(_Helper):
    """The digest of bytes that lie in no file (an engine's ``save``, standard input), fed to a
    helper process through a pipe as they pass.

    Feeding costs this process a copy into the pipe; hashing here cost it 0.6 s of CPU per GB
    on the processor that scans. When the helper fails (it cannot, short of being killed), the
    bytes are gone: :meth:`result` says ``None``.
    """

    def __init__(self, pid: int, output: int, feed: int) -> None:
        super().__init__(pid, output)
        self._feed: int | None = feed

    @classmethod
    def start(cls, algorithm: str) -> StreamDigest | None:
        """Start a helper; ``None`` when none can be started (hash some other way)."""
        reader, feed = os.pipe()
        with contextlib.suppress(ImportError, AttributeError, OSError):  # where Linux allows
            import fcntl  # noqa: PLC0415

            fcntl.fcntl(feed, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        try:
            started = cls._spawn(_STREAM_HASHER, [algorithm], [(os.POSIX_SPAWN_DUP2, reader, 0)])
        finally:
            os.close(reader)
        if started is None:
            os.close(feed)
            return None
        return cls(*started, feed)

    def feed(self, data: bytes | memoryview) -> None:
        """Hand ``data`` to the helper (after a failed helper, nothing happens)."""
        if self._feed is None:
            return
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._feed, view) :]
        except OSError:  # the helper is gone: result() says so
            self._close_feed()

    def _close_feed(self) -> None:
        feed, self._feed = self._feed, None
        if feed is not None:
            with contextlib.suppress(OSError):
                os.close(feed)

    def result(self) -> str | None:
        """The hex digest of everything fed; ``None`` if the helper failed."""
        failed = self._feed is None
        self._close_feed()
        found = super().result()
        return None if failed else found

    def cancel(self) -> None:
        self._close_feed()
        super().cancel()
