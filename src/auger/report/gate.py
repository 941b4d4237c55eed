"""Gate verdicts as text, JSON, JUnit XML and Markdown (pure: verdict in, text out).

A rule's result holds numbers; :func:`measured` and :func:`limit` write them in one unit, the
one its limit was written in (:mod:`auger.report.rule_values`), as every format here and the
GitHub annotations show them. The text format can be coloured (:mod:`auger.report.styled`).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from auger.budgets.evaluate import RuleResult, Status, Verdict, files_text, more_text
from auger.display import display, finite, format_size
from auger.report.markdown import cell, inline
from auger.report.rule_values import forbids, limit, measured
from auger.report.styled import Piece, render

__all__ = [
    "format_json",
    "format_junit",
    "format_markdown",
    "format_text",
    "limit",
    "measured",
    "message",
]

GATE_SCHEMA_VERSION = 1
_LABEL = {Status.PASS: "PASS", Status.WARN: "WARN", Status.FAIL: "FAIL", Status.SKIP: "SKIP"}
_ICON = {Status.PASS: "✅", Status.WARN: "⚠️", Status.FAIL: "❌", Status.SKIP: "⏭️"}
_STYLE = {Status.PASS: "pass", Status.WARN: "warn", Status.FAIL: "fail", Status.SKIP: "skip"}


def message(result: RuleResult) -> str:
    """``image size is 1.2 GB, limit at most 1 GB (detail)`` or ``files under /x/**: 1 file
    present, none allowed (detail)``: one sentence for a rule."""
    if forbids(result):
        text = f"{result.title}: {measured(result)}, {limit(result)}"
    else:
        text = f"{result.title} is {measured(result)}, limit {limit(result)}"
    return text + f" ({result.detail})" if result.detail else text


def _values(result: RuleResult, width: int) -> str:
    """The measure (right-aligned in ``width``) and the limit; a ban reads as one phrase."""
    if forbids(result):
        return f"{measured(result)}, {limit(result)}"
    return f"{display(measured(result)):>{width}}  {display(limit(result))}"


def format_text(verdict: Verdict, *, color: bool = False) -> str:
    """One line per rule, then the verdict; the statuses in colour when ``color``."""
    lines: list[list[Piece]] = [
        [
            (f"auger check: {display(verdict.image)} ", None),
            (f"(budgets: {display(verdict.budgets_source)})", "muted"),
        ]
    ]
    titles = max((len(display(result.title)) for result in verdict.results), default=10)
    values = max((len(display(measured(r))) for r in verdict.results if not forbids(r)), default=1)
    for result in verdict.results:
        line: list[Piece] = [
            ("  ", None),
            (_LABEL[result.status], _STYLE[result.status]),
            (f"  {display(result.title):<{titles}}  {_values(result, values)}", None),
        ]
        if result.origin:
            line.append((f"  [{display(result.origin)}]", "muted"))
        lines.append(line)
        if result.detail and result.status is not Status.PASS:
            lines.append([(f"        {display(result.detail)}", None)])
        if result.advice and result.status in (Status.FAIL, Status.WARN):
            lines.append([(f"        advice: {display(result.advice)}", None)])
    lines.append([(verdict.summary(), _STYLE[verdict.status])])
    return render(lines, color=color)


def _result_json(result: RuleResult) -> dict[str, Any]:
    return {
        "rule": result.rule,
        "title": result.title,
        "status": result.status.value,
        "measured": measured(result),
        "measuredValue": finite(result.measured_value),
        "limit": limit(result),
        "failValue": finite(result.fail_value),
        "warnValue": finite(result.warn_value),
        "origin": result.origin,
        "detail": result.detail,
        "advice": result.advice,
    }


def format_json(verdict: Verdict) -> str:
    """The verdict as JSON (schema versioned)."""
    data = {
        "schemaVersion": GATE_SCHEMA_VERSION,
        "image": verdict.image,
        "budgets": verdict.budgets_source,
        "verdict": verdict.status.value,
        "counts": {status.value: verdict.count(status) for status in Status},
        "rules": [_result_json(result) for result in verdict.results],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def format_junit(verdict: Verdict) -> str:
    """JUnit XML: one testcase per rule; failures as ``<failure>`` (the sentence, then the
    advice on a line of its own), skips as ``<skipped>``, warnings in ``<system-out>``."""
    suites = ET.Element("testsuites")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=display(f"auger budgets: {verdict.image}"),
        tests=str(len(verdict.results)),
        failures=str(verdict.count(Status.FAIL)),
        errors="0",
        skipped=str(verdict.count(Status.SKIP)),
    )
    for result in verdict.results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname="auger.budgets",
            name=display(f"{result.rule}: {result.title}"),
        )
        sentence = display(message(result))
        if result.status is Status.FAIL:
            failure = ET.SubElement(case, "failure", message=sentence)
            advice = f"\nadvice: {display(result.advice)}" if result.advice else ""
            failure.text = sentence + advice
        elif result.status is Status.SKIP:
            ET.SubElement(case, "skipped", message=display(result.detail or "skipped"))
        elif result.status is Status.WARN:
            ET.SubElement(case, "system-out").text = f"WARN: {sentence}"
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _title(result: RuleResult, *, in_table: bool = True) -> str:
    """A rule's title; a path rule's glob as code, so that no name in it links or mentions."""
    if result.glob is None:
        return cell(result.title)
    return (
        f"{'files' if forbids(result) else 'bytes'} under {inline(result.glob, in_table=in_table)}"
    )


def _detail(result: RuleResult) -> str:
    """A rule's detail; a path rule's paths as code (``@org/team`` must not mention anyone)."""
    if result.paths:
        shown = ", ".join(inline(path, in_table=False) for path in result.paths)
        shown += more_text(result.path_count)
        if forbids(result):  # the count is the measure already
            return f"{shown} ({format_size(result.measured_value or 0)})"
        return f"{files_text(result.path_count)}: {shown}"
    return cell(result.detail) if result.detail else ""


def format_markdown(verdict: Verdict) -> str:
    """A Markdown table of the rules, safe to post (names escaped)."""
    lines = [
        f"### auger budgets: {_ICON[verdict.status]} {verdict.status.value.upper()} "
        f"for {inline(verdict.image, in_table=False)}",
        "",
        f"{verdict.summary()} (budgets: {inline(verdict.budgets_source, in_table=False)})",
        "",
        "| | rule | measured | limit | where |",
        "|---|---|---:|---|---|",
    ]
    for result in verdict.results:
        lines.append(
            f"| {_ICON[result.status]} {_LABEL[result.status]} | {_title(result)} | "
            f"{cell(measured(result))} | {cell(limit(result))} | {cell(result.origin)} |"
        )
    notes = [r for r in verdict.results if r.status in (Status.FAIL, Status.WARN)]
    for result in notes:
        text = _detail(result)
        advice = f" — advice: {cell(result.advice)}" if result.advice else ""
        if text or advice:
            lines.append(f"- **{_title(result, in_table=False)}**: {text}{advice}")
    return "\n".join(lines) + "\n"
