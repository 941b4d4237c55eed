"""``auger extract IMAGE PATH -o DIR``: write a file or directory of an image to disk.

PATH is a path of the image's final filesystem, what a container sees; a directory comes with
everything below it, each entry from the layer that provided it. The image is resolved once,
analysed, then read again for the blobs of those layers only. Writing is the explorer's: never
outside DIR, never through a link, setuid and setgid bits dropped, devices refused; what was
refused or skipped is noted on stderr.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from auger.cli.console import Console, StderrProgress
from auger.cli.loading import load_source, read_options
from auger.cli.parsing import Parser, add_image_options, add_verbosity_options
from auger.display import display, safe_line
from auger.errors import ExitCode
from auger.extraction.extract import ExtractRequest, extract
from auger.extraction.plan import plan_final
from auger.layers import paths
from auger.sources.reference import resolve_source


def build_parser() -> Parser:
    """The parser of ``auger extract``."""
    parser = Parser(
        prog="auger extract",
        description="Extract a file or directory of an image's final filesystem into DIR "
        "(PATH /etc/passwd becomes DIR/passwd; PATH / extracts everything). Nothing is "
        "written outside DIR, links are written as links and never followed, setuid and "
        "setgid bits are dropped, devices are refused.",
    )
    parser.add_argument("image", metavar="IMAGE", help="the image to extract from")
    parser.add_argument(
        "path", metavar="PATH", help="a file or directory as a container sees it, e.g. /etc"
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        type=Path,
        required=True,
        help="the directory to write into (created when missing)",
    )
    add_verbosity_options(parser)
    add_image_options(parser)
    return parser


def run(args: argparse.Namespace, console: Console) -> int:
    """Analyse the image, plan the path, then write it below the output directory."""
    options = read_options(args, console)
    source = resolve_source(args.image, args.source, console.environ)
    analysis = load_source(source, options, args, console)
    selected = paths.normalize(args.path)[0]
    request = ExtractRequest(
        layers=analysis.image.layers,
        plan=plan_final(analysis.final, selected),
        selected=selected,
        target=args.output,
    )
    progress = StderrProgress(console)
    try:
        result = extract(source, options, request, progress)
    finally:
        progress.done()
    for note in result.notes:
        console.diagnose(f"auger: note: {safe_line(note)}")
    where = safe_line(str(args.output))
    noun = "entry" if result.written == 1 else "entries"
    console.note(f"auger: {display(f'/{selected}')}: {result.written} {noun} written to {where}")
    return ExitCode.OK
