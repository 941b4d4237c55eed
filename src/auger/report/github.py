"""GitHub Actions workflow commands for a verdict: ``::error``/``::warning`` annotations.

At most ten annotations (GitHub shows no more per step anyway), failures first. A rule that
came from a file line points at it, so the annotation shows next to the budget in the diff.
"""

from __future__ import annotations

from auger.budgets.evaluate import Status, Verdict
from auger.display import display
from auger.report.gate import message

MAX_ANNOTATIONS = 10


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_commands(verdict: Verdict, limit: int = MAX_ANNOTATIONS) -> list[str]:
    """The workflow command lines for failed and warned rules."""
    ordered = [r for r in verdict.results if r.status is Status.FAIL] + [
        r for r in verdict.results if r.status is Status.WARN
    ]
    lines = []
    for result in ordered[:limit]:
        command = "error" if result.status is Status.FAIL else "warning"
        props = [f"title={_property(display('auger budget: ' + result.title))}"]
        file, sep, line = result.origin.rpartition(":")
        if sep and line.isdigit() and file:
            props[:0] = [f"file={_property(display(file))}", f"line={line}"]
        text = message(result) + (f". Advice: {result.advice}" if result.advice else "")
        lines.append(f"::{command} {','.join(props)}::{_data(display(text))}")
    return lines
