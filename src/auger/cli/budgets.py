"""``auger budgets validate [FILE...]``: check budgets files without reading an image.

Every mistake in every file is printed on stdout as ``FILE:LINE: KEY: what is wrong`` (the
form editors and pre-commit link to the line), and a valid file as ``FILE: ok``. Exits 0 when
every file is valid, 1 when any file has a mistake, 2 on a usage error. A file named
``.dive-ci`` is read as dive's CI rules; any other as a budgets file. Without a FILE, the
budgets file ``auger check`` would use in this directory is checked.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from auger.budgets.discovery import BUDGET_FILES, DIVE_CI
from auger.budgets.dive_ci import parse_dive_ci
from auger.budgets.loader import BudgetsError, parse_budgets, read_config
from auger.cli.console import Console
from auger.cli.parsing import Parser
from auger.clipping import LINE_LIMIT, clip
from auger.display import safe_line
from auger.errors import ExitCode, UsageError


def build_parser() -> Parser:
    """The parser of ``auger budgets``."""
    parser = Parser(
        prog="auger budgets",
        description="Work with budgets files (budgets.yaml, .auger.yaml, .dive-ci).",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    validate = actions.add_parser(
        "validate",
        help="check budgets files and list every mistake with its file, line and key",
        description="Check budgets files and list every mistake as FILE:LINE: KEY: problem. "
        "Exit 0 when every file is valid, 1 when any has a mistake.",
    )
    validate.add_argument(
        "files",
        metavar="FILE",
        nargs="*",
        type=Path,
        help="budgets files or .dive-ci files (default: the one auger check would use here: "
        f"{', '.join(BUDGET_FILES)} or {DIVE_CI})",
    )
    validate.add_argument("-q", "--quiet", action="store_true", help="say nothing of valid files")
    return parser


def _default_file(cwd: Path) -> Path:
    for name in (*BUDGET_FILES, DIVE_CI):
        if (cwd / name).is_file():
            return Path(name)
    raise UsageError(
        f"no budgets file here ({', '.join(BUDGET_FILES)} or {DIVE_CI})",
        hint="name the file: auger budgets validate FILE",
    )


def problems_in(path: Path) -> list[str]:
    """Every mistake in the file at ``path``, one line each (none: the file is valid)."""
    try:
        text = read_config(path)
        if path.name == DIVE_CI:
            parse_dive_ci(text, str(path))
        else:
            parse_budgets(text, str(path))
    except BudgetsError as error:
        return [str(problem) for problem in error.problems] or [error.message]
    return []


def run(args: argparse.Namespace, console: Console) -> int:
    """Check each file; print its mistakes (or that it is valid)."""
    files = args.files or [_default_file(Path.cwd())]
    invalid = False
    for path in files:
        problems = problems_in(path)
        invalid = invalid or bool(problems)
        for problem in problems:
            console.stdout.write(safe_line(clip(problem, LINE_LIMIT)) + "\n")
        if not problems and not args.quiet:
            console.stdout.write(f"{safe_line(str(path))}: ok\n")
    return ExitCode.BUDGET_FAILED if invalid else ExitCode.OK
