"""A real Debian base image for integration tests: a ``debootstrap --variant=minbase`` root
file system of bookworm, built once per machine and cached, imported into the engine.

Building it takes a few minutes (it downloads about 40 MB from Debian's mirror) and needs root
and ``debootstrap``; the tar is cached under ``~/.cache/auger-test`` (or ``AUGER_TEST_CACHE``)
and reused by every later run, and ``.ci/run`` builds it before the tests
(``python3 -m tests.debian_support``). As in Debian's own container images, the downloaded
packages and the package lists are left out.

    python3 -m tests.debian_support   # build the cached root file system if it is missing
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

MIRROR = "http://deb.debian.org/debian"
SUITE = "bookworm"
NAME = f"{SUITE}-minbase.tar"


def cache_dir() -> Path:
    """Where the root file system is cached."""
    configured = os.environ.get("AUGER_TEST_CACHE")
    base = Path(configured) if configured else Path.home() / ".cache" / "auger-test"
    base.mkdir(parents=True, exist_ok=True)
    return base


def rootfs_tar() -> Path:
    """The cached root file system tar (which may not exist yet)."""
    return cache_dir() / NAME


def can_build() -> str | None:
    """Why the root file system cannot be built here, or ``None`` if it can."""
    if shutil.which("debootstrap") is None:
        return "debootstrap is not installed"
    if os.geteuid() != 0:
        return "debootstrap needs root"
    return None


def build_rootfs() -> Path:
    """Build the root file system tar unless it is cached; return its path."""
    target = rootfs_tar()
    if target.is_file():
        return target
    reason = can_build()
    if reason is not None:
        raise RuntimeError(f"cannot build the Debian root file system: {reason}")
    with tempfile.TemporaryDirectory(dir=cache_dir()) as scratch:
        root = Path(scratch) / "rootfs"
        subprocess.run(
            ["debootstrap", "--variant=minbase", SUITE, str(root), MIRROR],
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
    """The engine tag of the imported root file system: named by the tar's content."""
    digest = hashlib.sha256()
    with tar.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return f"auger-test-{SUITE}-minbase:{digest.hexdigest()[:12]}"


if __name__ == "__main__":
    print(build_rootfs())
    sys.exit(0)
