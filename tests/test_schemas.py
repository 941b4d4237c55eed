"""The published JSON Schemas: ``auger schema NAME``, the committed ``schemas/`` files, and the
``$schema`` line editors read in ``budgets.example.yaml``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from auger.cli.schema import SCHEMAS, render
from tests.support import run_cli

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "schemas"
EXAMPLE = ROOT / "budgets.example.yaml"


def committed(name: str) -> Any:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_the_committed_schema_is_what_auger_prints(name: str) -> None:
    path = SCHEMA_DIR / f"{name}.schema.json"
    assert path.is_file(), f"{path} is missing: run make schemas"
    assert path.read_text(encoding="utf-8") == render(name), (
        f"{path} is out of date: run make schemas and commit the result"
    )


def test_the_schema_directory_holds_only_the_published_schemas() -> None:
    assert sorted(path.name for path in SCHEMA_DIR.iterdir()) == sorted(
        f"{name}.schema.json" for name in SCHEMAS
    )


def test_the_makefile_writes_every_schema() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^SCHEMAS := (.+)$", makefile, re.MULTILINE)
    assert match is not None
    assert sorted(match[1].split()) == sorted(SCHEMAS)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_each_schema_is_a_valid_draft_2020_12_schema_with_a_versioned_id(name: str) -> None:
    schema = committed(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert re.fullmatch(rf"urn:auger:schema:{name}:\d+", schema["$id"])
    assert schema["title"]


@pytest.mark.parametrize("name", ["report", "check", "diff", "export"])
def test_each_output_schema_pins_the_version_its_id_names(name: str) -> None:
    schema = committed(name)
    version = int(schema["$id"].rsplit(":", 1)[1])
    properties = schema["properties"]
    if name == "export":
        properties = properties["auger"]["properties"]
    assert properties["schemaVersion"] == {"const": version}


def test_auger_schema_prints_and_writes_the_schema(tmp_path: Path) -> None:
    result = run_cli(["schema", "report"])
    assert result.code == 0
    assert json.loads(result.stdout) == committed("report")
    target = tmp_path / "budgets.schema.json"
    result = run_cli(["schema", "budgets", "-o", str(target)])
    assert result.code == 0
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8")) == committed("budgets")


def test_an_unknown_schema_is_a_usage_error() -> None:
    result = run_cli(["schema", "nonsense"])
    assert result.code == 2
    assert "invalid choice" in result.stderr


def test_the_example_budgets_file_names_its_schema_for_editors() -> None:
    first = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match is not None, first
    target = (EXAMPLE.parent / match[1]).resolve()
    assert target == SCHEMA_DIR / "budgets.schema.json"


def test_the_example_budgets_file_is_valid_under_its_schema() -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(committed("budgets")).validate(data)
