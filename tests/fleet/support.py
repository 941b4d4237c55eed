"""Fleets for the tests: families of images that share base layers, and what they should sum to.

:func:`fleet_specs` makes a small fleet the way teams have one: three services on a Python-like
base of two layers, two on a Node-like base of one layer, and a lone image that shares nothing.
The services overwrite and delete files and leave apt lists behind, so waste and advice show.
:func:`expected_numbers` computes what the fleet summary must say straight from the layer tars,
with :mod:`tarfile` and :mod:`hashlib` and a file-only overlay of its own: none of auger's code.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from dataclasses import dataclass
from pathlib import Path

from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    directory,
    docker_archive,
    file,
    layer_tar,
    oci_layout,
    tar_of,
    whiteout,
)

DEBIAN = LayerSpec(
    layer_tar(
        [
            directory("etc"),
            file("etc/os-release", b"ID=debian\n"),
            directory("usr/lib"),
            file("usr/lib/libc.so", 40_000),
            directory("var/lib/apt/lists"),
            file("var/lib/apt/lists/deb_Packages", 6_000),
        ]
    ),
    "/bin/sh -c #(nop) ADD file:debian in /",
)
PYTHON = LayerSpec(
    layer_tar([directory("usr/lib/python3"), file("usr/lib/python3/os.py", 20_000)]),
    "/bin/sh -c apt-get install -y python3",
)
NODE = LayerSpec(
    layer_tar([directory("usr/lib/node"), file("usr/lib/node/node", 30_000)]),
    "/bin/sh -c #(nop) ADD file:node in /",
)


def service(name: str, base: list[LayerSpec], size: int) -> ImageSpec:
    """An image on ``base`` with its own two layers: the app, then a cleanup that overwrites
    and deletes."""
    app = LayerSpec(
        layer_tar([directory("app"), file(f"app/{name}.bin", size), file("app/build.log", 900)]),
        f"/bin/sh -c make {name}",
    )
    cleanup = LayerSpec(
        layer_tar([whiteout("app/build.log"), file("etc/os-release", b"ID=debian\nX=1\n")]),
        "/bin/sh -c rm /app/build.log",
    )
    return ImageSpec(layers=[*base, app, cleanup], tag=f"{name}:1")


def fleet_specs() -> dict[str, ImageSpec]:
    """Six images: three on DEBIAN+PYTHON, two on NODE, one alone."""
    lone = ImageSpec(
        layers=[LayerSpec(layer_tar([file("lone.bin", 12_345)]), "/bin/sh -c #(nop) ADD lone")],
        tag="lone:1",
    )
    return {
        "api": service("api", [DEBIAN, PYTHON], 5_000),
        "worker": service("worker", [DEBIAN, PYTHON], 7_000),
        "cron": service("cron", [DEBIAN, PYTHON], 3_000),
        "web": service("web", [NODE], 11_000),
        "admin": service("admin", [NODE], 2_000),
        "lone": lone,
    }


def write_oci_archive(spec: ImageSpec, path: Path) -> str:
    """``spec`` as a gzip-compressed OCI layout tar; returns its ``oci-archive://`` reference."""
    path.write_bytes(tar_of(oci_layout([spec], "gzip")))
    return f"oci-archive://{path}"


def write_fleet(directory_path: Path, specs: dict[str, ImageSpec]) -> dict[str, str]:
    """Each image as an OCI archive (the lone one as a ``docker save`` tarball); name ->
    reference."""
    directory_path.mkdir(parents=True, exist_ok=True)
    references = {}
    for name, spec in specs.items():
        if name == "lone":
            path = directory_path / f"{name}.tar"
            path.write_bytes(docker_archive(spec))
            references[name] = str(path)
        else:
            references[name] = write_oci_archive(spec, directory_path / f"{name}.oci.tar")
    return references


def diff_id(tar: bytes) -> str:
    return "sha256:" + hashlib.sha256(tar).hexdigest()


def _files(tar: bytes) -> list[tuple[str, int, bool]]:
    """(path, size, is a whiteout) of each regular file of a layer tar."""
    found = []
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        for member in archive.getmembers():
            if not member.isfile():
                continue
            head, _, base = member.name.rpartition("/")
            if base.startswith(".wh."):
                found.append((f"{head}/{base[4:]}" if head else base[4:], 0, True))
            else:
                found.append((member.name, member.size, False))
    return found


def layer_size(tar: bytes) -> int:
    """What a layer holds: the sum of its regular files' sizes (whiteout markers are empty)."""
    return sum(size for _, size, _ in _files(tar))


def final_size(spec: ImageSpec) -> int:
    """The bytes a container sees: files stacked bottom to top, a whiteout removing a file."""
    visible: dict[str, int] = {}
    for layer in spec.layers:
        for path, size, is_whiteout in _files(layer.tar):
            if is_whiteout:
                visible.pop(path, None)
            else:
                visible[path] = size
    return sum(visible.values())


@dataclass(frozen=True)
class Expected:
    """What the fleet summary must say, computed without auger."""

    images: int
    size_bytes: int
    unique_bytes: int
    wasted_bytes: int
    layer_images: dict[str, int]
    """diff ID -> how many images carry the layer."""
    layer_sizes: dict[str, int]
    compressed_size_bytes: int
    unique_compressed_bytes: int


def expected_numbers(specs: dict[str, ImageSpec], gzip_level: int = 9) -> Expected:
    """The summary's numbers for ``specs`` (compressed ones as :func:`write_oci_archive`
    compresses: gzip with mtime 0, the lone image not compressed and so not counted)."""
    layer_images: dict[str, int] = {}
    layer_sizes: dict[str, int] = {}
    blobs: dict[str, int] = {}
    compressed = 0
    size = wasted = 0
    for name, spec in specs.items():
        image_size = sum(layer_size(layer.tar) for layer in spec.layers)
        size += image_size
        wasted += image_size - final_size(spec)
        for key in {diff_id(layer.tar) for layer in spec.layers}:
            layer_images[key] = layer_images.get(key, 0) + 1
        for layer in spec.layers:
            layer_sizes[diff_id(layer.tar)] = layer_size(layer.tar)
            if name != "lone":
                blob = gzip.compress(layer.tar, compresslevel=gzip_level, mtime=0)
                compressed += len(blob)
                blobs[diff_id(blob)] = len(blob)
    return Expected(
        images=len(specs),
        size_bytes=size,
        unique_bytes=sum(layer_sizes.values()),
        wasted_bytes=wasted,
        layer_images=layer_images,
        layer_sizes=layer_sizes,
        compressed_size_bytes=compressed,
        unique_compressed_bytes=sum(blobs.values()),
    )
