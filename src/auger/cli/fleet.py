"""``auger fleet``: many images, one record each, one summary; and ``auger fleet merge``.

The fleet is the references given, the lists ``--from`` names (or ``kubectl`` JSON) and the
tags ``--from-registry`` lists. Every shard plans the whole fleet the same way (from manifests
and configs only), then reads its own images; ``auger fleet merge`` sums the shards' records
into the summary one process would have printed. The exit code is the summary's: 3 when an
image could not be read, else 1 when one failed its budgets, else 0.
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from auger.cli.console import Console
from auger.cli.fleet_output import (
    FleetProgress,
    RecordsFile,
    add_summary_options,
    run_merge,
    write_summary,
)
from auger.cli.loading import analyze_options
from auger.cli.parsing import Parser, add_image_options
from auger.display import display, format_size, safe_line
from auger.errors import UsageError
from auger.fleet import inputs
from auger.fleet.outline import outlines
from auger.fleet.plan import FleetPlan, PlannedImage, distinct_layers, plan_fleet
from auger.fleet.records import ShardHeader
from auger.fleet.run import run_images
from auger.fleet.shards import Shard, choose_shard
from auger.fleet.summary import summarize
from auger.model import ImageAnalysis
from auger.pipeline import analyze_source
from auger.progress import Progress
from auger.sources.interface import ReadOptions
from auger.sources.reference import resolve_source
from auger.sources.registry.tags import repository_tags

DESCRIPTION = """\
Analyse many images into one record each (--jsonl) and one summary: total and unique bytes,
shared bases, the biggest wasters, the savings advice finds across the fleet, budget verdicts.
Images are REF arguments (any source), lists (--from FILE, one reference per line, or the JSON
of kubectl get pods -A -o json) and registry repositories (--from-registry). Run it as N shards
(--shard I/N, or a Kubernetes Indexed Job's JOB_COMPLETION_INDEX and JOB_COMPLETIONS), then
'auger fleet merge SHARD.jsonl...' for the summary of them all. Exit 0: every image read (and
within its budgets); 1: an image failed its budgets; 3: an image could not be read.
"""

MERGE_DESCRIPTION = """\
Combine the records of the shards of a fleet (auger fleet --shard I/N --jsonl FILE) into the
summary one unsharded run gives. An image of the fleet that no shard reported counts as
unreadable. Exit codes as for auger fleet.
"""


class _FleetParser(Parser):
    """``auger fleet``'s parser, which hands ``auger fleet merge ...`` to the merge parser."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.merge = Parser(prog="auger fleet merge", description=MERGE_DESCRIPTION)
        self._merging = False

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        arguments = list(sys.argv[1:] if args is None else args)
        if arguments[:1] == ["merge"]:
            self._merging = True
            parsed, rest = self.merge.parse_known_args(arguments[1:], namespace)
            parsed.merge = True
            return parsed, rest
        parsed, rest = super().parse_known_args(arguments, namespace)
        parsed.merge = False
        return parsed, rest

    def format_help(self) -> str:
        return self.merge.format_help() if self._merging else super().format_help()


def build_parser() -> Parser:
    """The parser of ``auger fleet`` (and, after ``merge``, of ``auger fleet merge``)."""
    parser = _FleetParser(prog="auger fleet", description=DESCRIPTION)
    parser.add_argument("references", metavar="REF", nargs="*", help="an image (any source)")
    source = parser.add_argument_group("the fleet")
    source.add_argument(
        "--from",
        dest="lists",
        metavar="FILE",
        action="append",
        default=[],
        help="references, one a line (# comments), or kubectl's JSON; - for standard input",
    )
    source.add_argument(
        "--from-registry",
        dest="repositories",
        metavar="HOST/REPO",
        action="append",
        default=[],
        help="every tag of a registry repository",
    )
    source.add_argument(
        "--tags",
        metavar="GLOB",
        action="append",
        default=[],
        help="only the tags matching GLOB (with --from-registry; repeatable)",
    )
    source.add_argument(
        "--shard",
        metavar="I/N",
        help="read shard I of N (from 0), e.g. 0/4 (default: $JOB_COMPLETION_INDEX of "
        "$JOB_COMPLETIONS, else the whole fleet)",
    )
    source.add_argument(
        "--budgets", metavar="FILE", type=Path, help="check each image against a budgets file"
    )
    parser.add_argument(
        "--jsonl", metavar="FILE", help="write one JSON record per image (- for stdout)"
    )
    add_summary_options(parser)
    add_image_options(parser)
    add_summary_options(parser.merge, merging=True)
    return parser


def _read_list(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise UsageError(f"--from {name}: cannot read it: {reason}") from exc


def gather(args: argparse.Namespace, options: ReadOptions, console: Console) -> list[inputs.Target]:
    """Every target the arguments name, deduplicated."""
    if args.tags and not args.repositories:
        raise UsageError("--tags chooses tags of --from-registry repositories: give one")
    if [*args.references, *args.lists].count("-") > 1:
        raise UsageError(
            "standard input (-) is named twice",
            hint="it holds one list (--from -) or one image (-), not both",
        )
    found = [inputs.target(reference) for reference in args.references]
    for name in args.lists:
        found += inputs.read_input(_read_list(name), f"--from {name}")
    for repository in args.repositories:
        where, tags = repository_tags(
            repository,
            environ=console.environ,
            credentials=options.credentials,
            tls_verify=options.tls_verify,
        )
        chosen = [
            t for t in tags if not args.tags or any(fnmatch.fnmatchcase(t, g) for g in args.tags)
        ]
        found += inputs.registry_targets(f"{where.registry}/{where.repository}", chosen)
    if not found:
        raise UsageError(
            "auger fleet: no images",
            hint="give references, --from FILE (or -) or --from-registry HOST/REPO",
        )
    return inputs.deduplicate(found)


def _plan(
    args: argparse.Namespace, options: ReadOptions, console: Console, shard: Shard
) -> FleetPlan:
    targets = gather(args, options, console)
    return plan_fleet(
        targets, outlines(targets, options, console.environ, args.source), shard.count
    )


def _announce(
    console: Console, plan: FleetPlan, mine: Sequence[PlannedImage], shard: Shard
) -> None:
    layers, stored = distinct_layers(mine)
    count = len(plan.images)
    text = f"auger: fleet of {count} image{'s' if count != 1 else ''}"
    if shard.count > 1:
        text += f"; shard {shard}: {len(mine)} of them"
    text += f", {layers} distinct layers to read"
    if stored is not None and layers:
        text += f" ({format_size(stored)} as stored)"
    unknown = sum(1 for image in mine if not image.layers)
    if unknown:
        text += f", and {unknown} images whose layers are known only once read"
    console.diagnose(text)


def run(args: argparse.Namespace, console: Console) -> int:
    """Plan the fleet, read this shard's images, write the records and the summary."""
    if args.merge:
        return run_merge(args, console)
    shard = choose_shard(args.shard, console.environ)
    budgets = None
    if args.budgets is not None:
        from auger.budgets.loader import load_budgets  # noqa: PLC0415

        budgets = load_budgets(args.budgets)
    options = analyze_options(args, console).read_options()
    plan = _plan(args, options, console, shard)
    mine = plan.shard(shard.index)
    if not args.quiet:
        _announce(console, plan, mine, shard)

    def analyze(image: PlannedImage, progress: Progress) -> ImageAnalysis:
        source = resolve_source(image.reference, args.source, console.environ)
        analysis = analyze_source(source, options, progress)
        for warning in analysis.image.warnings:
            progress.warning(f"{safe_line(image.reference)}: {warning}")
        return analysis

    fleet = tuple(sorted(display(reference) for reference in plan.references))
    header = ShardHeader(shard.index, shard.count, plan.fingerprint, fleet)
    with RecordsFile(args.jsonl, header) as records_file:
        observer = FleetProgress(console)
        records = run_images(mine, analyze, records_file.write, budgets=budgets, observer=observer)
    for problem in getattr(options.cache, "problems", ()):
        console.diagnose(f"auger: warning: {safe_line(problem)}")
    whole = shard.count == 1
    summary = summarize(
        records,
        expected=fleet if whole else (),
        shard=None if whole else (shard.index, shard.count),
    )
    write_summary(args, console, summary, records_to_stdout=args.jsonl == "-")
    return summary.exit_code
