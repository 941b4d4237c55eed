"""The GitHub Action (``action.yml``): its ``run`` steps executed as a runner executes them,
on real images, with real ``GITHUB_OUTPUT`` and ``GITHUB_STEP_SUMMARY`` files.

The install step really installs this checkout into a fresh virtual environment (its
dependencies come from PyPI, hence the ``install`` marker); the module shares one
``RUNNER_TEMP``, so the action's own reuse of that environment saves the later runs the
install. The comment step talks to a local stub of GitHub's REST API.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from auger.testing.images import ImageSpec, LayerSpec, file, layer_tar
from tests.action.github_stub import PERSON, GitHubState, github_api
from tests.action.runner import ActionRun, Runner, load, run_scripts
from tests.report.support import (
    ATTRIBUTED_DOCKERFILE,
    BUDGETS_YAML,
    attributed_image,
    base_image,
    head_image,
    write_archive,
)
from tests.support import NO_ENGINE, run_cli

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
REPOSITORY = "octo/app"
TOKEN = "ghs_test-token-0123456789"

pytestmark = pytest.mark.install


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RUNNER_TEMP for the module: the action installs auger there once."""
    return tmp_path_factory.mktemp("runner-temp")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout with the images and the budgets of the report tests."""
    directory = tmp_path / "workspace"
    directory.mkdir()
    write_archive(directory, "head.tar", head_image())
    write_archive(directory, "base.tar", base_image())
    (directory / "budgets.yaml").write_text(BUDGETS_YAML, encoding="utf-8")
    return directory


def runner(
    workspace: Path, runner_temp: Path, *, api: str = "http://127.0.0.1:9", pr: int | None = 7
) -> Runner:
    event: dict[str, Any] = {"pull_request": {"number": pr}} if pr is not None else {}
    environ = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(runner_temp / "home"),
        "GITHUB_API_URL": api,
        "GITHUB_REPOSITORY": REPOSITORY,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        **NO_ENGINE,
    }
    for name in ("PIP_CERT", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "SSL_CERT_FILE"):
        if name in os.environ:  # how this machine reaches PyPI
            environ[name] = os.environ[name]
    python = shutil.which("python3")
    assert python is not None
    environ["PATH"] = f"{Path(python).parent}:{environ['PATH']}"
    return Runner(
        ACTION,
        workspace=workspace,
        runner_temp=runner_temp,
        github={"token": TOKEN, "event": event},
        environ=environ,
    )


def succeeded(run: ActionRun) -> None:
    failed = run.failed
    assert failed is None, f"step {failed.id} exited {failed.code}:\n{failed.output}"


def report_json(workspace: Path, *args: str) -> dict[str, Any]:
    result = run_cli(["report", str(workspace / "head.tar"), *args, "--format", "json"])
    assert result.code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# -- the action file -------------------------------------------------------------------------------


def test_inputs_reach_the_scripts_only_through_the_environment() -> None:
    """No ``${{ }}`` inside a script: an input can never be spliced into shell code."""
    scripts = run_scripts(load(ACTION))
    assert len(scripts) >= 4
    assert [script for script in scripts if "${{" in script] == []


def test_the_action_declares_what_it_is_documented_to() -> None:
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {
        "image",
        "budgets",
        "dive-ci",
        "baseline",
        "dockerfile",
        "comment",
        "html-artifact",
        "fail-on",
    }
    assert set(action["outputs"]) >= {"verdict", "size", "wasted-bytes", "efficiency", "report"}
    uses = [step["uses"] for step in action["runs"]["steps"] if "uses" in step]
    assert all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", use) for use in uses), uses


def workflow_steps(path: Path) -> list[dict[str, Any]]:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


@pytest.mark.parametrize(
    "workflow",
    [ROOT / ".github" / "examples" / "auger-report.yml", ROOT / ".github" / "workflows" / "ci.yml"],
    ids=lambda path: path.name,
)
def test_the_workflows_use_the_action_with_its_inputs(workflow: Path) -> None:
    inputs = set(load(ACTION)["inputs"])
    uses = [
        step for step in workflow_steps(workflow) if step.get("uses") in ("./", "OWNER/auger@v1")
    ]
    assert uses, f"{workflow.name} does not use the action"
    for step in uses:
        assert set(step["with"]) <= inputs
        assert "image" in step["with"]


def test_the_example_pins_every_other_action_by_commit() -> None:
    steps = workflow_steps(ROOT / ".github" / "examples" / "auger-report.yml")
    steps += workflow_steps(ROOT / ".github" / "examples" / "auger-comment.yml")
    others = [step["uses"] for step in steps if "uses" in step and "auger" not in step["uses"]]
    assert others
    assert all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", use) for use in others), others


def test_the_action_as_a_workflow_keeps_every_input_output_and_step() -> None:
    """What actionlint checks (make workflows) is the action's own steps."""
    action = load(ACTION)
    script = ROOT / "scripts" / "action_as_workflow.py"
    printed = subprocess.run(
        [sys.executable, str(script), str(ACTION)], capture_output=True, text=True, check=True
    )
    workflow = yaml.safe_load(printed.stdout)
    call = workflow["on"]["workflow_call"]
    assert set(call["inputs"]) == set(action["inputs"])
    assert set(call["outputs"]) == set(action["outputs"])
    assert workflow["jobs"]["action"]["steps"][1:] == action["runs"]["steps"]


