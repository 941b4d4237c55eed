"""``--format sarif`` and ``--format codequality``: findings that GitHub code scanning and GitLab
merge requests show on their file and line.

SARIF is validated against the official SARIF 2.1.0 JSON Schema (vendored in
``tests/report/sarif/``, with its source), Code Quality against the fields GitLab documents as
required. Both are checked on real images, hostile names included, and their fingerprints
against a second run of a changed image.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auger.testing.images import ImageSpec, LayerSpec, file, layer_tar
from tests.report.support import (
    ATTRIBUTED_DOCKERFILE,
    BUDGETS_YAML,
    CODE_QUALITY_SCHEMA,
    HOSTILE,
    attributed_image,
    control_characters,
    head_image,
    hostile_layers,
    write_archive,
)
from tests.support import run_cli

SARIF_SCHEMA_FILE = Path(__file__).parent / "sarif" / "sarif-2.1.0-rtm.5.json"
SARIF_SCHEMA_SHA256 = "2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8"


BUDGETS = """\
version: 1
image:
  max_size: {fail: 100kB, warn: 20kB}
  max_layers: 3
  max_wasted_percent: 10%
  min_efficiency: 0.5
paths:
  - glob: /var/lib/apt/lists/**
    max_size: 0
  - glob: "**/.git/**"
    max_size: 0
  - glob: /var/lib/apt/lists/**
    max_size: 10
"""
"""A warned size, a failed layer count, waste and paths (one glob given twice), a passing
efficiency."""


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[occurrence - 1]


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SARIF_SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("findings")
    write_archive(directory, "head.tar", head_image())
    hostile = ImageSpec(hostile_layers(list(HOSTILE.values())), tag="evil:<b>\x1b[31m|`x`")
    write_archive(directory, "hostile.tar", hostile)
    (directory / "budgets.yaml").write_text(BUDGETS, encoding="utf-8")
    return directory


def run_json(argv: list[str], directory: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(directory)
    result = run_cli(argv)
    assert result.code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_the_vendored_sarif_schema_is_the_one_named_in_its_readme() -> None:
    digest = hashlib.sha256(SARIF_SCHEMA_FILE.read_bytes()).hexdigest()
    assert digest == SARIF_SCHEMA_SHA256
    assert SARIF_SCHEMA_SHA256 in (SARIF_SCHEMA_FILE.parent / "README.md").read_text()


def test_the_sarif_validation_catches_an_invalid_log(
    sarif_validator: jsonschema.Draft4Validator,
) -> None:
    assert sarif_validator.is_valid({"version": "2.1.0", "runs": []})
    assert not sarif_validator.is_valid({"version": "2.1.0", "runs": [{"results": []}]})
    assert not sarif_validator.is_valid({"version": "2.0.0", "runs": []})


COMMANDS = [
    ["check", "head.tar", "--format"],
    ["report", "head.tar", "--format"],
    ["check", "hostile.tar", "--format"],
    ["report", "hostile.tar", "--format"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda argv: " ".join(argv[:2]))
def test_sarif_validates_against_the_official_schema(
    argv: list[str],
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    sarif_validator: jsonschema.Draft4Validator,
) -> None:
    log = run_json([*argv, "sarif"], workdir, monkeypatch)
    errors = [f"{list(error.path)}: {error.message}" for error in sarif_validator.iter_errors(log)]
    assert errors == []
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["results"], "the images break budgets"
    for result in run["results"]:  # what GitHub code scanning needs beyond the schema
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["region"]["startLine"] >= 1
        assert not physical["artifactLocation"]["uri"].startswith("/")
        assert re.fullmatch(r"[0-9a-f]{64}", result["partialFingerprints"]["augerFinding/v1"])
        assert control_characters(result["message"]["text"]) == []
    assert len({rule["id"] for rule in rules}) == len(rules)
    assert re.fullmatch(r"auger/[A-Za-z0-9._/-]+/", run["automationDetails"]["id"])


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda argv: " ".join(argv[:2]))
def test_code_quality_has_what_gitlab_requires(
    argv: list[str], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    issues = run_json([*argv, "codequality"], workdir, monkeypatch)
    jsonschema.Draft202012Validator(CODE_QUALITY_SCHEMA).validate(issues)
    assert issues
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints), "GitLab keeps one issue per fingerprint"
    assert all(control_characters(issue["description"]) == [] for issue in issues)


def test_budgets_are_found_on_the_lines_that_set_them(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = run_json(["check", "head.tar", "--format", "sarif"], workdir, monkeypatch)
    results = log["runs"][0]["results"]
    found = [
        (
            result["ruleId"],
            result["level"],
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for result in results
    ]
    assert found == [  # failures first, then warnings; the passing efficiency is no finding
        ("budget/image.max_layers", "error", "budgets.yaml", line_of(BUDGETS, "max_layers")),
        ("budget/image.max_wasted_percent", "error", "budgets.yaml", line_of(BUDGETS, "10%")),
        ("budget/paths", "error", "budgets.yaml", line_of(BUDGETS, "max_size: 0", 1)),
        ("budget/paths", "error", "budgets.yaml", line_of(BUDGETS, "max_size: 0", 2)),
        ("budget/paths", "error", "budgets.yaml", line_of(BUDGETS, "max_size: 10")),
        ("budget/image.max_size", "warning", "budgets.yaml", line_of(BUDGETS, "100kB")),
    ]
    fingerprints = [result["partialFingerprints"]["augerFinding/v1"] for result in results]
    assert len(set(fingerprints)) == len(fingerprints), "one glob twice, two fingerprints"


def test_the_report_adds_advice_on_the_dockerfile(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    issues = run_json(["report", "head.tar", "--format", "codequality"], workdir, monkeypatch)
    advice = {issue["check_name"]: issue for issue in issues if "/" not in issue["check_name"]}
    assert {"auger:DL3009", "auger:DL3042", "auger:AUG009"} <= set(advice)
    assert advice["auger:DL3009"]["location"] == {"path": "Dockerfile", "lines": {"begin": 1}}
    assert advice["auger:DL3009"]["severity"] == "minor"
    assert (
        "apt package lists left in the image: 4.0 kB in 1 file"
        in (advice["auger:DL3009"]["description"])
    )
    budgets = [issue for issue in issues if "budget/" in issue["check_name"]]
    assert {issue["severity"] for issue in budgets} == {"major", "minor"}


ATTRIBUTED_BUDGETS = """\
version: 1
image:
  max_size: 1MB
layers:
  max_size: {fail: 30kB, warn: 20kB}
"""
"""A layer budget the gcc layer fails and the npm layer warns."""


@pytest.fixture(scope="module")
def attributed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The attribution tests' image, its Dockerfile in ci/, and a layer budget."""
    directory = tmp_path_factory.mktemp("attributed")
    write_archive(directory, "attributed.tar", attributed_image())
    (directory / "ci").mkdir()
    (directory / "ci" / "Dockerfile").write_text(ATTRIBUTED_DOCKERFILE, encoding="utf-8")
    (directory / "budgets.yaml").write_text(ATTRIBUTED_BUDGETS, encoding="utf-8")
    return directory


def sarif_places(log: Any) -> list[tuple[str, str, str, int]]:
    return [
        (
            result["ruleId"],
            result["level"],
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for result in log["runs"][0]["results"]
    ]


@pytest.mark.parametrize("command", ["check", "report"])
def test_with_the_dockerfile_findings_are_on_its_lines(
    command: str,
    attributed: Path,
    monkeypatch: pytest.MonkeyPatch,
    sarif_validator: jsonschema.Draft4Validator,
) -> None:
    argv = [command, "attributed.tar", "--dockerfile", "ci/Dockerfile", "--format"]
    log = run_json([*argv, "sarif"], attributed, monkeypatch)
    assert [error.message for error in sarif_validator.iter_errors(log)] == []
    places = sarif_places(log)
    run_line = line_of(ATTRIBUTED_DOCKERFILE, "RUN apt-get")
    npm_line = line_of(ATTRIBUTED_DOCKERFILE, "RUN npm ci")
    assert places[:2] == [
        ("budget/layers.max_size", "error", "ci/Dockerfile", run_line),
        ("budget/layers.max_size", "warning", "ci/Dockerfile", npm_line),
    ]
    advice = {rule: (uri, line) for rule, _, uri, line in places[2:]}
    assert advice["DL3009"] == ("ci/Dockerfile", run_line)
    assert advice["AUG008"] == ("ci/Dockerfile", run_line), "the build toolchain"
    assert advice["AUG002"] == ("ci/Dockerfile", npm_line), "development dependencies"
    assert all(uri == "ci/Dockerfile" for uri, _ in advice.values())
    texts = {r["ruleId"]: r["message"]["text"] for r in log["runs"][0]["results"]}
    assert "packages: gcc-12, make" in texts["AUG008"]
    first = log["runs"][0]["results"][0]["message"]["text"]
    assert first.startswith("layer 1 is 41.7 kB, limit at most 30 kB, warn above 20 kB")
    assert first.endswith("(RUN apt-get update && apt-get install -y gcc-12 make)")

    issues = run_json([*argv, "codequality"], attributed, monkeypatch)
    jsonschema.Draft202012Validator(CODE_QUALITY_SCHEMA).validate(issues)
    located = [
        (issue["check_name"], issue["location"]["path"], issue["location"]["lines"]["begin"])
        for issue in issues
    ]
    assert [(rule, uri, line) for rule, _, uri, line in places] == [
        (name.removeprefix("auger:"), path, line) for name, path, line in located
    ]


def test_the_dockerfile_lines_leave_the_fingerprints_alone(
    attributed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line moved by an edit above it is the same finding."""
    argv = ["report", "attributed.tar", "--dockerfile", "ci/Dockerfile", "--format", "sarif"]
    before = run_json(argv, attributed, monkeypatch)
    moved = attributed / "moved"
    moved.mkdir()
    (moved / "Dockerfile").write_text("# a comment\n\n" + ATTRIBUTED_DOCKERFILE)
    try:
        after = run_json(
            [*argv[:2], "--dockerfile", "moved/Dockerfile", *argv[4:]], attributed, monkeypatch
        )
    finally:
        (moved / "Dockerfile").unlink()
        moved.rmdir()
    lines = [line for *_, line in sarif_places(after)]
    assert lines == [line + 2 for *_, line in sarif_places(before)]

    def prints(log: Any) -> list[str]:
        return [r["partialFingerprints"]["augerFinding/v1"] for r in log["runs"][0]["results"]]

    assert len(set(prints(before))) == len(prints(before))
    assert set(prints(before)).isdisjoint(prints(after)), "the file is part of the identity"


def test_without_findings_the_outputs_are_empty(tmp_path: Path) -> None:
    lean = ImageSpec([LayerSpec(layer_tar([file("app", 10)]), "COPY app /")], tag="lean:1")
    archive = write_archive(tmp_path, "lean.tar", lean)
    budgets = tmp_path / "ok.yaml"
    budgets.write_text("version: 1\nimage:\n  max_size: 1MB\n", encoding="utf-8")
    result = run_cli(["check", str(archive), "--budgets", str(budgets), "--format", "sarif"])
    assert result.code == 0
    assert json.loads(result.stdout)["runs"][0]["results"] == []
    result = run_cli(["check", str(archive), "--budgets", str(budgets), "--format", "codequality"])
    assert (result.code, json.loads(result.stdout)) == (0, [])


def _fingerprints(directory: Path, image: str, budgets: str) -> dict[str, str]:
    """check_name + description's first words -> fingerprint, for ``image`` and ``budgets``."""
    (directory / "budgets.yaml").write_text(budgets, encoding="utf-8")
    result = run_cli(["report", image, "--format", "codequality"])
    return {
        f"{issue['check_name']} {issue['location']['lines']['begin']}": issue["fingerprint"]
        for issue in json.loads(result.stdout)
    }


def test_fingerprints_survive_a_new_tag_new_sizes_and_moved_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    first = ImageSpec([LayerSpec(layer_tar([file("var/lib/apt/lists/a", 400)]), "RUN x")])
    second = ImageSpec(
        [LayerSpec(layer_tar([file("var/lib/apt/lists/a", 900)]), "RUN y")], tag="app:2"
    )
    write_archive(tmp_path, "one.tar", ImageSpec(first.layers, tag="app:1"))
    write_archive(tmp_path, "two.tar", second)
    before = _fingerprints(tmp_path, "one.tar", BUDGETS)
    after = _fingerprints(tmp_path, "two.tar", "# a comment moves every line\n\n" + BUDGETS)
    assert len(before) == len(after) >= 3
    assert sorted(before.values()) == sorted(after.values())
    other = ImageSpec(first.layers, tag="other:1")
    write_archive(tmp_path, "other.tar", other)
    elsewhere = _fingerprints(tmp_path, "other.tar", BUDGETS)
    assert not set(elsewhere.values()) & set(before.values()), "another image, other findings"


def test_a_budgets_file_named_by_an_odd_path_is_a_valid_uri(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = workdir / "ci budgets#1.yaml"
    odd.write_text(BUDGETS, encoding="utf-8")
    monkeypatch.chdir(workdir)
    result = run_cli(["check", "head.tar", "--budgets", "./ci budgets#1.yaml", "--format", "sarif"])
    uris = {
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in json.loads(result.stdout)["runs"][0]["results"]
    }
    assert uris == {"ci%20budgets%231.yaml"}


def test_the_golden_budgets_agree(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The report fixtures' own budgets file: its failed path rule is found on its line."""
    (workdir / "golden.yaml").write_text(BUDGETS_YAML, encoding="utf-8")
    log = run_json(
        ["check", "head.tar", "--budgets", "golden.yaml", "--format", "sarif"], workdir, monkeypatch
    )
    paths = [r for r in log["runs"][0]["results"] if r["ruleId"] == "budget/paths"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in paths] == [
        line_of(BUDGETS_YAML, "max_size: 0")
    ]
