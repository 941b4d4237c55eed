"""The ``--json`` export: dive's schema, with dive's meaning, plus auger's own keys.

dive's keys: ``layer[]`` (``index``, ``id``, ``digestId``, ``sizeBytes``, ``command``,
``fileList``) and ``image`` (``sizeBytes``, ``inefficientBytes``, ``efficiencyScore``,
``fileReference[]``). auger adds ``auger`` at the top level (and nothing inside dive's
objects), so a consumer of dive's file reads auger's unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from auger.analysis.dive import GO_MODE_DIR, go_file_mode, listed
from auger.display import display, finite
from auger.layers import paths
from auger.model import Entry, ImageAnalysis, WasteCause, WasteItem

SCHEMA_VERSION = 1


def _text(path: str) -> str:
    """A name in auger's keys: as is when it is valid UTF-8, else with ``\\xNN`` escapes."""
    return path if paths.is_utf8(path) else display(path)


def _dive_text(path: str) -> str:
    """A name in dive's keys, as dive (Go) writes it: each invalid byte becomes U+FFFD."""
    return path if path.isascii() or paths.is_utf8(path) else _SURROGATES.sub("\ufffd", path)


_SURROGATES = re.compile("[\udc80-\udcff]")
_ANY_SURROGATE = re.compile("[\ud800-\udfff]")


def _config_text(text: str | None) -> str | None:
    """Text from the image's config or manifest (JSON), as Go decodes it: a lone surrogate
    escape (``\\udcff``) becomes U+FFFD, so the export is always valid UTF-8."""
    return text if text is None or text.isascii() else _ANY_SURROGATE.sub("\ufffd", text)


def _file_info(entry: Entry | None) -> dict[str, Any]:
    if entry is None:
        return {
            "path": "",
            "typeFlag": 0,
            "linkName": "",
            "size": 0,
            "fileMode": 0,
            "uid": 0,
            "gid": 0,
            "isDir": False,
        }
    mode = go_file_mode(entry)
    return {
        "path": _dive_text(paths.stored_name(entry)),
        "typeFlag": ord(entry.typeflag),
        "linkName": _dive_text(entry.link) if entry.link else "",
        "size": entry.size,
        "fileMode": mode,
        "uid": entry.uid,
        "gid": entry.gid,
        "isDir": mode & GO_MODE_DIR != 0,
    }


def _auger(analysis: ImageAnalysis, *, with_waste: bool) -> dict[str, Any]:
    image = analysis.image
    auger: dict[str, Any] = {
        "schemaVersion": SCHEMA_VERSION,
        "image": {
            "reference": _text(image.reference),
            "source": image.source,
            "name": _text(image.name) if image.name else None,
            "platform": _config_text(image.platform),
            "configDigest": image.config_digest,
            "manifestDigest": image.manifest_digest,
            "created": _config_text(image.created),
            "layerCount": len(image.layers),
            "sizeBytes": analysis.size,
            "compressedSizeBytes": analysis.compressed_size,
            "finalSizeBytes": analysis.final_size,
            "wastedBytes": analysis.wasted_bytes,
            "wastedPercent": analysis.wasted_percent,
            "wastedBytesByCause": {
                cause.value: size
                for cause, size in sorted(
                    analysis.waste_by_cause().items(), key=lambda item: item[0].value
                )
            },
            "efficiency": analysis.dive.efficiency,
            "diveWastedBytes": analysis.dive.wasted_bytes,
            "userWastedPercent": finite(analysis.dive.user_wasted_percent),
            "finalFileCount": len(analysis.final),
            "warnings": [_config_text(warning) for warning in image.warnings],
        },
        "layers": [
            {
                "index": layer.index,
                "digest": layer.digest,
                "diffId": layer.diff_id,
                "mediaType": _config_text(layer.media_type),
                "compression": layer.compression,
                "sizeBytes": layer.size,
                "compressedSizeBytes": layer.stored_size,
                "createdBy": _config_text(layer.created_by),
                "created": _config_text(layer.created),
                "entryCount": len(layer.scan.entries),
                **{diff.value: count for diff, count in result.diff_counts().items()},
                "storedWastedBytes": result.stored_waste,
                "causedWastedBytes": result.caused_waste,
            }
            for layer, result in zip(image.layers, analysis.layers, strict=True)
        ],
    }
    if with_waste:
        auger["waste"] = [
            {
                "path": "/" + _text(item.path),
                "sizeBytes": item.size,
                "storedInLayer": item.stored_in,
                "hiddenByLayer": item.hidden_by,
                "cause": item.cause.value,
            }
            for item in analysis.waste
        ]
    return auger


