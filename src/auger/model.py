"""The domain model: images, layers, entries and the analysis of them.

Everything here is immutable (named tuples and enums) and carries no behaviour beyond small
derived properties. Records are named tuples rather than frozen dataclasses: a dataclass
compiles its methods when its module is imported, and with the ``dataclasses`` module itself
that cost 20 ms of every run's start (see ``docs/architecture.md``).

Paths are stored normalised and relative (``etc/passwd``, never ``/etc/passwd`` or
``./etc/passwd``); names that are not valid UTF-8 keep their bytes as surrogate escapes, so no
information is lost (see :mod:`auger.display` for showing them).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from operator import itemgetter
from types import MappingProxyType
from typing import NamedTuple, NewType, Protocol

from auger.display import display

Digest = NewType("Digest", str)
"""A content digest such as ``sha256:0123...``."""


class Readable(Protocol):
    """Any binary stream with ``read`` (files, sockets, decompressors)."""

    def read(self, size: int = -1, /) -> bytes: ...


class EntryKind(enum.Enum):
    """What a tar entry is. Whiteout and opaque markers are kinds of their own."""

    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    HARDLINK = "hardlink"
    CHAR = "char"
    BLOCK = "block"
    FIFO = "fifo"
    OTHER = "other"
    WHITEOUT = "whiteout"
    """``DIR/.wh.NAME``: hides ``DIR/NAME`` of lower layers; ``path`` is the hidden path."""
    OPAQUE = "opaque"
    """``DIR/.wh..wh..opq``: hides every lower child of ``DIR``; ``path`` is ``DIR``."""
    META = "meta"
    """Other ``.wh..wh.`` bookkeeping entries (AUFS); ignored by the overlay."""

    is_marker: bool
    """True for whiteout, opaque and bookkeeping entries, which are not files."""


class Entry(NamedTuple):
    """One tar entry of a layer, as scanned (metadata only, never contents).

    A named tuple rather than a dataclass: images have hundreds of thousands of entries, and
    a tuple is both the cheapest to create and the smallest to keep.
    """

    path: str
    """Normalised relative path; for markers, the path they act on."""
    kind: EntryKind
    size: int
    """Size from the tar header (content bytes for regular files, 0 otherwise)."""
    mode: int
    """Mode from the tar header, permission and special bits plus any type bits it carries."""
    uid: int
    gid: int
    link: str = ""
    """The tar header's link name as written: the target of a symlink or hard link (other
    entries normally have none, though Docker leaves one on some whiteouts)."""
    digest: int | None = None
    """Fingerprint (CRC-32) of the contents of a regular file; with the size, it tells an
    identical re-add from a modification."""
    name: str = ""
    """The cleaned tar name when it differs from ``path`` (dive shows it); else ``""``."""
    typeflag: str = "0"
    """The raw tar type flag."""

    @property
    def perm(self) -> int:
        """Permission and special bits (``0o7777``)."""
        return self.mode & 0o7777


class LayerRef(NamedTuple):
    """Which layer blob a scanner reads, as far as its source knows it while reading.

    A source that reads the manifest before the blobs (a plain archive, an OCI layout) knows
    the layer's position, digest and diff ID; one that scans a streamed archive's blobs as they
    pass knows only the blob's name, and the digest when that name spells one.
    """

    blob: str
    """The blob's name in its store: ``blobs/sha256/HEX``, ``ID/layer.tar`` (or a digest)."""
    index: int | None = None  # type: ignore[assignment]  # (a field named as tuple's method)
    """Position in the manifest, when known while scanning."""
    digest: Digest | None = None
    """Digest of the blob as stored, when known."""
    diff_id: Digest | None = None
    """Digest of the uncompressed layer (the config's ``rootfs.diff_ids``), when known."""

    @property
    def label(self) -> str:
        """How errors and warnings name the blob: ``layer N (DIGEST)``, else ``layer NAME``
        (names made safe for a terminal)."""
        if self.index is None:
            return f"layer {display(self.blob)}"
        return f"layer {self.index} ({display(self.digest or self.blob)})"


