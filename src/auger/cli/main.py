"""The ``auger`` command: dispatch to a command, turn errors into exit codes.

``main(argv, console)`` does all the work and returns the exit code, so the CLI runs in-process
under test; ``run()`` is the console-script entry point.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import NoReturn

from auger import __version__
from auger.cli import inspect
from auger.cli.console import Console
from auger.cli.parsing import HelpShownError, Parser
from auger.errors import AugerError, ExitCode, describe

COMMANDS: dict[str, tuple[str, str, str]] = {
    "demo": ("auger.cli.demo", "build_parser", "run_demo"),
    "check": ("auger.cli.check", "build_parser", "run_check"),
    "report": ("auger.cli.report", "build_report_parser", "run_report"),
    "diff": ("auger.cli.report", "build_diff_parser", "run_diff"),
    "explore": ("auger.cli.explore", "build_parser", "run_explore"),
    "build": ("auger.cli.build", "build_parser", "run"),
    "extract": ("auger.cli.extract", "build_parser", "run_extract"),
}
"""Command name -> (module, parser factory, runner); modules load only when their command runs."""


def _command(name: str) -> tuple[Callable[[], Parser], Callable[..., int]]:
    if name not in COMMANDS:
        return inspect.build_parser, inspect.run_inspect
    module_name, parser_name, runner_name = COMMANDS[name]
    module = importlib.import_module(module_name)
    return getattr(module, parser_name), getattr(module, runner_name)


USAGE = f"""\
usage: auger IMAGE [--json FILE] [--ci] [options]
       auger check IMAGE [--budgets FILE] [--format text|json|junit|markdown] [options]
       auger report IMAGE [--baseline REF] [--format markdown|json|text] [-o FILE]
       auger diff BASE HEAD [--format text|markdown|json]
       auger explore IMAGE [--source SOURCE] [--platform OS/ARCH]
       auger build [docker build args...]
       auger extract IMAGE PATH -o DIR
       auger demo [--save PATH] [--json FILE]

auger {__version__}: a container image layer inspector and size-budget gate.

commands:
  IMAGE        analyse an image (auger IMAGE --help for the options): the explorer on a
               terminal, else a summary; under CI or with --ci, check its budgets like
               'auger check'
  check        check an image against budgets: exit 0 pass, 1 a budget failed
  report       wasted space, causes, advice and growth, as Markdown for a pull request
  diff         what changed between two images, layer by layer and path by path
  explore      explore an image interactively (layers, files, wasted space; ? for keys)
  build        run docker build with the given arguments, then explore the image (or
               check its budgets under CI)
  extract      write a file or directory of an image into a local directory
  demo         analyse a built-in example image (no container engine needed)

run 'auger COMMAND --help' for a command's options.
"""


def _report(error: Exception, console: Console, debug: bool) -> int:
    """Say what went wrong in one line (and a hint), with the traceback under ``--debug``."""
    if debug:
        import traceback  # noqa: PLC0415 - only needed to debug

        traceback.print_exception(error, file=console.stderr)
    message, hint, code = describe(error)
    console.diagnose(message)
    if hint is not None:
        console.diagnose(hint)
    return code


def main(argv: Sequence[str], console: Console | None = None) -> int:
    """Run the command line ``argv`` (without the program name); return the exit code."""
    console = console or Console(sys.stdout, sys.stderr, os.environ)
    arguments = list(argv)
    debug = "--debug" in arguments
    if not arguments or arguments[0] in ("-h", "--help"):
        console.stdout.write(USAGE)
        return ExitCode.OK if arguments else ExitCode.USAGE
    if arguments[0] == "--version":
        console.stdout.write(f"auger {__version__}\n")
        return ExitCode.OK
    build, execute = _command(arguments[0])
    if arguments[0] in COMMANDS:
        arguments = arguments[1:]
    parser = build()
    try:
        try:
            args = parser.parse_args(arguments)
        except HelpShownError as shown:
            if shown.status == 0:
                console.stdout.write(parser.format_help())
            return shown.status
        return execute(args, console)
    except AugerError as error:
        return _report(error, console, debug)
    except KeyboardInterrupt:
        console.diagnose("auger: interrupted")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        return ExitCode.OK
    except Exception as error:  # a bug: one line unless --debug
        return _report(error, console, debug)


def run() -> NoReturn:
    """Console-script entry point.

    Once the output is flushed, the process ends with :func:`os._exit`: the analyses the
    console kept are still referenced then, so nothing frees them one object at a time (5 ms
    for an image of 26,000 files, tens of milliseconds for larger ones); the operating system
    takes the memory back at once. Every file auger writes is closed before ``main`` returns.
    """
    console = Console(sys.stdout, sys.stderr, os.environ)
    code = main(sys.argv[1:], console)
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a reader gone (broken pipe), a closed stream
            stream.flush()
    os._exit(code)
