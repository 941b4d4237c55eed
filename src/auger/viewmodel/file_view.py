"""The file viewer's model: which bytes to read for a path of the view, and how to show them.

:func:`locate` says which layer stores the file the view shows at a path (or why there is
nothing to show: a directory, a link, a removed path); :func:`read_text` reads at most
:data:`MAX_BYTES` of it from that layer's blob only (:func:`auger.extraction.read.read_head`)
and turns them into lines safe for a terminal, or says the file is binary.
"""

from __future__ import annotations

from dataclasses import dataclass

from auger.display import display, format_size, safe_line
from auger.extraction.read import FileHead, read_head
from auger.model import DiffType, Entry, EntryKind
from auger.sources.reference import resolve_source
from auger.viewmodel.explorer import Explorer, ImageRef
from auger.viewmodel.model import Mode, View

MAX_BYTES = 1 << 20
"""At most this much of a file is read and shown (1 MiB)."""
_SNIFF = 8192
_TAB = 4


@dataclass(frozen=True, slots=True)
class FileText:
    """A file as the viewer shows it."""

    path: str
    """The image path, escaped for a terminal."""
    layer: int
    lines: tuple[str, ...]
    """Lines safe for a terminal (control characters escaped, tabs expanded); empty for a
    binary file."""
    note: str
    """What the viewer should say besides the text: cut, binary, empty (or ``""``)."""


def locate(explorer: Explorer, number: int, view: View) -> tuple[int, Entry] | str:
    """The layer whose blob holds the file the view shows at path ``number``, and its entry;
    else a sentence saying why there is no text to show."""
    index = explorer.index
    if view.mode is Mode.AGGREGATED:
        event = index.event_at(number, view.layer)
    else:
        event = index.change_in(number, view.layer)
    shown = "/" + display(index.paths[number])
    if event is None:
        return f"{shown} is not in this layer"
    if event.entry is None or event.entry.kind is EntryKind.DIR:
        return f"{shown} is a directory"
    if event.diff is DiffType.REMOVED:
        return f"{shown} is removed in this layer: select a lower layer to view it"
    entry = event.entry
    if entry.kind is EntryKind.SYMLINK:
        return f"{shown} is a symbolic link to {display(entry.link)}"
    if entry.kind is EntryKind.HARDLINK:
        return f"{shown} is a hard link to /{display(entry.link.lstrip('/'))}: view that path"
    if entry.kind is not EntryKind.FILE:
        return f"{shown} is a {entry.kind.value}, not a regular file"
    return event.layer, entry


def is_binary(data: bytes) -> bool:
    """True for data with NUL bytes, or that is not mostly UTF-8 text."""
    sample = data[:_SNIFF]
    if b"\x00" in sample:
        return True
    text = sample.decode("utf-8", errors="replace")
    return text.count("\ufffd") > max(len(text) // 10, 3)


def as_text(path: str, layer: int, head: FileHead) -> FileText:
    """The bytes read, as lines for a terminal, with a note when cut, binary or empty."""
    size = format_size(head.size)
    if is_binary(head.data):
        return FileText(path, layer, (), f"binary file ({size}): not shown")
    text = head.data.decode("utf-8", errors="replace")
    if head.truncated:  # the cut may have split a character or a line
        text = text.rsplit("\n", 1)[0] if "\n" in text else text
    lines = tuple(safe_line(line.expandtabs(_TAB)) for line in text.splitlines())
    note = ""
    if head.truncated:
        note = f"showing the first {format_size(len(head.data), binary=True)} of {size}"
    elif not head.data:
        note = "empty file"
    return FileText(path, layer, lines, note)


def read_text(
    image: ImageRef, explorer: Explorer, number: int, view: View, limit: int = MAX_BYTES
) -> FileText | str:
    """Read the file the view shows at path ``number`` from its layer (at most ``limit``
    bytes); or say why there is nothing to show."""
    found = locate(explorer, number, view)
    if isinstance(found, str):
        return found
    layer, entry = found
    source = resolve_source(image.reference, image.options.source, image.environ)
    head = read_head(
        source,
        image.options.read_options(),
        layers=explorer.analysis.image.layers,
        layer=layer,
        entry=entry,
        limit=limit,
    )
    return as_text("/" + display(explorer.index.paths[number]), layer, head)
