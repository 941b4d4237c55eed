"""Write image archives in-process: layer tars, ``docker save`` tarballs and OCI layouts.

This is how ``auger demo`` makes its built-in example and how the test suite and benchmarks
make the images they analyse, without a container engine. It writes with the standard
library's :mod:`tarfile`, in every layout auger reads: ``docker save`` before Docker 25
(``<id>/layer.tar``), from Docker 25 on (an OCI layout plus ``manifest.json``), and plain OCI
layouts as a directory or a tar, with uncompressed, gzip or zstd layers.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zstandard

_EPOCH = 1_700_000_000
REF_NAME = "org.opencontainers.image.ref.name"


@dataclass(frozen=True, slots=True)
class TarEntry:
    """One entry to write into a layer tar."""

    name: str
    kind: str = "file"
    """``file``, ``dir``, ``symlink``, ``hardlink``, ``fifo`` or ``char``."""
    data: bytes = b""
    mode: int = 0o644
    link: str = ""
    uid: int = 0
    gid: int = 0


def file(name: str, data: bytes | int = b"", mode: int = 0o644, uid: int = 0) -> TarEntry:
    """A regular file; an int ``data`` means that many filler bytes."""
    if isinstance(data, int):
        seed = name.encode("utf-8", "surrogateescape") or b"x"
        content = (seed * (data // len(seed) + 1))[:data]
    else:
        content = data
    return TarEntry(name, "file", content, mode, uid=uid, gid=uid)


def directory(name: str, mode: int = 0o755) -> TarEntry:
    """A directory entry."""
    return TarEntry(name.rstrip("/") + "/", "dir", mode=mode)


def symlink(name: str, target: str) -> TarEntry:
    """A symbolic link."""
    return TarEntry(name, "symlink", mode=0o777, link=target)


def hardlink(name: str, target: str) -> TarEntry:
    """A hard link to an earlier entry of the same layer."""
    return TarEntry(name, "hardlink", link=target)


def whiteout(path: str) -> TarEntry:
    """The marker that deletes ``path`` from lower layers."""
    head, _, base = path.rstrip("/").rpartition("/")
    return TarEntry(f"{head}/.wh.{base}" if head else f".wh.{base}", "file", mode=0o000)


def opaque(path: str) -> TarEntry:
    """The marker that hides every lower child of the directory ``path``."""
    return TarEntry(f"{path.rstrip('/')}/.wh..wh..opq", "file", mode=0o000)


_TYPES = {
    "file": tarfile.REGTYPE,
    "dir": tarfile.DIRTYPE,
    "symlink": tarfile.SYMTYPE,
    "hardlink": tarfile.LNKTYPE,
    "fifo": tarfile.FIFOTYPE,
    "char": tarfile.CHRTYPE,
}


def layer_tar(
    entries: Iterable[TarEntry], tar_format: int = tarfile.PAX_FORMAT, mtime: int = _EPOCH
) -> bytes:
    """An uncompressed layer tar holding ``entries`` in the given order, every one modified
    at ``mtime`` (another time gives another tar, and diff ID, with the same contents)."""
    buffer = io.BytesIO()
    with tarfile.open(
        fileobj=buffer, mode="w", format=tar_format, encoding="utf-8", errors="surrogateescape"
    ) as archive:
        for entry in entries:
            info = tarfile.TarInfo(entry.name)
            info.type = _TYPES[entry.kind]
            info.mode = entry.mode
            info.uid, info.gid = entry.uid, entry.gid
            info.mtime = mtime
            info.linkname = entry.link
            info.size = len(entry.data) if entry.kind == "file" else 0
            archive.addfile(info, io.BytesIO(entry.data) if entry.kind == "file" else None)
    return buffer.getvalue()


def compress(data: bytes, compression: str) -> bytes:
    """``data`` compressed with ``none``, ``gzip`` or ``zstd``."""
    if compression == "gzip":
        return gzip.compress(data, mtime=0)
    if compression == "zstd":
        return zstandard.ZstdCompressor().compress(data)
    return data


def sha256(data: bytes) -> str:
    """``sha256:HEX`` of ``data``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class LayerSpec:
    """A layer: its uncompressed tar and the history line that made it."""

    tar: bytes
    created_by: str = ""
    empty_before: int = 0
    """History entries with ``empty_layer`` to put before this layer's own entry."""


@dataclass(frozen=True, slots=True)
class ImageSpec:
    """An image to write."""

    layers: Sequence[LayerSpec]
    tag: str = "example:latest"
    architecture: str = "amd64"
    os: str = "linux"
    variant: str | None = None
    history: bool = True
    extra_config: dict[str, Any] = field(default_factory=dict)


def config_json(image: ImageSpec) -> bytes:
    """The image config (history, diff IDs, platform) as JSON bytes."""
    history: list[dict[str, Any]] = []
    for layer in image.layers:
        history.extend(
            {
                "created": "2024-01-01T00:00:00Z",
                "created_by": "/bin/sh -c #(nop) ENV A=1",
                "empty_layer": True,
            }
            for _ in range(layer.empty_before)
        )
        history.append({"created": "2024-01-01T00:00:00Z", "created_by": layer.created_by})
    config: dict[str, Any] = {
        "architecture": image.architecture,
        "os": image.os,
        "created": "2024-01-01T00:00:00Z",
        "config": {"Env": ["PATH=/bin"], "Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": [sha256(layer.tar) for layer in image.layers]},
        **image.extra_config,
    }
    if image.variant:
        config["variant"] = image.variant
    if image.history:
        config["history"] = history
    return json.dumps(config, sort_keys=True).encode()


