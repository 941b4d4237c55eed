"""``auger IMAGE``: analyse an image and write the export or a summary."""

from __future__ import annotations

import argparse
from pathlib import Path

from auger.cli.console import Console, emit
from auger.cli.dockerfile import add_dockerfile_options
from auger.cli.loading import load
from auger.cli.parsing import Parser, add_gate_options, add_image_options, add_verbosity_options
from auger.clipping import clip
from auger.display import safe_line
from auger.errors import ExitCode
from auger.report.dive_json import json_pieces

DESCRIPTION = """\
Analyse a container image: what every layer adds, changes and removes, and which bytes are
wasted. IMAGE is an image in the Docker Engine (name:tag, or docker://name:tag), in Podman
(podman://name:tag), in a registry (registry://HOST/REPO:TAG), a docker save tarball (a path,
or docker-archive://PATH[:TAG]), an OCI layout directory (oci://DIR[:REF]), an OCI layout
tarball (oci-archive://PATH[:REF]), or - for a tarball on standard input.
"""


def build_parser() -> Parser:
    """The parser of the default command."""
    parser = Parser(prog="auger", description=DESCRIPTION, add_help=True)
    parser.add_argument("image", metavar="IMAGE", help="the image to analyse")
    parser.add_argument(
        "--json",
        metavar="FILE",
        type=Path,
        help="write the analysis as JSON (a superset of dive's --json) and exit (- for stdout)",
    )
    add_verbosity_options(parser)
    parser.add_argument(
        "--ci",
        action="store_true",
        help="check budgets instead of exploring (the default when CI is set)",
    )
    add_gate_options(parser)
    add_dockerfile_options(parser)
    add_image_options(parser)
    return parser


def ci_requested(args: argparse.Namespace, console: Console) -> bool:
    """True with ``--ci``, or when ``CI`` is set to a true value (as dive decides)."""
    value = console.environ.get("CI", "").strip().lower()
    return bool(getattr(args, "ci", False)) or value in ("1", "t", "true", "yes", "on")


def run(args: argparse.Namespace, console: Console) -> int:
    """Write ``--json``; else run the gate under CI; else explore on a terminal, or print the
    summary and how to get the explorer."""
    if args.json is None and ci_requested(args, console):
        from auger.cli import check  # noqa: PLC0415 - load the gate only when used

        return check.run(args, console)
    if args.json is None and console.stdout_is_tty:
        from auger.cli import explore  # noqa: PLC0415 - the explorer only when used

        return explore.run(args, console)
    code = show(args, console)
    if args.json is None and args.image != "-":  # the explorer's keys need standard input
        console.note(
            f"auger: hint: for the interactive explorer, run 'auger explore "
            f"{safe_line(clip(args.image))}' in a terminal"
        )
    return code


def show(args: argparse.Namespace, console: Console) -> int:
    """Analyse, then write ``--json`` or print the summary (never the gate)."""
    analysis = load(args, console)
    if args.json is not None:
        emit(console, json_pieces(analysis), args.json)
        return ExitCode.OK
    from auger.report.text import format_summary  # noqa: PLC0415 - not needed by --json

    console.stdout.write(format_summary(analysis))
    return ExitCode.OK