# -- running it ------------------------------------------------------------------------------------


def test_a_failing_image_fails_the_step_with_every_output_set(
    workspace: Path, runner_temp: Path
) -> None:
    run = runner(workspace, runner_temp).run({"image": "head.tar", "baseline": "base.tar"})
    failed = run.failed
    assert failed is not None and failed.name == "Pass or fail on the verdict"
    assert "the budgets say fail (fail-on: fail)" in failed.output
    expected = report_json(workspace, "--baseline", str(workspace / "base.tar"))["image"]
    outputs = run.outputs
    assert outputs["verdict"] == "fail"
    assert outputs["size"] == str(expected["sizeBytes"]) == "24571"
    assert outputs["wasted-bytes"] == str(expected["wastedBytes"])
    assert float(outputs["efficiency"]) == pytest.approx(expected["efficiency"])
    report = Path(outputs["report"])
    assert report.is_file()
    markdown = report.read_text(encoding="utf-8")
    assert markdown.startswith("<!-- auger-report -->\n")
    assert "+11.0 kB" in markdown, "the baseline's delta"
    assert run.summary == markdown, "the report, once, is the step summary"
    assert run.summary.count("### auger budgets") == 1
    analyse = run.step("analyse").output
    assert re.search(r"^::error file=budgets.yaml,line=\d+,title=", analyse, re.MULTILINE)
    assert "FAIL: 2 failed" in analyse, "the verdict's table is in the log"


@pytest.mark.parametrize(
    ("fail_on", "budgets", "verdict", "passes"),
    [
        ("never", BUDGETS_YAML, "fail", True),
        ("fail", "version: 1\nimage:\n  max_size: {fail: 1MB, warn: 1kB}\n", "warn", True),
        ("warn", "version: 1\nimage:\n  max_size: {fail: 1MB, warn: 1kB}\n", "warn", False),
        ("warn", "version: 1\nimage:\n  max_size: 1MB\n", "pass", True),
    ],
)
def test_fail_on(
    fail_on: str, budgets: str, verdict: str, passes: bool, *, workspace: Path, runner_temp: Path
) -> None:
    (workspace / "gate.yaml").write_text(budgets, encoding="utf-8")
    run = runner(workspace, runner_temp).run(
        {"image": "head.tar", "budgets": "gate.yaml", "fail-on": fail_on}
    )
    assert run.outputs["verdict"] == verdict
    assert (run.failed is None) is passes


def test_an_unknown_fail_on_stops_before_any_analysis(workspace: Path, runner_temp: Path) -> None:
    run = runner(workspace, runner_temp).run({"image": "head.tar", "fail-on": "sometimes"})
    failed = run.failed
    assert failed is not None and failed.id == "analyse"
    assert failed.code == 2
    assert "fail-on is fail, warn or never, not 'sometimes'" in failed.output


def test_an_image_that_cannot_be_read_fails_with_auger_s_message(
    workspace: Path, runner_temp: Path
) -> None:
    run = runner(workspace, runner_temp).run({"image": "missing.tar"})
    failed = run.failed
    assert failed is not None and failed.id == "analyse"
    assert failed.code == 3
    assert "auger: error: " in failed.output
    assert "could not check the image (exit 3)" in failed.output