class _TarBuilder:
    """An outer archive written member by member."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.archive = tarfile.open(fileobj=self.buffer, mode="w", format=tarfile.PAX_FORMAT)  # noqa: SIM115

    def add(self, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mtime = _EPOCH
        self.archive.addfile(info, io.BytesIO(data))

    def add_symlink(self, name: str, target: str) -> None:
        info = tarfile.TarInfo(name)
        info.type = tarfile.SYMTYPE
        info.linkname = target
        self.archive.addfile(info)

    def finish(self) -> bytes:
        self.archive.close()
        return self.buffer.getvalue()


def docker_archive(image: ImageSpec, layout: str = "legacy") -> bytes:
    """``docker save`` output: ``legacy`` (Docker < 25) or ``oci`` (Docker >= 25) layout."""
    config = config_json(image)
    builder = _TarBuilder()
    if layout == "legacy":
        paths = []
        seen: dict[str, str] = {}
        for index, layer in enumerate(image.layers):
            layer_id = hashlib.sha256(f"{index}:{sha256(layer.tar)}".encode()).hexdigest()
            path = f"{layer_id}/layer.tar"
            digest = sha256(layer.tar)
            builder.add(f"{layer_id}/VERSION", b"1.0")
            builder.add(f"{layer_id}/json", json.dumps({"id": layer_id}).encode())
            if digest in seen:  # docker save links repeated layers to the first copy
                builder.add_symlink(path, f"../{seen[digest]}")
            else:
                builder.add(path, layer.tar)
                seen[digest] = path
            paths.append(path)
        config_name = sha256(config).removeprefix("sha256:") + ".json"
        builder.add(config_name, config)
        manifest = [{"Config": config_name, "RepoTags": [image.tag], "Layers": paths}]
        builder.add("manifest.json", json.dumps(manifest).encode())
        return builder.finish()
    layers = [(layer.tar, "none") for layer in image.layers]
    blobs, index_json = _oci_blobs(image, config, layers, docker_names=True)
    for name, data in blobs.items():
        builder.add(name, data)
    builder.add("oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
    builder.add("index.json", index_json)
    manifest = [
        {
            "Config": f"blobs/sha256/{sha256(config).removeprefix('sha256:')}",
            "RepoTags": [image.tag],
            "Layers": [f"blobs/sha256/{sha256(tar).removeprefix('sha256:')}" for tar, _ in layers],
        }
    ]
    builder.add("manifest.json", json.dumps(manifest).encode())
    return builder.finish()


_MEDIA = {
    "none": "application/vnd.oci.image.layer.v1.tar",
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
}


def _oci_blobs(
    image: ImageSpec,
    config: bytes,
    layers: Sequence[tuple[bytes, str]],
    docker_names: bool = False,
) -> tuple[dict[str, bytes], bytes]:
    """The blobs of one image and the index.json that points at its manifest."""
    blobs: dict[str, bytes] = {}
    descriptors = []
    for tar, compression in layers:
        blob = compress(tar, compression)
        blobs[f"blobs/sha256/{sha256(blob).removeprefix('sha256:')}"] = blob
        descriptors.append(
            {"mediaType": _MEDIA[compression], "digest": sha256(blob), "size": len(blob)}
        )
    blobs[f"blobs/sha256/{sha256(config).removeprefix('sha256:')}"] = config
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": sha256(config),
                "size": len(config),
            },
            "layers": descriptors,
        }
    ).encode()
    blobs[f"blobs/sha256/{sha256(manifest).removeprefix('sha256:')}"] = manifest
    annotations = {REF_NAME: image.tag.rpartition(":")[2]}
    if docker_names:
        annotations["io.containerd.image.name"] = f"docker.io/library/{image.tag}"
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "digest": sha256(manifest),
                    "size": len(manifest),
                    "annotations": annotations,
                }
            ],
        }
    ).encode()
    return blobs, index


def oci_layout(
    images: Sequence[ImageSpec], compression: str = "gzip", nested: bool = False
) -> dict[str, bytes]:
    """The files of an OCI layout holding ``images`` (several = one per platform).

    With ``nested``, the top-level index points at a nested index listing every platform.
    """
    files: dict[str, bytes] = {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}'}
    entries = []
    for image in images:
        config = config_json(image)
        blobs, index = _oci_blobs(
            image, config, [(layer.tar, compression) for layer in image.layers]
        )
        files.update(blobs)
        entry = json.loads(index)["manifests"][0]
        entry["platform"] = {"os": image.os, "architecture": image.architecture}
        if image.variant:
            entry["platform"]["variant"] = image.variant
        entries.append(entry)
    if nested:
        inner = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.index.v1+json",
                "manifests": entries,
            }
        ).encode()
        files[f"blobs/sha256/{sha256(inner).removeprefix('sha256:')}"] = inner
        entries = [
            {
                "mediaType": "application/vnd.oci.image.index.v1+json",
                "digest": sha256(inner),
                "size": len(inner),
                "annotations": {
                    "org.opencontainers.image.ref.name": images[0].tag.rpartition(":")[2]
                },
            }
        ]
    files["index.json"] = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": entries,
        }
    ).encode()
    return files


def write_directory(files: dict[str, bytes], root: Path) -> Path:
    """Write a layout's files under ``root``."""
    for name, data in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def tar_of(files: dict[str, bytes]) -> bytes:
    """A layout's files as one tar (an ``oci-archive``)."""
    builder = _TarBuilder()
    for name, data in files.items():
        builder.add(name, data)
    return builder.finish()
