"""Images for the extraction tests in every layout, a hostile one, and what "nothing escaped"
means for it."""

from __future__ import annotations

import stat
from pathlib import Path

from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    TarEntry,
    compress,
    directory,
    docker_archive,
    file,
    hardlink,
    layer_tar,
    oci_layout,
    symlink,
    whiteout,
    write_directory,
)

LAYOUTS = ("legacy", "oci", "gzip", "oci-dir")
"""Every way an image reaches the extraction: seekable tars of both docker save layouts, a
streamed (compressed) archive, and an OCI layout directory."""


def files_under(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*")}


def hostile_layer(outside: Path) -> bytes:
    return layer_tar(
        [
            file("../../escape", b"escaped"),
            file("/abs/path", b"absolute"),
            symlink("out", str(outside)),
            file("out/pwned", b"through the link"),
            directory("d"),
            symlink("sd", "d"),
            file("sd/f", b"under a link to a directory"),
            symlink("up", "../../.."),
            hardlink("passwd", "/etc/passwd"),
            hardlink("passwd2", "../../../../etc/passwd"),
            file("suid", b"s", mode=0o4755),
            directory("sgid", mode=0o2775),
            file("sgid/x", b"x", mode=0o6644),
            TarEntry("dev/null", "char", mode=0o666),
            TarEntry("fifo", "fifo", mode=0o644),
            file("plain", b"plain"),
        ]
    )


def write_image(directory_path: Path, layout: str, spec: ImageSpec) -> str:
    """Write ``spec`` in one of :data:`LAYOUTS` below ``directory_path``; its reference."""
    if layout == "oci-dir":
        root = write_directory(oci_layout([spec], compression="gzip"), directory_path / "layout")
        return f"oci://{root}"
    data = docker_archive(spec, layout="legacy" if layout == "legacy" else "oci")
    name = "image.tar.gz" if layout == "gzip" else "image.tar"
    (directory_path / name).write_bytes(compress(data, "gzip") if layout == "gzip" else data)
    return str(directory_path / name)


def layered_spec(content: bytes = b"two") -> ImageSpec:
    """``app/a`` overwritten with ``content``, ``app/gone`` deleted, ``app/b`` added, then a
    layer that touches nothing of ``app``."""
    first = layer_tar([directory("app"), file("app/a", b"one"), file("app/gone", b"gone")])
    second = layer_tar([file("app/a", content), whiteout("app/gone"), file("app/b", b"b")])
    third = layer_tar([file("other", b"other")])
    layers = [LayerSpec(first, "one"), LayerSpec(second, "two"), LayerSpec(third, "three")]
    return ImageSpec(layers=layers)


def write_hostile_image(directory_path: Path, layout: str) -> tuple[str, Path]:
    """The image's reference, and the directory outside it that its links point at."""
    outside = directory_path / "outside"
    outside.mkdir()
    spec = ImageSpec(layers=[LayerSpec(hostile_layer(outside), "hostile")])
    return write_image(directory_path, layout, spec), outside


def assert_confined(target: Path, outside: Path, notes: str) -> None:
    """The hostile image's root was written below ``target`` and nowhere else, safely."""
    assert files_under(outside) == set()
    written = files_under(target)
    assert "plain" in written
    assert (target / "plain").read_bytes() == b"plain"
    assert (target / "abs" / "path").read_bytes() == b"absolute"  # confined, as the overlay does
    assert "escape" not in written
    assert not (target / "passwd").exists()
    assert not (target / "passwd2").exists()
    assert "dev/null" not in written and "fifo" not in written
    assert str((target / "up").readlink()) == "../../.."  # a link written as a link
    for path in target.rglob("*"):
        mode = path.lstat().st_mode
        assert not mode & (stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX), path
        if path.is_symlink():
            continue
        assert not path.is_block_device() and not path.is_char_device() and not path.is_fifo()
    assert stat.S_IMODE((target / "suid").stat().st_mode) == 0o755
    assert "refused dev/null: a device or special file" in notes
    assert "passwd" in notes and "escape" in notes
