"""The budgets file's JSON Schema agrees with the loader: what an editor flags, ``auger check``
refuses, and what it accepts, the loader reads (but for the few checks a schema cannot make)."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
import yaml

from auger.budgets.json_schema import budgets_schema
from auger.budgets.loader import BudgetsError, parse_budgets
from auger.budgets.schema import GROWTH_METRICS, IMAGE_METRICS
from tests.budgets.test_loader import EXAMPLE_TEXT, MANY_MISTAKES

VALIDATOR = jsonschema.Draft202012Validator(budgets_schema())

SAMPLES: dict[str, list[object]] = {
    "size": [0, 1, 1048576, -1, 1.5, "500MB", "1.5GB", "200MiB", " 10 kB ", "3 B", "10kb",
             "10 parsecs", "", "MB", "-5MB", True, None, [1], {"a": 1}],
    "ratio": [0, 1, 0.5, 1.0, 1.5, -0.1, "10%", "100%", "99.5 %", "100.5%", "150%", "0.1",
              "1", ".5", "1.5", "abc", "%", True, None, [0.1]],
    "ratio+": [0, 1, 0.5, 1.5, -0.1, "10%", "150%", "1000.25%", "0.1", "1.5", "abc", True, None],
    "count": [0, 3, 40, -1, 1.5, "3", True, None],
}  # fmt: skip
"""Values a rule of each unit might be given (as YAML would read them)."""

SCHEMA_ONLY = {("size", "1.0005kB"), ("size", "1.5B")}
"""Values the schema accepts and the loader refuses: a size must be a whole number of bytes."""

RULE_OF_UNIT = {
    "size": ("image", "max_size"),
    "ratio": ("image", "max_wasted_percent"),
    "ratio+": ("growth", "max_size_increase_percent"),
    "count": ("image", "max_layers"),
}


def schema_accepts(data: Any) -> bool:
    return VALIDATOR.is_valid(data)


def loader_accepts(data: Any) -> bool:
    try:
        parse_budgets(yaml.safe_dump(data), "b.yaml")
    except BudgetsError:
        return False
    return True


def test_every_unit_is_exercised_by_a_rule() -> None:
    units = {metric.unit for metric in (*IMAGE_METRICS.values(), *GROWTH_METRICS.values())}
    assert units == set(SAMPLES) == set(RULE_OF_UNIT)


@pytest.mark.parametrize("unit", sorted(SAMPLES))
@pytest.mark.parametrize("shape", ["value", "levels"])
def test_the_schema_and_the_loader_agree_on_values(unit: str, shape: str) -> None:
    section, rule = RULE_OF_UNIT[unit]
    disagreements = []
    accepted = 0
    for value in [*SAMPLES[unit], *(text for kind, text in SCHEMA_ONLY if kind == unit)]:
        written = value if shape == "value" else {"fail": value}
        data = {"version": 1, section: {rule: written}}
        schema, loader = schema_accepts(data), loader_accepts(data)
        accepted += loader
        if schema != loader and (unit, value) not in SCHEMA_ONLY:
            disagreements.append((value, f"schema {schema}, loader {loader}"))
    assert disagreements == []
    assert 0 < accepted < len(SAMPLES[unit]), "the samples hold valid and invalid values"


def test_the_known_gaps_are_real() -> None:
    for unit, value in SCHEMA_ONLY:
        section, rule = RULE_OF_UNIT[unit]
        data = {"version": 1, section: {rule: value}}
        assert schema_accepts(data)
        assert not loader_accepts(data)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"version": 2},
        {"version": 1, "imag": {}},
        {"version": 1, "image": {"max_sise": "1MB"}},
        {"version": 1, "image": {"max_size": {}}},
        {"version": 1, "image": {"max_size": {"fail": "1MB", "warm": "1kB"}}},
        {"version": 1, "paths": [{"glob": "/x/**"}]},
        {"version": 1, "paths": [{"glob": "x/**", "max_size": 0}]},
        {"version": 1, "paths": [{"glob": "/x/**", "max_size": 0, "advice": ""}]},
        {"version": 1, "ignore": ["relative"]},
        {"version": 1, "overrides": [{"image": {"max_size": "1GB"}}]},
        {"version": 1, "overrides": [{"match": "*", "version": 1}]},
    ],
    ids=lambda data: yaml.safe_dump(data, default_flow_style=True).strip(),
)
def test_structural_mistakes_are_refused_by_both(data: Any) -> None:
    assert not schema_accepts(data)
    assert not loader_accepts(data)


@pytest.mark.parametrize(
    "data",
    [
        {"version": 1},
        {"version": 1, "image": {"max_size": {"warn": "1MB"}}},
        {"version": 1, "paths": [{"glob": "**/.git/**", "max_size": {"fail": 0}}]},
        {"version": 1, "overrides": [{"match": "*-debug:*", "ignore": ["/tmp/**"]}]},
    ],
    ids=lambda data: yaml.safe_dump(data, default_flow_style=True).strip(),
)
def test_valid_files_are_accepted_by_both(data: Any) -> None:
    assert schema_accepts(data)
    assert loader_accepts(data)


def test_the_example_and_a_file_full_of_mistakes() -> None:
    assert schema_accepts(yaml.safe_load(EXAMPLE_TEXT))
    errors = list(VALIDATOR.iter_errors(yaml.safe_load(MANY_MISTAKES)))
    assert len(errors) >= 5