class LayerScan(NamedTuple):
    """What one streaming pass over a layer tar found."""

    entries: tuple[Entry, ...]
    """Entries in tar order, including whiteout and opaque markers."""
    size: int
    """Sum of the header sizes of every entry (dive's and ``docker history``'s layer size)."""
    warnings: tuple[str, ...] = ()
    diff_id: Digest | None = None
    """Digest of the whole uncompressed stream, when the reader computed it: the layer's true
    diff ID, whatever the image config claims."""
    captured: Mapping[str, bytes] = MappingProxyType({})
    """The contents of the layer's package database files, by normalised path (the only
    contents a scan keeps; see :mod:`auger.layers.capture`)."""


class Layer(NamedTuple):
    """A layer of an image, in manifest order, with what the image config says about it."""

    index: int  # type: ignore[assignment]  # (a field named as tuple's method)
    scan: LayerScan
    id: str
    """dive's layer id: the first path component of the blob in the archive, else the digest."""
    diff_id: Digest | None
    """From the image config's ``rootfs.diff_ids``."""
    digest: Digest | None
    """Digest of the blob as stored, where the source has one."""
    media_type: str | None
    stored_size: int | None
    """Size of the blob as stored (registry, OCI layout); ``None`` when the source does not say."""
    created_by: str
    """The history ``created_by`` of this layer, or ``""`` when history is missing."""
    compression: str = "none"
    """``none``, ``gzip`` or ``zstd``: how the blob was stored."""
    created: str | None = None
    has_history: bool = True
    blob: str = ""
    """The blob's name in the store it was read from (see :class:`LayerRef`); ``""`` if unknown."""

    @property
    def command(self) -> str:
        """The command as dive shows it: ``created_by`` without a leading ``/bin/sh -c ``."""
        if not self.has_history:
            return "(missing)"
        return self.created_by.removeprefix("/bin/sh -c ")

    @property
    def size(self) -> int:
        """Layer content size (sum of tar header sizes)."""
        return self.scan.size

    @property
    def ref(self) -> LayerRef:
        """The layer's blob, as its source names it to a scanner that knows the manifest."""
        return LayerRef(self.blob, self.index, self.digest, self.diff_id)


class Image(NamedTuple):
    """An image as read from a source: its layers in order and what its config says."""

    reference: str
    """The reference the user gave."""
    source: str
    """Which source read it: ``docker``, ``docker-archive``, ``oci`` or ``oci-archive``."""
    layers: tuple[Layer, ...]
    name: str | None = None
    """A tag or ref name, where the source knows one."""
    config_digest: Digest | None = None
    manifest_digest: Digest | None = None
    os: str | None = None
    architecture: str | None = None
    variant: str | None = None
    created: str | None = None
    config: Mapping[str, object] = MappingProxyType({})
    """The ``config`` section of the image config (Env, Entrypoint, Cmd, ...)."""
    warnings: tuple[str, ...] = ()

    def with_warnings(self, more: tuple[str, ...]) -> Image:
        """A copy with more warnings."""
        return self._replace(warnings=self.warnings + more)

    @property
    def platform(self) -> str | None:
        """``os/arch[/variant]`` when known."""
        if not self.os or not self.architecture:
            return None
        base = f"{self.os}/{self.architecture}"
        return f"{base}/{self.variant}" if self.variant else base


for _kind in EntryKind:
    _kind.is_marker = _kind.value in ("whiteout", "opaque", "meta")


class DiffType(enum.Enum):
    """How a path changed in a layer, relative to the layers below it."""

    ADDED = "added"
    MODIFIED = "modified"
    UNMODIFIED = "unmodified"
    REMOVED = "removed"


class WasteCause(enum.Enum):
    """Why stored bytes are not visible in the final filesystem."""

    OVERWRITTEN = "overwritten"
    DELETED = "deleted"
    REPLACED_BY_OPAQUE = "replaced-by-opaque"
    METADATA_ONLY_CHANGE = "metadata-only-change"


