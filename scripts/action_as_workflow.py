"""Print a composite action (``action.yml``) as a reusable workflow, for actionlint.

actionlint checks workflows, not action metadata. A composite action's steps are job steps
with ``inputs.*`` and ``github.action_path`` in reach, which is what a ``workflow_call``
workflow with the same string inputs offers; so its ``${{ }}`` expressions, step ids, step
outputs and pinned actions are checked as the workflow's. Usage:
``python3 scripts/action_as_workflow.py action.yml > action-as-workflow.yml``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml


def as_workflow(action: dict[str, Any]) -> dict[str, Any]:
    """The reusable workflow that runs ``action``'s steps in one job."""
    inputs: dict[str, dict[str, Any]] = {
        name: {
            "description": str(spec.get("description", name)),
            "required": bool(spec.get("required", False)),
            "type": "string",
            **({"default": str(spec["default"])} if "default" in spec else {}),
        }
        for name, spec in action.get("inputs", {}).items()
    }
    # a workflow_call input's default cannot be an expression; the job gets it from github
    for spec in inputs.values():
        if "${{" in spec.get("default", ""):
            del spec["default"]
    outputs = {
        name: {
            "description": str(spec.get("description", name)),
            "value": f"${{{{ jobs.action.outputs.{name} }}}}",
        }
        for name, spec in action.get("outputs", {}).items()
    }
    job_outputs = {name: spec["value"] for name, spec in action.get("outputs", {}).items()}
    steps = [{"uses": "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"}]
    steps += action["runs"]["steps"]
    return {
        "name": str(action.get("name", "action")),
        "on": {"workflow_call": {"inputs": inputs, "outputs": outputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "outputs": job_outputs, "steps": steps}},
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: action_as_workflow.py ACTION_YML", file=sys.stderr)
        return 2
    action = yaml.safe_load(Path(argv[0]).read_text(encoding="utf-8"))
    sys.stdout.write(yaml.safe_dump(as_workflow(action), sort_keys=False, width=100))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
