"""Fleet records as JSON lines: one object per line, whose ``kind`` says what it is.

``{"kind": "shard", ...}`` opens a shard's output (:class:`~auger.fleet.records.ShardHeader`),
then one ``{"kind": "image", ...}`` or ``{"kind": "error", ...}`` line per image. Keys are
snake case. Reading checks every field's type and says ``FILE:LINE`` and the key when one is
wrong; a line of a newer schema, or of a kind this auger does not know, is refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from auger.errors import UsageError
from auger.fleet.records import (
    SCHEMA_VERSION,
    AdviceFacts,
    ErrorRecord,
    ImageRecord,
    LayerFacts,
    Record,
    RuleFacts,
    ShardHeader,
    VerdictFacts,
    WasteFacts,
)

Line = Record | ShardHeader


def _layer(layer: LayerFacts) -> dict[str, Any]:
    return {
        "diff_id": layer.diff_id,
        "size_bytes": layer.size_bytes,
        "compressed_size_bytes": layer.compressed_size_bytes,
        "digest": layer.digest,
        "created_by": layer.created_by,
    }


def _verdict(verdict: VerdictFacts) -> dict[str, Any]:
    return {
        "status": verdict.status,
        "summary": verdict.summary,
        "rules": [
            {
                "rule": rule.rule,
                "title": rule.title,
                "status": rule.status,
                "measured": rule.measured,
                "style": rule.style,
                "limit": rule.limit,
            }
            for rule in verdict.rules
        ],
    }


def _image(record: ImageRecord) -> dict[str, Any]:
    return {
        "kind": "image",
        "schema_version": SCHEMA_VERSION,
        "reference": record.reference,
        "refs": list(record.refs),
        "digest": record.digest,
        "image_id": record.image_id,
        "source": record.source,
        "platform": record.platform,
        "size_bytes": record.size_bytes,
        "compressed_size_bytes": record.compressed_size_bytes,
        "final_size_bytes": record.final_size_bytes,
        "wasted_bytes": record.wasted_bytes,
        "wasted_percent": record.wasted_percent,
        "efficiency": record.efficiency,
        "layers": [_layer(layer) for layer in record.layers],
        "top_waste": [
            {
                "path": item.path,
                "size_bytes": item.size_bytes,
                "files": item.files,
                "cause": item.cause,
                "hidden_by": item.hidden_by,
                "advice": list(item.advice),
            }
            for item in record.top_waste
        ],
        "advice": [
            {
                "id": item.id,
                "title": item.title,
                "fix": item.fix,
                "size_bytes": item.size_bytes,
                "files": item.files,
            }
            for item in record.advice
        ],
        "verdict": _verdict(record.verdict) if record.verdict is not None else None,
    }


def to_json(item: Line) -> dict[str, Any]:
    """The JSON object of a record or a shard header."""
    if isinstance(item, ImageRecord):
        return _image(item)
    if isinstance(item, ErrorRecord):
        return {
            "kind": "error",
            "schema_version": SCHEMA_VERSION,
            "reference": item.reference,
            "refs": list(item.refs),
            "error": item.error,
            "hint": item.hint,
            "exit_code": item.exit_code,
        }
    return {
        "kind": "shard",
        "schema_version": SCHEMA_VERSION,
        "shard": item.shard,
        "shards": item.shards,
        "plan": item.plan,
        "fleet": list(item.fleet),
    }


def dumps(item: Line) -> str:
    """One line of JSON (with its newline)."""
    return json.dumps(to_json(item), ensure_ascii=False, separators=(",", ":")) + "\n"


class MalformedRecordError(UsageError):
    """A line of a records file is not a fleet record."""


@dataclass(frozen=True, slots=True)
class _Fields:
    """Typed access to a JSON object's fields, with errors that say where."""

    data: Mapping[str, Any]
    where: str

    def _bad(self, key: str, wanted: str) -> MalformedRecordError:
        return MalformedRecordError(f"{self.where}: {key} must be {wanted}")

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str):
            raise self._bad(key, "a string")
        return value

    def optional_text(self, key: str) -> str | None:
        return None if self.data.get(key) is None else self.text(key)

    def integer(self, key: str) -> int:
        value = self.data.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._bad(key, "a whole number")
        return value

    def optional_integer(self, key: str) -> int | None:
        return None if self.data.get(key) is None else self.integer(key)

    def real(self, key: str) -> float:
        value = self.data.get(key)
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise self._bad(key, "a number")
        return float(value)

    def optional_real(self, key: str) -> float | None:
        return None if self.data.get(key) is None else self.real(key)

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self._bad(key, "a list of strings")
        return tuple(value)

    def objects(self, key: str) -> list[_Fields]:
        value = self.data.get(key)
        if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
            raise self._bad(key, "a list of objects")
        return [_Fields(item, f"{self.where}: {key}[{n}]") for n, item in enumerate(value)]

    def optional_object(self, key: str) -> _Fields | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self._bad(key, "an object")
        return _Fields(value, f"{self.where}: {key}")


