"""``auger report IMAGE``: an image's size, waste, advice and growth, for a pull request."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from auger.budgets.discovery import find_configured
from auger.budgets.evaluate import evaluate
from auger.cli.console import Console, emit
from auger.cli.dockerfile import add_dockerfile_options, dockerfile_from_args
from auger.cli.loading import load, load_reference
from auger.cli.parsing import Parser, add_image_options, add_output_options
from auger.errors import ExitCode
from auger.report import codequality, markdown_report, plain_report, sarif
from auger.report.html import report as html_report
from auger.report.model import ImageReport, build_report

FORMATS: dict[str, Callable[[ImageReport, str | None], str]] = {
    "markdown": markdown_report.format_report,
    "json": lambda report, _marker: plain_report.format_report_json(report),
    "text": lambda report, _marker: plain_report.format_report_text(report),
    "html": lambda report, _marker: html_report.format_report(report),
    "codequality": lambda report, _marker: codequality.format_report(report),
    "sarif": lambda report, _marker: sarif.format_report(report),
}
"""Output format -> formatter of the report and its sticky-comment marker name."""


def build_parser() -> Parser:
    """The parser of ``auger report``."""
    parser = Parser(
        prog="auger report",
        description="Report an image's size, wasted space with causes and advice, and its "
        "growth against a baseline, as Markdown for a pull request comment (with layer charts), "
        "JSON, text, or one self-contained HTML page (a size map, charts and sortable tables; "
        "write it with -o FILE).",
    )
    parser.add_argument("image", metavar="IMAGE")
    parser.add_argument("--baseline", metavar="REF", help="the image to compare against")
    parser.add_argument("--budgets", metavar="FILE", type=Path, help="budgets file")
    parser.add_argument("--ci-config", metavar="FILE", type=Path, help="dive's .dive-ci file")
    add_output_options(parser, FORMATS, "markdown")
    add_dockerfile_options(parser)
    add_image_options(parser)
    return parser


def run(args: argparse.Namespace, console: Console) -> int:
    """Analyse the image (and baseline), then render the report."""
    dockerfile = dockerfile_from_args(args)
    analysis = load(args, console)
    baseline = load_reference(args.baseline, args, console) if args.baseline else None
    budgets = find_configured(Path.cwd(), args.budgets, args.ci_config)
    verdict = evaluate(analysis, budgets, baseline) if budgets is not None else None
    report = build_report(
        analysis,
        baseline,
        verdict,
        dockerfile.dockerfile if dockerfile else None,
        dockerfile.path if dockerfile else "Dockerfile",
    )
    emit(console, FORMATS[args.format](report, args.marker), args.output)
    return ExitCode.OK
