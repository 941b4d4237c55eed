"""The fleet summary as JSON (pure: summary in, text out).

Keys are snake case, as in the fleet's JSON lines. Lists are complete (every distinct layer,
every piece of advice), except the shared bases and the wasters, which the summary already
keeps to the most significant.
"""

from __future__ import annotations

import json
from typing import Any

from auger.fleet.records import RuleFacts
from auger.fleet.summary import FleetSummary

FLEET_SCHEMA_VERSION = 1


def _rule(rule: RuleFacts) -> dict[str, Any]:
    return {
        "rule": rule.rule,
        "title": rule.title,
        "status": rule.status,
        "measured": rule.measured,
        "style": rule.style,
        "limit": rule.limit,
    }


def summary_data(summary: FleetSummary) -> dict[str, Any]:
    """The summary as a JSON-ready dict."""
    budgets = summary.budgets
    return {
        "schema_version": FLEET_SCHEMA_VERSION,
        "shard": None
        if summary.shard is None
        else {"index": summary.shard[0], "count": summary.shard[1]},
        "images": summary.images,
        "unreadable": len(summary.unreadable),
        "size_bytes": summary.size_bytes,
        "unique_bytes": summary.unique_bytes,
        "shared_bytes": summary.shared_bytes,
        "compressed_size_bytes": summary.compressed_size_bytes,
        "unique_compressed_bytes": summary.unique_compressed_bytes,
        "compressed_images": summary.compressed_images,
        "final_size_bytes": summary.final_size_bytes,
        "wasted_bytes": summary.wasted_bytes,
        "layers": [
            {
                "diff_id": layer.diff_id,
                "size_bytes": layer.size_bytes,
                "compressed_size_bytes": layer.compressed_size_bytes,
                "images": layer.images,
                "refs": list(layer.refs),
                "created_by": layer.created_by,
            }
            for layer in summary.layers
        ],
        "shared_bases": [
            {
                "layers": base.layers,
                "diff_id": base.diff_id,
                "created_by": base.created_by,
                "size_bytes": base.size_bytes,
                "images": base.images,
                "saved_bytes": base.saved_bytes,
                "refs": list(base.refs),
            }
            for base in summary.shared_bases
        ],
        "unshared_images": list(summary.unshared),
        "biggest_wasters": [
            {
                "reference": waster.reference,
                "size_bytes": waster.size_bytes,
                "wasted_bytes": waster.wasted_bytes,
                "wasted_percent": waster.wasted_percent,
                "top_waste": waster.top_waste,
                "top_waste_bytes": waster.top_waste_bytes,
            }
            for waster in summary.biggest_wasters
        ],
        "savings": [
            {
                "advice": saving.id,
                "title": saving.title,
                "fix": saving.fix,
                "size_bytes": saving.size_bytes,
                "files": saving.files,
                "images": saving.images,
                "refs": list(saving.refs),
            }
            for saving in summary.savings
        ],
        "budgets": None
        if budgets is None
        else {
            "checked": budgets.checked,
            "passed": budgets.passed,
            "warned": budgets.warned,
            "failed": budgets.failed,
            "images": [
                {
                    "reference": outcome.reference,
                    "status": outcome.status,
                    "rules": [_rule(rule) for rule in outcome.rules],
                }
                for outcome in budgets.outcomes
            ],
        },
        "errors": [
            {
                "reference": error.reference,
                "refs": list(error.refs),
                "error": error.error,
                "hint": error.hint,
                "exit_code": error.exit_code,
            }
            for error in summary.unreadable
        ],
        "exit_code": int(summary.exit_code),
    }


def format_fleet_json(summary: FleetSummary) -> str:
    """The summary as indented JSON."""
    return json.dumps(summary_data(summary), indent=2, ensure_ascii=False) + "\n"
