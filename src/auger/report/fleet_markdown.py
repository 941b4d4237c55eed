"""The fleet summary as Markdown, safe to post in an issue, a pull request or a job summary.

Pure: summary in, text out. Every name is made inert (HTML entities, Markdown punctuation
escaped, control characters shown as escapes) and long lists are cut, so the text stays well
under GitHub's 65,536-character limit on a comment. A hidden marker line lets a workflow find
and update its own comment.
"""

from __future__ import annotations

import re

from auger.display import format_ratio, format_size, one_line, safe_line
from auger.fleet.summary import FleetSummary
from auger.report.fleet_text import images, measured
from auger.report.markdown import no_comment

MARKER = "<!-- auger-fleet -->"
ROWS = 15
_COMMAND = 60
_REFS = 3
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def _cell(text: str) -> str:
    """A name (escaped once already in the records) made inert in a table cell."""
    shown = no_comment(safe_line(text))
    shown = shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", shown.replace('"', "&quot;"))


def _refs(refs: tuple[str, ...]) -> str:
    shown = ", ".join(_cell(ref) for ref in refs[:_REFS])
    return shown + (f" and {len(refs) - _REFS} more" if len(refs) > _REFS else "")


def _headline(summary: FleetSummary) -> list[str]:
    shard = f" (shard {summary.shard[0]}/{summary.shard[1]} only)" if summary.shard else ""
    shared = summary.shared_bytes / summary.size_bytes if summary.size_bytes else 0.0
    wasted = summary.wasted_bytes / summary.size_bytes if summary.size_bytes else 0.0
    lines = [
        MARKER,
        f"## auger fleet: {images(summary.images)}{shard}",
        "",
        "| | |",
        "|---|---:|",
        f"| size, every image in full | {format_size(summary.size_bytes)} |",
        f"| unique (each layer once) | {format_size(summary.unique_bytes)} |",
        f"| saved by shared layers | {format_size(summary.shared_bytes)}"
        f" ({format_ratio(shared)}) |",
    ]
    if summary.compressed_size_bytes is not None and summary.unique_compressed_bytes is not None:
        some = (
            f" ({summary.compressed_images} of {summary.images} images)"
            if summary.compressed_images < summary.images
            else ""
        )
        lines.append(
            f"| compressed, in all / unique{some} | {format_size(summary.compressed_size_bytes)}"
            f" / {format_size(summary.unique_compressed_bytes)} |"
        )
    lines.append(f"| wasted | {format_size(summary.wasted_bytes)} ({format_ratio(wasted)}) |")
    if summary.budgets is not None:
        tally = summary.budgets
        lines.append(
            f"| budgets | {tally.failed} failed, {tally.warned} warned, {tally.passed} passed |"
        )
    if summary.unreadable:
        lines.append(f"| unreadable images | {len(summary.unreadable)} |")
    return lines


def format_fleet_markdown(summary: FleetSummary) -> str:
    """The summary as Markdown."""
    lines = _headline(summary)
    if summary.shared_bases:
        lines += ["", "### Shared bases", "", "| saved | size | images | layers | top layer |"]
        lines.append("|---:|---:|---:|---:|---|")
        for base in summary.shared_bases[:ROWS]:
            lines.append(
                f"| {format_size(base.saved_bytes)} | {format_size(base.size_bytes)} |"
                f" {base.images} | {base.layers} | {_cell(one_line(base.created_by, _COMMAND))} |"
            )
    if summary.unshared:
        lines += ["", f"Images that share no layer: {_refs(summary.unshared)}"]
    if summary.biggest_wasters:
        lines += ["", "### Biggest wasters", "", "| wasted | % | image | largest |"]
        lines.append("|---:|---:|---|---|")
        for waster in summary.biggest_wasters[:ROWS]:
            lines.append(
                f"| {format_size(waster.wasted_bytes)} | {format_ratio(waster.wasted_percent)} |"
                f" {_cell(waster.reference)} | {_cell(waster.top_waste or '')} |"
            )
    if summary.savings:
        lines += ["", "### Savings across the fleet", "", "| advice | saves | images | fix |"]
        lines.append("|---|---:|---:|---|")
        for saving in summary.savings[:ROWS]:
            lines.append(
                f"| {_cell(saving.id)}: {_cell(saving.title)} | {format_size(saving.size_bytes)} |"
                f" {saving.images} | {_cell(saving.fix)} |"
            )
    if summary.budgets is not None and summary.budgets.outcomes:
        lines += ["", "### Budgets", "", "| status | image | rule | measured | limit |"]
        lines.append("|---|---|---|---:|---|")
        for outcome in summary.budgets.outcomes[:ROWS]:
            for rule in outcome.rules:
                lines.append(
                    f"| {outcome.status.upper()} | {_cell(outcome.reference)} |"
                    f" {_cell(rule.title)} | {measured(rule)} | {_cell(rule.limit)} |"
                )
    if summary.unreadable:
        lines += ["", "### Unreadable images", "", "| image | error |", "|---|---|"]
        for error in summary.unreadable[:ROWS]:
            lines.append(f"| {_cell(error.reference)} | {_cell(error.error)} |")
        if len(summary.unreadable) > ROWS:
            lines.append(f"| … and {len(summary.unreadable) - ROWS} more | |")
    return "\n".join(lines) + "\n"
