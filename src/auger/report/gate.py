"""Gate verdicts as text, JSON, JUnit XML and Markdown (pure: verdict in, text out).

A rule's result holds numbers; :func:`measured` and :func:`limit` write them in the unit
style of the limit, as every format here and the GitHub annotations show them.
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from auger.budgets.evaluate import RuleResult, Status, Style, Verdict, files_text, more_text
from auger.budgets.schema import Direction
from auger.display import display, finite, format_ratio, format_size
from auger.report.markdown import cell, inline

GATE_SCHEMA_VERSION = 1
_LABEL = {Status.PASS: "PASS", Status.WARN: "WARN", Status.FAIL: "FAIL", Status.SKIP: "SKIP"}
_ICON = {Status.PASS: "✅", Status.WARN: "⚠️", Status.FAIL: "❌", Status.SKIP: "⏭️"}


def measured(result: RuleResult) -> str:
    """The measured value in the limit's unit style (``—`` when there is none)."""
    value = result.measured_value
    if value is None:
        return "—"
    if result.style is Style.COUNT:
        return str(int(value))
    if result.style is Style.PERCENT:
        return format_ratio(value)
    return format_size(value, binary=result.style is Style.IEC)


def limit(result: RuleResult) -> str:
    """``at most 500MB``, ``at least 0.9, warn below 0.95`` (as written), or ``disabled``."""
    fail, warn = result.limit.fail, result.limit.warn
    if fail is None and warn is None:
        return "disabled"
    parts = []
    if fail is not None:
        parts.append(f"{result.direction.value} {fail}")
    if warn is not None:
        parts.append(f"warn {'above' if result.direction is Direction.AT_MOST else 'below'} {warn}")
    return ", ".join(parts)


def message(result: RuleResult) -> str:
    """``image size is 1.2 GB, limit at most 1GB (detail)``: one sentence for a rule."""
    text = f"{result.title} is {measured(result)}, limit {limit(result)}"
    return text + f" ({result.detail})" if result.detail else text


def format_text(verdict: Verdict) -> str:
    """One line per rule, then the verdict."""
    lines = [f"auger check: {display(verdict.image)} (budgets: {display(verdict.budgets_source)})"]
    width = max((len(result.title) for result in verdict.results), default=10)
    for result in verdict.results:
        line = (
            f"  {_LABEL[result.status]}  {display(result.title):<{width}}  "
            f"{display(measured(result)):>10}  {display(limit(result))}"
        )
        if result.origin:
            line += f"  [{display(result.origin)}]"
        lines.append(line)
        if result.detail and result.status is not Status.PASS:
            lines.append(f"        {display(result.detail)}")
        if result.advice and result.status in (Status.FAIL, Status.WARN):
            lines.append(f"        advice: {display(result.advice)}")
    lines.append(verdict.summary())
    return "\n".join(lines) + "\n"


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
    """JUnit XML: one testcase per rule; failures as ``<failure>``, skips as ``<skipped>``."""
    cases = []
    for result in verdict.results:
        name = quoteattr(display(f"{result.rule}: {result.title}"))
        sentence = message(result)
        body = ""
        if result.status is Status.FAIL:
            text = display(sentence + (f"\nadvice: {result.advice}" if result.advice else ""))
            body = f"<failure message={quoteattr(display(sentence))}>{escape(text)}</failure>"
        elif result.status is Status.SKIP:
            body = f"<skipped message={quoteattr(display(result.detail or 'skipped'))}/>"
        elif result.status is Status.WARN:
            body = f"<system-out>{escape('WARN: ' + display(sentence))}</system-out>"
        cases.append(f'  <testcase classname="auger.budgets" name={name}>{body}</testcase>')
    suite = (
        f"<testsuite name={quoteattr('auger budgets: ' + display(verdict.image))} "
        f'tests="{len(verdict.results)}" failures="{verdict.count(Status.FAIL)}" '
        f'errors="0" skipped="{verdict.count(Status.SKIP)}">'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n'
        + suite
        + "\n"
        + "\n".join(cases)
        + "\n</testsuite>\n</testsuites>\n"
    )


def _title(result: RuleResult, *, in_table: bool = True) -> str:
    """A rule's title; a path rule's glob as code, so that no name in it links or mentions."""
    if result.glob is None:
        return cell(result.title)
    return f"bytes under {inline(result.glob, in_table=in_table)}"


def _detail(result: RuleResult) -> str:
    """A rule's detail; a path rule's paths as code (``@org/team`` must not mention anyone)."""
    if result.paths:
        shown = ", ".join(inline(path, in_table=False) for path in result.paths)
        return f"{files_text(result.path_count)}: {shown}{more_text(result.path_count)}"
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
