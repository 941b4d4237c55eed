"""The fleet summary as plain text, for a terminal or a log (pure: summary in, text out).

Every name passes through :func:`auger.display.safe_line` (records hold names already escaped
once; a records file may hold anything), commands are cut to one line.
"""

from __future__ import annotations

from auger.display import format_ratio, format_size, one_line, safe_line
from auger.fleet.records import RuleFacts
from auger.fleet.summary import FleetSummary

ROWS = 10
_COMMAND = 60
_REFS = 3


def _name(text: str) -> str:
    return safe_line(text)


def _refs(refs: tuple[str, ...]) -> str:
    shown = ", ".join(_name(ref) for ref in refs[:_REFS])
    return shown + (f" and {len(refs) - _REFS} more" if len(refs) > _REFS else "")


def images(count: int) -> str:
    """``1 image``, ``2 images``."""
    return f"{count} image" if count == 1 else f"{count} images"


def measured(rule: RuleFacts) -> str:
    """A rule's measured value in its limit's unit style."""
    if rule.measured is None:
        return "—"
    if rule.style == "count":
        return str(int(rule.measured))
    if rule.style == "percent":
        return format_ratio(rule.measured)
    return format_size(rule.measured, binary=rule.style == "iec")


def headline(summary: FleetSummary) -> list[str]:
    """The fleet's totals, in a few lines."""
    shard = f" (shard {summary.shard[0]}/{summary.shard[1]} only)" if summary.shard else ""
    unreadable = f", {len(summary.unreadable)} unreadable" if summary.unreadable else ""
    lines = [f"auger fleet: {images(summary.images)}{unreadable}{shard}"]
    shared = summary.shared_bytes / summary.size_bytes if summary.size_bytes else 0.0
    lines.append(
        f"  size {format_size(summary.size_bytes)} in all, {format_size(summary.unique_bytes)}"
        f" unique ({format_ratio(shared)} shared)"
    )
    if summary.compressed_size_bytes is not None and summary.unique_compressed_bytes is not None:
        lines.append(
            f"  compressed {format_size(summary.compressed_size_bytes)} in all,"
            f" {format_size(summary.unique_compressed_bytes)} unique"
            f" ({summary.compressed_images} of {summary.images} images)"
        )
    wasted = summary.wasted_bytes / summary.size_bytes if summary.size_bytes else 0.0
    lines.append(f"  wasted {format_size(summary.wasted_bytes)} ({format_ratio(wasted)})")
    if summary.budgets is not None:
        tally = summary.budgets
        lines.append(
            f"  budgets: {tally.failed} failed, {tally.warned} warned, {tally.passed} passed"
            f" of {tally.checked}"
        )
    return lines


def format_fleet_text(summary: FleetSummary) -> str:
    """The summary for a terminal."""
    lines = headline(summary)
    if summary.shared_bases:
        lines += ["", "Shared bases (the most bytes saved first):"]
        for base in summary.shared_bases[:ROWS]:
            lines.append(
                f"  {format_size(base.saved_bytes):>10} saved  {format_size(base.size_bytes):>10}"
                f"  {base.images:>4} images  {base.layers:>3} layers"
                f"  {_name(one_line(base.created_by, _COMMAND)) or '(no command)'}"
            )
    if summary.unshared:
        lines += ["", f"Images that share no layer: {_refs(summary.unshared)}"]
    if summary.biggest_wasters:
        lines += ["", "Biggest wasters:"]
        for waster in summary.biggest_wasters[:ROWS]:
            top = f"  (largest: {_name(waster.top_waste)})" if waster.top_waste else ""
            size, ratio = format_size(waster.wasted_bytes), format_ratio(waster.wasted_percent)
            lines.append(f"  {size:>10}  {ratio:>8}  {_name(waster.reference)}{top}")
    if summary.savings:
        lines += ["", "Savings across the fleet (advice, summed over images):"]
        for saving in summary.savings[:ROWS]:
            lines.append(
                f"  {_name(saving.id):<8}{format_size(saving.size_bytes):>10}"
                f"  {saving.images:>4} images  {_name(saving.title)}: {_name(saving.fix)}"
            )
    if summary.budgets is not None and summary.budgets.outcomes:
        lines += ["", "Budgets:"]
        for outcome in summary.budgets.outcomes[:ROWS]:
            lines.append(f"  {outcome.status.upper():<4}  {_name(outcome.reference)}")
            for rule in outcome.rules:
                lines.append(
                    f"        {_name(rule.title)} is {measured(rule)}, limit {_name(rule.limit)}"
                )
    if summary.unreadable:
        lines += ["", "Unreadable:"]
        for error in summary.unreadable:
            lines.append(f"  {_name(error.reference)}: {_name(error.error)}")
    return "\n".join(lines) + "\n"
