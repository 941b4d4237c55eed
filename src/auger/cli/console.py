"""The command line's view of the world: streams, environment, and what goes on stderr.

How much goes on stderr means the same in every command: ``-q``/``--quiet`` leaves warnings
and errors only; the default adds a live progress line on a terminal and short notes (a file
written, a hint); ``-v``/``--verbose`` adds every phase and layer as a line of its own, on a
terminal or not. Colour on stdout follows ``NO_COLOR`` and ``FORCE_COLOR``
(https://no-color.org, https://force-color.org), else whether stdout is a terminal.
"""

from __future__ import annotations

import enum
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import BinaryIO, NamedTuple, TextIO

from auger.cli.signals import signals_deferred
from auger.clipping import LINE_LIMIT, clip
from auger.display import format_size, safe_line
from auger.errors import UsageError
from auger.progress import Progress


class Verbosity(enum.IntEnum):
    """How much a command says on stderr (``-q``, the default, ``-v``)."""

    QUIET = 0
    NORMAL = 1
    VERBOSE = 2


class Console(NamedTuple):
    """Injected I/O, so the CLI can run in-process under test."""

    stdout: TextIO
    stderr: TextIO
    environ: Mapping[str, str]
    verbosity: Verbosity = Verbosity.NORMAL

    def with_verbosity(self, verbosity: Verbosity) -> Console:
        """This console, saying as much as ``verbosity`` allows."""
        return self._replace(verbosity=verbosity)

    @property
    def stderr_is_tty(self) -> bool:
        return _isatty(self.stderr)

    @property
    def stdout_is_tty(self) -> bool:
        return _isatty(self.stdout)

    @property
    def color(self) -> bool:
        """Whether to colour stdout: never with ``NO_COLOR`` set, always with ``FORCE_COLOR``
        set (both: any non-empty value; ``NO_COLOR`` wins), else on a terminal that is not
        ``TERM=dumb``."""
        if self.environ.get("NO_COLOR"):
            return False
        if self.environ.get("FORCE_COLOR"):
            return True
        return self.stdout_is_tty and self.environ.get("TERM") != "dumb"

    def diagnose(self, text: str) -> None:
        """Write one diagnostic line to stderr (errors and warnings: whatever the verbosity)."""
        self.stderr.write(text + "\n")
        self.stderr.flush()

    def note(self, text: str) -> None:
        """A line worth saying unless ``--quiet``: a file written, a hint."""
        if self.verbosity >= Verbosity.NORMAL:
            self.diagnose(text)

    def detail(self, text: str) -> None:
        """A line only ``--verbose`` asks for."""
        if self.verbosity >= Verbosity.VERBOSE:
            self.diagnose(text)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class StderrProgress(Progress):
    """Progress on stderr as the console's verbosity says: a live line on a terminal by
    default, a line per phase and per layer with ``--verbose``, nothing with ``--quiet``;
    warnings always."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._verbose = console.verbosity >= Verbosity.VERBOSE
        self._live = console.stderr_is_tty and console.verbosity is Verbosity.NORMAL
        self._bytes = 0
        self._layers = 0
        self._last = 0
        self._started = time.monotonic()

    def phase(self, text: str) -> None:
        if self._verbose:
            self._console.detail(f"auger: {safe_line(text)} ({self._elapsed()})")
        elif self._live:
            self._draw(text)

    def bytes_read(self, count: int) -> None:
        self._bytes += count
        if self._live and self._bytes - self._last >= 8 << 20:
            self._last = self._bytes
            self._draw(f"read {format_size(self._bytes)}, {self._layers} layers scanned")

    def layer_scanned(self, index: int, entries: int) -> None:
        self._layers = index + 1
        if self._verbose:
            self._console.detail(
                f"auger: scanned layer blob {index + 1} ({entries:,} entries, "
                f"{format_size(self._bytes)} read so far)"
            )

    def _elapsed(self) -> str:
        return f"{time.monotonic() - self._started:.2f} s"

    def warning(self, text: str) -> None:
        self.done()
        self._console.diagnose(f"auger: warning: {safe_line(clip(text, LINE_LIMIT))}")

    def _draw(self, text: str) -> None:
        self._console.stderr.write("\r\x1b[2K" + text[:120])
        self._console.stderr.flush()

    def done(self) -> None:
        """Clear the live line."""
        if self._live:
            self._console.stderr.write("\r\x1b[2K")
            self._console.stderr.flush()


def is_stdout(output: Path | None) -> bool:
    """True when an output option names standard output: absent, or ``-``."""
    return output is None or str(output) == "-"


def emit(console: Console, text: str | Iterable[str], output: Path | None) -> None:
    """Write a command's output (one text, or pieces of it) to stdout (no ``output``, or
    ``-``), or to the file ``output`` (saying so on stderr unless ``--quiet``)."""
    if output is None or is_stdout(output):
        for piece in [text] if isinstance(text, str) else text:
            console.stdout.write(piece)
        return
    write_atomically(output, text)
    console.note(f"auger: wrote {safe_line(str(output))}")


def write_atomically(path: Path, text: str | Iterable[str]) -> None:
    """Replace the file ``path`` with ``text`` (or its pieces, encoded and written one by one)
    in one step: readers see the old file or the new.

    Only a regular file named directly (or a new one) is replaced. Anything else is written to
    as a shell redirection would, through the name: a symbolic link (its target is written, the
    link kept), ``/dev/stdout``, a named pipe, a process substitution.
    """
    pieces = [text] if isinstance(text, str) else text
    try:
        if path.is_symlink() or (path.exists() and not path.is_file()):
            if path.is_dir():
                raise UsageError(f"cannot write {clip(str(path))}: it is a directory")
            with path.open("wb") as stream:
                _write_pieces(stream, pieces)
            return
    except OSError as exc:
        raise UsageError(f"cannot write {clip(str(path))}: {exc.strerror}") from exc
    temporary: Path | None = None
    try:
        with signals_deferred():  # a signal cannot fall between creating it and naming it
            handle, temporary = _create_beside(path)
        with os.fdopen(handle, "wb") as stream:
            _write_pieces(stream, pieces)
        temporary.replace(path)
    except OSError as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise UsageError(f"cannot write {clip(str(path))}: {exc.strerror}") from exc
    except BaseException:  # SIGINT, SIGTERM (see auger.cli.signals): leave no temporary
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise


def _write_pieces(stream: BinaryIO, pieces: Iterable[str]) -> None:
    for piece in pieces:
        stream.write(piece.encode("utf-8"))


def _create_beside(path: Path) -> tuple[int, Path]:
    """Create a new, private-named file next to ``path``; return its descriptor and path."""
    if not path.name:
        raise UsageError(f"cannot write {clip(str(path))}: not a file name")
    for _ in range(100):
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644), temporary
        except FileExistsError:
            continue
        except OSError as exc:
            raise UsageError(f"cannot write {clip(str(path))}: {exc.strerror}") from exc
    raise UsageError(f"cannot write {clip(str(path))}: no free temporary name beside it")
