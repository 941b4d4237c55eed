"""``auger cache info|prune|clear``: look at and manage the layer cache."""

from __future__ import annotations

import argparse
from pathlib import Path

from auger.budgets.units import UnitError, parse_size
from auger.cache.location import cache_directory
from auger.cache.store import LayerCache
from auger.cli.console import Console
from auger.cli.loading import cache_size_cap
from auger.cli.parsing import Parser
from auger.display import format_size, safe_line
from auger.errors import ExitCode, UsageError

DESCRIPTION = """\
The layer cache keeps the scan of every layer auger reads, by diff ID, so that a layer is read
once for every image that carries it. It lives in --cache-dir, else $AUGER_CACHE_DIR, else the
user cache directory, and is capped at $AUGER_CACHE_MAX_SIZE (default 2 GiB): the least
recently used scans go first.
"""


def build_parser() -> Parser:
    """The parser of ``auger cache``."""
    parser = Parser(prog="auger cache", description=DESCRIPTION)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    info = actions.add_parser("info", help="where the cache is, what it holds and its cap")
    prune = actions.add_parser(
        "prune",
        help="remove scans of other auger versions, then the least recently used ones while "
        "the cache is over its cap",
    )
    prune.add_argument(
        "--max-size",
        metavar="SIZE",
        help="prune down to SIZE (e.g. 500MB, 1GiB) instead of the cap",
    )
    clear = actions.add_parser("clear", help="remove everything the cache holds")
    for action in (info, prune, clear):
        action.add_argument("--cache-dir", metavar="DIR", type=Path, help="the cache directory")
        action.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return parser


def _open(args: argparse.Namespace, console: Console) -> LayerCache:
    root = cache_directory(args.cache_dir, console.environ)
    return LayerCache(root, cache_size_cap(console.environ))


def _size(value: int) -> str:
    return format_size(value)


def run(args: argparse.Namespace, console: Console) -> int:
    """Run the chosen action."""
    cache = _open(args, console)
    where = safe_line(str(cache.root))
    if args.action == "info":
        usage = cache.usage()
        console.stdout.write(
            f"directory:      {where}\n"
            f"layer scans:    {usage.layers}\n"
            f"documents:      {usage.documents}\n"
            f"other versions: {usage.stale}\n"
            f"size:           {_size(usage.bytes)} of {_size(cache.max_size)}\n"
        )
    elif args.action == "prune":
        cap = cache.max_size
        if args.max_size is not None:
            try:
                cap = parse_size(args.max_size).bytes
            except UnitError as exc:
                raise UsageError(f"--max-size: {exc}") from exc
        removed = cache.trim(cap, stale=True)
        console.stdout.write(
            f"removed {_size(removed)}; {where} holds {_size(cache.usage().bytes)}\n"
        )
    else:
        removed = cache.clear()
        console.stdout.write(f"removed {_size(removed)} from {where}\n")
    for problem in cache.problems:
        console.diagnose(f"auger: warning: {safe_line(problem)}")
    return ExitCode.OK
