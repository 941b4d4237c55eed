"""The JSON Schema (draft 2020-12) of the ``--json`` export: dive's keys, then auger's.

dive's keys (``layer``, ``image``) are described with dive's meaning, exactly as dive 0.13.1
writes them; auger's own key (``auger``) is versioned with
:data:`auger.report.dive_json.SCHEMA_VERSION`. Every object is closed.
"""

from __future__ import annotations

from auger.model import DiffType
from auger.report.dive_json import SCHEMA_VERSION
from auger.report.json_schema import (
    BOOLEAN,
    BYTES,
    CAUSE,
    COUNT,
    DIGEST,
    INDEX,
    NUMBER,
    STRING,
    Schema,
    array,
    closed,
    described,
    document,
    nullable,
)


def _dive_file() -> Schema:
    return described(
        closed(
            path=described(STRING, "the tar entry's name (a whiteout keeps its .wh. prefix)"),
            typeFlag=described(COUNT, "the tar type flag as a number (48 is a file)"),
            linkName=STRING,
            size=BYTES,
            fileMode=described(COUNT, "Go's os.FileMode bits"),
            uid=COUNT,
            gid=COUNT,
            isDir=BOOLEAN,
        ),
        "a leaf of the layer's own tree, as dive lists it",
    )


def _dive_layer() -> Schema:
    return closed(
        index=INDEX,
        id=described(STRING, "dive's layer id"),
        digestId=described(STRING, "the layer's diff ID ('' without history)"),
        sizeBytes=BYTES,
        command=described(STRING, "the history command without '/bin/sh -c '"),
        fileList=array({"$ref": "#/$defs/diveFile"}),
    )


def _dive_image() -> Schema:
    return closed(
        sizeBytes=BYTES,
        inefficientBytes=described(BYTES, "dive's wasted bytes"),
        efficiencyScore=described(NUMBER, "dive's efficiency, 0 to 1"),
        fileReference=array(
            closed(count=COUNT, sizeBytes=BYTES, file=STRING),
            "dive's inefficient files: paths seen in two layers or more, largest first",
        ),
    )


def _auger_image() -> Schema:
    return closed(
        reference=STRING,
        source=described(STRING, "which source read the image"),
        name=nullable(STRING),
        platform=nullable(STRING),
        configDigest=nullable(DIGEST),
        manifestDigest=nullable(DIGEST),
        created=nullable(STRING),
        layerCount=COUNT,
        sizeBytes=BYTES,
        compressedSizeBytes=nullable(BYTES),
        finalSizeBytes=described(BYTES, "the bytes a container sees"),
        wastedBytes=described(BYTES, "stored in a layer, not visible in the final filesystem"),
        wastedPercent=NUMBER,
        wastedBytesByCause={
            "type": "object",
            "propertyNames": CAUSE,
            "additionalProperties": BYTES,
        },
        efficiency=NUMBER,
        diveWastedBytes=BYTES,
        userWastedPercent=nullable(NUMBER),
        finalFileCount=COUNT,
        warnings=array(STRING),
    )


def _auger_layer() -> Schema:
    counts = {diff.value: COUNT for diff in DiffType}
    return closed(
        index=INDEX,
        digest=nullable(DIGEST),
        diffId=nullable(DIGEST),
        mediaType=nullable(STRING),
        compression={"enum": ["none", "gzip", "zstd"]},
        sizeBytes=BYTES,
        compressedSizeBytes=nullable(BYTES),
        createdBy=STRING,
        created=nullable(STRING),
        entryCount=COUNT,
        **counts,
        storedWastedBytes=BYTES,
        causedWastedBytes=BYTES,
    )


def _waste_item() -> Schema:
    return closed(
        path=STRING,
        sizeBytes=BYTES,
        storedInLayer=INDEX,
        hiddenByLayer=INDEX,
        cause=CAUSE,
    )


def export_schema() -> Schema:
    """The schema of ``auger IMAGE --json FILE``."""
    body = closed(
        layer=array({"$ref": "#/$defs/diveLayer"}, "dive's layers, bottom first"),
        image=_dive_image(),
        auger=closed(
            schemaVersion={"const": SCHEMA_VERSION},
            image=_auger_image(),
            layers=array(_auger_layer()),
            waste=array(_waste_item(), "every wasted file, with the layers and the cause"),
        ),
    )
    return document(
        "export",
        SCHEMA_VERSION,
        f"auger IMAGE --json, version {SCHEMA_VERSION} (a superset of dive's --json)",
        body,
        {"diveLayer": _dive_layer(), "diveFile": _dive_file()},
    )
