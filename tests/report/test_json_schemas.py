"""Real JSON outputs validate against the published schemas: the ``--json`` export, ``auger
report``, ``auger check`` and ``auger diff``, on several images, hostile names included.

The schemas are closed, so an output with a key the schema does not document fails here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auger.cli.schema import SCHEMAS
from auger.demo import demo_archive
from auger.testing.images import ImageSpec
from tests.budgets.support import BLOATED, LEAN
from tests.budgets.support import write_archive as write_layers
from tests.report.support import (
    ATTRIBUTED_DOCKERFILE,
    BUDGETS_YAML,
    HOSTILE,
    attributed_image,
    base_image,
    head_image,
    hostile_layers,
    write_archive,
)
from tests.support import run_cli

GOLDEN = Path(__file__).parent / "golden"

STRICT_BUDGETS = """\
version: 1
image:
  max_size: {fail: 1MB, warn: 1kB}
  max_compressed_size: 1GB
  max_wasted_bytes: 0
  min_efficiency: 0.99
layers:
  max_size: 2kB
paths:
  - glob: "**/.git/**"
    max_size: 0
    advice: add .git to .dockerignore
  - glob: /nothing/**
    max_size: 1kB
growth:
  max_size_increase: 1kB
  max_size_increase_percent: 200%
"""
"""Budgets that pass, warn, fail and skip on the images below."""


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = SCHEMAS[name][0]()
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def assert_valid(name: str, data: Any) -> None:
    errors = sorted(validator(name).iter_errors(data), key=lambda error: list(error.path))
    assert [f"{list(error.path)}: {error.message}"[:300] for error in errors] == []


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Archives of several images: the report fixtures, the gate's, the demo, hostile names."""
    directory = tmp_path_factory.mktemp("images")
    found = {
        "head": write_archive(directory, "head.tar", head_image()),
        "base": write_archive(directory, "base.tar", base_image()),
        "lean": write_layers(directory, LEAN, name="lean.tar"),
        "bloated": write_layers(directory, BLOATED, name="bloated.tar"),
        "hostile": write_archive(
            directory,
            "hostile.tar",
            ImageSpec(hostile_layers(list(HOSTILE.values())), tag="hostile:<b>|`x`"),
        ),
    }
    demo = directory / "demo.tar"
    demo.write_bytes(demo_archive())
    found["demo"] = demo
    (directory / "budgets.yaml").write_text(STRICT_BUDGETS, encoding="utf-8")
    return found


IMAGES = ["head", "base", "lean", "bloated", "hostile", "demo"]


@pytest.mark.parametrize("image", IMAGES)
def test_the_json_export_validates(image: str, images: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "export.json"
    result = run_cli([str(images[image]), "--json", str(target), "-q"])
    assert result.code == 0, result.stderr
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["layer"], "the export lists layers"
    assert_valid("export", data)


@pytest.mark.parametrize("image", IMAGES)
def test_the_report_validates(
    image: str, images: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(images[image].parent)
    result = run_cli(
        ["report", str(images[image]), "--baseline", str(images["base"]), "--format", "json"]
    )
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["budgets"] is not None
    assert_valid("report", data)


@pytest.mark.parametrize("image", IMAGES)
def test_the_verdict_validates(
    image: str, images: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(images[image].parent)
    result = run_cli(
        ["check", str(images[image]), "--baseline", str(images["lean"]), "--format", "json"]
    )
    assert result.code in (0, 1), result.stderr
    data = json.loads(result.stdout)
    assert_valid("check", data)


def test_the_attributed_report_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Packages, groups, and Dockerfile lines on layers and advice, from a real run."""
    write_archive(tmp_path, "attributed.tar", attributed_image())
    (tmp_path / "Dockerfile").write_text(ATTRIBUTED_DOCKERFILE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_cli(["report", "attributed.tar", "--dockerfile", "Dockerfile", "--format", "json"])
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {package["manager"] for package in data["packages"]} == {"dpkg", "npm"}
    assert data["groups"]
    assert all(layer["instruction"] is not None for layer in data["layers"])
    assert any(item["instruction"] is not None for item in data["advice"])
    assert_valid("report", data)


def test_the_verdicts_cover_every_status(
    images: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The statuses the schema allows all occur in the outputs validated above."""
    monkeypatch.chdir(images["head"].parent)
    statuses = set()
    for image in IMAGES:
        result = run_cli(["check", str(images[image]), "--format", "json"])
        statuses |= {rule["status"] for rule in json.loads(result.stdout)["rules"]}
    assert statuses == {"pass", "warn", "fail", "skip"}


@pytest.mark.parametrize(("base", "head"), [("base", "head"), ("head", "hostile")])
def test_the_diff_validates(base: str, head: str, images: dict[str, Path]) -> None:
    result = run_cli(["diff", str(images[base]), str(images[head]), "--format", "json"])
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {change["change"] for change in data["paths"]} >= {"added", "removed"}
    assert_valid("diff", data)


@pytest.mark.parametrize(
    ("name", "golden"),
    [
        ("report", "report.json"),
        ("report", "report-baseline.json"),
        ("report", "report-attribution.json"),
        ("diff", "diff.json"),
    ],
)
def test_the_golden_files_validate(name: str, golden: str) -> None:
    assert_valid(name, json.loads((GOLDEN / golden).read_text(encoding="utf-8")))


def test_an_undocumented_key_fails_validation() -> None:
    """The schemas are closed: a key added to an output without its schema is caught."""
    data = json.loads((GOLDEN / "report.json").read_text(encoding="utf-8"))
    data["layers"][0]["owner"] = "octocat"
    assert not validator("report").is_valid(data)
    data = json.loads((GOLDEN / "report.json").read_text(encoding="utf-8"))
    data["layers"][0]["instruction"] = {"line": 3, "text": "RUN make"}  # no file
    assert not validator("report").is_valid(data)
    data = json.loads((GOLDEN / "report.json").read_text(encoding="utf-8"))
    data["schemaVersion"] = 2
    assert not validator("report").is_valid(data)


def test_budgets_json_in_the_report_is_the_check_schema() -> None:
    data = json.loads((GOLDEN / "report.json").read_text(encoding="utf-8"))
    assert data["budgets"] is not None
    assert_valid("check", data["budgets"])
    assert BUDGETS_YAML  # the golden report's budgets


@pytest.mark.parametrize(
    "changes",
    [
        ["--drop", "/var/lib/apt/lists/**"],
        ["--squash", "2-4", "--apply-advice", "DL3009"],
        ["--without-package", "gcc-12"],
    ],
    ids=["drop", "squash+advice", "without-package"],
)
def test_whatif_validates(changes: list[str], tmp_path: Path) -> None:
    archive = write_archive(tmp_path, "attributed.tar", attributed_image())
    result = run_cli(["whatif", str(archive), *changes, "--format", "json"])
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["saves_bytes"] > 0
    assert_valid("whatif", data)
    data["after"]["layers"] = -1
    assert not validator("whatif").is_valid(data)
