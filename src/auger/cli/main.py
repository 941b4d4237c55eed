"""The ``auger`` command: a table of commands, dispatch to one, errors turned into exit codes.

``main(argv, console)`` does all the work and returns the exit code, so the CLI runs in-process
under test; ``run()`` is the console-script entry point.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NamedTuple, NoReturn, Protocol

from auger.cli import inspect, output, signals
from auger.cli.console import Console
from auger.cli.parsing import HelpShownError, Parser, verbosity_of
from auger.cli.signals import Terminated
from auger.errors import AugerError, ExitCode, UsageError, describe, further_causes
from auger.parallel import reap_all
from auger.runtime import return_large_blocks_at_once, run_then_exit_without_teardown


class CommandModule(Protocol):
    """What each command's module offers (``auger.cli.check`` and its siblings)."""

    def build_parser(self) -> Parser: ...

    def run(self, args: argparse.Namespace, console: Console) -> int: ...


class Command(NamedTuple):
    """A row of the command table."""

    name: str
    arguments: str
    """What follows the name in the usage synopsis."""
    summary: str
    """What the command does, in one line."""
    load: Callable[[], CommandModule]
    """Imports the command's module: only the command that runs is loaded."""


def _check() -> CommandModule:
    from auger.cli import check  # noqa: PLC0415 - each command loads only when it runs

    return check


def _report() -> CommandModule:
    from auger.cli import report  # noqa: PLC0415

    return report


def _diff() -> CommandModule:
    from auger.cli import diff  # noqa: PLC0415

    return diff


def _explore() -> CommandModule:
    from auger.cli import explore  # noqa: PLC0415

    return explore


def _build() -> CommandModule:
    from auger.cli import build  # noqa: PLC0415

    return build


def _extract() -> CommandModule:
    from auger.cli import extract  # noqa: PLC0415

    return extract


def _serve() -> CommandModule:
    from auger.cli import serve  # noqa: PLC0415

    return serve


def _cache() -> CommandModule:
    from auger.cli import cache  # noqa: PLC0415

    return cache


def _fleet() -> CommandModule:
    from auger.cli import fleet  # noqa: PLC0415

    return fleet


def _whatif() -> CommandModule:
    from auger.cli import whatif  # noqa: PLC0415

    return whatif


def _demo() -> CommandModule:
    from auger.cli import demo  # noqa: PLC0415

    return demo


def _budgets() -> CommandModule:
    from auger.cli import budgets  # noqa: PLC0415

    return budgets


def _schema() -> CommandModule:
    from auger.cli import schema  # noqa: PLC0415

    return schema


DEFAULT = Command(
    "IMAGE",
    "[--json FILE] [--ci] [options]",
    "analyse an image (auger IMAGE --help for the options): the explorer on a terminal, else a "
    "summary; under CI or with --ci, check its budgets like 'auger check'",
    lambda: inspect,
)
"""What runs when the first argument names no command: it is the image."""

COMMANDS: dict[str, Command] = {
    command.name: command
    for command in (
        Command(
            "check",
            "IMAGE [--budgets FILE] [--format FORMAT] [options]",
            "check an image against budgets: exit 0 pass, 1 a budget failed (formats: text, json, "
            "junit, markdown, codequality, sarif)",
            _check,
        ),
        Command(
            "report",
            "IMAGE [--baseline REF] [--format FORMAT] [-o FILE]",
            "wasted space, causes, advice and growth, as Markdown for a pull request or one "
            "HTML page with a size map (formats: markdown, json, text, html, codequality, sarif)",
            _report,
        ),
        Command(
            "diff",
            "BASE HEAD [--format text|markdown|json|html] [-o FILE]",
            "what changed between two images, layer by layer and path by path",
            _diff,
        ),
        Command(
            "explore",
            "IMAGE [--baseline REF] [--source SOURCE] [--platform OS/ARCH]",
            "explore an image interactively (layers, files, wasted space; ? for keys)",
            _explore,
        ),
        Command(
            "serve",
            "IMAGE [--host 127.0.0.1] [--port 8000]",
            "the explorer in a web browser (listens on loopback unless --host says otherwise)",
            _serve,
        ),
        Command(
            "build",
            "[docker build args...]",
            "run docker build with the given arguments, then explore the image (or check its "
            "budgets under CI)",
            _build,
        ),
        Command(
            "extract",
            "IMAGE PATH -o DIR",
            "write a file or directory of an image into a local directory",
            _extract,
        ),
        Command(
            "fleet",
            "REF... [--from FILE] [--shard I/N] [--format text|markdown|json|html]",
            "many images in one report: total and unique bytes, shared bases, wasters, savings; "
            "run as shards (--shard I/N) and combine them with 'auger fleet merge SHARD.jsonl...'",
            _fleet,
        ),
        Command(
            "budgets",
            "validate [FILE...]",
            "check budgets files: every mistake with its file, line and key",
            _budgets,
        ),
        Command(
            "schema",
            "budgets|report|check|diff|export|whatif [-o FILE]",
            "print the JSON Schema of the budgets file or of a JSON output",
            _schema,
        ),
        Command(
            "whatif",
            "IMAGE [--drop GLOB] [--squash A-B] [--format text|json] [options]",
            "what the image would measure with files never stored, layers squashed, packages "
            "left out or advice followed (simulated on its layers)",
            _whatif,
        ),
        Command(
            "demo",
            "[--save PATH] [--json FILE]",
            "analyse a built-in example image (no container engine needed)",
            _demo,
        ),
        Command(
            "cache",
            "info|prune|clear [--cache-dir DIR]",
            "show, prune or clear the layer cache (scans of layers already read)",
            _cache,
        ),
    )
}
"""Every named command, in the order the usage lists them."""

