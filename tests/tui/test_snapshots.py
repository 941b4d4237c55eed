"""SVG snapshots (pytest-textual-snapshot, Textual pinned) at a fixed terminal size.

Update them after a deliberate change of the look with ``pytest tests/tui --snapshot-update``
and review the SVG files in ``__snapshots__``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from auger.tui.app import AugerApp
from auger.tui.screens.error import ErrorDialog
from auger.tui.screens.main import MainScreen
from auger.viewmodel.explorer import ImageRef
from tests.report.support import attributed_image, base_image, head_image, write_archive
from tests.support import NO_ENGINE
from tests.tui.support import SIZE, make_app, make_compare_app

Compare = Callable[..., bool]


def test_main_screen(snap_compare: Compare, sample: Path) -> None:
    assert snap_compare(make_app(sample), terminal_size=SIZE)


def test_filtered_tree(snap_compare: Compare, sample: Path) -> None:
    keys = ["down", "tab", "ctrl+f", *"lib", "enter"]
    assert snap_compare(make_app(sample), press=keys, terminal_size=SIZE)


def test_layer_changes_view(snap_compare: Compare, sample: Path) -> None:
    keys = ["down", "ctrl+l", "tab", "ctrl+space"]
    assert snap_compare(make_app(sample), press=keys, terminal_size=SIZE)


def test_aggregated_view(snap_compare: Compare, sample: Path) -> None:
    keys = ["down", "down", "ctrl+a", "tab", "ctrl+space"]
    assert snap_compare(make_app(sample), press=keys, terminal_size=SIZE)


def test_help_overlay(snap_compare: Compare, sample: Path) -> None:
    assert snap_compare(make_app(sample), press=["question_mark"], terminal_size=SIZE)


def test_wasted_space_view(snap_compare: Compare, sample: Path) -> None:
    assert snap_compare(make_app(sample), press=["w"], terminal_size=SIZE)


def test_error_dialog(
    snap_compare: Compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the missing archive's name, relative: the same on every run

    async def until_the_dialog(pilot: Pilot[int]) -> None:
        for _ in range(200):
            if isinstance(pilot.app.screen, ErrorDialog):
                return
            await pilot.pause(0.05)
        raise AssertionError("no error dialog")

    app = AugerApp(image=ImageRef("missing-image.tar", environ=NO_ENGINE))
    assert snap_compare(app, terminal_size=SIZE, run_before=until_the_dialog)


def test_file_viewer(snap_compare: Compare, sample: Path) -> None:
    async def until_the_text(pilot: Pilot[int]) -> None:
        await pilot.press("down", "tab", "down", "right", "down", "down", "v")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(make_app(sample), terminal_size=SIZE, run_before=until_the_text)


async def _until_packages(pilot: Pilot[int]) -> None:
    """Wait for the background reading of the package databases (the owner column)."""
    for _ in range(200):
        screen = pilot.app.screen
        if isinstance(screen, MainScreen) and screen.file_tree.column is not None:
            await pilot.pause()
            return
        await pilot.pause(0.05)
    raise AssertionError("the packages were never found")


def test_owner_column(snap_compare: Compare, tmp_path: Path) -> None:
    archive = write_archive(tmp_path, "attributed.tar", attributed_image())
    keys = ["down", "tab", "space", "down", "space"]  # usr/bin, layer 1
    assert snap_compare(
        make_app(archive), press=keys, terminal_size=SIZE, run_before=_until_packages
    )


def test_packages_view(snap_compare: Compare, tmp_path: Path) -> None:
    archive = write_archive(tmp_path, "attributed.tar", attributed_image())
    assert snap_compare(
        make_app(archive), press=["p"], terminal_size=SIZE, run_before=_until_packages
    )


def test_compare_view(snap_compare: Compare, tmp_path: Path) -> None:
    base = write_archive(tmp_path, "base.tar", base_image())
    head = write_archive(tmp_path, "head.tar", head_image())
    assert snap_compare(make_compare_app(base, head), terminal_size=SIZE)


def test_compare_view_everything(snap_compare: Compare, tmp_path: Path) -> None:
    base = write_archive(tmp_path, "base.tar", base_image())
    head = write_archive(tmp_path, "head.tar", head_image())
    keys = ["ctrl+l", "ctrl+o"]
    assert snap_compare(make_compare_app(base, head), press=keys, terminal_size=SIZE)


def test_extract_dialog(snap_compare: Compare, sample: Path) -> None:
    """One footer, with the dialog's own keys (the main screen's is covered)."""

    async def with_a_fixed_target(pilot: Pilot[int]) -> None:
        await pilot.press("down", "tab", "down", "x")
        target = pilot.app.screen.query_one(Input)
        target.cursor_blink = False  # drawn the same on every run
        target.value = "/srv/out"
        await pilot.pause()

    assert snap_compare(make_app(sample), terminal_size=SIZE, run_before=with_a_fixed_target)


def test_compare_view_at_80x24(snap_compare: Compare, tmp_path: Path) -> None:
    """Sizes and names fit beside the summary; the status line says how a file changed."""
    base = write_archive(tmp_path, "base.tar", base_image())
    head = write_archive(tmp_path, "head.tar", head_image())
    keys = ["down"] * 9  # /app/main.py: another size and mode
    assert snap_compare(make_compare_app(base, head), press=keys, terminal_size=(80, 24))
