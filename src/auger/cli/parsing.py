"""argparse, made to raise instead of exiting, and the options every image command shares
(with the gate's table of output formats)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

    from auger.budgets.evaluate import Verdict
    from auger.report.findings import Issue

from auger.cli.console import Verbosity
from auger.errors import UsageError
from auger.sources.reference import SOURCES


class HelpShownError(Exception):
    """``--help`` or ``--version`` printed its text; exit with ``status``."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _terminal_columns() -> int:
    """The terminal's width as :func:`shutil.get_terminal_size` finds it, without importing
    :mod:`shutil` (and with it :mod:`bz2` and :mod:`lzma`): ~2 ms of every start."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0 and sys.__stdout__ is not None:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help layout, as wide as the terminal (argparse makes one per option added)."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_terminal_columns() - 2)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are :class:`UsageError` (exit 2, one line)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(**kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, hint=f"see {self.prog} --help")

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:
        """Help is written by ``main`` to the console it was given, not here."""

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            raise UsageError(message.strip())
        raise HelpShownError(status)


def tls_verify(text: str) -> bool:
    """``--tls-verify``'s value, as skopeo reads it: true or false."""
    value = text.strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, not {text!r}")


def add_tls_verify_option(parser: argparse.ArgumentParser) -> None:
    """``--tls-verify[=BOOL]``, as skopeo spells it."""
    parser.add_argument(
        "--tls-verify",
        metavar="BOOL",
        type=tls_verify,
        nargs="?",
        const=True,
        default=True,
        help="verify the registry's TLS certificate (default: true); false also allows plain HTTP",
    )


def add_image_options(parser: argparse.ArgumentParser) -> None:
    """``--source``, ``--platform``, the registry's ``--creds`` and ``--tls-verify``, the layer
    cache's and verification's options, and ``--debug``."""
    parser.add_argument(
        "--source",
        choices=SOURCES,
        metavar="SOURCE",
        help=f"where to read the image from: {', '.join(SOURCES)} (default: from the IMAGE "
        "prefix, a path, else docker)",
    )
    parser.add_argument(
        "--platform",
        metavar="OS/ARCH[/VARIANT]",
        help="platform to pick from a multi-platform index (default: this machine's)",
    )
    parser.add_argument(
        "--creds",
        metavar="USER:PASSWORD",
        help="registry credentials (default: those docker login or podman login stored)",
    )
    add_tls_verify_option(parser)
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        type=Path,
        help="the layer cache (default: $AUGER_CACHE_DIR, else the user cache directory)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="read every layer; neither use nor fill the layer cache",
    )
    parser.add_argument(
        "--no-verify",
        action="store_true",
        help="do not check blobs and layers against their digests and sizes (and keep no "
        "new scans in the cache)",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show a traceback when something goes wrong"
    )


def add_verbosity_options(parser: argparse.ArgumentParser) -> None:
    """``-q`` and ``-v``, which mean the same in every command (see :class:`Verbosity`)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-q", "--quiet", action="store_true", help="only warnings and errors on stderr"
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="every phase and layer on stderr, with timings, terminal or not",
    )


def verbosity_of(args: argparse.Namespace) -> Verbosity:
    """What ``-q`` or ``-v`` chose (the default when the command has neither)."""
    if getattr(args, "quiet", False):
        return Verbosity.QUIET
    if getattr(args, "verbose", False):
        return Verbosity.VERBOSE
    return Verbosity.NORMAL


def add_output_options(
    parser: argparse.ArgumentParser, formats: Iterable[str], default: str
) -> None:
    """``--format``, ``-o``, ``--marker``, ``-q`` and ``-v``: the options of a report on an
    image."""
    parser.add_argument(
        "--format", choices=tuple(formats), default=default, help=f"default: {default}"
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", type=Path, help="write to FILE (- for stdout)"
    )
    parser.add_argument(
        "--marker",
        metavar="NAME",
        help="name in the hidden marker line that identifies a sticky comment "
        "(one per image when a workflow reports several)",
    )
    add_verbosity_options(parser)


DIVE_FLAGS = ("lowestEfficiency", "highestWastedBytes", "highestUserWastedPercent")


def _gate_text(verdict: Verdict) -> str:
    from auger.report.gate import format_text  # noqa: PLC0415 - see GATE_FORMATS

    return format_text(verdict)


def _gate_json(verdict: Verdict) -> str:
    from auger.report.gate import format_json  # noqa: PLC0415

    return format_json(verdict)


def _gate_junit(verdict: Verdict) -> str:
    from auger.report.gate import format_junit  # noqa: PLC0415

    return format_junit(verdict)


def _gate_markdown(verdict: Verdict) -> str:
    from auger.report.gate import format_markdown  # noqa: PLC0415

    return format_markdown(verdict)


def _gate_codequality(verdict: Verdict) -> str:
    from auger.report.codequality import format_verdict  # noqa: PLC0415

    return format_verdict(verdict)


def _gate_sarif(verdict: Verdict) -> str:
    from auger.report.sarif import format_verdict  # noqa: PLC0415

    return format_verdict(verdict)


def _findings_codequality(issues: list[Issue], image: str) -> str:
    from auger.report.codequality import format_issues  # noqa: PLC0415

    del image  # Code Quality has no place for it beyond each issue's
    return format_issues(issues)


def _findings_sarif(issues: list[Issue], image: str) -> str:
    from auger.report.sarif import format_issues  # noqa: PLC0415

    return format_issues(issues, image)


FINDINGS_FORMATS: dict[str, Callable[[list[Issue], str], str]] = {
    "codequality": _findings_codequality,
    "sarif": _findings_sarif,
}
"""The gate's formats that list findings, each with a place in the repository: given the
findings and the image's name."""


GATE_FORMATS: dict[str, Callable[[Verdict], str]] = {
    "text": _gate_text,
    "json": _gate_json,
    "junit": _gate_junit,
    "markdown": _gate_markdown,
    "codequality": _gate_codequality,
    "sarif": _gate_sarif,
}
"""The gate's output formats, for ``auger check`` and ``auger IMAGE --ci`` alike. The default
command builds its parser, and so reads these names, on every start: each formatter imports
the report module only when it runs, so the start stays free of it (and of the XML and
budgets modules it brings)."""


def add_gate_options(parser: argparse.ArgumentParser) -> None:
    """The options of the gate, shared by ``auger check`` and ``auger IMAGE --ci``."""
    group = parser.add_argument_group("budgets")
    group.add_argument("--budgets", metavar="FILE", type=Path, help="budgets file (budgets.yaml)")
    group.add_argument(
        "--ci-config", metavar="FILE", type=Path, help="dive's CI rules file (.dive-ci)"
    )
    for flag in DIVE_FLAGS:
        group.add_argument(f"--{flag}", metavar="VALUE", help=f"dive's {flag} rule")
    group.add_argument(
        "--baseline", metavar="REF", help="an image to compare growth against (growth rules)"
    )
    group.add_argument(
        "--format",
        choices=tuple(GATE_FORMATS),
        default="text",
        help="report format (default: text)",
    )
    group.add_argument(
        "-o", "--output", metavar="FILE", type=Path, help="write the report to FILE (- for stdout)"
    )
    group.add_argument(
        "--exit-zero", action="store_true", help="report, but exit 0 even when a budget fails"
    )