_USAGE_WIDTH = 88


def usage() -> str:
    """What ``auger --help`` prints: each command's synopsis, then what each one does."""
    import textwrap  # noqa: PLC0415 - only for the help

    table = (DEFAULT, *COMMANDS.values())
    synopses = [f"auger {command.name} {command.arguments}" for command in table]
    lines = ["usage: " + synopses[0], *("       " + synopsis for synopsis in synopses[1:])]
    lines += ["", "auger: a container image layer inspector and size-budget gate."]
    lines += ["", "commands:"]
    for command in table:
        lines += textwrap.wrap(
            command.summary,
            _USAGE_WIDTH,
            initial_indent=f"  {command.name:<13}",
            subsequent_indent=" " * 15,
            break_on_hyphens=False,
        )
    lines += ["", "options:"]
    for flags, text in TOP_OPTIONS:
        lines.append(f"  {flags:<26} {text}")
    lines += ["", "run 'auger COMMAND --help' for a command's options."]
    return "\n".join(lines) + "\n"


TOP_OPTIONS = (
    ("-h, --help", "show this list and exit"),
    ("-V, --version", "show the versions of auger and of what it uses, and exit"),
    ("--print-completion SHELL", "print a completion script for bash, zsh, fish or tcsh"),
)
"""The options that stand before any command, as the usage lists them."""


def _completion(shell: str | None, console: Console) -> int:
    """``auger --print-completion SHELL``: the script on stdout."""
    from auger.cli.completion import completion_parser, completion_script  # noqa: PLC0415

    if shell is None:
        raise UsageError("--print-completion needs a shell: bash, zsh, fish or tcsh")
    parsers = {name: (row.summary, row.load().build_parser()) for name, row in COMMANDS.items()}
    version = (("-V", "--version"), "show the versions and exit")
    parser = completion_parser(DEFAULT.load().build_parser(), parsers, [version])
    console.stdout.write(completion_script(shell, parser))
    return ExitCode.OK


def _report_error(error: Exception, console: Console, debug: bool) -> int:
    """Say what went wrong in one line (and a hint), with the traceback under ``--debug``."""
    if debug:
        import traceback  # noqa: PLC0415 - only needed to debug

        traceback.print_exception(error, file=console.stderr)
    message, hint, code = describe(error)
    console.diagnose(message)
    for line in further_causes(error):
        console.diagnose(line)
    if hint is not None:
        console.diagnose(hint)
    return code


def main(argv: Sequence[str], console: Console | None = None) -> int:
    """Run the command line ``argv`` (without the program name); return the exit code.

    The exit code is the command's even when its output cannot be written (see
    :mod:`auger.cli.output`): a failing check exits 1 into a closed or broken stdout too.
    """
    console = output.guarded(console or Console(sys.stdout, sys.stderr, os.environ))
    return output.settle(_dispatch(argv, console), console)


def _dispatch(argv: Sequence[str], console: Console) -> int:
    arguments = list(argv)
    debug = "--debug" in arguments
    if not arguments or arguments[0] in ("-h", "--help"):
        console.stdout.write(usage())
        return ExitCode.OK if arguments else ExitCode.USAGE
    if arguments[0] in ("-V", "--version"):
        from auger.version import report  # noqa: PLC0415 - only for the version

        console.stdout.write(report())
        return ExitCode.OK
    if arguments[0].partition("=")[0] == "--print-completion":
        shell = arguments[0].partition("=")[2] or (arguments[1] if len(arguments) > 1 else None)
        try:
            return _completion(shell, console)
        except AugerError as error:
            return _report_error(error, console, debug)
    command = COMMANDS.get(arguments[0])
    if command is None:
        command = DEFAULT
    else:
        arguments = arguments[1:]
    module = command.load()
    parser = module.build_parser()
    try:
        try:
            args = parser.parse_args(arguments)
        except HelpShownError as shown:
            if shown.status == 0:
                console.stdout.write(parser.format_help())
            return shown.status
        return module.run(args, console.with_verbosity(verbosity_of(args)))
    except AugerError as error:
        return _report_error(error, console, debug)
    except KeyboardInterrupt:
        console.diagnose("auger: interrupted")
        return ExitCode.INTERRUPTED
    except Terminated:
        console.diagnose("auger: terminated")
        return ExitCode.TERMINATED
    except Exception as error:  # a bug: one line unless --debug
        return _report_error(error, console, debug)


def run() -> NoReturn:
    """Console-script entry point: :func:`main` on the process's streams, then an exit that
    leaves the analyses to the operating system (see
    :func:`auger.runtime.run_then_exit_without_teardown`)."""
    return_large_blocks_at_once()
    output.occupy_closed_descriptors()
    signals.handle_termination()
    console = Console(sys.stdout, sys.stderr, os.environ)

    def main_then_reap() -> int:
        code = _main_until_a_signal(console)
        reap_all()
        return code

    run_then_exit_without_teardown(main_then_reap)


def _main_until_a_signal(console: Console) -> int:
    """:func:`main`, and the exit code of a signal that arrives outside its own handlers."""
    try:
        return main(sys.argv[1:], console)
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except Terminated:
        return ExitCode.TERMINATED