class Change(NamedTuple):
    """A path that a layer added, modified, re-added unchanged or removed.

    A named tuple for the same reason as :class:`Entry`: there is one per entry.
    """

    path: str
    diff: DiffType
    entry: Entry | None
    """The layer's entry; for removals, the entry that was hidden; ``None`` for implicit dirs."""
    previous: Entry | None = None
    """The entry visible below before this layer, for modified and unmodified paths."""


class WasteItem(NamedTuple):
    """Bytes stored in ``stored_in`` that are not visible in the final filesystem.

    A named tuple, as :class:`Entry` is: an image can hide a whole layer's worth of files.
    """

    path: str
    size: int
    stored_in: int
    hidden_by: int
    cause: WasteCause


class VisibleEntry(NamedTuple):
    """A path of the final filesystem and the layer that provided it."""

    layer: int
    """Index of the layer that provided the path (or created it implicitly)."""
    entry: Entry | None
    """``None`` for a directory no layer declared (created implicitly for its children)."""


_DIFF_OF = itemgetter(1)
"""A :class:`Change`'s ``diff``, read at C speed."""


class LayerAnalysis(NamedTuple):
    """The overlay view of one layer."""

    index: int  # type: ignore[assignment]  # (a field named as tuple's method)
    changes: tuple[Change, ...]
    stored_waste: int
    """Bytes this layer stored that are not visible in the final filesystem."""
    caused_waste: int
    """Bytes (of this or earlier layers) that this layer hid."""

    def diff_counts(self) -> dict[DiffType, int]:
        """How many changes of each type the layer made (every type present, zero or not)."""
        diffs = list(map(_DIFF_OF, self.changes))
        return {diff: diffs.count(diff) for diff in DiffType}  # (an enum hashes in Python)


class DiveFileReference(NamedTuple):
    """One of dive's "inefficient files": a path seen in two or more layers."""

    path: str
    count: int  # type: ignore[assignment]  # (a field named as tuple's method)
    size: int
    """Cumulative size over every occurrence (dive's ``sizeBytes``)."""


class DiveMetrics(NamedTuple):
    """dive 0.13.1's efficiency metrics, computed as dive computes them."""

    efficiency: float
    wasted_bytes: int
    user_wasted_percent: float
    """``wasted_bytes`` over the size of every layer but the first; 0 for one-layer images."""
    inefficient_files: tuple[DiveFileReference, ...]
    """Largest cumulative size first."""
    file_lists: tuple[Sequence[int], ...] = ()
    """Each layer's nodes as dive lists them (``fileList``), as positions in the layer's
    entries, ``-1`` for an implicit directory (``auger.analysis.dive.listed`` turns one into
    entries). Never changed once made."""


class ImageAnalysis(NamedTuple):
    """Everything auger knows about an image; every front end consumes this."""

    image: Image
    layers: tuple[LayerAnalysis, ...]
    final: Mapping[str, VisibleEntry]
    """The final filesystem: normalised path to the entry a container sees."""
    size: int
    final_size: int
    waste: tuple[WasteItem, ...]
    """Largest first."""
    dive: DiveMetrics

    @property
    def wasted_bytes(self) -> int:
        """Bytes stored in layers that are not visible in the final filesystem."""
        return self.size - self.final_size

    @property
    def wasted_percent(self) -> float:
        """``wasted_bytes / size`` (0 for an empty image)."""
        return self.wasted_bytes / self.size if self.size else 0.0

    @property
    def compressed_size(self) -> int | None:
        """Sum of stored blob sizes; ``None`` unless every layer has one and some are compressed."""
        layers = self.image.layers
        if not layers or all(layer.compression == "none" for layer in layers):
            return None
        total = 0
        for layer in layers:
            if layer.stored_size is None:
                return None
            total += layer.stored_size
        return total

    def waste_by_cause(self) -> dict[WasteCause, int]:
        """Wasted bytes per cause."""
        totals: dict[WasteCause, int] = {}
        for item in self.waste:
            totals[item.cause] = totals.get(item.cause, 0) + item.size
        return totals
