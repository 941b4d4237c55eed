"""Errors read the same everywhere: one safe line, an optional hint, the documented exit code."""

from __future__ import annotations

from auger.errors import ExitCode, ImageReadError, LayerFormatError, UsageError, describe
from auger.sources.interface import AmbiguousImageError, EngineUnavailableError


def test_an_error_is_one_safe_line_and_a_hint() -> None:
    message, hint, code = describe(ImageReadError("no \x1b[31mimage\n", hint="try\rx"))
    assert (message, hint, code) == (
        "auger: error: no \\x1b[31mimage\\n",
        "auger: hint: try\\rx",
        ExitCode.IMAGE_UNREADABLE,
    )
    assert describe(ImageReadError("gone"))[1] is None


def test_each_family_has_its_exit_code() -> None:
    assert describe(UsageError("bad"))[2] == 2
    assert describe(AmbiguousImageError("which one?"))[2] == ExitCode.USAGE
    assert describe(LayerFormatError("truncated"))[2] == 3
    assert describe(EngineUnavailableError("no engine"))[2] == ExitCode.IMAGE_UNREADABLE


def test_a_bug_is_an_internal_error_that_asks_for_the_traceback() -> None:
    message, hint, code = describe(ValueError("boom\x1b]0;title\x07"))
    assert message == "auger: internal error: ValueError: boom\\x1b]0;title\\x07"
    assert hint == "auger: hint: run again with --debug and report the traceback"
    assert code == ExitCode.IMAGE_UNREADABLE