def export(analysis: ImageAnalysis, *, with_lists: bool = True) -> dict[str, Any]:
    """The export as a JSON-ready dict (``with_lists=False`` leaves out the lists with an item
    per entry or per wasted file, which :func:`format_json` renders itself)."""
    image = analysis.image
    layers: list[dict[str, Any]] = [
        {
            "index": layer.index,
            "id": layer.id,
            "digestId": (layer.diff_id or "") if layer.has_history else "",
            "sizeBytes": layer.size,
            "command": _config_text(layer.command),
        }
        for layer in image.layers
    ]
    if with_lists:
        for layer, found, positions in zip(
            layers, image.layers, analysis.dive.file_lists, strict=True
        ):
            layer["fileList"] = [
                _file_info(entry) for entry in listed(found.scan.entries, positions)
            ]
    return {
        "layer": layers,
        "image": {
            "sizeBytes": analysis.size,
            "inefficientBytes": analysis.dive.wasted_bytes,
            "efficiencyScore": analysis.dive.efficiency,
            "fileReference": [
                {"count": ref.count, "sizeBytes": ref.size, "file": _dive_text(ref.path)}
                for ref in analysis.dive.inefficient_files
            ],
        },
        "auger": _auger(analysis, with_waste=with_lists),
    }


_EMPTY_FILE_INFO = json.dumps(_file_info(None), separators=(",", ":"))
_quote = json.encoder.encode_basestring
_TAILS: dict[tuple[int, str, int, int], str] = {}
"""The JSON after ``size`` by (tar mode, type flag, uid, gid): images repeat a handful."""
_TYPE_FLAGS = {chr(code): f',"typeFlag":{code},"linkName":' for code in range(256)}
"""The JSON between ``path`` and the link name, by type flag."""


def _tail(entry: Entry) -> str:
    key = (entry.mode, entry.typeflag, entry.uid, entry.gid)
    tail = _TAILS.get(key)
    if tail is None:
        mode = go_file_mode(entry)
        tail = _TAILS[key] = (
            f'"fileMode":{mode},"uid":{entry.uid},"gid":{entry.gid},'
            f'"isDir":{"true" if mode & GO_MODE_DIR else "false"}}}'
        )
    return tail


LIST_BATCH = 2048
"""File-list entries rendered into one piece of text by :func:`json_pieces`."""


def _file_list_json(entries: tuple[Entry, ...], positions: Sequence[int]) -> Iterator[str]:
    """``[_file_info(entry) for entry in listed(entries, positions)]`` rendered straight to
    JSON text, without a dict per entry (the export's hot loop), in pieces of
    :data:`LIST_BATCH` entries joined by commas."""
    tails = _TAILS
    flags = _TYPE_FLAGS
    for first in range(0, len(positions), LIST_BATCH):
        rendered: list[str] = []
        append = rendered.append
        for position in positions[first : first + LIST_BATCH]:
            if position < 0:
                append(_EMPTY_FILE_INFO)
                continue
            entry = entries[position]
            path, kind, size, mode, uid, gid, link, _, name, typeflag = entry
            tail = tails.get((mode, typeflag, uid, gid)) or _tail(entry)
            if not name:
                name = paths.stored_name(entry) if kind.is_marker else path
            quoted_link = _quote(_dive_text(link)) if link else '""'
            append(
                f'{{"path":{_quote(name if name.isascii() else _dive_text(name))}'
                f'{flags[typeflag]}{quoted_link},"size":{size},{tail}'
            )
        yield ("," if first else "") + ",".join(rendered)


def _waste_json(items: tuple[WasteItem, ...]) -> str:
    """``auger.waste`` rendered straight to JSON text, as :func:`_file_list_json` does."""
    causes = {cause: _quote(cause.value) for cause in WasteCause}
    return ",".join(
        [
            f'{{"path":{_quote("/" + (path if path.isascii() else _text(path)))},'
            f'"sizeBytes":{size},"storedInLayer":{stored_in},"hiddenByLayer":{hidden_by},'
            f'"cause":{causes[cause]}}}'
            for path, size, stored_in, hidden_by, cause in items
        ]
    )


def format_json(analysis: ImageAnalysis) -> str:
    """The export as compact JSON text, equal to ``json.dumps(export(analysis))``."""
    return "".join(json_pieces(analysis))


def json_pieces(analysis: ImageAnalysis) -> Iterator[str]:
    """The text of :func:`format_json` in pieces, to be written as they come: the whole text
    is never in memory at once (on a large image it was a third of the run's peak).

    File lists and the waste list dominate the export, so they are rendered item by item
    without building a dict for each; everything else goes through :func:`export`.
    """
    data = export(analysis, with_lists=False)

    def dumps(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    yield '{"layer":['
    for index, (layer, found, positions) in enumerate(
        zip(data["layer"], analysis.image.layers, analysis.dive.file_lists, strict=True)
    ):
        yield ("," if index else "") + dumps(layer)[:-1] + ',"fileList":['
        yield from _file_list_json(found.scan.entries, positions)
        yield "]}"
    auger = dumps(data["auger"])[:-1]  # "waste" comes last
    yield '],"image":' + dumps(data["image"]) + ',"auger":' + auger + ',"waste":['
    yield _waste_json(analysis.waste)
    yield "]}}\n"
