"""Resolve a path as the kernel would, through symbolic links among its directories.

Package databases list files as the package manager wrote them (``/bin/bash``); the layers
store them where they really are (``usr/bin/bash`` when ``/bin`` is a link to ``usr/bin``, as
on merged-``/usr`` systems). A path's directories are resolved through the final
filesystem's symbolic links; its last name is not followed, as ``stat`` without ``-L`` does.
"""

from __future__ import annotations

from collections.abc import Mapping

from auger.layers import paths
from auger.model import EntryKind, VisibleEntry

_MAX_LINKS = 40
"""As Linux's ``MAXSYMLINKS``: a longer chain (or a loop) is left unresolved."""


class Resolver:
    """Resolves paths against one filesystem, remembering every directory it resolved."""

    def __init__(self, visible: Mapping[str, VisibleEntry]) -> None:
        self._visible = visible
        self._directories: dict[str, str] = {"": ""}

    def directory(self, directory: str, links: int = 0) -> str:
        """Where the directory ``directory`` really is."""
        known = self._directories.get(directory)
        if known is not None:
            return known
        head, _, name = directory.rpartition("/")
        base = self.directory(head, links)
        here = paths.join(base, name)
        found = self._visible.get(here)
        entry = found.entry if found is not None else None
        if entry is not None and entry.kind is EntryKind.SYMLINK and links < _MAX_LINKS:
            target = entry.link if entry.link.startswith("/") else paths.join(base, entry.link)
            here = self.directory(paths.normalize(target)[0], links + 1)
        self._directories[directory] = here
        return here

    def path(self, path: str) -> str:
        """Where ``path`` really is (its last name not followed)."""
        head, _, name = path.rpartition("/")
        return paths.join(self.directory(head), name) if head else path
