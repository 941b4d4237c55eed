"""How the explorer writes a layer's command: one line, escaped, cut to the column's width."""

from __future__ import annotations

from auger.viewmodel.attributes import command


def test_a_multi_line_command_is_one_line() -> None:
    assert command("RUN apt-get update \\\n\t&& apt-get install -y curl") == (
        "RUN apt-get update \\\\ && apt-get install -y curl"
    )


def test_a_long_command_is_cut_with_an_ellipsis() -> None:
    assert command("echo " + "x" * 300, 20) == "echo " + "x" * 14 + "…"
    assert command("echo short", 20) == "echo short"


def test_escapes_in_a_command_are_shown_not_obeyed() -> None:
    shown = command("printf '\x1b[2J' # clears the screen")
    assert "\x1b" not in shown
    assert "\\x1b[2J" in shown
