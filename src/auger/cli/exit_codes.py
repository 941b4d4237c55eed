"""Exit codes, and the one place errors turn into them."""

from __future__ import annotations

import enum

from auger.errors import AugerError, ImageReadError, UsageError


class ExitCode(enum.IntEnum):
    """What ``auger`` exits with (documented in the README)."""

    OK = 0
    BUDGET_FAILED = 1
    USAGE = 2
    IMAGE_UNREADABLE = 3
    INTERRUPTED = 130


def exit_code_for(error: AugerError) -> ExitCode:
    """The exit code for an error auger raised on purpose."""
    if isinstance(error, UsageError):
        return ExitCode.USAGE
    if isinstance(error, ImageReadError):
        return ExitCode.IMAGE_UNREADABLE
    return ExitCode.IMAGE_UNREADABLE
