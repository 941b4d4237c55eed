"""What every image source provides, and the errors sources raise.

A source turns a reference into an :class:`~auger.model.Image`: it finds the manifest and the
config, and hands each layer blob, decompressed, to the ``scan`` callback it is given, in
whatever order the bytes arrive. Layer order always comes from the manifest.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import NamedTuple, Protocol

from auger.errors import SourceError, UsageError
from auger.model import Digest, Image, LayerRef, LayerScan, Readable
from auger.progress import Progress

LayerScanner = Callable[[Readable, LayerRef], LayerScan]
"""Reads one uncompressed layer tar stream; the reference says which blob it is."""


class Platform(NamedTuple):
    """An ``os/architecture[/variant]`` triple."""

    os: str
    architecture: str
    variant: str | None = None

    def __str__(self) -> str:
        base = f"{self.os}/{self.architecture}"
        return f"{base}/{self.variant}" if self.variant else base


class ScanCache(Protocol):
    """Scans of layers by diff ID (see auger.cache); sources ask it before fetching a layer."""

    def get(self, diff_id: Digest) -> LayerScan | None: ...
    def put(self, diff_id: Digest, scan: LayerScan) -> None: ...


class DocumentCache(Protocol):
    """Small documents a source keeps between runs, by a key of its choosing (see auger.cache).

    What comes back is what was put, intact, but the cache cannot know what it means: a source
    checks a document against what it knows (a config against its digest) before relying on it.
    """

    def get_document(self, key: str) -> bytes | None: ...
    def put_document(self, key: str, data: bytes) -> None: ...


class Credentials(NamedTuple):
    """A user name and a password (or an identity token); the secret never shows in a repr."""

    username: str
    secret: str
    identity_token: bool = False
    """True when ``secret`` is an OAuth2 refresh token rather than a password."""

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, identity_token={self.identity_token})"


class ReadOptions(NamedTuple):
    """Choices that apply to every source (each source uses those that concern it)."""

    platform: Platform | None = None
    """Which platform to pick from a multi-platform index (default: the host's)."""
    cache: ScanCache | None = None
    """Scans already made, by diff ID; a source skips reading a layer found there."""
    credentials: Credentials | None = None
    """For a registry: use these instead of the stored ones (``--creds``)."""
    tls_verify: bool = True
    """For a registry: verify its TLS certificate, and never fall back to plain HTTP."""
    verify: bool = True
    """Check blobs against their digests and descriptor sizes, and layers against the config's
    diff IDs (as far as the scanner reports the digest of what it read, see
    :attr:`~auger.model.LayerScan.diff_id`); a mismatch is a :class:`DigestMismatchError`."""
    documents: DocumentCache | None = None
    """Documents kept between runs (the engine source keeps image configs there)."""
    concurrent: bool = True
    """Let a source scan several layers at once where its store can (the scanner must then be
    thread-safe). Readers that stop at the first layer they need read one at a time."""


class ImageSource(ABC):
    """Reads one image."""

    kind: str
    """``docker``, ``docker-archive``, ``oci`` or ``oci-archive``."""

    @abstractmethod
    def read(self, scan: LayerScanner, options: ReadOptions, progress: Progress) -> Image:
        """Read the image, scanning every layer with ``scan``."""


class ImageNotFoundError(SourceError):
    """The reference names no image."""


class EngineUnavailableError(SourceError):
    """The container engine could not be reached or refused access."""


class ArchiveError(SourceError):
    """An archive or layout is missing, unreadable or not an image."""


class BlobMissingError(ArchiveError):
    """A blob the manifest names is not there."""


class DigestMismatchError(SourceError):
    """A blob's or layer's bytes do not match the digest that names them (exit 3)."""


class UnsupportedMediaTypeError(SourceError):
    """A manifest names a media type auger cannot read."""


class AmbiguousImageError(UsageError):
    """An archive or index holds several images and the reference does not choose one."""
