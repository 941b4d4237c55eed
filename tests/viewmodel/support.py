"""Images for the view model's tests (and the explorer's), built in-process."""

from __future__ import annotations

from pathlib import Path

from auger.pipeline import analyze
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    directory,
    docker_archive,
    file,
    layer_tar,
    symlink,
    whiteout,
)
from auger.viewmodel.explorer import Explorer
from tests.support import NO_ENGINE


def sample_spec() -> ImageSpec:
    """Four layers: a base, an install that overwrites, a cleanup that deletes, an app."""
    base = [
        directory("bin"),
        file("bin/sh", 1000, mode=0o755),
        directory("etc"),
        file("etc/passwd", b"root:x:0:0::/root:/bin/sh\n"),
        file("etc/hosts", b"127.0.0.1 localhost\n"),
        directory("usr"),
        directory("usr/lib"),
        file("usr/lib/libc.so", 5000),
        directory("var"),
        directory("var/cache"),
        directory("var/cache/apt"),
        file("var/cache/apt/pkg.deb", 20000),
    ]
    install = [
        file("usr/lib/libfoo.so", 3000),
        file("etc/passwd", b"root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\n"),
        file("var/cache/apt/more.deb", 8000),
        symlink("usr/lib/libfoo.so.1", "libfoo.so"),
    ]
    cleanup = [whiteout("var/cache/apt"), file("etc/hosts", b"127.0.0.1 localhost\n")]
    app = [directory("app"), file("app/main.py", 400), file("app/data.bin", 4000, uid=1000)]
    return ImageSpec(
        layers=[
            LayerSpec(layer_tar(base), "/bin/sh -c #(nop) ADD rootfs.tar /"),
            LayerSpec(layer_tar(install), "/bin/sh -c apt-get install -y libfoo"),
            LayerSpec(layer_tar(cleanup), "/bin/sh -c rm -rf /var/cache/apt"),
            LayerSpec(layer_tar(app), "/bin/sh -c #(nop) COPY dir:app in /app"),
        ],
        tag="sample:1",
    )


def write_sample(directory_path: Path) -> Path:
    path = directory_path / "sample.tar"
    path.write_bytes(docker_archive(sample_spec()))
    return path


def load_explorer(archive: Path) -> Explorer:
    return Explorer.build(analyze(str(archive), None, None, NO_ENGINE))
