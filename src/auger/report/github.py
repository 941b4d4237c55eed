"""GitHub Actions workflow commands for a verdict: ``::error``/``::warning`` annotations.

At most ten annotations (GitHub shows no more per step anyway), failures first. A rule that
came from a file line points at it, so the annotation shows next to the budget in the diff.
With the Dockerfile's lines known (``--dockerfile``), a failed layer budget is annotated on
the line of each layer over the limit, and then every piece of advice on its layer's line
(``::warning file=Dockerfile,line=14,title=DL3042::…``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from auger.budgets.evaluate import RuleResult, Status, Verdict
from auger.display import display, format_size
from auger.report.gate import limit, message

if TYPE_CHECKING:  # the gate imports this module; attribution only comes with --dockerfile
    from auger.analysis.advice import Finding
    from auger.attribution.summary import Attribution
    from auger.model import Layer

MAX_ANNOTATIONS = 10


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _layer_commands(
    result: RuleResult, layers: Sequence[Layer], attribution: Attribution
) -> list[str]:
    """A layer budget's annotations on the Dockerfile lines of the layers over its limits: an
    error over the failing limit, a warning over the warning one."""
    lines = []
    for layer in layers:
        line = attribution.line_of(layer.index)
        if line is None:
            continue
        if result.fail_value is not None and layer.size > result.fail_value:
            command = "error"
        elif result.warn_value is not None and layer.size > result.warn_value:
            command = "warning"
        else:
            continue
        props = [
            f"file={_property(display(line.path))}",
            f"line={line.line}",
            f"title={_property(display('auger budget: ' + result.title))}",
        ]
        text = f"layer {layer.index} is {format_size(layer.size)}, limit {limit(result)}"
        lines.append(f"::{command} {','.join(props)}::{_data(display(text))}")
    return lines


def advice_commands(findings: Sequence[Finding], attribution: Attribution) -> list[str]:
    """A warning on the Dockerfile line of each piece of advice whose line is known."""
    lines = []
    for finding in findings:
        line = attribution.line_of_finding(finding)
        if line is None:
            continue
        props = [
            f"file={_property(display(line.path))}",
            f"line={line.line}",
            f"title={_property(finding.rule.id)}",
        ]
        text = finding.rule.title
        saved = attribution.savings.get(finding.rule.id)
        if finding.size:
            text += f" ({format_size(finding.size)}"
            text += f", saves {format_size(saved)})" if saved is not None else ")"
        names = attribution.packages_of(finding)
        if names:
            text += f"; packages: {', '.join(names[:5])}"
        text += f". Fix: {finding.rule.fix}"
        lines.append(f"::warning {','.join(props)}::{_data(display(text))}")
    return lines


def workflow_commands(
    verdict: Verdict | None,
    limit: int = MAX_ANNOTATIONS,
    *,
    layers: Sequence[Layer] = (),
    attribution: Attribution | None = None,
    findings: Sequence[Finding] = (),
) -> list[str]:
    """The workflow command lines for failed and warned rules, then (with an attribution that
    knows the Dockerfile's lines) for the advice ``findings``."""
    results = verdict.results if verdict is not None else ()
    ordered = [r for r in results if r.status is Status.FAIL] + [
        r for r in results if r.status is Status.WARN
    ]
    lines: list[str] = []
    for result in ordered:
        if result.rule == "layers.max_size" and attribution is not None and attribution.lines:
            on_lines = _layer_commands(result, layers, attribution)
            if on_lines:
                lines += on_lines
                continue
        command = "error" if result.status is Status.FAIL else "warning"
        props = [f"title={_property(display('auger budget: ' + result.title))}"]
        file, sep, line = result.origin.rpartition(":")
        if sep and line.isdigit() and file:
            props[:0] = [f"file={_property(display(file))}", f"line={line}"]
        text = message(result) + (f". Advice: {result.advice}" if result.advice else "")
        lines.append(f"::{command} {','.join(props)}::{_data(display(text))}")
    if attribution is not None and attribution.lines:
        lines += advice_commands(findings, attribution)
    return lines[:limit]
