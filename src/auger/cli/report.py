"""``auger report IMAGE`` and ``auger diff BASE HEAD``: reports for pull requests."""

from __future__ import annotations

import argparse
from pathlib import Path

from auger.analysis.diff import diff_images
from auger.budgets.discovery import find_configured
from auger.budgets.evaluate import evaluate
from auger.cli.console import Console, write_atomically
from auger.cli.loading import load, load_reference
from auger.cli.parsing import Parser, add_image_options
from auger.errors import ExitCode
from auger.report import markdown_report, plain_report
from auger.report.model import build_report

_FORMATS = ("markdown", "json", "text")


def _output_options(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument("--format", choices=_FORMATS, default=default, help=f"default: {default}")
    parser.add_argument("-o", "--output", metavar="FILE", type=Path, help="write to FILE")
    parser.add_argument(
        "--marker",
        metavar="NAME",
        help="name in the hidden marker line that identifies a sticky comment "
        "(one per image when a workflow reports several)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")


def build_report_parser() -> Parser:
    """The parser of ``auger report``."""
    parser = Parser(
        prog="auger report",
        description="Report an image's size, wasted space with causes and advice, and its "
        "growth against a baseline, as Markdown for a pull request comment, JSON or text.",
    )
    parser.add_argument("image", metavar="IMAGE")
    parser.add_argument("--baseline", metavar="REF", help="the image to compare against")
    parser.add_argument("--budgets", metavar="FILE", type=Path, help="budgets file")
    parser.add_argument("--ci-config", metavar="FILE", type=Path, help="dive's .dive-ci file")
    _output_options(parser, "markdown")
    add_image_options(parser)
    return parser


def build_diff_parser() -> Parser:
    """The parser of ``auger diff``."""
    parser = Parser(
        prog="auger diff",
        description="Compare two images: shared base layers, layers added and removed, and "
        "the paths that grew, shrank, appeared or disappeared. Always exits 0.",
    )
    parser.add_argument("base", metavar="BASE")
    parser.add_argument("head", metavar="HEAD")
    _output_options(parser, "text")
    add_image_options(parser)
    return parser


def _emit(args: argparse.Namespace, console: Console, text: str) -> None:
    if args.output is None:
        console.stdout.write(text)
        return
    write_atomically(args.output, text)
    if not args.quiet:
        console.diagnose(f"auger: wrote {args.output}")


def run_report(args: argparse.Namespace, console: Console) -> int:
    """Analyse the image (and baseline), then render the report."""
    analysis = load(args, console)
    baseline = load_reference(args.baseline, args, console) if args.baseline else None
    budgets = find_configured(Path.cwd(), args.budgets, args.ci_config)
    verdict = evaluate(analysis, budgets, baseline) if budgets is not None else None
    report = build_report(analysis, baseline, verdict)
    if args.format == "markdown":
        text = markdown_report.format_report(report, args.marker)
    elif args.format == "json":
        text = plain_report.format_report_json(report)
    else:
        text = plain_report.format_report_text(report)
    _emit(args, console, text)
    return ExitCode.OK


def run_diff(args: argparse.Namespace, console: Console) -> int:
    """Analyse both images and render what changed."""
    base = load_reference(args.base, args, console)
    head = load_reference(args.head, args, console)
    diff = diff_images(base, head)
    if args.format == "markdown":
        text = markdown_report.format_diff(diff, args.marker)
    elif args.format == "json":
        text = plain_report.format_diff_json(diff)
    else:
        text = plain_report.format_diff_text(diff)
    _emit(args, console, text)
    return ExitCode.OK
