"""Helpers to drive the explorer app over the sample image (see :mod:`tests.viewmodel.support`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from auger.tui.app import AugerApp
from auger.tui.screens.main import MainScreen
from auger.tui.widgets.file_tree import FileTree
from auger.viewmodel.comparison import compare
from auger.viewmodel.explorer import ImageRef
from auger.viewmodel.model import Item
from tests.support import NO_ENGINE
from tests.viewmodel.support import load_explorer

SIZE = (120, 36)
"""Terminal size of every Pilot and snapshot run."""

T = TypeVar("T")


def make_app(archive: Path, *, open_top: bool = False) -> AugerApp:
    """An app over the archive's analysis, with the archive as its source (for extraction).

    The tree starts collapsed unless ``open_top`` (the explorer opens it with its first level
    expanded): the tests of keys and clicks count rows from there.
    """
    return AugerApp(
        image=ImageRef(str(archive), environ=NO_ENGINE),
        explorer=load_explorer(archive),
        open_top=open_top,
    )


def make_compare_app(base: Path, head: Path) -> AugerApp:
    """An app over ``head`` with ``base`` as its baseline (it opens on the two-image view)."""
    explorer = load_explorer(head)
    explorer.comparison = compare(load_explorer(base).analysis, explorer.analysis)
    return AugerApp(image=ImageRef(str(head), environ=NO_ENGINE), explorer=explorer)


def run(coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run an async test body (no async plugin needed)."""
    return asyncio.run(coroutine())


def main_screen(app: AugerApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen), screen
    return screen


def tree_of(app: AugerApp) -> FileTree:
    return main_screen(app).file_tree


def row_paths(app: AugerApp) -> list[str]:
    """The paths of the tree's rows, top to bottom."""
    tree = main_screen(app).file_tree
    paths = tree.rows.model.index.paths
    return [paths[row.item.id] for row in tree.rows.rows]


def selected(app: AugerApp) -> Item | None:
    return main_screen(app).file_tree.selected


def selected_path(app: AugerApp) -> str | None:
    item = selected(app)
    tree = main_screen(app).file_tree
    return None if item is None else tree.rows.model.index.paths[item.id]
