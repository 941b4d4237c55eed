"""Write extracted entries strictly inside one directory.

Every path is relative and checked component by component (no ``..``, no empty or ``.``
parts). Directories are walked with ``openat`` and ``O_NOFOLLOW``, one component at a time, so
a symlink already on disk (written by this extraction or found there) is never followed; a
file is created with ``O_EXCL | O_NOFOLLOW`` after removing whatever stood at its name.
Symlinks are written as symlinks and never followed. Hard links only point at files this
writer wrote. Setuid, setgid and sticky bits are dropped; ownership is never changed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafeEntryError(Exception):
    """An entry would have been written outside the target, or through a link."""


def split_relative(relative: str) -> list[str]:
    """The components of a relative path; raises for anything that could leave the root."""
    if not relative or relative.startswith("/") or "\0" in relative:
        raise UnsafeEntryError(f"not a relative path: {relative!r}")
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise UnsafeEntryError(f"not a plain relative path: {relative!r}")
    return parts


class SafeWriter:
    """Creates files, directories, symlinks and hard links below ``root`` and nowhere else."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self._root = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        self._dir_modes: dict[str, int] = {}
        self.files: set[str] = set()
        """Relative paths of the regular files written (hard links may point at them)."""

    def _walk(self, parts: list[str]) -> int:
        """Open (creating as needed) the directory ``parts`` below the root; never follows."""
        fd = os.dup(self._root)
        try:
            for part in parts:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o700, dir_fd=fd)
                try:
                    child = os.open(part, _DIR_FLAGS, dir_fd=fd)
                except OSError as exc:
                    if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                        raise UnsafeEntryError(f"{part!r} is a link or not a directory") from exc
                    raise
                os.close(fd)
                fd = child
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _clear(self, directory: int, name: str) -> None:
        """Remove a file or link (never a directory, never following) standing at ``name``."""
        try:
            found = os.stat(name, dir_fd=directory, follow_symlinks=False)
        except FileNotFoundError:
            return
        if stat.S_ISDIR(found.st_mode):
            raise UnsafeEntryError(f"a directory stands at {name!r}")
        os.unlink(name, dir_fd=directory)

    def directory(self, relative: str, mode: int) -> None:
        """Create a directory; its permissions are set when the writer closes."""
        os.close(self._walk(split_relative(relative)))
        self._dir_modes[relative] = (mode & 0o777) | 0o700

    def file(self, relative: str, chunks: Iterable[bytes], mode: int) -> None:
        """Write a regular file from ``chunks``; special permission bits are dropped."""
        *parents, name = split_relative(relative)
        directory = self._walk(parents)
        try:
            self._clear(directory, name)
            handle = os.open(name, _FILE_FLAGS, 0o600, dir_fd=directory)
            with os.fdopen(handle, "wb") as stream:
                for chunk in chunks:
                    stream.write(chunk)
                os.fchmod(stream.fileno(), (mode & 0o777) | 0o600)
        finally:
            os.close(directory)
        self.files.add(relative)

    def symlink(self, relative: str, target: str) -> None:
        """Write a symbolic link as a link (its target is text; it is never followed)."""
        *parents, name = split_relative(relative)
        directory = self._walk(parents)
        try:
            self._clear(directory, name)
            os.symlink(target, name, dir_fd=directory)
        finally:
            os.close(directory)
        self.files.discard(relative)

    def hardlink(self, relative: str, target: str) -> None:
        """Link ``relative`` to the file this writer wrote at ``target``."""
        if target not in self.files:
            raise UnsafeEntryError(f"hard link target {target!r} was not extracted")
        *target_parents, target_name = split_relative(target)
        *parents, name = split_relative(relative)
        source_dir, directory = self._walk(target_parents), self._walk(parents)
        try:
            found = os.stat(target_name, dir_fd=source_dir, follow_symlinks=False)
            if not stat.S_ISREG(found.st_mode):
                raise UnsafeEntryError(f"hard link target {target!r} is not a regular file")
            self._clear(directory, name)
            os.link(
                target_name,
                name,
                src_dir_fd=source_dir,
                dst_dir_fd=directory,
                follow_symlinks=False,
            )
        finally:
            os.close(source_dir)
            os.close(directory)
        self.files.add(relative)

    def close(self) -> None:
        """Apply directory permissions (deepest first) and release the root."""
        for relative in sorted(self._dir_modes, key=lambda path: -path.count("/")):
            with contextlib.suppress(UnsafeEntryError, OSError):
                fd = self._walk(split_relative(relative))
                try:
                    os.fchmod(fd, self._dir_modes[relative])
                finally:
                    os.close(fd)
        os.close(self._root)
