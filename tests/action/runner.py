"""A small runner for a composite action's steps, as GitHub's runner executes them.

Each ``run`` step is written to a file and run with ``bash --noprofile --norc -eo pipefail``
(what ``shell: bash`` means on a runner) in the workspace, with the runner's environment: a
fresh ``GITHUB_OUTPUT`` and ``GITHUB_STEP_SUMMARY`` file per step, ``RUNNER_TEMP``,
``GITHUB_ACTIONS=true``... The ``${{ }}`` expressions the action uses are substituted from its
inputs (with their defaults), the ``github`` context and earlier steps' outputs; any other
expression is an error, so the action cannot use one this runner does not understand. A
``uses`` step is not run (its action is not here): its condition and ``with`` are evaluated and
recorded. The first failing step stops the run, as on a runner.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
COMPARISON = re.compile(r"^([\w.-]+)\s*(==|!=)\s*'([^']*)'$")


class ExpressionError(Exception):
    """The action uses an expression this runner does not evaluate."""


@dataclass
class StepRun:
    """What one step did."""

    id: str
    name: str
    ran: bool
    code: int = 0
    output: str = ""
    """stdout and stderr, interleaved as the log shows them."""
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    uses: str | None = None
    with_: dict[str, str] = field(default_factory=dict)


@dataclass
class ActionRun:
    """Every step that ran (or was skipped) and the action's outputs."""

    steps: list[StepRun]
    outputs: dict[str, str]

    @property
    def failed(self) -> StepRun | None:
        return next((step for step in self.steps if step.code != 0), None)

    @property
    def summary(self) -> str:
        return "".join(step.summary for step in self.steps)

    @property
    def log(self) -> str:
        return "".join(step.output for step in self.steps)

    def step(self, step_id: str) -> StepRun:
        return next(step for step in self.steps if step.id == step_id)


def load(action_file: Path) -> dict[str, Any]:
    action = yaml.safe_load(action_file.read_text(encoding="utf-8"))
    assert isinstance(action, dict)
    return action


def run_scripts(action: dict[str, Any]) -> list[str]:
    """The ``run`` scripts of a composite action."""
    return [step["run"] for step in action["runs"]["steps"] if "run" in step]


