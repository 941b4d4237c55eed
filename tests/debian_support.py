"""Real Debian base images for integration tests and benchmarks: ``debootstrap
--variant=minbase`` root file systems of bookworm, built once per machine and cached, imported
into the engine.

Two are made: the plain minbase, and the minbase with Debian's ``python3`` and its ``venv``
module (:data:`PYTHON`), the base auger's own container image is built on in the tests (the
default base of the ``Dockerfile`` is on a registry these machines cannot reach).

Building one takes a few minutes (about 40 MB from Debian's mirror) and needs root and
``debootstrap``; the tars are cached under ``~/.cache/auger-test`` (or ``AUGER_TEST_CACHE``)
and reused by every later run, and ``.ci/run`` builds them before the tests
(``python3 -m tests.debian_support``). As in Debian's own container images, the downloaded
packages and the package lists are left out. The tests that need a Debian image (package
attribution, auger's own image) and the image benchmarks (``scripts/bench_images.py``) share
these copies.

    python3 -m tests.debian_support   # build the cached root file systems that are missing
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

MIRROR = "http://deb.debian.org/debian"
SUITE = "bookworm"
NAME = f"{SUITE}-minbase.tar"
PYTHON = ("python3-venv",)
"""The packages of the Python base: Debian's python3 (3.11) and its venv module."""


def cache_dir() -> Path:
    """Where the root file systems are cached."""
    configured = os.environ.get("AUGER_TEST_CACHE")
    base = Path(configured) if configured else Path.home() / ".cache" / "auger-test"
    base.mkdir(parents=True, exist_ok=True)
    return base


def rootfs_tar(include: Sequence[str] = ()) -> Path:
    """The cached root file system tar with the packages ``include`` added to the minbase
    (which may not exist yet)."""
    if not include:
        return cache_dir() / NAME
    return cache_dir() / f"{SUITE}-minbase-{'-'.join(include)}.tar"


def can_build() -> str | None:
    """Why a root file system cannot be built here, or ``None`` if it can."""
    if shutil.which("debootstrap") is None:
        return "debootstrap is not installed"
    if os.geteuid() != 0:
        return "debootstrap needs root"
    return None


def build_rootfs(include: Sequence[str] = ()) -> Path:
    """Build the root file system tar (the minbase and the packages ``include``) unless it is
    cached; return its path."""
    target = rootfs_tar(include)
    if target.is_file():
        return target
    reason = can_build()
    if reason is not None:
        raise RuntimeError(f"cannot build the Debian root file system: {reason}")
    extra = [f"--include={','.join(include)}"] if include else []
    with tempfile.TemporaryDirectory(dir=cache_dir()) as scratch:
        root = Path(scratch) / "rootfs"
        subprocess.run(
            ["debootstrap", "--variant=minbase", *extra, SUITE, str(root), MIRROR],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        for leftover in (root / "var/cache/apt/archives").glob("*.deb"):
            leftover.unlink()
        for lists in (root / "var/lib/apt/lists").glob("*"):
            if lists.is_file():
                lists.unlink()
        partial = target.with_suffix(".partial")
        subprocess.run(
            ["tar", "-C", str(root), "--numeric-owner", "--sort=name", "-cf", str(partial), "."],
            check=True,
        )
        partial.rename(target)
    return target


def image_tag(tar: Path) -> str:
    """The engine tag of an imported root file system: named by the tar's name and content."""
    digest = hashlib.sha256()
    with tar.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return f"auger-test-{tar.stem}:{digest.hexdigest()[:12]}"


def import_rootfs(tar: Path, tag: str | None = None, command: str = "bash") -> str:
    """The root file system ``tar`` as an engine image, imported unless the engine has it,
    under ``tag`` or, by default, :func:`image_tag`'s; returns the tag."""
    tag = tag or image_tag(tar)
    present = subprocess.run(["docker", "image", "inspect", tag], capture_output=True, check=False)
    if present.returncode != 0:
        subprocess.run(
            ["docker", "import", "--change", f'CMD ["{command}"]', str(tar), tag],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return tag


if __name__ == "__main__":
    print(build_rootfs())
    print(build_rootfs(PYTHON))
    sys.exit(0)
