"""Debian control-file syntax (dpkg's ``status``, apk-free): paragraphs of ``Field: value``.

A paragraph ends at a blank line; a line starting with a space or a tab continues the field
above it. Field names are matched without regard to case, as dpkg does.
"""

from __future__ import annotations

from collections.abc import Iterator


def paragraphs(text: str) -> Iterator[dict[str, str]]:
    """Each paragraph of ``text`` as a mapping of lower-cased field name to value (continuation
    lines joined with newlines, the leading space of each removed)."""
    fields: dict[str, str] = {}
    name = ""
    for line in text.splitlines():
        if not line.strip():
            if fields:
                yield fields
            fields, name = {}, ""
            continue
        if line[0] in " \t":
            if name:
                fields[name] += "\n" + line[1:]
            continue
        key, colon, value = line.partition(":")
        if not colon:
            continue  # not a field: dpkg would refuse the file; skip the line
        name = key.strip().lower()
        fields[name] = value.strip()
    if fields:
        yield fields


def decode(data: bytes) -> str:
    """Database text as auger's paths are: UTF-8, with undecodable bytes kept as escapes."""
    return data.decode("utf-8", "surrogateescape")
