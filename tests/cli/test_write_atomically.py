"""Output files are replaced in one step and never left half-written or littered."""

from __future__ import annotations

import os
import stat
import threading
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


def read_fifo_in_background(fifo: Path) -> tuple[threading.Thread, list[bytes]]:
    received: list[bytes] = []

    def read() -> None:
        with fifo.open("rb") as stream:
            received.append(stream.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader, received


@pytest.mark.parametrize("through_a_link", [False, True])
def test_a_pipe_is_written_to_not_replaced(tmp_path: Path, through_a_link: bool) -> None:
    """``--json /dev/stdout`` (a link to a pipe) or a named pipe: written as a stream."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    target = fifo
    if through_a_link:
        target = tmp_path / "stdout"
        target.symlink_to(fifo)
    reader, received = read_fifo_in_background(fifo)
    write_atomically(target, '{"layer": []}\n')
    reader.join(timeout=10)
    assert received == [b'{"layer": []}\n']
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert target.is_symlink() == through_a_link
    assert names(tmp_path) == sorted(["pipe", *(["stdout"] if through_a_link else [])])


def test_a_link_to_a_file_is_written_through_and_kept(tmp_path: Path) -> None:
    (tmp_path / "real.json").write_text("old")
    (tmp_path / "link.json").symlink_to("real.json")
    (tmp_path / "dangling.json").symlink_to("created.json")
    write_atomically(tmp_path / "link.json", "new")
    write_atomically(tmp_path / "dangling.json", "made")
    assert (tmp_path / "link.json").is_symlink()
    assert (tmp_path / "real.json").read_text() == "new"
    assert (tmp_path / "dangling.json").is_symlink()
    assert (tmp_path / "created.json").read_text() == "made"
    assert names(tmp_path) == ["created.json", "dangling.json", "link.json", "real.json"]


def test_a_link_to_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "link").symlink_to("folder")
    with pytest.raises(UsageError, match="it is a directory"):
        write_atomically(tmp_path / "link", "{}")
    assert names(tmp_path / "folder") == []
