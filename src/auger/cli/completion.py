"""``auger --print-completion SHELL``: a completion script for bash, zsh, fish or tcsh.

``shtab`` writes the script from one argparse parser that holds every command of the command
table as a subcommand, beside the default command's options; an option whose value names a
file or a directory completes paths (read from its metavar), and ``IMAGE`` completes command
names or paths (an image archive or layout). Only this module imports ``shtab``, and only when
a script is asked for.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping

from auger.cli.parsing import Parser
from auger.errors import UsageError

SHELLS = ("bash", "zsh", "fish", "tcsh")
"""The shells a script is written for."""

_FILE_METAVARS = {"FILE", "IMAGE", "BASE", "HEAD"}
"""Values that may name a local file (an image may be an archive)."""


def _mark_paths(parser: argparse.ArgumentParser, file: object, directory: object) -> None:
    """Tell shtab which arguments complete files and directories, by their metavars (``PATH``
    only as an option's value: ``auger extract``'s positional PATH is inside the image)."""
    for action in parser._actions:
        local = action.metavar in _FILE_METAVARS or (
            action.metavar == "PATH" and action.option_strings
        )
        if local:
            action.complete = file  # type: ignore[attr-defined]
        elif action.metavar == "DIR":
            action.complete = directory  # type: ignore[attr-defined]


def completion_parser(
    default: Parser,
    commands: Mapping[str, tuple[str, Parser]],
    top_options: Iterable[tuple[tuple[str, ...], str]],
) -> argparse.ArgumentParser:
    """One parser for the whole command line: ``default``'s options (``auger IMAGE``), the
    flags in ``top_options`` (``-V``/``--version`` and what they do), and a subcommand per
    entry of ``commands`` (name -> summary and parser)."""
    import shtab  # noqa: PLC0415 - only when a completion script is asked for

    top = argparse.ArgumentParser(prog="auger", parents=[default], add_help=False)
    for flags, summary in top_options:
        top.add_argument(*flags, action="store_true", help=summary)
    top.add_argument("--print-completion", choices=SHELLS, help="print a completion script")
    subcommands = top.add_subparsers(dest="command", metavar="COMMAND")
    for name, (summary, parser) in commands.items():
        _mark_paths(parser, shtab.FILE, shtab.DIRECTORY)
        subcommands.add_parser(name, parents=[parser], add_help=False, help=summary)
    _mark_paths(top, shtab.FILE, shtab.DIRECTORY)
    for action in top._actions:
        if action.dest == "image":
            action.complete = _command_or_file(list(commands))  # type: ignore[attr-defined]
    return top


def _command_or_file(names: list[str]) -> dict[str, object]:
    """How each shell completes auger's first word: a command name, or a path (an image
    archive or layout). The bash function's name ends in ``_files`` so that shtab's script
    treats its words as file names (a slash after a directory)."""
    words = " ".join(names)
    return {
        "bash": "_shtab_auger_command_or_files",
        "zsh": "_auger_command_or_files",
        "fish": f"(printf '%s\\n' {words}; __fish_complete_path (commandline -ct))",
        "tcsh": "f",
        "preamble": {
            "bash": (
                "_shtab_auger_command_or_files() {\n"
                f'  compgen -W "{words}" -- "$1"\n'
                '  compgen -f -- "$1"\n'
                "}\n"
            ),
            "zsh": (
                "_auger_command_or_files() {\n"
                f"  _alternative 'commands:command:({words})' 'files:file:_files'\n"
                "}\n"
            ),
        },
    }


def completion_script(shell: str, parser: argparse.ArgumentParser) -> str:
    """The completion script for ``shell``."""
    if shell not in SHELLS:
        raise UsageError(
            f"no completion for the shell {shell!r}", hint=f"choose one of {', '.join(SHELLS)}"
        )
    import shtab  # noqa: PLC0415

    script: str = shtab.complete(parser, shell=shell)
    return script if script.endswith("\n") else script + "\n"
