"""``auger extract`` from the real Docker Engine: the final filesystem, from a streamed save."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.engine_support import Engine
from tests.extraction.support import files_under
from tests.oracle.support import engine_image
from tests.support import run_cli

pytestmark = pytest.mark.engine


def test_extracts_a_directory_as_the_container_sees_it(
    engine: Engine, busybox: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    tag = engine_image(engine, busybox, tmp_path_factory, "overlay")
    target = tmp_path / "out"
    result = run_cli(["extract", f"docker://{tag}", "/data", "-o", str(target)], dict(os.environ))
    assert result.code == 0, result.stderr
    data = target / "data"
    assert files_under(target) == {
        "data",
        *(f"data/{name}" for name in ("over.txt", "chmod.bin", "opq", "opq/new", "readd.txt")),
        *(f"data/{name}" for name in ("orig", "hard", "sym", "a", "a/b", "a/b/c", "a/b/c/d")),
        "data/a/b/c/d/deep.txt",
    }
    assert (data / "over.txt").read_bytes() == b"i\n" * 300  # layer 3's copy, not layer 2's
    assert stat.S_IMODE((data / "chmod.bin").stat().st_mode) == 0o755
    assert (data / "readd.txt").read_bytes() == b"k\n" * 40
    assert (data / "hard").stat().st_ino == (data / "orig").stat().st_ino
    assert str((data / "sym").readlink()) == "orig"
    assert (data / "a/b/c/d/deep.txt").stat().st_size == 33
    assert result.stderr.endswith(f"auger: /data: 14 entries written to {target}\n")
