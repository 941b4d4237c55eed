"""``auger IMAGE``: analyse an image and write the export or a summary."""

from __future__ import annotations

import argparse
from pathlib import Path

from auger.cli.console import Console, StderrProgress, write_atomically
from auger.cli.exit_codes import ExitCode
from auger.cli.parsing import Parser, add_image_options
from auger.model import ImageAnalysis
from auger.pipeline import AnalyzeOptions, analyze
from auger.report.dive_json import format_json
from auger.report.text import format_summary
from auger.sources.platforms import parse_platform

DESCRIPTION = """\
Analyse a container image: what every layer adds, changes and removes, and which bytes are
wasted. IMAGE is an image in the Docker Engine (name:tag, or docker://name:tag), a docker save
tarball (a path, or docker-archive://PATH[:TAG]), an OCI layout directory (oci://DIR[:REF]) or
an OCI layout tarball (oci-archive://PATH[:REF]).
"""


def build_parser() -> Parser:
    """The parser of the default command."""
    parser = Parser(prog="auger", description=DESCRIPTION, add_help=True)
    parser.add_argument("image", metavar="IMAGE", help="the image to analyse")
    parser.add_argument(
        "--json",
        metavar="FILE",
        type=Path,
        help="write the analysis as JSON (a superset of dive's --json) and exit",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    add_image_options(parser)
    return parser


def load(args: argparse.Namespace, console: Console) -> ImageAnalysis:
    """Analyse the image the arguments name, with progress on stderr."""
    platform = parse_platform(args.platform) if args.platform else None
    progress = StderrProgress(console, quiet=args.quiet)
    try:
        analysis = analyze(
            args.image,
            AnalyzeOptions(source=args.source, platform=platform),
            progress,
            console.environ,
        )
    finally:
        progress.done()
    for warning in analysis.image.warnings:
        progress.warning(warning)
    return analysis


def run_inspect(args: argparse.Namespace, console: Console) -> int:
    """Analyse, then write ``--json`` or print the summary."""
    analysis = load(args, console)
    if args.json is not None:
        write_atomically(args.json, format_json(analysis))
        if not args.quiet:
            console.diagnose(f"auger: wrote {args.json}")
        return ExitCode.OK
    console.stdout.write(format_summary(analysis))
    return ExitCode.OK
