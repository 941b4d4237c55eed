"""``auger whatif IMAGE``: what the image would measure with some files never stored, some
layers squashed, some packages never installed or some advice followed.

The scanned layers are stacked again with the changes applied (:mod:`auger.attribution.whatif`)
and the image's size, final size, waste and efficiency are shown before and after.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from typing import Any

from auger.analysis.advice import CHURN, catalogue, find_advice
from auger.attribution import whatif
from auger.attribution.fixes import changes_for
from auger.attribution.ownership import Ownership
from auger.attribution.summary import grouped_findings, image_ownership
from auger.cli.console import Console
from auger.cli.loading import load
from auger.cli.parsing import Parser, add_image_options, add_verbosity_options
from auger.display import display, format_ratio, format_size
from auger.errors import ExitCode, UsageError
from auger.model import ImageAnalysis
from auger.report.json_schema import WHATIF_SCHEMA_VERSION

_SQUASH = re.compile(r"(\d+)-(\d+)")


def build_parser() -> Parser:
    """The parser of ``auger whatif``."""
    parser = Parser(
        prog="auger whatif",
        description="Simulate changes to an image (files never stored, layers squashed, "
        "packages never installed, advice followed) by stacking its layers again, and show "
        "its size, waste and efficiency before and after.",
    )
    parser.add_argument("image", metavar="IMAGE")
    parser.add_argument(
        "--drop",
        metavar="GLOB",
        action="append",
        default=[],
        help="never store the files GLOB matches, in any layer (/usr/share/doc/**)",
    )
    parser.add_argument(
        "--squash",
        metavar="A-B",
        action="append",
        default=[],
        help="make layers A to B (0-based, inclusive) one layer",
    )
    parser.add_argument(
        "--without-package",
        metavar="NAME",
        action="append",
        default=[],
        help="never install the package NAME (every package of that name)",
    )
    parser.add_argument(
        "--apply-advice",
        metavar="ID",
        action="append",
        default=[],
        help="follow a piece of advice auger gives for this image (DL3009, AUG008...)",
    )
    parser.add_argument("--format", choices=tuple(FORMATS), default="text", help="default: text")
    add_verbosity_options(parser)
    add_image_options(parser)
    return parser


def _squashes(values: list[str]) -> list[whatif.Change]:
    found: list[whatif.Change] = []
    for value in values:
        match = _SQUASH.fullmatch(value.strip())
        if match is None:
            raise UsageError(f"--squash {value!r}: expected A-B, two layer numbers")
        found.append(whatif.Squash(int(match.group(1)), int(match.group(2))))
    return found


def _without(names: list[str], ownership: Ownership) -> list[whatif.Change]:
    if not names:
        return []
    wanted = set(names)
    chosen = {
        index
        for index, usage in enumerate(ownership.packages)
        if usage.package.name in wanted and usage.installed
    }
    missing = wanted - {ownership.packages[index].package.name for index in chosen}
    if missing:
        raise UsageError(
            f"--without-package: no package {', '.join(sorted(map(display, missing)))} "
            "in the image",
            hint="auger report IMAGE --format text lists its packages",
        )
    owned = frozenset(path for path, index in ownership.owners.items() if index in chosen)
    under = tuple(
        directory for directory, index in ownership.npm_directories.items() if index in chosen
    )
    return [whatif.DropPaths(owned, under)]


def _advice(
    ids: list[str], analysis: ImageAnalysis, ownership: Ownership, console: Console
) -> list[whatif.Change]:
    if not ids:
        return []
    rules = catalogue()
    findings = [f for f in find_advice(analysis, rules) if f.rule.kind != CHURN]
    merged, groups = grouped_findings(analysis, findings, rules, ownership)
    by_id = {finding.rule.id: finding for finding in merged}
    changes: list[whatif.Change] = []
    for advice_id in ids:
        finding = by_id.get(advice_id.upper())
        if finding is None:
            present = ", ".join(sorted(by_id)) or "none"
            raise UsageError(
                f"--apply-advice {display(advice_id)}: auger gives no such advice for "
                f"this image (it gives: {present})"
            )
        found = changes_for(finding, analysis, rules, groups)
        if not found:
            console.diagnose(
                f"auger: warning: {finding.rule.id} changes no file auger can see; "
                "it changes nothing here"
            )
        changes.extend(found)
    return changes


def _rows(outcome: whatif.Outcome) -> list[tuple[str, str, str, str]]:
    before, after = outcome.before, outcome.after

    def size_change(old: int, new: int) -> str:
        delta = new - old
        return ("+" if delta > 0 else "-" if delta < 0 else "±") + format_size(abs(delta))

    return [
        (
            "size",
            format_size(before.size),
            format_size(after.size),
            size_change(before.size, after.size),
        ),
        (
            "final size",
            format_size(before.final_size),
            format_size(after.final_size),
            size_change(before.final_size, after.final_size),
        ),
        (
            "wasted",
            format_size(before.wasted_bytes),
            format_size(after.wasted_bytes),
            size_change(before.wasted_bytes, after.wasted_bytes),
        ),
        (
            "wasted percent",
            format_ratio(before.wasted_percent),
            format_ratio(after.wasted_percent),
            f"{(after.wasted_percent - before.wasted_percent) * 100:+.2f} pt",
        ),
        (
            "efficiency (dive)",
            format_ratio(before.efficiency),
            format_ratio(after.efficiency),
            f"{(after.efficiency - before.efficiency) * 100:+.2f} pt",
        ),
        ("layers", str(before.layers), str(after.layers), f"{after.layers - before.layers:+d}"),
    ]


def format_text(reference: str, outcome: whatif.Outcome, described: list[str]) -> str:
    """The before and after table."""
    lines = [f"auger whatif: {display(reference)}"]
    lines += [f"  {display(item)}" for item in described]
    rows = [("", "before", "after", "change"), *_rows(outcome)]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    for row in rows:
        lines.append(
            f"  {row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}  "
            f"{row[3]:>{widths[3]}}".rstrip()
        )
    lines.append(
        f"saves {format_size(outcome.saves_bytes)}"
        if outcome.saves_bytes >= 0
        else f"grows by {format_size(-outcome.saves_bytes)}"
    )
    return "\n".join(lines) + "\n"


def _measures(measures: whatif.Measures) -> dict[str, Any]:
    return {
        "sizeBytes": measures.size,
        "finalSizeBytes": measures.final_size,
        "wastedBytes": measures.wasted_bytes,
        "wastedPercent": measures.wasted_percent,
        "efficiency": measures.efficiency,
        "layers": measures.layers,
    }


def format_json(reference: str, outcome: whatif.Outcome, described: list[str]) -> str:
    """The before and after measures as JSON."""
    data = {
        "schemaVersion": WHATIF_SCHEMA_VERSION,
        "image": display(reference),
        "changes": [display(item) for item in described],
        "before": _measures(outcome.before),
        "after": _measures(outcome.after),
        "saves_bytes": outcome.saves_bytes,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


FORMATS: dict[str, Callable[[str, whatif.Outcome, list[str]], str]] = {
    "text": format_text,
    "json": format_json,
}
"""Output format -> formatter of the before and after measures."""


def run(args: argparse.Namespace, console: Console) -> int:
    """Analyse the image, apply the changes, measure both."""
    if not (args.drop or args.squash or args.without_package or args.apply_advice):
        raise UsageError(
            "auger whatif needs a change",
            hint="--drop GLOB, --squash A-B, --without-package NAME or --apply-advice ID",
        )
    squashes = _squashes(args.squash)
    analysis = load(args, console)
    ownership = image_ownership(analysis) if args.without_package or args.apply_advice else None
    changes: list[whatif.Change] = []
    described: list[str] = []
    if args.drop:
        changes.append(whatif.Drop(tuple(args.drop)))
        described += [f"drop {glob}" for glob in args.drop]
    changes += squashes
    described += [f"squash layers {value}" for value in args.squash]
    if ownership is not None:
        changes += _without(args.without_package, ownership)
        described += [f"without package {name}" for name in args.without_package]
        changes += _advice(args.apply_advice, analysis, ownership, console)
        described += [f"apply advice {advice.upper()}" for advice in args.apply_advice]
    layers = [layer.scan.entries for layer in analysis.image.layers]
    sizes = [layer.size for layer in analysis.image.layers]
    before = whatif.Measures(
        analysis.size, analysis.final_size, len(layers), analysis.dive.efficiency
    )
    try:
        outcome = whatif.simulate(layers, sizes, changes, before=before)
    except whatif.WhatIfError as error:
        raise UsageError(f"--squash: {error}") from error
    reference = analysis.image.name or analysis.image.reference
    console.stdout.write(FORMATS[args.format](reference, outcome, described))
    return ExitCode.OK
