"""The JSON Schema (draft 2020-12) of a budgets file, for editors and other tools.

Built from the same tables the loader reads (:mod:`auger.budgets.schema`), so a new rule is in
the schema as soon as the loader knows it. The schema says what an editor can check as you
type: the keys, the shape of a rule, and how sizes and percentages are written. The loader
checks a little more (a size must be a whole number of bytes, a warn level must be stricter
than its fail level): ``auger budgets validate`` says both.
"""

from __future__ import annotations

from typing import Any

from auger.budgets.schema import (
    GROWTH_METRICS,
    IMAGE_METRICS,
    LAYER_METRICS,
    PATH_METRIC,
    Direction,
    Metric,
)
from auger.budgets.units import UNITS

Schema = dict[str, Any]

VERSION = 1
"""The budgets file format's ``version``."""

_NUMBER = r"\d+(?:\.\d+)?"
SIZE_PATTERN = rf"^\s*{_NUMBER}\s*(?:{'|'.join(UNITS)})?\s*$"
PERCENT_PATTERN = rf"^\s*{_NUMBER}\s*%\s*$"
PERCENT_UP_TO_100_PATTERN = r"^\s*0*(?:100(?:\.0+)?|\d{1,2}(?:\.\d+)?)\s*%\s*$"
RATIO_TEXT_PATTERN = r"^\s*(?:0*(?:\.\d+|0(?:\.\d*)?)|0*1(?:\.0*)?)\s*$"

DEFS: Schema = {
    "size": {
        "description": "bytes: 500MB, 1.5GB (SI, powers of 1000), 200MiB (IEC, powers of 1024), "
        "or a bare number of bytes",
        "anyOf": [
            {"type": "integer", "minimum": 0},
            {"type": "string", "pattern": SIZE_PATTERN},
        ],
    },
    "ratio": {
        "description": "a percentage: 10% or a ratio from 0 to 1 (0.1)",
        "anyOf": [
            {"type": "number", "minimum": 0, "maximum": 1},
            {"type": "string", "pattern": PERCENT_UP_TO_100_PATTERN},
            {"type": "string", "pattern": RATIO_TEXT_PATTERN},
        ],
    },
    "ratioAbove100": {
        "description": "a percentage that may exceed 100%: 150%, or a ratio from 0 to 1",
        "anyOf": [
            {"type": "number", "minimum": 0, "maximum": 1},
            {"type": "string", "pattern": PERCENT_PATTERN},
            {"type": "string", "pattern": RATIO_TEXT_PATTERN},
        ],
    },
    "count": {"description": "a whole number", "type": "integer", "minimum": 0},
    "glob": {
        "description": "a path glob over the final filesystem: '*' within a name, '**' across "
        "directories; starts with '/' or '**'",
        "type": "string",
        "pattern": r"^(?:/|\*\*)",
    },
}

_UNIT_DEFS = {"size": "size", "ratio": "ratio", "ratio+": "ratioAbove100", "count": "count"}


def _limit(metric: Metric) -> Schema:
    """A rule: its fail level alone, or ``{fail: ..., warn: ...}``."""
    value = {"$ref": f"#/$defs/{_UNIT_DEFS[metric.unit]}"}
    direction = "at most" if metric.direction is Direction.AT_MOST else "at least"
    return {
        "description": f"{metric.title}: {direction} this (a single value is the fail level)",
        "anyOf": [
            value,
            {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "properties": {
                    "fail": {**value, "description": "exceeding it fails the check (exit 1)"},
                    "warn": {**value, "description": "exceeding it is reported, not failed"},
                },
            },
        ],
    }


def _rules(metrics: dict[str, Metric], description: str) -> Schema:
    return {
        "description": description,
        "type": "object",
        "additionalProperties": False,
        "properties": {name: _limit(metric) for name, metric in metrics.items()},
    }


def _path_rule() -> Schema:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["glob", "max_size"],
        "properties": {
            "glob": {"$ref": "#/$defs/glob"},
            "max_size": {
                **_limit(PATH_METRIC),
                "description": "bytes the matching files may hold (0 forbids any match)",
            },
            "advice": {"type": "string", "minLength": 1, "description": "shown when it fails"},
        },
    }


def _sections() -> Schema:
    return {
        "image": _rules(IMAGE_METRICS, "limits on the whole image"),
        "layers": _rules(LAYER_METRICS, "limits on every single layer"),
        "paths": {
            "description": "path globs over the final filesystem and the bytes they may hold",
            "type": "array",
            "items": _path_rule(),
        },
        "ignore": {
            "description": "paths left out of auger's waste figures",
            "type": "array",
            "items": {"$ref": "#/$defs/glob"},
        },
        "growth": _rules(GROWTH_METRICS, "limits on growth against the --baseline image"),
    }


def budgets_schema() -> Schema:
    """The schema of ``budgets.yaml`` (and ``.auger.yaml``)."""
    sections = _sections()
    override = {
        "type": "object",
        "additionalProperties": False,
        "required": ["match"],
        "properties": {
            "match": {
                "type": "string",
                "minLength": 1,
                "description": "a glob over the image reference ('*-debug:*')",
            },
            **sections,
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:auger:schema:budgets:{VERSION}",
        "title": f"auger budgets file, version {VERSION}",
        "description": "Size, layer, waste and growth budgets that 'auger check' gates an "
        "image on. Every rule is optional.",
        "type": "object",
        "additionalProperties": False,
        "required": ["version"],
        "properties": {
            "version": {"const": VERSION, "description": "the budgets file format"},
            **sections,
            "overrides": {
                "description": "other rules for images whose reference matches a glob (they "
                "replace the rules above; paths and ignore globs are added)",
                "type": "array",
                "items": override,
            },
        },
        "$defs": DEFS,
    }
