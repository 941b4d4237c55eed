"""Standard output and error, guarded: a write that fails is noted, never raised.

A gate's exit code is its verdict, whether or not anyone can read the report: a reader that
went away (``| head``, ``| true``), a closed stdout (``>&-``) or a full one (``>/dev/full``)
must not turn a failing check into exit 0, nor any run into a traceback. :func:`guarded`
wraps both streams of a console so that the first failing write or flush is remembered and
later writes are dropped; once the command has returned, :func:`settle` flushes stdout and
decides: the command's own exit code stands, except that a run which would have exited 0
exits :data:`~auger.errors.ExitCode.OUTPUT_FAILED` when its output was lost. A broken
pipe is not a loss: the reader chose to stop reading, as ``head`` does.
"""

from __future__ import annotations

import errno
import io
import os
from typing import TextIO, cast

from auger.cli.console import Console
from auger.errors import ExitCode


class GuardedStream(io.TextIOBase):
    """A text stream whose write and flush failures are kept in :attr:`failure`."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__()
        self._stream = stream
        """``None`` when the descriptor was closed as the process started."""
        self.failure: OSError | None = None

    def _failed(self, error: Exception) -> None:
        if self.failure is None:
            if isinstance(error, OSError):
                self.failure = error
            else:  # ValueError: the stream object itself was closed
                self.failure = OSError(errno.EBADF, "closed")

    def write(self, text: str) -> int:
        if self.failure is None and text:
            try:
                if self._stream is None:
                    raise OSError(errno.EBADF, "closed")
                self._stream.write(text)
            except (OSError, ValueError) as error:
                self._failed(error)
        return len(text)

    def flush(self) -> None:
        if self.failure is None and self._stream is not None:
            try:
                self._stream.flush()
            except (OSError, ValueError) as error:
                self._failed(error)

    def isatty(self) -> bool:
        try:
            return self._stream is not None and self._stream.isatty()
        except (OSError, ValueError, AttributeError):
            return False

    def fileno(self) -> int:
        if self._stream is None:
            raise io.UnsupportedOperation("the stream is closed")
        return self._stream.fileno()

    def writable(self) -> bool:
        return True

    @property
    def lost(self) -> bool:
        """True when output was lost for a reason other than a reader that left."""
        return self.failure is not None and self.failure.errno != errno.EPIPE


def guarded(console: Console) -> Console:
    """``console`` with its stdout and stderr guarded (a console already guarded as it is)."""
    if isinstance(console.stdout, GuardedStream):
        return console
    return console._replace(
        stdout=cast(TextIO, GuardedStream(console.stdout)),
        stderr=cast(TextIO, GuardedStream(console.stderr)),
    )


def _reason(failure: OSError) -> str:
    if failure.errno == errno.EBADF:
        return "it is closed"
    return failure.strerror or str(failure)


def settle(code: int, console: Console) -> int:
    """Flush stdout, then the exit code: ``code``, or :attr:`ExitCode.OUTPUT_FAILED` in place
    of success when the output was lost (one line on stderr says why)."""
    stdout = console.stdout
    if not isinstance(stdout, GuardedStream):
        return code
    stdout.flush()
    if not stdout.lost:
        return code
    assert stdout.failure is not None
    console.diagnose(f"auger: error: cannot write to standard output: {_reason(stdout.failure)}")
    return code if code != ExitCode.OK else ExitCode.OUTPUT_FAILED


def occupy_closed_descriptors() -> None:
    """Open ``/dev/null`` on standard descriptors the process started without (``>&-``), so
    that no file auger opens takes their number (``sys.stdout`` stays ``None``: still closed
    to auger, which reports it)."""
    for descriptor in (0, 1, 2):
        try:
            os.fstat(descriptor)
        except OSError:
            opened = os.open(os.devnull, os.O_RDONLY if descriptor == 0 else os.O_WRONLY)
            if opened != descriptor:  # a lower one was closed too and took it: try again
                os.dup2(opened, descriptor)
                os.close(opened)