def _read_verdict(fields: _Fields) -> VerdictFacts:
    return VerdictFacts(
        status=fields.text("status"),
        summary=fields.text("summary"),
        rules=tuple(
            RuleFacts(
                rule=rule.text("rule"),
                title=rule.text("title"),
                status=rule.text("status"),
                measured=rule.optional_real("measured"),
                style=rule.text("style"),
                limit=rule.text("limit"),
            )
            for rule in fields.objects("rules")
        ),
    )


def _read_image(fields: _Fields) -> ImageRecord:
    verdict = fields.optional_object("verdict")
    return ImageRecord(
        reference=fields.text("reference"),
        refs=fields.texts("refs"),
        digest=fields.optional_text("digest"),
        image_id=fields.optional_text("image_id"),
        source=fields.text("source"),
        platform=fields.optional_text("platform"),
        size_bytes=fields.integer("size_bytes"),
        compressed_size_bytes=fields.optional_integer("compressed_size_bytes"),
        final_size_bytes=fields.integer("final_size_bytes"),
        wasted_bytes=fields.integer("wasted_bytes"),
        wasted_percent=fields.real("wasted_percent"),
        efficiency=fields.real("efficiency"),
        layers=tuple(
            LayerFacts(
                diff_id=layer.text("diff_id"),
                size_bytes=layer.integer("size_bytes"),
                compressed_size_bytes=layer.optional_integer("compressed_size_bytes"),
                digest=layer.optional_text("digest"),
                created_by=layer.text("created_by"),
            )
            for layer in fields.objects("layers")
        ),
        top_waste=tuple(
            WasteFacts(
                path=item.text("path"),
                size_bytes=item.integer("size_bytes"),
                files=item.integer("files"),
                cause=item.text("cause"),
                hidden_by=item.integer("hidden_by"),
                advice=item.texts("advice"),
            )
            for item in fields.objects("top_waste")
        ),
        advice=tuple(
            AdviceFacts(
                id=item.text("id"),
                title=item.text("title"),
                fix=item.text("fix"),
                size_bytes=item.integer("size_bytes"),
                files=item.integer("files"),
            )
            for item in fields.objects("advice")
        ),
        verdict=_read_verdict(verdict) if verdict is not None else None,
    )


def from_json(data: object, where: str) -> Line:
    """The record or header a JSON object holds (``where`` names it in errors)."""
    if not isinstance(data, Mapping):
        raise MalformedRecordError(f"{where}: not a JSON object")
    fields = _Fields(data, where)
    version = fields.integer("schema_version")
    if version > SCHEMA_VERSION:
        raise MalformedRecordError(
            f"{where}: written by a newer auger (schema {version}; this one reads "
            f"{SCHEMA_VERSION})",
            hint="merge with the auger version that wrote the shards",
        )
    kind = data.get("kind")
    if kind == "image":
        return _read_image(fields)
    if kind == "error":
        return ErrorRecord(
            reference=fields.text("reference"),
            refs=fields.texts("refs"),
            error=fields.text("error"),
            hint=fields.optional_text("hint"),
            exit_code=fields.integer("exit_code"),
        )
    if kind == "shard":
        return ShardHeader(
            shard=fields.integer("shard"),
            shards=fields.integer("shards"),
            plan=fields.text("plan"),
            fleet=fields.texts("fleet"),
        )
    raise MalformedRecordError(f"{where}: not a fleet record (kind {kind!r})")


def parse_lines(lines: Iterator[str], origin: str) -> Iterator[Line]:
    """The records and headers of a JSON lines text (blank lines skipped)."""
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        where = f"{origin}:{number}"
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise MalformedRecordError(f"{where}: not JSON ({exc})") from exc
        except RecursionError as exc:
            raise MalformedRecordError(f"{where}: JSON nested too deeply") from exc
        yield from_json(data, where)
