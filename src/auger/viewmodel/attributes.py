"""How the explorer writes entries, sizes and names: pure text, no Textual.

Every name shown goes through :func:`auger.display.display`, so a file name can never
carry terminal escapes or markup onto the screen.
"""

from __future__ import annotations

import stat

from auger.display import display, one_line
from auger.display import format_size as _size
from auger.model import DiffType, Entry, EntryKind

_TYPE_CHAR = {
    EntryKind.DIR: "d",
    EntryKind.SYMLINK: "l",
    EntryKind.HARDLINK: "h",
    EntryKind.CHAR: "c",
    EntryKind.BLOCK: "b",
    EntryKind.FIFO: "p",
    EntryKind.OTHER: "?",
}

DIFF_STYLE = {
    DiffType.ADDED: "green",
    DiffType.MODIFIED: "yellow",
    DiffType.REMOVED: "red",
    DiffType.UNMODIFIED: "",
}
"""Colour of a row by diff type: unmodified paths keep the default colour."""


def size(value: int) -> str:
    """``1.2 MB`` style (SI, as dive and docker print sizes)."""
    return _size(value)


def permissions(entry: Entry | None) -> str:
    """``drwxr-xr-x`` style: the type letter and the permission bits (setuid shown as ``s``)."""
    if entry is None:
        return "d---------"
    letter = _TYPE_CHAR.get(entry.kind, "-")
    return letter + stat.filemode(stat.S_IFREG | entry.perm)[1:]


def owner(entry: Entry | None) -> str:
    return "-" if entry is None else f"{entry.uid}:{entry.gid}"


def attributes(entry: Entry | None, size_bytes: int) -> str:
    """The attributes column: permissions, uid:gid and size, in fixed-width fields."""
    return f"{permissions(entry):<11}{owner(entry):>9} {size(size_bytes):>9} "


def size_only(entry: Entry | None, size_bytes: int) -> str:
    """The attributes column cut to the size (the two-image view, where width is scarce)."""
    return f"{size(size_bytes):>9} "


def name(base: str, entry: Entry | None) -> str:
    """A tree row's label: the escaped name, with ``→ target`` for links."""
    text = display(base)
    if entry is not None and entry.kind in (EntryKind.SYMLINK, EntryKind.HARDLINK):
        text += f" → {display(entry.link)}"
    return text


def command(text: str, width: int | None = None) -> str:
    """A layer command on one line (escaped), cut to ``width`` characters."""
    return display(one_line(text, width))
