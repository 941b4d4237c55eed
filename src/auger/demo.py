"""The built-in example image: a small ``docker save`` tarball with real waste in it.

It imitates a typical Python service image: a base layer, an ``apt-get install`` that leaves
lists and a compiler behind, a ``COPY`` that brings ``.git`` and ``__pycache__`` along, a
cleanup layer that deletes files too late and ``chmod``-s a file (a full copy for a mode
change), and a ``pip install`` that keeps its cache.
"""

from __future__ import annotations

from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    directory,
    docker_archive,
    file,
    layer_tar,
    whiteout,
)

KIB = 1024


def demo_image() -> ImageSpec:
    """The example image's layers and history."""
    base = layer_tar(
        [
            directory("bin"),
            file("bin/sh", 120 * KIB, 0o755),
            directory("etc"),
            file("etc/os-release", b'NAME="Example Linux"\nVERSION_ID="1"\n'),
            file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"),
            directory("usr"),
            directory("usr/lib"),
            file("usr/lib/libc.so.6", 900 * KIB, 0o755),
            directory("var"),
            directory("var/lib"),
            directory("var/lib/dpkg"),
            file("var/lib/dpkg/status", 40 * KIB),
        ]
    )
    apt = layer_tar(
        [
            directory("usr/bin"),
            file("usr/bin/gcc", 700 * KIB, 0o755),
            file("usr/bin/python3", 300 * KIB, 0o755),
            directory("var/lib/apt"),
            directory("var/lib/apt/lists"),
            file("var/lib/apt/lists/deb.example.org_dists_stable_main_Packages", 450 * KIB),
            directory("var/cache"),
            directory("var/cache/apt"),
            directory("var/cache/apt/archives"),
            file("var/cache/apt/archives/gcc_12_amd64.deb", 380 * KIB),
            file("var/lib/dpkg/status", 46 * KIB),
        ]
    )
    copy = layer_tar(
        [
            directory("app"),
            file("app/main.py", b"print('hello from auger demo')\n" * 40, 0o644),
            directory("app/.git"),
            file("app/.git/objects/pack/pack-demo.pack", 260 * KIB),
            directory("app/__pycache__"),
            file("app/__pycache__/main.cpython-311.pyc", 6 * KIB),
            directory("app/build"),
            file("app/build/output.o", 220 * KIB),
        ]
    )
    cleanup = layer_tar(
        [
            directory("app"),
            whiteout("app/build"),
            file("app/main.py", b"print('hello from auger demo')\n" * 40, 0o755),
            directory("var/cache/apt/archives"),
            whiteout("var/cache/apt/archives/gcc_12_amd64.deb"),
            file("var/lib/dpkg/status", 46 * KIB + 10),
        ]
    )
    pip = layer_tar(
        [
            directory("root"),
            file("root/.cache/pip/http/v2/3/a/requests-wheel", 180 * KIB),
            directory("usr/lib/python3"),
            file("usr/lib/python3/site-packages/requests/__init__.py", 5 * KIB),
        ]
    )
    return ImageSpec(
        layers=[
            LayerSpec(base, "/bin/sh -c #(nop) ADD file:rootfs.tar in / "),
            LayerSpec(apt, "/bin/sh -c apt-get update && apt-get install -y gcc python3", 1),
            LayerSpec(copy, "/bin/sh -c #(nop) COPY dir:app in /app ", 1),
            LayerSpec(
                cleanup,
                "/bin/sh -c rm -rf /app/build /var/cache/apt/archives/*.deb "
                "&& chmod +x /app/main.py",
            ),
            LayerSpec(pip, "/bin/sh -c pip install requests", 0),
        ],
        tag="auger-demo:latest",
    )


def demo_archive() -> bytes:
    """The example image as ``docker save`` writes it (Docker < 25 layout)."""
    return docker_archive(demo_image())
