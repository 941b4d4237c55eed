"""``auger diff BASE HEAD``: what changed between two images, for a terminal or a pull request."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from auger.analysis.diff import ImageDiff, diff_images
from auger.cli.console import Console, emit
from auger.cli.loading import load_reference
from auger.cli.parsing import Parser, add_image_options, add_output_options
from auger.errors import ExitCode
from auger.report import markdown_report, plain_report
from auger.report.html import report as html_report

FORMATS: dict[str, Callable[[ImageDiff, str | None], str]] = {
    "markdown": markdown_report.format_diff,
    "json": lambda diff, _marker: plain_report.format_diff_json(diff),
    "text": lambda diff, _marker: plain_report.format_diff_text(diff),
    "html": lambda diff, _marker: html_report.format_diff(diff),
}
"""Output format -> formatter of the diff and its sticky-comment marker name."""


def build_parser() -> Parser:
    """The parser of ``auger diff``."""
    parser = Parser(
        prog="auger diff",
        description="Compare two images: shared base layers, layers added and removed, and "
        "the paths that grew, shrank, appeared or disappeared, as text, Markdown, JSON or one "
        "HTML page. Always exits 0.",
    )
    parser.add_argument("base", metavar="BASE")
    parser.add_argument("head", metavar="HEAD")
    add_output_options(parser, FORMATS, "text")
    add_image_options(parser)
    return parser


def run(args: argparse.Namespace, console: Console) -> int:
    """Analyse both images and render what changed."""
    base = load_reference(args.base, args, console)
    head = load_reference(args.head, args, console)
    diff = diff_images(base, head)
    emit(console, FORMATS[args.format](diff, args.marker), args.output)
    return ExitCode.OK
