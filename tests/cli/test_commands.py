"""The command table: every row loads a module with a parser and a runner, the usage is built
from the rows, and running one command loads no other command's module."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from auger.cli import diff, report
from auger.cli.main import COMMANDS, DEFAULT, Command, usage
from auger.cli.parsing import GATE_FORMATS
from tests.cli.support import fresh_run
from tests.support import run_cli

ROWS = [DEFAULT, *COMMANDS.values()]
MODULES = {"auger.cli.inspect", *(f"auger.cli.{name}" for name in COMMANDS)}


@pytest.mark.parametrize("command", ROWS, ids=[command.name for command in ROWS])
def test_each_row_loads_its_own_module(command: Command) -> None:
    module = command.load()
    expected = "inspect" if command is DEFAULT else command.name
    assert module.__name__ == f"auger.cli.{expected}"  # type: ignore[attr-defined]
    parser = module.build_parser()
    prog = "auger" if command is DEFAULT else f"auger {command.name}"
    assert parser.prog == prog
    assert callable(module.run)


@pytest.mark.parametrize("command", ROWS, ids=[command.name for command in ROWS])
def test_the_synopsis_offers_the_formats_the_parser_accepts(command: Command) -> None:
    parser = command.load().build_parser()
    choices = {
        choice
        for action in parser._actions
        if "--format" in action.option_strings
        for choice in action.choices or ()
    }
    written = re.search(r"--format ([a-z|]+)", command.arguments)
    shown = set(written[1].split("|")) if written else set()
    if "--format FORMAT" in command.arguments:  # too many to list there: the summary lists them
        listed = re.search(r"\(formats: ([a-z, ]+)\)", command.summary)
        assert listed is not None, command.summary
        shown = set(listed[1].split(", "))
    if command is DEFAULT:
        assert shown == set()  # 'auger IMAGE' offers the gate's formats, like 'auger check'
        return
    assert shown == choices


def test_the_usage_lists_every_command_in_the_table_order() -> None:
    text = usage()
    head = text.split("\n\n")[0].splitlines()
    synopses = [re.findall(r"auger (\S+)", line)[0] for line in head]
    assert synopses == ["IMAGE", *COMMANDS]
    commands = text.split("\ncommands:\n")[1].split("\noptions:\n")[0]
    described = re.findall(r"^  (\S+)", commands, re.MULTILINE)
    assert described == ["IMAGE", *COMMANDS]
    options = re.findall(r"^  (-\S+)", text.split("\noptions:\n")[1], re.MULTILINE)
    assert options == ["-h,", "-V,", "--print-completion"]
    assert max(len(line) for line in text.splitlines()) <= 88
    assert run_cli(["--help"]).stdout == text


def test_a_name_that_is_no_command_is_the_image() -> None:
    result = run_cli(["no-such-image.tar"])
    assert result.code == 3
    assert result.stderr == "auger: error: no-such-image.tar does not exist\n"


@pytest.mark.parametrize(
    ("argv", "module"),
    [
        (["--help"], None),
        (["check", "--help"], "check"),
        (["report", "--help"], "report"),
        (["diff", "--help"], "diff"),
        (["explore", "--help"], "explore"),
        (["build", "--help"], "build"),
        (["extract", "--help"], "extract"),
        (["demo", "-q"], "demo"),
        (["image.tar", "--help"], None),
    ],
)
def test_a_command_loads_no_other_command(
    argv: list[str], module: str | None, tmp_path: Path
) -> None:
    result = fresh_run(argv, {}, tmp_path)
    assert result["code"] == 0, result["stderr"]
    assert isinstance(result["modules"], list)
    loaded = MODULES & set(result["modules"])
    assert loaded == {"auger.cli.inspect"} | ({f"auger.cli.{module}"} if module else set())
    if module is None:  # the default command offers the gate's formats without loading them
        assert "auger.report.gate" not in result["modules"]
        assert "xml" not in {name.split(".")[0] for name in result["modules"]}


@pytest.mark.parametrize(
    ("command", "formats"),
    [
        ("check", GATE_FORMATS),
        ("IMAGE", GATE_FORMATS),
        ("report", report.FORMATS),
        ("diff", diff.FORMATS),
    ],
)
def test_the_format_table_is_what_format_accepts(command: str, formats: dict[str, Any]) -> None:
    parser = COMMANDS.get(command, DEFAULT).load().build_parser()
    (action,) = [action for action in parser._actions if "--format" in action.option_strings]
    assert action.choices == tuple(formats)
    assert action.default in formats
