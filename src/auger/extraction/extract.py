"""Extract planned entries of an image into a local directory.

:func:`extract` reads the image again through its source, with a scanner callback that, for the
blobs of the planned layers only (told apart by their :class:`~auger.model.LayerRef`), streams
the tar with :class:`~auger.layers.tarstream.TarReader` and hands the planned entries to a
:class:`~auger.extraction.safe_write.SafeWriter`. Nothing is executed; devices are refused;
reading stops as soon as every planned layer was written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from auger.display import display
from auger.errors import AugerError, ImageReadError, UsageError
from auger.extraction.blobs import layers_holding
from auger.extraction.plan import Plan
from auger.extraction.safe_write import SafeWriter, UnsafeEntryError
from auger.layers import paths
from auger.layers.tarstream import TarHeader, TarReader
from auger.model import Entry, EntryKind, Layer, LayerRef, LayerScan, Readable
from auger.progress import NullProgress, Progress
from auger.sources.interface import ImageSource, ReadOptions

_KINDS = {"0": EntryKind.FILE, "7": EntryKind.FILE, "1": EntryKind.HARDLINK}
_KINDS |= {"2": EntryKind.SYMLINK, "5": EntryKind.DIR}
_REFUSED = frozenset({EntryKind.CHAR, EntryKind.BLOCK, EntryKind.FIFO, EntryKind.OTHER})
_EMPTY = LayerScan(entries=(), size=0)
_CHUNK = 1 << 20


class ExtractError(AugerError):
    """The selection could not be extracted."""


class TargetError(ExtractError, UsageError):
    """The target directory could not be written (exit 2, as for any file auger writes)."""


class LayerBlobNotFoundError(ExtractError, ImageReadError):
    """The image, read again, holds no blob for a planned layer (it changed since)."""


class _Finished(Exception):  # noqa: N818 - a signal, not an error
    """Every layer needed was read: stop reading the image."""


@dataclass(frozen=True, slots=True)
class ExtractRequest:
    """Which entries to write where."""

    layers: tuple[Layer, ...]
    """The layers of the image as analysed (to tell which blob holds which layer)."""
    plan: Plan
    selected: str
    """The selected image path; output paths are relative to its parent."""
    target: Path


@dataclass(slots=True)
class ExtractResult:
    written: int = 0
    notes: list[str] = field(default_factory=list)
    """Entries refused or skipped, and why."""


def extract(
    source: ImageSource,
    options: ReadOptions,
    request: ExtractRequest,
    progress: Progress | None = None,
) -> ExtractResult:
    """Read the image again from ``source`` and write the planned entries below the target."""
    wanted = {layer: entries for layer, entries in request.plan.items() if entries}
    base = paths.parent(request.selected)
    result, done = ExtractResult(), set[int]()
    try:
        writer = SafeWriter(request.target)
    except OSError as exc:
        raise TargetError(f"cannot write to {request.target}: {exc.strerror}") from exc

    def scan(stream: Readable, ref: LayerRef) -> LayerScan:
        found = layers_holding(ref, request.layers) & wanted.keys() - done
        if found:
            entries = {path: e for layer in sorted(found) for path, e in wanted[layer].items()}
            try:
                _write_layer(TarReader(stream, ref.label), entries, base, writer, result)
            except OSError as exc:
                raise ExtractError(f"extracting failed: {exc}") from exc
            done.update(found)
            if done == wanted.keys():
                raise _Finished
        return _EMPTY

    # every blob needed is read: a layer cache would answer with scans, not with contents; one
    # layer at a time, so that reading stops at the last layer needed
    options = options._replace(cache=None, documents=None, concurrent=False)
    try:
        source.read(scan, options, progress or NullProgress())
    except _Finished:
        pass
    finally:
        writer.close()
    if wanted.keys() - done:
        missing = ", ".join(str(layer) for layer in sorted(wanted.keys() - done))
        raise LayerBlobNotFoundError(f"could not find the blob of layer {missing} in the image")
    return result


def _write_layer(
    reader: TarReader, entries: dict[str, Entry], base: str, writer: SafeWriter, out: ExtractResult
) -> None:
    for header in reader:
        path, escaped = paths.normalize(header.name)
        entry = entries.get(path)
        if entry is None:
            continue
        shown = display(path)
        if escaped:
            out.notes.append(f"refused {display(header.name)}: it climbs out of the root")
            continue
        if entry.kind in _REFUSED:
            out.notes.append(f"refused {shown}: a device or special file")
            continue
        if not same_entry(entry, header):
            continue
        relative = path[len(base) + 1 :] if base else path
        try:
            if entry.kind is EntryKind.FILE:
                writer.file(relative, _chunks(reader), entry.mode)
            elif entry.kind is EntryKind.DIR:
                writer.directory(relative, entry.mode)
            elif entry.kind is EntryKind.SYMLINK:
                writer.symlink(relative, header.linkname)
            else:
                target = paths.normalize(header.linkname)[0]
                if not paths.is_within(target, base) or target == base:
                    raise UnsafeEntryError(f"its target {display(target)} is not extracted")
                writer.hardlink(relative, target[len(base) + 1 :] if base else target)
        except UnsafeEntryError as exc:
            out.notes.append(f"skipped {shown}: {exc}")
            continue
        out.written += 1


def same_entry(entry: Entry, header: TarHeader) -> bool:
    """True if ``header`` is the entry the analysis kept (the last one of its path)."""
    kind = _KINDS.get(header.typeflag)
    if kind is None or kind is not entry.kind:
        return False
    return header.mode == entry.mode and header.linkname == entry.link


def _chunks(reader: TarReader) -> Iterator[bytes]:
    while chunk := reader.read_content(_CHUNK):
        yield chunk
