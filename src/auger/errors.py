"""The error hierarchy, the exit codes, and how an error reads to a person.

Every failure auger reports on purpose is an :class:`AugerError`. Each front end catches them
once, at the top, and turns each family into its documented exit code with
:func:`exit_code_for` (usage errors exit 2, anything that stops an image from being read exits
3) and into the same one or two lines with :func:`describe`.
"""

from __future__ import annotations

import enum

from auger.clipping import LINE_LIMIT, clip
from auger.display import safe_line


class AugerError(Exception):
    """Base of every error auger raises on purpose.

    ``message`` is the one-line cause shown to the user; ``hint`` optionally says what to try;
    ``more`` holds further causes of the same kind, one line each (every mistake in a file).
    """

    def __init__(
        self, message: str, *, hint: str | None = None, more: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.more = more


class UsageError(AugerError):
    """The command line or a configuration file is wrong (exit 2)."""


class ImageReadError(AugerError):
    """The image could not be read (exit 3)."""


class SourceError(ImageReadError):
    """A source could not find, reach or understand an image."""


class LayerFormatError(ImageReadError):
    """A layer (or an archive) is not a well-formed tar stream."""


class ExitCode(enum.IntEnum):
    """What ``auger`` exits with (documented in the README)."""

    OK = 0
    BUDGET_FAILED = 1
    USAGE = 2
    IMAGE_UNREADABLE = 3
    OUTPUT_FAILED = 4
    """The run would have succeeded, but its output to stdout was lost (closed, full)."""
    INTERRUPTED = 130
    TERMINATED = 143
    """SIGTERM (128 + 15), as CI sends on cancel."""


def exit_code_for(error: AugerError) -> ExitCode:
    """The exit code for an error auger raised on purpose."""
    if isinstance(error, UsageError):
        return ExitCode.USAGE
    return ExitCode.IMAGE_UNREADABLE


def _line(text: str) -> str:
    """A message as one terminal line of readable length (input it quotes may be huge)."""
    return safe_line(clip(text, LINE_LIMIT))


def describe(error: BaseException) -> tuple[str, str | None, int]:
    """One line saying what went wrong, an optional line saying what to try, and the exit code.

    Any other exception is a bug: it is named as an internal error and exits 3. Both lines are
    safe to print on a terminal, and at most about :data:`~auger.clipping.LINE_LIMIT` long.
    """
    if isinstance(error, AugerError):
        hint = f"auger: hint: {_line(error.hint)}" if error.hint else None
        return f"auger: error: {_line(error.message)}", hint, exit_code_for(error)
    message = _line(f"auger: internal error: {type(error).__name__}: {error}")
    hint = "auger: hint: run again with --debug and report the traceback"
    return message, hint, ExitCode.IMAGE_UNREADABLE


def further_causes(error: BaseException) -> list[str]:
    """Lines for an error's further causes (:attr:`AugerError.more`), each safe to print and
    of readable length."""
    more = error.more if isinstance(error, AugerError) else ()
    return [f"auger: error: {_line(cause)}" for cause in more]
