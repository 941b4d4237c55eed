"""Gate verdicts as text, JSON, JUnit XML and Markdown (pure: verdict in, text out)."""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from auger.budgets.evaluate import RuleResult, Status, Verdict
from auger.display import display, finite
from auger.report.markdown import cell, inline

GATE_SCHEMA_VERSION = 1
_LABEL = {Status.PASS: "PASS", Status.WARN: "WARN", Status.FAIL: "FAIL", Status.SKIP: "SKIP"}
_ICON = {Status.PASS: "✅", Status.WARN: "⚠️", Status.FAIL: "❌", Status.SKIP: "⏭️"}


def _clean(text: str) -> str:
    return display(text)


def format_text(verdict: Verdict) -> str:
    """One line per rule, then the verdict."""
    lines = [f"auger check: {_clean(verdict.image)} (budgets: {_clean(verdict.budgets_source)})"]
    width = max((len(result.title) for result in verdict.results), default=10)
    for result in verdict.results:
        line = (
            f"  {_LABEL[result.status]}  {_clean(result.title):<{width}}  "
            f"{_clean(result.measured):>10}  {_clean(result.limit)}"
        )
        if result.origin:
            line += f"  [{_clean(result.origin)}]"
        lines.append(line)
        if result.detail and result.status is not Status.PASS:
            lines.append(f"        {_clean(result.detail)}")
        if result.advice and result.status in (Status.FAIL, Status.WARN):
            lines.append(f"        advice: {_clean(result.advice)}")
    lines.append(verdict.summary())
    return "\n".join(lines) + "\n"


def _result_json(result: RuleResult) -> dict[str, Any]:
    return {
        "rule": result.rule,
        "title": result.title,
        "status": result.status.value,
        "measured": result.measured,
        "measuredValue": finite(result.measured_value),
        "limit": result.limit,
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
        name = quoteattr(_clean(f"{result.rule}: {result.title}"))
        message = f"{result.title} is {result.measured}, limit {result.limit}"
        if result.detail:
            message += f" ({result.detail})"
        body = ""
        if result.status is Status.FAIL:
            text = _clean(message + (f"\nadvice: {result.advice}" if result.advice else ""))
            body = f"<failure message={quoteattr(_clean(message))}>{escape(text)}</failure>"
        elif result.status is Status.SKIP:
            body = f"<skipped message={quoteattr(_clean(result.detail or 'skipped'))}/>"
        elif result.status is Status.WARN:
            body = f"<system-out>{escape('WARN: ' + _clean(message))}</system-out>"
        cases.append(f'  <testcase classname="auger.budgets" name={name}>{body}</testcase>')
    suite = (
        f"<testsuite name={quoteattr('auger budgets: ' + _clean(verdict.image))} "
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
            f"| {_ICON[result.status]} {_LABEL[result.status]} | {cell(result.title)} | "
            f"{cell(result.measured)} | {cell(result.limit)} | {cell(result.origin)} |"
        )
    notes = [r for r in verdict.results if r.status in (Status.FAIL, Status.WARN)]
    for result in notes:
        text = cell(result.detail) if result.detail else ""
        advice = f" — advice: {cell(result.advice)}" if result.advice else ""
        if text or advice:
            lines.append(f"- **{cell(result.title)}**: {text}{advice}")
    return "\n".join(lines) + "\n"
