"""The safe writer writes only inside its root: no climbing, no following links, no setuid."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from auger.extraction.safe_write import SafeWriter, UnsafeEntryError, split_relative
from tests.extraction.support import files_under


def test_symlinks_already_on_disk_are_never_followed(tmp_path: Path) -> None:
    outside, target = tmp_path / "outside", tmp_path / "target"
    outside.mkdir()
    target.mkdir()
    (target / "pre").symlink_to(outside)
    writer = SafeWriter(target)
    with pytest.raises(UnsafeEntryError):
        writer.file("pre/x", [b"x"], 0o644)
    with pytest.raises(UnsafeEntryError):
        writer.directory("pre/sub", 0o755)
    writer.symlink("link", str(outside))
    with pytest.raises(UnsafeEntryError):
        writer.file("link/pwned", [b"x"], 0o644)
    writer.file("pre", [b"replaces the link itself"], 0o644)
    writer.close()
    assert files_under(outside) == set()
    assert not (target / "pre").is_symlink()
    assert (target / "pre").read_bytes() == b"replaces the link itself"


def test_hard_links_point_only_at_files_written_here(tmp_path: Path) -> None:
    writer = SafeWriter(tmp_path / "t")
    with pytest.raises(UnsafeEntryError):
        writer.hardlink("h", "etc/passwd")
    writer.file("f", [b"content"], 0o644)
    writer.hardlink("h", "f")
    writer.symlink("f", "/etc/passwd")  # f is now a link: no longer a link target
    with pytest.raises(UnsafeEntryError):
        writer.hardlink("h2", "f")
    writer.close()
    assert (tmp_path / "t" / "h").read_bytes() == b"content"
    assert not (tmp_path / "t" / "h2").exists()


@pytest.mark.parametrize(
    "bad", ["", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a/.", "a\0b"]
)
def test_only_plain_relative_paths(bad: str) -> None:
    with pytest.raises(UnsafeEntryError):
        split_relative(bad)


def test_special_permission_bits_are_dropped(tmp_path: Path) -> None:
    writer = SafeWriter(tmp_path / "t")
    writer.directory("g", 0o2775)
    writer.file("g/s", [b"s"], 0o6755)
    writer.close()
    assert stat.S_IMODE((tmp_path / "t" / "g").stat().st_mode) == 0o775
    assert stat.S_IMODE((tmp_path / "t" / "g" / "s").stat().st_mode) == 0o755
