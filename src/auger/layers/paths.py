"""Path normalisation: one relative form for the many ways a layer tar names a path.

Layer tars name the same path in several ways (``./a``, ``/a``, ``a``). :func:`normalize` maps
them to one relative form. Names are kept losslessly: bytes that are not UTF-8 travel as
surrogate escapes (``errors="surrogateescape"``); :mod:`auger.display` shows them safely.
"""

from __future__ import annotations

import posixpath

from auger.model import Entry, EntryKind

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
META_PREFIX = ".wh..wh."


def normalize(name: str) -> tuple[str, bool]:
    """Return the normalised relative path of a tar name and whether it tried to escape the root.

    ``.`` components and repeated slashes vanish, ``..`` climbs but never above the root
    (as a container runtime would confine it). The root itself normalises to ``""``.
    """
    if "//" not in name and "/." not in name:
        if not name.startswith((".", "/")):
            return name.rstrip("/"), False  # already normal: the common case
        if name[0] == "/":  # absolute, otherwise normal (as package databases list paths)
            return name[1:].rstrip("/"), False
    parts: list[str] = []
    escaped = False
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            else:
                escaped = True
            continue
        parts.append(part)
    return "/".join(parts), escaped


def go_clean(name: str) -> str:
    """Clean a tar name as Go's ``path.Clean`` does (what dive shows as a file's path)."""
    if name and "//" not in name and not name.startswith(".") and "/." not in name:
        return name.rstrip("/") if name != "/" else name
    cleaned = posixpath.normpath(name) if name else "."
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


def stored_name(entry: Entry) -> str:
    """The (cleaned) name an entry had in its tar, markers included."""
    if entry.name:
        return entry.name
    if entry.kind is EntryKind.WHITEOUT:
        return join(parent(entry.path), WHITEOUT_PREFIX + basename(entry.path))
    if entry.kind is EntryKind.OPAQUE:
        return join(entry.path, OPAQUE_MARKER)
    return entry.path


def parent(path: str) -> str:
    """The parent of a normalised path (``""`` for top-level paths)."""
    head, _, _ = path.rpartition("/")
    return head


def basename(path: str) -> str:
    """The last component of a normalised path."""
    return path.rpartition("/")[2]


def join(directory: str, name: str) -> str:
    """Join a normalised directory and a name."""
    return f"{directory}/{name}" if directory else name


def is_within(path: str, directory: str) -> bool:
    """True if ``path`` is ``directory`` or below it."""
    return not directory or path == directory or path.startswith(directory + "/")


def is_utf8(path: str) -> bool:
    """True if the name was valid UTF-8 (it carries no surrogate escapes)."""
    if path.isascii():
        return True
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def to_bytes(path: str) -> bytes:
    """The exact bytes of a name as stored in the tar."""
    return path.encode("utf-8", "surrogateescape")
