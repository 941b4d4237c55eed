"""JSON Schemas (draft 2020-12) of auger's JSON outputs: the gate's verdict, the report, the diff.

Each schema is versioned with its format: its ``$id`` ends in the ``schemaVersion`` the output
carries, which the schema pins. The schemas are closed (no key the format does not define), so a
test that validates real outputs against them catches a key added without its documentation.
The helpers here build the pieces the schemas share, and the ``--json`` export's schema
(:mod:`auger.report.export_schema`).
"""

from __future__ import annotations

from typing import Any

from auger.analysis.layer_match import LayerChange
from auger.attribution.packages import Manager
from auger.budgets.evaluate import Status
from auger.model import WasteCause
from auger.report.gate import GATE_SCHEMA_VERSION
from auger.report.plain_report import REPORT_SCHEMA_VERSION

Schema = dict[str, Any]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
WHATIF_SCHEMA_VERSION = 1
"""The version of ``auger whatif --format json``."""


def schema_id(name: str, version: int) -> str:
    """The ``$id`` of the schema of format ``name`` at ``version``."""
    return f"urn:auger:schema:{name}:{version}"


def closed(**properties: Schema) -> Schema:
    """An object with exactly ``properties``, every one of them present."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
    }


def described(schema: Schema, description: str) -> Schema:
    """``schema`` with a description (shown by editors)."""
    return {"description": description, **schema}


def array(items: Schema, description: str | None = None) -> Schema:
    schema: Schema = {"type": "array", "items": items}
    return described(schema, description) if description else schema


def nullable(schema: Schema) -> Schema:
    """``schema`` or ``null``."""
    return {"anyOf": [schema, {"type": "null"}]}


STRING: Schema = {"type": "string"}
COUNT: Schema = {"type": "integer", "minimum": 0}
INTEGER: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}
BYTES: Schema = described(COUNT, "a number of bytes")
INDEX: Schema = described(COUNT, "a layer's index, 0 for the bottom layer")
DIGEST: Schema = {"type": "string", "pattern": "^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$"}
CAUSE: Schema = {"enum": [cause.value for cause in WasteCause]}
PAIRING: Schema = described(
    {"enum": [change.value for change in LayerChange]},
    "how a layer pairs with the other image's: the same tar in place (unchanged) or elsewhere "
    "(moved), another tar with identical entries (unchanged (rebuilt)), changed, added, removed",
)


def _rollup() -> Schema:
    return described(
        closed(
            path=described(STRING, "a directory, or a file changed on its own"),
            deltaBytes=INTEGER,
            paths=described(COUNT, "the changed paths under it"),
        ),
        "bytes changed under one directory",
    )


def document(name: str, version: int, title: str, body: Schema, defs: Schema) -> Schema:
    """A top-level schema: dialect, versioned ``$id``, title, the object, its ``$defs``."""
    schema = {"$schema": DIALECT, "$id": schema_id(name, version), "title": title, **body}
    if defs:
        schema["$defs"] = defs
    return schema


def _rule() -> Schema:
    return closed(
        rule=described(STRING, "image.max_size, layers.max_size, paths[0], growth..."),
        title=STRING,
        status={"enum": [status.value for status in Status]},
        measured=described(STRING, "the measured value as shown, in the limit's units"),
        measuredValue=nullable(NUMBER),
        limit=described(STRING, "the limit as written ('at most 500MB, warn above 400MB')"),
        failValue=nullable(NUMBER),
        warnValue=nullable(NUMBER),
        origin=described(STRING, "where the rule was written: FILE:LINE, --flag, dive default"),
        detail=STRING,
        advice=nullable(STRING),
    )


def _check_body() -> Schema:
    return closed(
        schemaVersion={"const": GATE_SCHEMA_VERSION},
        image=described(STRING, "the image's name or reference"),
        budgets=described(STRING, "where the budgets came from"),
        verdict={"enum": [Status.PASS.value, Status.WARN.value, Status.FAIL.value]},
        counts=closed(**{status.value: COUNT for status in Status}),
        rules=array({"$ref": "#/$defs/rule"}),
    )


def check_schema() -> Schema:
    """The schema of ``auger check --format json``."""
    return document(
        "check",
        GATE_SCHEMA_VERSION,
        f"auger check --format json, version {GATE_SCHEMA_VERSION}",
        _check_body(),
        {"rule": _rule()},
    )


def _layer_row() -> Schema:
    return closed(
        index=INDEX,
        diffId=nullable(DIGEST),
        sizeBytes=BYTES,
        deltaBytes=nullable(INTEGER),
        sharedWithBaseline=BOOLEAN,
        baseline=nullable(
            described(
                closed(
                    index=nullable(INDEX),
                    change=PAIRING,
                    deltaBytes=INTEGER,
                    directories=array({"$ref": "#/$defs/rollup"}),
                ),
                "the baseline layer it pairs with (null without a baseline)",
            )
        ),
        storedWastedBytes=BYTES,
        causedWastedBytes=BYTES,
        createdBy=STRING,
        instruction=nullable({"$ref": "#/$defs/instruction"}),
    )


def _instruction() -> Schema:
    return described(
        closed(
            file=described(STRING, "the Dockerfile, as given to --dockerfile"),
            line={"type": "integer", "minimum": 1},
            text=described(STRING, "the instruction as written (continuation lines joined)"),
        ),
        "the Dockerfile instruction that made a layer or that a piece of advice is about",
    )


def _package() -> Schema:
    return closed(
        manager={"enum": [manager.value for manager in Manager]},
        name=STRING,
        version=STRING,
        size_bytes=described(BYTES, "bytes of the final filesystem in files it owns"),
        wasted_bytes=described(BYTES, "bytes stored at its paths that the image does not show"),
        layer=nullable(INDEX),
        dev=described(BOOLEAN, "a development dependency (npm devDependencies...)"),
        installed=described(BOOLEAN, "false for a package a later layer removed"),
        files=described(COUNT, "regular files of the final filesystem it owns"),
        location=nullable(described(STRING, "where its metadata lives, for pip and npm")),
    )


def _group() -> Schema:
    return closed(
        id=STRING,
        title=STRING,
        size_bytes=BYTES,
        saves_bytes=described(BYTES, "what leaving the group out of the final image saves"),
        packages=array(STRING),
        fix=STRING,
    )


def _waste_group() -> Schema:
    return closed(
        folded=described(COUNT, "small groups folded into this directory row (0: none)"),
        path=STRING,
        sizeBytes=BYTES,
        files=COUNT,
        cause=CAUSE,
        storedIn=array(INDEX),
        hiddenBy=INDEX,
        advice=array(STRING),
    )


def report_schema() -> Schema:
    """The schema of ``auger report --format json``."""
    body = closed(
        schemaVersion={"const": REPORT_SCHEMA_VERSION},
        image=closed(
            reference=STRING,
            name=nullable(STRING),
            sizeBytes=BYTES,
            compressedSizeBytes=nullable(BYTES),
            finalSizeBytes=BYTES,
            wastedBytes=BYTES,
            wastedPercent=NUMBER,
            efficiency=NUMBER,
            userWastedPercent=nullable(NUMBER),
        ),
        baseline=nullable(
            closed(
                reference=STRING,
                sizeBytes=BYTES,
                sizeDeltaBytes=INTEGER,
                sizeDeltaRatio=nullable(NUMBER),
                removedLayers=array(
                    closed(index=INDEX, sizeBytes=BYTES), "baseline layers with no counterpart"
                ),
            )
        ),
        layers=array(_layer_row()),
        foldedBelowBytes=described(BYTES, "waste groups under this size are folded by directory"),
        waste=array({"$ref": "#/$defs/wasteGroup"}),
        churn=array({"$ref": "#/$defs/wasteGroup"}, "package-manager metadata churn"),
        advice=array(
            closed(
                id=STRING,
                title=STRING,
                fix=STRING,
                sizeBytes=BYTES,
                count=COUNT,
                layers=array(INDEX),
                examples=array(STRING),
                saves_bytes=nullable(described(BYTES, "what following the advice saves")),
                packages=array(STRING, "the packages the advice is about"),
                instruction=nullable({"$ref": "#/$defs/instruction"}),
            )
        ),
        packages=array(_package(), "every package found (with --dockerfile or not), largest first"),
        groups=array(_group(), "packages grouped by what a fix would leave out"),
        attributionNotes=array(STRING, "what package attribution could not read"),
        budgets=nullable({"$ref": "#/$defs/check"}),
    )
    return document(
        "report",
        REPORT_SCHEMA_VERSION,
        f"auger report --format json, version {REPORT_SCHEMA_VERSION}",
        body,
        {
            "wasteGroup": _waste_group(),
            "rollup": _rollup(),
            "instruction": _instruction(),
            "check": _check_body(),
            "rule": _rule(),
        },
    )


def diff_schema() -> Schema:
    """The schema of ``auger diff --format json``."""
    side = closed(reference=STRING, sizeBytes=BYTES)
    layer = closed(index=INDEX, diffId=nullable(DIGEST), sizeBytes=BYTES, createdBy=STRING)
    body = closed(
        schemaVersion={"const": REPORT_SCHEMA_VERSION},
        base=side,
        head=side,
        sizeDeltaBytes=INTEGER,
        finalSizeDeltaBytes=described(INTEGER, "change of the bytes a container sees"),
        sharedLayers=COUNT,
        removedLayers=array({"$ref": "#/$defs/layer"}),
        addedLayers=array({"$ref": "#/$defs/layer"}),
        layers=array(
            closed(
                index=nullable(INDEX),
                baseIndex=nullable(INDEX),
                change=PAIRING,
                sizeBytes=nullable(BYTES),
                baseSizeBytes=nullable(BYTES),
                deltaBytes=INTEGER,
                createdBy=STRING,
                directories=array({"$ref": "#/$defs/rollup"}),
            ),
            "every layer of either image, paired, in the head's order",
        ),
        directories=array(
            {"$ref": "#/$defs/rollup"}, "the changed paths of the final filesystem, per directory"
        ),
        paths=array(
            closed(
                path=STRING,
                change={"enum": ["added", "removed", "grown", "shrunk"]},
                before=nullable(BYTES),
                after=nullable(BYTES),
                deltaBytes=INTEGER,
            )
        ),
    )
    return document(
        "diff",
        REPORT_SCHEMA_VERSION,
        f"auger diff --format json, version {REPORT_SCHEMA_VERSION}",
        body,
        {"layer": layer, "rollup": _rollup()},
    )


def whatif_schema() -> Schema:
    """The schema of ``auger whatif --format json``."""
    measures = closed(
        sizeBytes=BYTES,
        finalSizeBytes=BYTES,
        wastedBytes=BYTES,
        wastedPercent=described(NUMBER, "wasted bytes over the size, from 0 to 1"),
        efficiency=NUMBER,
        layers=COUNT,
    )
    body = closed(
        schemaVersion={"const": WHATIF_SCHEMA_VERSION},
        image=described(STRING, "the image as given"),
        changes=array(STRING, "each change simulated, as the text output lists it"),
        before={"$ref": "#/$defs/measures"},
        after={"$ref": "#/$defs/measures"},
        saves_bytes=described(INTEGER, "how much smaller the image gets (negative: it grows)"),
    )
    return document(
        "whatif",
        WHATIF_SCHEMA_VERSION,
        f"auger whatif --format json, version {WHATIF_SCHEMA_VERSION}",
        body,
        {"measures": measures},
    )