def test_a_dive_ci_file_and_sarif(workspace: Path, runner_temp: Path) -> None:
    (workspace / "budgets.yaml").unlink()
    (workspace / "ci").mkdir()
    (workspace / "ci" / ".dive-ci").write_text("rules:\n  lowestEfficiency: 0.99\n")
    run = runner(workspace, runner_temp).run(
        {"image": "head.tar", "dive-ci": "ci/.dive-ci", "sarif": "auger.sarif", "fail-on": "never"}
    )
    succeeded(run)
    assert run.outputs["verdict"] == "fail"
    assert run.outputs["sarif"] == "auger.sarif"
    log = json.loads((workspace / "auger.sarif").read_text(encoding="utf-8"))
    results = log["runs"][0]["results"]
    efficiency = [r for r in results if r["ruleId"] == "budget/image.min_efficiency"]
    location = efficiency[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "ci/.dive-ci"
    assert location["region"]["startLine"] == 2


def test_html_is_used_when_this_auger_offers_it(workspace: Path, runner_temp: Path) -> None:
    run = runner(workspace, runner_temp).run(
        {"image": "head.tar", "html-artifact": "auger-html", "fail-on": "never"}
    )
    succeeded(run)
    upload = run.step("html")
    assert upload.uses is not None and upload.uses.startswith("actions/upload-artifact@")
    offers_html = "html" in run_cli(["report", "--help"]).stdout.split("--format")[1][:80]
    if offers_html:
        assert upload.ran and upload.with_["name"] == "auger-html"
        assert Path(upload.with_["path"]).is_file()
    else:
        assert not upload.ran
        assert "this auger has no HTML report" in run.log


def test_the_dockerfile_puts_annotations_and_sarif_on_its_lines(
    workspace: Path, runner_temp: Path
) -> None:
    write_archive(workspace, "attributed.tar", attributed_image())
    (workspace / "ci").mkdir()
    (workspace / "ci" / "Dockerfile").write_text(ATTRIBUTED_DOCKERFILE, encoding="utf-8")
    (workspace / "budgets.yaml").write_text(
        "version: 1\nlayers:\n  max_size: 30kB\n", encoding="utf-8"
    )
    run = runner(workspace, runner_temp).run(
        {
            "image": "attributed.tar",
            "dockerfile": "ci/Dockerfile",
            "sarif": "auger.sarif",
            "fail-on": "never",
        }
    )
    succeeded(run)
    assert run.outputs["verdict"] == "fail"
    apt = 1 + ATTRIBUTED_DOCKERFILE.splitlines().index("RUN apt-get update \\")
    analyse = run.step("analyse").output
    assert re.search(rf"^::error file=ci/Dockerfile,line={apt},title=", analyse, re.MULTILINE)
    assert re.search(rf"^::warning file=ci/Dockerfile,line={apt},title=DL3009::", analyse, re.M)
    log = json.loads((workspace / "auger.sarif").read_text(encoding="utf-8"))
    places = {
        (result["ruleId"], location["artifactLocation"]["uri"], location["region"]["startLine"])
        for result in log["runs"][0]["results"]
        for location in [result["locations"][0]["physicalLocation"]]
    }
    assert ("budget/layers.max_size", "ci/Dockerfile", apt) in places
    assert ("DL3009", "ci/Dockerfile", apt) in places
    report = Path(run.outputs["report"]).read_text(encoding="utf-8")
    assert "`ci/Dockerfile:3`" in report, "the report names each layer's line"


# -- the sticky comment ----------------------------------------------------------------------------


@pytest.fixture
def api() -> Iterator[tuple[str, GitHubState]]:
    with github_api(REPOSITORY, TOKEN) as found:
        yield found


def bot_comments(state: GitHubState, number: int) -> list[dict[str, Any]]:
    return [c for c in state.comments.get(number, []) if c["user"]["type"] == "Bot"]


def test_the_comment_is_created_then_updated_in_place(
    workspace: Path, runner_temp: Path, api: tuple[str, GitHubState]
) -> None:
    url, state = api
    for index in range(150):  # more than a page of other people's comments
        state.add(7, f"comment {index}", PERSON)
    quoted = state.add(7, "<!-- auger-report -->\nquoted by a person", PERSON)
    state.add(7, "> <!-- auger-report -->\nnot at the start", PERSON)
    inputs = {"image": "head.tar", "comment": "true", "fail-on": "never"}

    first = runner(workspace, runner_temp, api=url).run(inputs)
    succeeded(first)
    (created,) = bot_comments(state, 7)
    report = Path(first.outputs["report"]).read_text(encoding="utf-8")
    assert created["body"] == report
    assert first.outputs["comment-url"] == created["html_url"]
    assert ("PATCH", f"/repos/{REPOSITORY}/issues/comments/{quoted['id']}") in state.requests
    assert quoted["body"] == "<!-- auger-report -->\nquoted by a person", "not ours: refused"

    second = runner(workspace, runner_temp, api=url).run({**inputs, "baseline": "base.tar"})
    succeeded(second)
    (updated,) = bot_comments(state, 7)
    assert updated["id"] == created["id"]
    assert "+11.0 kB" not in report
    assert "+11.0 kB" in updated["body"], "the update compares with the baseline"
    assert updated["body"] == Path(second.outputs["report"]).read_text(encoding="utf-8")
    pages = [path for method, path in state.requests if method == "GET"]
    assert any("page=2" in path for path in pages), "the comments were read page by page"
    assert len(state.comments[7]) == 153, "nothing else was created or deleted"

    other = runner(workspace, runner_temp, api=url).run({**inputs, "marker": "base image"})
    succeeded(other)
    bodies = [c["body"].split("\n", 1)[0] for c in bot_comments(state, 7)]
    assert bodies == ["<!-- auger-report -->", "<!-- auger-report:base_image -->"]


def test_no_comment_unless_asked_or_outside_a_pull_request(
    workspace: Path, runner_temp: Path, api: tuple[str, GitHubState]
) -> None:
    url, state = api
    run = runner(workspace, runner_temp, api=url).run({"image": "head.tar", "fail-on": "never"})
    succeeded(run)
    outside = runner(workspace, runner_temp, api=url, pr=None).run(
        {"image": "head.tar", "fail-on": "never", "comment": "true"}
    )
    succeeded(outside)
    assert "not a pull request: no comment posted" in outside.log
    assert state.requests == []


def test_a_rejected_token_fails_the_comment_step(
    workspace: Path, runner_temp: Path, api: tuple[str, GitHubState]
) -> None:
    url, state = api
    state.token = "another-token"
    run = runner(workspace, runner_temp, api=url).run(
        {"image": "head.tar", "comment": "true", "fail-on": "never"}
    )
    failed = run.failed
    assert failed is not None and failed.id == "comment"
    assert "::error title=auger::cannot comment: GitHub answered 401" in failed.output
    assert TOKEN not in run.log


def test_the_action_installs_this_checkout(workspace: Path, runner_temp: Path) -> None:
    run = runner(workspace, runner_temp).run({"image": "head.tar", "fail-on": "never"})
    succeeded(run)
    installed = Path(run.step("install").outputs["auger"])
    assert installed.is_file()
    assert str(installed).startswith(str(runner_temp))
    from auger import __version__  # noqa: PLC0415

    assert f"auger {__version__}" in run.step("install").output
    spec = ImageSpec([LayerSpec(layer_tar([file("x", 3)]), "COPY x /")], tag="tiny:1")
    write_archive(workspace, "tiny.tar", spec)
    again = runner(workspace, runner_temp).run({"image": "tiny.tar", "fail-on": "never"})
    succeeded(again)
    assert again.outputs["size"] == "3"


# -- the link to the HTML report ------------------------------------------------------------------


def comment_script() -> Any:
    """``action/comment.py``, imported as a module."""
    path = ROOT / "action" / "comment.py"
    spec = importlib.util.spec_from_file_location("auger_action_comment", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_comment_links_the_html_report_when_it_fits() -> None:
    comment = comment_script()
    url = "https://github.com/o/r/actions/runs/1/artifacts/2"
    body = "<!-- auger-report -->\n## auger: app\n"
    linked = comment.with_link(body, url)
    assert linked.startswith(body) and linked.endswith("open it offline).\n")
    assert f"[The HTML report]({url})" in linked
    assert comment.with_link(body, "") == body
    for hostile in ("javascript:alert(1)", "https://x/a) [b](https://y", "http://plain"):
        assert comment.with_link(body, hostile) == body
    full = "<!-- auger-report -->\n" + "x" * (comment.LIMIT - 40)
    assert comment.with_link(full, url) == full