def parse_outputs(text: str) -> dict[str, str]:
    """A ``GITHUB_OUTPUT`` file: ``name=value`` lines and ``name<<DELIMITER`` blocks."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for more in lines:
                if more == delimiter:
                    break
                value.append(more)
            outputs[name] = "\n".join(value)
        elif "=" in line:
            name, value_text = line.split("=", 1)
            outputs[name] = value_text
    return outputs


class Runner:
    """Runs one action with given inputs and contexts."""

    def __init__(
        self,
        action_file: Path,
        *,
        workspace: Path,
        runner_temp: Path,
        github: Mapping[str, Any],
        environ: Mapping[str, str],
    ) -> None:
        self.action = load(action_file)
        self.action_path = action_file.parent
        self.workspace = workspace
        self.runner_temp = runner_temp
        self.github = {"action_path": str(self.action_path), **github}
        self.environ = dict(environ)

    def _context(self, path: str, inputs: dict[str, str], steps: dict[str, StepRun]) -> str:
        head, _, rest = path.partition(".")
        if head == "inputs":
            if rest not in inputs:
                raise ExpressionError(f"no input {rest!r}")
            return inputs[rest]
        if head == "steps":
            step_id, _, output = rest.partition(".outputs.")
            declared = [step.get("id") for step in self.action["runs"]["steps"]]
            if step_id not in declared:
                raise ExpressionError(f"no step {step_id!r}")
            found = steps.get(step_id)  # a step that did not run has no outputs
            return found.outputs.get(output, "") if found is not None else ""
        if head == "github":
            value: Any = self.github
            for key in rest.split("."):
                value = value.get(key) if isinstance(value, dict) else None
            return "" if value is None else str(value)
        raise ExpressionError(f"the runner does not evaluate {path!r}")

    def _evaluate(self, expression: str, inputs: dict[str, str], steps: dict[str, StepRun]) -> str:
        comparison = COMPARISON.match(expression)
        if comparison is not None:
            left = self._context(comparison[1], inputs, steps)
            equal = left == comparison[3]
            return "true" if equal == (comparison[2] == "==") else "false"
        if not re.fullmatch(r"[\w.-]+", expression):
            raise ExpressionError(f"the runner does not evaluate {expression!r}")
        return self._context(expression, inputs, steps)

    def substitute(self, text: str, inputs: dict[str, str], steps: dict[str, StepRun]) -> str:
        return EXPRESSION.sub(lambda match: self._evaluate(match[1], inputs, steps), str(text))

    def inputs(self, given: Mapping[str, str]) -> dict[str, str]:
        declared = self.action["inputs"]
        unknown = set(given) - set(declared)
        assert not unknown, f"the action has no input {sorted(unknown)}"
        values = {}
        for name, spec in declared.items():
            if name in given:
                values[name] = given[name]
            else:
                assert not spec.get("required"), f"input {name} is required"
                values[name] = str(spec.get("default", ""))
        # a default may be an expression (github.token)
        return {name: self.substitute(value, {}, {}) for name, value in values.items()}

    def run(self, given: Mapping[str, str]) -> ActionRun:
        inputs = self.inputs(given)
        steps: dict[str, StepRun] = {}
        runs: list[StepRun] = []
        for index, step in enumerate(self.action["runs"]["steps"]):
            step_id = step.get("id", f"step{index}")
            condition = step.get("if")
            if condition is not None:
                wanted = self.substitute(condition, inputs, steps) == "true"
            else:
                wanted = True
            if "uses" in step:
                done = StepRun(step_id, step.get("name", ""), ran=False, uses=step["uses"])
                done.with_ = {
                    key: self.substitute(value, inputs, steps)
                    for key, value in (step.get("with") or {}).items()
                }
                done.ran = wanted
            elif not wanted:
                done = StepRun(step_id, step.get("name", ""), ran=False)
            else:
                done = self._run_step(step, step_id, index, inputs, steps)
            steps[step_id] = done
            runs.append(done)
            if done.code != 0:
                break
        outputs = {
            name: self.substitute(spec["value"], inputs, steps)
            for name, spec in self.action.get("outputs", {}).items()
        }
        return ActionRun(runs, outputs)

    def _run_step(
        self,
        step: dict[str, Any],
        step_id: str,
        index: int,
        inputs: dict[str, str],
        steps: dict[str, StepRun],
    ) -> StepRun:
        assert step.get("shell") == "bash", "a composite run step names its shell"
        files = self.runner_temp / "_runner_file_commands" / f"{index}-{step_id}"
        files.mkdir(parents=True, exist_ok=True)
        output, summary = files / "output", files / "summary"
        output.write_text("")
        summary.write_text("")
        script = files / "script.sh"
        script.write_text(step["run"], encoding="utf-8")
        env = {
            **self.environ,
            "GITHUB_ACTIONS": "true",
            "CI": "true",
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_ENV": str(files / "env"),
            "GITHUB_PATH": str(files / "path"),
            "GITHUB_ACTION_PATH": str(self.action_path),
            "GITHUB_WORKSPACE": str(self.workspace),
            "RUNNER_TEMP": str(self.runner_temp),
        }
        for name, value in (step.get("env") or {}).items():
            env[name] = self.substitute(value, inputs, steps)
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=900,
            check=False,
        )
        return StepRun(
            step_id,
            step.get("name", ""),
            ran=True,
            code=done.returncode,
            output=done.stdout,
            outputs=parse_outputs(output.read_text(encoding="utf-8")),
            summary=summary.read_text(encoding="utf-8"),
        )
