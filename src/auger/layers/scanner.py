"""Scan one layer tar stream into a :class:`~auger.model.LayerScan`.

One pass over the (already decompressed) stream: each header becomes an :class:`Entry` with a
normalised path, whiteout and opaque markers are recognised, and regular files get a content
fingerprint computed chunk by chunk. Contents are never kept and nothing touches the disk.
"""

from __future__ import annotations

import zlib

from auger.layers import paths
from auger.layers.tarstream import TarHeader, TarReader
from auger.model import Entry, EntryKind, LayerScan, Readable

_CHUNK = 1 << 20

_KINDS = {
    "0": EntryKind.FILE,
    "7": EntryKind.FILE,
    "1": EntryKind.HARDLINK,
    "2": EntryKind.SYMLINK,
    "3": EntryKind.CHAR,
    "4": EntryKind.BLOCK,
    "5": EntryKind.DIR,
    "6": EntryKind.FIFO,
}


def _fingerprint(reader: TarReader, size: int) -> int:
    """CRC-32 of a member's contents, read a chunk at a time."""
    if size <= _CHUNK:
        return zlib.crc32(reader.read_small_content())
    crc = 0
    while chunk := reader.read_content(_CHUNK):
        crc = zlib.crc32(chunk, crc)
    return crc


def _classify(path: str) -> tuple[EntryKind | None, str]:
    """Recognise whiteout, opaque and bookkeeping markers; return (marker kind, acted-on path)."""
    if paths.WHITEOUT_PREFIX not in path:
        return None, path
    directory, _, base = path.rpartition("/")
    if any(part.startswith(paths.META_PREFIX) for part in directory.split("/")):
        return EntryKind.META, path
    if base == paths.OPAQUE_MARKER:
        return EntryKind.OPAQUE, directory
    if base.startswith(paths.META_PREFIX):
        return EntryKind.META, path
    if base.startswith(paths.WHITEOUT_PREFIX):
        return EntryKind.WHITEOUT, paths.join(directory, base[len(paths.WHITEOUT_PREFIX) :])
    return None, path


def _entry(reader: TarReader, header: TarHeader, warnings: list[str]) -> Entry | None:
    name = header.name
    if "//" in name or name.startswith((".", "/")) or "/." in name:
        path, escaped = paths.normalize(name)
        if escaped:
            warnings.append(f"entry {paths.display(name)!r} climbs above the root; confined")
        clean = paths.go_clean(name)
        if not path:
            return None
    else:  # already normal, the common case
        path = clean = name.rstrip("/")
    marker, target = _classify(path) if ".wh." in path else (None, path)
    kind = marker or _KINDS.get(header.typeflag, EntryKind.OTHER)
    digest = _fingerprint(reader, header.size) if kind is EntryKind.FILE else None
    return Entry(
        target,
        kind,
        header.size,
        header.mode,
        header.uid,
        header.gid,
        header.linkname,
        digest,
        "" if clean == path else clean,
        header.typeflag,
    )


def scan_layer(stream: Readable, label: str) -> LayerScan:
    """Read a whole layer tar from ``stream`` and describe every entry in it."""
    reader = TarReader(stream, label)
    entries: list[Entry] = []
    warnings: list[str] = []
    size = 0
    for header in reader:
        entry = _entry(reader, header, warnings)
        if entry is None:
            if paths.go_clean(header.name) != ".":  # the root ("/"): dive counts its size
                size += header.size
            continue
        size += header.size
        entries.append(entry)
    return LayerScan(
        entries=tuple(entries),
        size=size,
        tar_bytes=reader.position,
        warnings=tuple(warnings[:20]),
    )
