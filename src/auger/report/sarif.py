"""SARIF 2.1.0 logs for code scanning (pure: findings in, JSON text out).

GitHub code scanning (``github/codeql-action/upload-sarif``) and other SARIF viewers show each
result on its file and line, grouped by rule. One run per image: the tool's rules (id, name,
help, default level), then one result per finding with its level, message, location and a
partial fingerprint that stays the same from run to run. The run's ``automationDetails.id``
names the image, so that uploads for several images each replace only their own results.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any

from auger import __version__
from auger.budgets.evaluate import Verdict
from auger.report.findings import (
    Issue,
    Rule,
    budget_issues,
    category,
    fingerprints,
    report_issues,
)
from auger.report.model import ImageReport

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "augerFinding/v1"
"""The name of auger's partial fingerprint in each result."""


def _uri(path: str) -> str:
    """A path as a SARIF artifact URI: relative as written, or ``file://`` when absolute."""
    quoted = urllib.parse.quote(path, safe="/._-~")
    return "file://" + quoted if path.startswith("/") else quoted


def _rule(rule: Rule) -> dict[str, Any]:
    words = re.split(r"[^A-Za-z0-9]+", rule.id)
    return {
        "id": rule.id,
        "name": "".join(word[:1].upper() + word[1:] for word in words),
        "shortDescription": {"text": rule.name},
        "help": {"text": rule.help},
        "defaultConfiguration": {"level": rule.level.value},
        "properties": {"tags": ["container-image", "image-size"]},
    }


def _result(issue: Issue, index: int, fingerprint: str) -> dict[str, Any]:
    return {
        "ruleId": issue.rule.id,
        "ruleIndex": index,
        "level": issue.level.value,
        "message": {"text": issue.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(issue.location.path)},
                    "region": {"startLine": issue.location.line},
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT: fingerprint},
        "properties": {"image": issue.image},
    }


def format_issues(issues: list[Issue], image: str) -> str:
    """A SARIF log with one run: the findings about ``image``."""
    rules: dict[str, tuple[int, dict[str, Any]]] = {}
    results = []
    for issue, fingerprint in zip(issues, fingerprints(issues), strict=True):
        if issue.rule.id not in rules:
            rules[issue.rule.id] = (len(rules), _rule(issue.rule))
        results.append(_result(issue, rules[issue.rule.id][0], fingerprint))
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "auger",
                        "version": __version__,
                        "rules": [rule for _, rule in rules.values()],
                    }
                },
                "automationDetails": {"id": category(image)},
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def format_verdict(verdict: Verdict) -> str:
    """``auger check --format sarif``: failed and warned budgets."""
    return format_issues(budget_issues(verdict), verdict.image)


def format_report(report: ImageReport) -> str:
    """``auger report --format sarif``: budgets (when configured) and advice."""
    image = report.analysis.image
    return format_issues(report_issues(report), image.name or image.reference)
