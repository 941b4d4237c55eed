"""GitLab Code Quality reports (pure: findings in, JSON text out).

GitLab shows a job's ``artifacts:reports:codequality`` file in the merge request: a JSON array
of issues, each with a ``description``, a ``check_name``, a ``fingerprint`` (the same from run
to run, so GitLab can tell new findings from old ones), a ``severity`` and a ``location``
(``path`` and ``lines.begin``). Budgets and advice become issues as
:mod:`auger.report.findings` describes them.
"""

from __future__ import annotations

import json
from typing import Any

from auger.budgets.evaluate import Verdict
from auger.report.findings import Issue, Level, budget_issues, fingerprints, report_issues
from auger.report.model import ImageReport

SEVERITY = {Level.ERROR: "major", Level.WARNING: "minor", Level.NOTE: "info"}
"""Code Quality's severity (info, minor, major, critical, blocker) for each level."""


def _issue(issue: Issue, fingerprint: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": f"auger:{issue.rule.id}",
        "description": issue.message,
        "content": {"body": issue.rule.help},
        "categories": ["Performance"],
        "severity": SEVERITY[issue.level],
        "fingerprint": fingerprint,
        "location": {"path": issue.location.path, "lines": {"begin": issue.location.line}},
    }


def format_issues(issues: list[Issue]) -> str:
    """The Code Quality JSON of ``issues``."""
    pairs = zip(issues, fingerprints(issues), strict=True)
    data = [_issue(issue, fingerprint) for issue, fingerprint in pairs]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def format_verdict(verdict: Verdict) -> str:
    """``auger check --format codequality``: failed and warned budgets."""
    return format_issues(budget_issues(verdict))


def format_report(report: ImageReport) -> str:
    """``auger report --format codequality``: budgets (when configured) and advice."""
    return format_issues(report_issues(report))
