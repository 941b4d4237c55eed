"""An image's outline: its identity and its layers, learnt without reading a layer.

Sharding and deduplication need to know, before anything is read, which image a reference
names and which layers it is made of. A source already skips every layer the layer cache holds,
taking the layer's diff ID from the config; :func:`outline` reads an image through its source
with a cache that claims to hold every layer, so only the manifest and the config are read: two
small requests to a registry, two small members of a plain archive or layout. Sources that
cannot say which layer is which before reading it (a compressed ``docker save`` stream, the
engines' ``save``) would start reading layers: those have no outline, and the fleet plans them
by name alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from auger.errors import ImageReadError
from auger.fleet.inputs import Target
from auger.model import Digest, Image, LayerRef, LayerScan, Readable
from auger.progress import NullProgress
from auger.sources.interface import ReadOptions
from auger.sources.reference import resolve_source

UNREAD_KINDS = frozenset({"docker", "podman", "stdin"})
"""Sources that would have to stream the image out to see its config."""
WORKERS = 8
"""Outlines fetched at once (each is a couple of small requests)."""


@dataclass(frozen=True, slots=True)
class OutlineLayer:
    """A layer as the manifest and config describe it."""

    key: str
    """What identifies its content across images: the diff ID (else the blob's digest)."""
    stored_size: int | None
    """The blob's size as the manifest gives it (compressed), where it does."""


@dataclass(frozen=True, slots=True)
class Outline:
    """What an image is, before reading it."""

    image_id: str | None
    """The config's digest: one image whatever its source, tag or compression."""
    manifest_digest: str | None
    layers: tuple[OutlineLayer, ...]


class _LayerNeededError(ImageReadError):
    """The source would have to read a layer to go on."""


class _HoldsEverything:
    """A scan cache that claims every layer, with an empty scan: nothing is read."""

    _EMPTY = LayerScan((), 0)

    def get(self, diff_id: Digest) -> LayerScan | None:
        return self._EMPTY

    def put(self, diff_id: Digest, scan: LayerScan) -> None:
        """Nothing is kept."""


def _refuse(stream: Readable, ref: LayerRef) -> LayerScan:
    raise _LayerNeededError(f"{ref.label} would have to be read")


def _from_image(image: Image) -> Outline:
    layers = []
    for layer in image.layers:
        key = layer.diff_id or layer.digest
        if key is None:  # nothing names its content without reading it
            return Outline(image.config_digest, image.manifest_digest, ())
        layers.append(OutlineLayer(key, layer.stored_size))
    return Outline(image.config_digest, image.manifest_digest, tuple(layers))


def outline(
    reference: str, options: ReadOptions, environ: Mapping[str, str], source: str | None = None
) -> Outline | None:
    """The outline of the image ``reference`` names, or ``None`` when it cannot be had cheaply.

    Whatever goes wrong here (a missing image, a refused login, even a bug) only means there is
    no outline: the image is then read as usual, and that read reports the failure for it alone.
    """
    try:
        resolved = resolve_source(reference, source, environ)
        if resolved.kind in UNREAD_KINDS:
            return None
        probe = options._replace(cache=_HoldsEverything(), documents=None)
        image = resolved.read(_refuse, probe, NullProgress())
    except Exception:  # see above: the read says what went wrong
        return None
    return _from_image(image)


def outlines(
    targets: Sequence[Target],
    options: ReadOptions,
    environ: Mapping[str, str],
    source: str | None = None,
) -> list[Outline | None]:
    """The outline of each target, a few fetched at once, in the targets' order."""
    if not targets:
        return []
    workers = min(WORKERS, len(targets))
    with ThreadPoolExecutor(workers, thread_name_prefix="auger-outline") as pool:
        return list(
            pool.map(lambda item: outline(item.reference, options, environ, source), targets)
        )
