"""Scan one layer tar stream into a :class:`~auger.model.LayerScan`.

One pass over the (already decompressed) stream: each header becomes an :class:`Entry` with a
normalised path, whiteout and opaque markers are recognised, and regular files get a content
fingerprint (CRC-32, computed by the tar reader as the bytes pass). Contents are never kept,
but for the few package database files :mod:`auger.layers.capture` names, and nothing touches
the disk. A large layer that lies in a file is scanned in two halves at once, one of them in a
forked child, with the result of one pass (:func:`_scan_in_halves`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from auger.display import display
from auger.errors import LayerFormatError
from auger.layers import capture, columns, paths
from auger.layers.capture import Collector
from auger.layers.tarstream import BLOCK, TarHeader, TarReader, end_of_member, find_header
from auger.model import Entry, EntryKind, LayerRef, LayerScan, Readable
from auger.parallel import beside, can_fork

FORMAT = 2
"""The version of what :func:`scan_layer` makes of a layer. Raise it whenever the same bytes
would scan differently (another field, another fingerprint, another normalisation): scans kept
in the layer cache under an older version are then read again, never reused."""

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


_new_entry: Callable[[type[Entry], tuple[Any, ...]], Entry] = tuple.__new__
"""Make an :class:`Entry` from a tuple, skipping the named tuple's Python-level ``__new__``:
half the cost of calling the class, some 120 ns less per entry (3 ms per 26,000 entries)."""


def _entry(header: TarHeader, warnings: list[str]) -> Entry | None:
    """The entry for ``header``, or ``None`` for the root itself."""
    name = header.name
    if "//" in name or name.startswith((".", "/")) or "/." in name:
        path, escaped = paths.normalize(name)
        if escaped:
            warnings.append(f"entry {display(name)!r} climbs above the root; confined")
        clean = paths.go_clean(name)
        if not path:
            return None
    else:  # already normal, the common case
        path = clean = name.rstrip("/")
    marker, target = _classify(path) if ".wh." in path else (None, path)
    kind = marker or _KINDS.get(header.typeflag, EntryKind.OTHER)
    digest = header.crc if kind is EntryKind.FILE else None
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


class _Scanning:
    """What the scan of a layer (or of one stretch of it) has found so far."""

    __slots__ = ("collector", "entries", "size", "warnings")

    def __init__(self) -> None:
        self.collector = Collector()
        self.entries: list[Entry] = []
        self.warnings: list[str] = []
        """About entries (the collector's own warnings follow them in the scan)."""
        self.size = 0

    def take(self, reader: TarReader) -> None:
        """Turn the headers ``reader`` gives (until it ends, or stops) into entries."""
        collector = self.collector
        append = self.entries.append
        warnings = self.warnings
        size = 0
        file_kind = EntryKind.FILE
        for header in reader:
            name, typeflag, header_size, mode, uid, gid, link, _, crc = header
            size += header_size
            if ".wh." in name or "/." in name or "//" in name or name.startswith((".", "/")):
                entry = _entry(header, warnings)  # markers and names to normalise
                if entry is None:  # the root: dive counts the size of "/" but not of "./"
                    if paths.go_clean(name) == ".":
                        size -= header_size
                    continue
                if entry.kind is EntryKind.DIR:
                    collector.saw_directory(entry.path)
                append(entry)
            elif typeflag in {"0", "7"}:  # a regular file with a normal name: the common case
                append(
                    _new_entry(
                        Entry,
                        (
                            name.rstrip("/"),
                            file_kind,
                            header_size,
                            mode,
                            uid,
                            gid,
                            link,
                            crc,
                            "",
                            typeflag,
                        ),
                    )
                )
            else:
                path = name.rstrip("/")
                kind = _KINDS.get(typeflag, EntryKind.OTHER)
                if kind is EntryKind.DIR:
                    collector.saw_directory(path)
                append(
                    _new_entry(
                        Entry, (path, kind, header_size, mode, uid, gid, link, None, "", typeflag)
                    )
                )
        self.size += size

    def handed_over(self) -> tuple[Any, ...]:
        """What this scan found, as :mod:`marshal`-able data for :meth:`adopt`."""
        found = LayerScan(
            entries=tuple(self.entries),
            size=self.size,
            warnings=tuple(self.warnings),
            captured=self.collector.files,
        )
        collector = self.collector
        return columns.to_columns(found), tuple(collector.warnings), collector.peak

    def adopt(self, rest: tuple[Any, ...]) -> bool:
        """Append what a scan of the rest of the layer found (:meth:`handed_over`), if one pass
        would have found the same; else change nothing and return ``False``."""
        payload, collector_warnings, peak = rest
        collector = self.collector
        # one pass would have checked the rest's package files against a total that starts
        # with this scan's, and asked about every one of them after a status.d directory
        if collector.total + peak > capture.MAX_LAYER or collector.asks_about_every_file:
            return False
        found = columns.from_columns(payload, None)
        self.entries.extend(found.entries)
        self.warnings.extend(found.warnings)
        self.size += found.size
        collector.warnings.extend(collector_warnings)
        collector.files.update(found.captured)
        return True

    def result(self) -> LayerScan:
        return LayerScan(
            entries=tuple(self.entries),
            size=self.size,
            warnings=tuple([*self.warnings, *self.collector.warnings][:20]),
            captured=self.collector.files,
        )


def scan_layer(stream: Readable, ref: LayerRef) -> LayerScan:
    """Read a whole layer tar from ``stream`` and describe every entry in it (errors name the
    blob by ``ref``'s label)."""
    span_of = getattr(stream, "byte_span", None)
    span: tuple[int, int, int] | None = span_of() if span_of is not None else None
    if span is not None and span[2] >= SPLIT_MIN and can_fork():
        return _scan_in_halves(stream, ref, span)
    scanning = _Scanning()
    scanning.take(TarReader(stream, ref.label, checksums=True, sink=scanning.collector))
    return scanning.result()


SPLIT_MIN = 16 << 20
"""Layers this long or longer that lie in a file are scanned in two halves at once."""
_SYNC_WINDOW = 1 << 20
"""How far past the middle of a layer a header to start the second half at is looked for."""
_WALK_MAX = 4096
"""The most headers read, from the start, to find the first one after a layer's middle (a
layer of a few large files, such as data or a model, has a few dozen)."""


def _scan_in_halves(stream: Readable, ref: LayerRef, span: tuple[int, int, int]) -> LayerScan:
    """Scan a layer that lies in a file on two processors: a forked child scans from a header
    found near the middle to the end, while this process scans from the start up to that
    header, then takes the child's entries.

    Where that header is can only be guessed (a file's contents may hold a tar archive of its
    own), so the child's half counts only if this process's scan arrives exactly there, at a
    header with no extended header before it pending; and only if the halves add up to what
    one pass would have found (no dpkg ``status.d`` directory in the first half, whose files in
    the second half the child would not have kept; package databases within the per-layer cap
    at every step, counted from the first half's total). Otherwise, or if the child fails, this
    process scans on by itself: the result and the errors are always those of one pass.
    Scanning 168,000 entries took 0.78 s in one pass and 0.60 s in halves (the child's entries
    cross as columns, :mod:`auger.layers.columns`).
    """
    descriptor, offset, length = span
    split = _split_point(descriptor, offset, length)
    first = _Scanning()
    reader = TarReader(stream, ref.label, checksums=True, sink=first.collector)
    if split is None:  # the middle of one large file: not worth a long search
        first.take(reader)
        return first.result()
    reader.stop_at = split

    def second_half() -> tuple[Any, ...]:
        second = _Scanning()
        rest = _FileRange(descriptor, offset + split, offset + length)
        second.take(TarReader(rest, ref.label, checksums=True, sink=second.collector))
        return second.handed_over()

    def first_half() -> bool:
        first.take(reader)
        return reader.stopped

    rest, stopped = beside(second_half, first_half, send=_same, receive=_same, wanted=_same)
    if stopped and rest is not None and first.adopt(rest):
        skip_rest = getattr(stream, "skip_rest")  # noqa: B009 - byte_span's partner
        skip_rest()
    elif stopped:  # the second half, scanned here after all
        first.take(reader)
    return first.result()


def _split_point(descriptor: int, offset: int, length: int) -> int | None:
    """Where in the layer (``length`` bytes at ``offset`` of the file) a header at or after its
    middle seems to start: the first one near the middle, else (a large file spans it) the
    first one after it that a walk through the headers from the start finds, seeking past
    contents, if that walk is short."""
    middle = length // 2 - length // 2 % BLOCK
    window = os.pread(descriptor, min(_SYNC_WINDOW, length - middle), offset + middle)
    found = find_header(window)
    if found is not None:
        return middle + found
    walk = TarReader(_SeekingFileRange(descriptor, offset, offset + length), "layer")
    try:
        for count, header in enumerate(walk):
            following = end_of_member(header)
            if following >= middle:  # unless only the end-of-archive marker is left
                block = os.pread(descriptor, BLOCK, offset + following)
                return following if len(block) == BLOCK and any(block) else None
            if count >= _WALK_MAX:
                break
    except LayerFormatError:  # for the scan itself to report
        pass
    return None


def _same(value: Any) -> Any:
    return value


class _FileRange:
    """Reads bytes ``start`` to ``end`` of an open file, leaving the file's offset alone."""

    def __init__(self, descriptor: int, start: int, end: int) -> None:
        self._descriptor = descriptor
        self._position = start
        self._end = end

    def read(self, size: int = -1, /) -> bytes:
        left = self._end - self._position
        data = os.pread(self._descriptor, left if size < 0 else min(size, left), self._position)
        self._position += len(data)
        return data

    def readinto(self, buffer: memoryview, /) -> int:
        count = os.preadv(self._descriptor, [buffer[: self._end - self._position]], self._position)
        self._position += count
        return count


class _SeekingFileRange(_FileRange):
    """A :class:`_FileRange` a tar reader seeks through, reading headers only."""

    def skip(self, size: int) -> int:
        step = max(0, min(size, self._end - self._position))
        self._position += step
        return step
