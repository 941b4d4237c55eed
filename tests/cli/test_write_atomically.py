"""Output files are replaced in one step and never left half-written or littered."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from auger.cli.console import write_atomically
from auger.errors import UsageError


def names(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def test_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old, and longer than the new text")
    write_atomically(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert names(tmp_path) == ["out.json"]


def test_the_new_file_follows_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o077)
    try:
        write_atomically(tmp_path / "private.json", "{}")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "private.json").stat().st_mode) == 0o600


@pytest.mark.parametrize("name", ["missing/out.json", "a-directory"])
def test_unwritable_targets_are_usage_errors_and_leave_nothing(tmp_path: Path, name: str) -> None:
    (tmp_path / "a-directory").mkdir()
    (tmp_path / "a-directory" / "inside").write_text("kept")
    with pytest.raises(UsageError, match="cannot write"):
        write_atomically(tmp_path / name, "{}")
    assert names(tmp_path) == ["a-directory"]
    assert names(tmp_path / "a-directory") == ["inside"]
