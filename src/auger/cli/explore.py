"""``auger explore IMAGE``: the interactive explorer.

The explorer (Textual) is imported only inside :func:`run`, so every other command, the gate
above all, starts without loading it.
"""

from __future__ import annotations

import argparse

from auger.cli.console import Console
from auger.cli.loading import analyze_options
from auger.cli.parsing import Parser, add_image_options
from auger.errors import UsageError


def build_parser() -> Parser:
    """The parser of ``auger explore``."""
    parser = Parser(
        prog="auger explore",
        description="Explore an image interactively: layers, their files, wasted space "
        "(dive's layout and keys; press ? in the explorer for help).",
    )
    parser.add_argument("image", metavar="IMAGE", help="the image to explore")
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="an image to compare with: opens on what IMAGE changed against it (b toggles)",
    )
    add_image_options(parser)
    return parser


def run(args: argparse.Namespace, console: Console) -> int:
    """Open the explorer on ``args.image``; return its exit code.

    It needs a terminal on stdout, unless ``TEXTUAL_DRIVER`` names a driver that draws
    elsewhere (``auger serve`` runs it with Textual's web driver, on pipes)."""
    if not console.stdout_is_tty and not console.environ.get("TEXTUAL_DRIVER"):
        raise UsageError(
            "auger explore needs a terminal on stdout",
            hint="auger IMAGE prints a summary instead; --json FILE writes the analysis",
        )
    options = analyze_options(args, console)
    # The one place the CLI loads Textual (import-linter's contract names this import).
    from auger.tui.app import ImageRef, run_app  # noqa: PLC0415

    environ = dict(console.environ)
    image = ImageRef(args.image, options, environ)
    baseline = ImageRef(args.baseline, options, environ) if args.baseline else None
    return int(run_app(image, baseline))
