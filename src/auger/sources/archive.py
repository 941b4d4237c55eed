"""Image archives and layouts: ``docker save`` tarballs and OCI layouts, on disk or piped in.

A ``docker save`` tarball (either layout, plain or compressed) is read through its
``manifest.json``; an OCI layout (a directory, or a tar of one) through its ``index.json``.
An archive that has only the other file is read the other way, so a bare path just works.
Standard input (``-``) is read in one forward pass: each layer is scanned as it goes by and
the layers are put in the manifest's order at the end; nothing is spooled to disk.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO

from auger.clipping import clip
from auger.errors import UsageError
from auger.layers.tarstream import BLOCK
from auger.model import Image
from auger.progress import Progress
from auger.sources import streams
from auger.sources.blobs import BlobStore, DirectoryStore, looks_like_tar
from auger.sources.docker_save import docker_save_image
from auger.sources.interface import (
    ArchiveError,
    ImageSource,
    LayerScanner,
    Platform,
    ReadOptions,
)
from auger.sources.oci_index import oci_image
from auger.sources.platforms import host_platform
from auger.sources.remembered import remember_layer_names
from auger.sources.tar_stores import open_tar_store, streamed_store


def _read_store(
    store: BlobStore,
    *,
    prefer_docker: bool,
    kind: str,
    reference: str,
    selector: str | None,
    platform: Platform,
    scan: LayerScanner,
    progress: Progress,
    options: ReadOptions,
) -> Image:
    has_docker = store.exists("manifest.json")
    has_oci = store.exists("index.json")
    if has_docker and (prefer_docker or not has_oci):
        return docker_save_image(
            store,
            reference=reference,
            selector=selector,
            scan=scan,
            progress=progress,
            options=options,
        )
    if has_oci:
        return oci_image(
            store,
            reference=reference,
            kind=kind,
            selector=selector,
            platform=platform,
            scan=scan,
            progress=progress,
            options=options,
        )
    raise ArchiveError(
        f"{store.description} is not an image archive (it has neither manifest.json nor index.json)"
    )


class ArchiveSource(ImageSource):
    """A tar file: ``docker save`` output (``docker-archive``) or an OCI layout tar."""

    def __init__(self, path: Path, selector: str | None, kind: str, reference: str) -> None:
        self.path = path
        self.selector = selector
        self.kind = kind
        self.reference = reference

    def read(self, scan: LayerScanner, options: ReadOptions, progress: Progress) -> Image:
        progress.phase(f"reading {self.path}")
        store = open_tar_store(self.path, scan, progress, f"archive {self.path}", options)
        try:
            image = _read_store(
                store,
                prefer_docker=self.kind == "docker-archive",
                kind=self.kind,
                reference=self.reference,
                selector=self.selector,
                platform=options.platform or host_platform(),
                scan=scan,
                progress=progress,
                options=options,
            )
        finally:
            store.close()
        if store.read_ahead and options.documents is not None and options.verify:
            remember_layer_names(options.documents, image)  # for the next stream of it
        return image


class OciDirectorySource(ImageSource):
    """An OCI image layout directory."""

    kind = "oci"

    def __init__(self, root: Path, selector: str | None, reference: str) -> None:
        self.root = root
        self.selector = selector
        self.reference = reference

    def read(self, scan: LayerScanner, options: ReadOptions, progress: Progress) -> Image:
        try:
            is_dir = self.root.is_dir()
            is_layout = (self.root / "oci-layout").is_file() or (self.root / "index.json").is_file()
        except OSError as exc:
            raise ArchiveError(f"cannot read {clip(str(self.root))}: {exc.strerror}") from exc
        if not is_dir:
            raise ArchiveError(f"{clip(str(self.root))} is not a directory (an OCI layout is one)")
        if not is_layout:
            raise ArchiveError(f"{clip(str(self.root))} is not an OCI image layout (no index.json)")
        store = DirectoryStore(self.root, progress, verify=options.verify)
        return _read_store(
            store,
            prefer_docker=False,
            kind=self.kind,
            reference=self.reference,
            selector=self.selector,
            platform=options.platform or host_platform(),
            scan=scan,
            progress=progress,
            options=options,
        )


class StdinSource(ImageSource):
    """A ``docker save`` or OCI layout tarball (plain or compressed) on standard input."""

    kind = "stdin"
    description = "the image on standard input"

    def __init__(self, reference: str, stream: BinaryIO | None = None) -> None:
        self.reference = reference
        self.stream = stream

    def read(self, scan: LayerScanner, options: ReadOptions, progress: Progress) -> Image:
        stream = self.stream if self.stream is not None else sys.stdin.buffer
        if stream.isatty():
            raise UsageError(
                "'-' reads an image tarball from standard input, which is a terminal",
                hint="pipe one in, e.g. docker save IMAGE | auger -",
            )
        progress.phase("reading the image from standard input")
        head = b""
        while len(head) < BLOCK and (data := stream.read(BLOCK - len(head))):
            head += data
        if not head:
            raise ArchiveError(
                "standard input is empty",
                hint="pipe an image tarball in, e.g. docker save IMAGE | auger -",
            )
        if streams.detect_compression(head) == "none" and not looks_like_tar(head):
            raise ArchiveError(
                "standard input is not a tar archive (nor gzip or zstd data)",
                hint="pipe docker save, podman save or skopeo copy ... docker-archive:/dev/stdout",
            )
        store = streamed_store(stream, head, self.description, scan, progress, options=options)
        image = _read_store(
            store,
            prefer_docker=True,
            kind=self.kind,
            reference=self.reference,
            selector=None,
            platform=options.platform or host_platform(),
            scan=scan,
            progress=progress,
            options=options,
        )
        return image._replace(source=self.kind)
