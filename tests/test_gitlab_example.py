"""``examples/gitlab/.gitlab-ci.yml``: its auger command lines run as written, on real images,
and write the files its ``artifacts:reports`` hand to GitLab, in the formats GitLab reads."""

from __future__ import annotations

import json
import shlex
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.report.support import (
    ATTRIBUTED_DOCKERFILE,
    CODE_QUALITY_SCHEMA,
    attributed_image,
    head_image,
    write_archive,
)
from tests.support import run_cli

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "gitlab" / ".gitlab-ci.yml"
IMAGES = {'"app:$CI_COMMIT_SHORT_SHA"': "head.tar", "app:baseline": "base.tar"}
"""The example's images, as the tests write them."""


def job() -> dict[str, Any]:
    pipeline = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    found: dict[str, Any] = pipeline["image-budgets"]
    return found


def auger_lines() -> list[str]:
    return [line for line in job()["script"] if line.startswith("auger ")]


def test_the_job_runs_in_merge_requests_and_keeps_its_reports() -> None:
    spec = job()
    assert spec["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
    assert spec["artifacts"]["when"] == "always", "the reports of a failed gate too"
    outputs = {shlex.split(line)[shlex.split(line).index("-o") + 1] for line in auger_lines()}
    reports = spec["artifacts"]["reports"]
    assert {reports["codequality"], reports["junit"], *spec["artifacts"]["paths"]} == outputs
    assert "pip install auger" not in " ".join(spec["before_script"]), "not published yet"


def test_its_commands_write_what_gitlab_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_archive(tmp_path, "head.tar", attributed_image())
    write_archive(tmp_path, "base.tar", head_image())
    (tmp_path / "Dockerfile").write_text(ATTRIBUTED_DOCKERFILE, encoding="utf-8")
    (tmp_path / "budgets.yaml").write_text(
        "version: 1\nlayers:\n  max_size: 30kB\ngrowth:\n  max_size_increase: 1MB\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    codes = []
    for line in auger_lines():
        for written, local in IMAGES.items():
            line = line.replace(written, local)
        assert "$" not in line, line
        result = run_cli(shlex.split(line)[1:])
        assert "error" not in result.stderr, result.stderr
        codes.append(result.code)
    assert codes == [0, 0, 1], "reports first; the gate fails the job last"

    issues = json.loads((tmp_path / job()["artifacts"]["reports"]["codequality"]).read_text())
    jsonschema.Draft202012Validator(CODE_QUALITY_SCHEMA).validate(issues)
    apt = 1 + ATTRIBUTED_DOCKERFILE.splitlines().index("RUN apt-get update \\")
    on_lines = {(issue["check_name"], issue["location"]["lines"]["begin"]) for issue in issues}
    assert ("auger:budget/layers.max_size", apt) in on_lines
    assert ("auger:DL3009", apt) in on_lines
    assert {issue["location"]["path"] for issue in issues} == {"Dockerfile"}

    junit = ET.parse(tmp_path / job()["artifacts"]["reports"]["junit"]).getroot()
    assert junit.find(".//failure") is not None
    report = (tmp_path / "auger-report.md").read_text(encoding="utf-8")
    assert report.startswith("<!-- auger-report -->")
    assert "`Dockerfile:3`" in report
