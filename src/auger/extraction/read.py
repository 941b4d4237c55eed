"""Read the first bytes of one file of one layer, for a viewer: no file is written.

:func:`read_head` reads the image again through its source, as :func:`~auger.extraction.
extract.extract` does; in the blob of the layer asked for it streams the tar up to the file's
entry, keeps at most ``limit`` bytes of its contents, and stops reading the image there.
"""

from __future__ import annotations

from dataclasses import dataclass

from auger.display import display
from auger.extraction.blobs import layers_holding
from auger.extraction.extract import LayerBlobNotFoundError, same_entry
from auger.layers import paths
from auger.layers.tarstream import TarReader
from auger.model import Entry, Layer, LayerRef, LayerScan, Readable
from auger.progress import NullProgress, Progress
from auger.sources.interface import ImageSource, ReadOptions

_EMPTY = LayerScan(entries=(), size=0)


class _Found(Exception):  # noqa: N818 - a signal, not an error
    """The file was read: stop reading the image."""

    def __init__(self, head: bytes) -> None:
        super().__init__()
        self.head = head


@dataclass(frozen=True, slots=True)
class FileHead:
    """The first bytes of a file, and whether there were more."""

    data: bytes
    size: int
    """The file's whole size (from its entry)."""

    @property
    def truncated(self) -> bool:
        return len(self.data) < self.size


def read_head(
    source: ImageSource,
    options: ReadOptions,
    *,
    layers: tuple[Layer, ...],
    layer: int,
    entry: Entry,
    limit: int,
    progress: Progress | None = None,
) -> FileHead:
    """The first ``limit`` bytes of the regular file ``entry`` as layer ``layer`` stores it."""

    def scan(stream: Readable, ref: LayerRef) -> LayerScan:
        if layer not in layers_holding(ref, layers):
            return _EMPTY
        reader = TarReader(stream, ref.label)
        for header in reader:
            if paths.normalize(header.name)[0] == entry.path and same_entry(entry, header):
                chunks: list[bytes] = []
                left = min(limit, entry.size)
                while left and (chunk := reader.read_content(left)):
                    chunks.append(chunk)
                    left -= len(chunk)
                raise _Found(b"".join(chunks))
        return _EMPTY

    # the blob is read: a layer cache would answer with a scan, not with contents; one layer at
    # a time, so that reading stops at the file
    options = options._replace(cache=None, documents=None, concurrent=False)
    try:
        source.read(scan, options, progress or NullProgress())
    except _Found as found:
        return FileHead(found.head, entry.size)
    raise LayerBlobNotFoundError(f"could not find /{display(entry.path)} in layer {layer}")
