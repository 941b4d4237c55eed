"""``auger demo``: build the built-in example image and analyse it, no engine needed."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from auger.cli.console import Console
from auger.cli.inspect import show
from auger.cli.parsing import Parser, add_verbosity_options
from auger.demo import demo_archive


def build_parser() -> Parser:
    """The parser of ``auger demo``."""
    parser = Parser(
        prog="auger demo",
        description="Write a small example image with real waste in it (a docker save "
        "tarball) and analyse it.",
    )
    parser.add_argument(
        "--save", metavar="PATH", type=Path, help="keep the example archive at PATH"
    )
    parser.add_argument(
        "--json", metavar="FILE", type=Path, help="write the analysis as JSON (- for stdout)"
    )
    add_verbosity_options(parser)
    parser.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return parser


def run(args: argparse.Namespace, console: Console) -> int:
    """Write the example archive and run the default command on it."""
    with tempfile.TemporaryDirectory(prefix="auger-demo-") as scratch:
        target = args.save or Path(scratch) / "auger-demo.tar"
        target.write_bytes(demo_archive())
        if args.save is not None:
            console.note(f"auger: example image written to {target}")
        inspect_args = argparse.Namespace(
            image=f"docker-archive://{target}",
            json=args.json,
            source=None,
            platform=None,
            debug=args.debug,
        )
        code = show(inspect_args, console)
        if console.stdout_is_tty and not args.quiet:
            console.diagnose(explore_hint(args.save))
        return code


def explore_hint(saved: Path | None) -> str:
    """How to open the example in the explorer (the archive of a plain run is gone by then)."""
    if saved is not None:
        return f"auger: open it in the explorer: auger explore {saved}"
    return (
        "auger: to open it in the explorer: auger demo --save auger-demo.tar, "
        "then auger explore auger-demo.tar"
    )
