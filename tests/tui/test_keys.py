"""Every key of the explorer, driven with Pilot; each test checks the state it leads to."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widget import Widget
from textual.widgets import Static

from auger.model import DiffType
from auger.tui.screens.help import HelpScreen
from auger.tui.widgets.details import LayerDetails
from auger.tui.widgets.filter_bar import FilterBar
from auger.tui.widgets.layers import LayersPane
from auger.viewmodel.model import Mode, SortOrder
from tests.tui.support import SIZE, main_screen, make_app, row_paths, run, selected_path, tree_of

LAYER_1_CHANGES = [
    "etc",
    "etc/passwd",
    "usr",
    "usr/lib",
    "usr/lib/libfoo.so",
    "usr/lib/libfoo.so.1",
    "var",
    "var/cache",
    "var/cache/apt",
    "var/cache/apt/more.deb",
]
"""The sample's layer 1 with every folder open: only what it changes, and their parents."""


def test_opens_on_the_first_layer_with_the_layers_pane_focused(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = main_screen(app)
            assert screen.view.layer == 0
            assert screen.view.mode is Mode.AGGREGATED
            assert isinstance(app.focused, LayersPane)
            assert row_paths(app) == ["bin", "etc", "usr", "var"]

    run(body)


def shown_text(widget: Widget) -> str:
    """What the widget shows on screen, line by line."""
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def test_arrows_in_the_layers_pane_select_a_layer(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            details = main_screen(app).query_one(LayerDetails)
            layers = len(main_screen(app).explorer.analysis.image.layers)
            await pilot.press("down", "down")
            await pilot.pause()
            assert main_screen(app).view.layer == 2
            assert "app" not in row_paths(app)
            assert f"2 (3 of {layers})" in shown_text(details)
            await pilot.press("down")
            await pilot.pause()
            assert main_screen(app).view.layer == 3
            assert "app" in row_paths(app)
            await pilot.press("tab", "ctrl+f", "p", "escape", "ctrl+o")  # same layer, new views
            await pilot.pause()
            assert f"3 (4 of {layers})" in shown_text(details)
            await pilot.press("shift+tab", "up", "up", "up")
            await pilot.pause()
            assert main_screen(app).view.layer == 0
            assert f"0 (1 of {layers})" in shown_text(details)

    run(body)


def test_tab_switches_pane(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("tab")
            assert app.focused is tree_of(app)
            await pilot.press("tab")
            assert isinstance(app.focused, LayersPane)

    run(body)


def test_space_and_enter_expand_and_collapse(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("tab", "down")
            assert selected_path(app) == "etc"
            await pilot.press("space")
            assert row_paths(app) == ["bin", "etc", "etc/hosts", "etc/passwd", "usr", "var"]
            await pilot.press("space")
            assert row_paths(app) == ["bin", "etc", "usr", "var"]
            await pilot.press("enter")
            assert "etc/passwd" in row_paths(app)
            await pilot.press("left")
            assert "etc/passwd" not in row_paths(app)
            await pilot.press("right", "down", "down", "left")
            assert selected_path(app) == "etc"

    run(body)


@pytest.mark.parametrize("key", ["ctrl+space", "ctrl+@"])
def test_ctrl_space_expands_and_collapses_everything(sample: Path, key: str) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("tab", key)
            rows = row_paths(app)
            assert "var/cache/apt/pkg.deb" in rows
            assert "usr/lib/libc.so" in rows
            assert len(rows) == 12
            await pilot.press(key)
            assert row_paths(app) == ["bin", "etc", "usr", "var"]

    run(body)


def test_ctrl_l_shows_layer_changes_and_ctrl_a_the_aggregate(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("down", "ctrl+l")
            screen = main_screen(app)
            assert (screen.view.layer, screen.view.mode) == (1, Mode.LAYER)
            await pilot.press("tab", "ctrl+space")
            assert row_paths(app) == LAYER_1_CHANGES
            await pilot.press("shift+tab", "ctrl+a")
            assert screen.view.mode is Mode.AGGREGATED
            assert "etc/hosts" in row_paths(app)  # unchanged in layer 1, shown again

    run(body)


@pytest.mark.parametrize(
    ("keys", "hidden"),
    [
        (("a",), DiffType.ADDED),
        (("ctrl+a",), DiffType.ADDED),
        (("r",), DiffType.REMOVED),
        (("ctrl+r",), DiffType.REMOVED),
        (("m",), DiffType.MODIFIED),
        (("u",), DiffType.UNMODIFIED),
        (("ctrl+u",), DiffType.UNMODIFIED),
    ],
)
def test_diff_type_toggles(sample: Path, keys: tuple[str, ...], hidden: DiffType) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("down", "down", "tab", "ctrl+space")  # layer 2: removes, re-adds
            shown = dict(zip(row_paths(app), tree_of(app).rows.rows, strict=True))
            assert shown["var/cache/apt"].item.diff is DiffType.REMOVED
            assert shown["etc/hosts"].item.diff is DiffType.UNMODIFIED
            await pilot.press(*keys)
            assert main_screen(app).view.shown == frozenset(DiffType) - {hidden}
            rows = tree_of(app).rows.rows
            assert all(row.item.diff is not hidden or row.item.is_dir for row in rows)
            await pilot.press(*keys)
            assert main_screen(app).view.shown == frozenset(DiffType)

    run(body)


def test_hiding_unmodified_leaves_the_layers_own_changes(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("down", "tab", "u", "ctrl+space")
            assert row_paths(app) == LAYER_1_CHANGES

    run(body)


def test_ctrl_o_sorts_by_size_then_by_name(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("tab", "ctrl+o")
            assert main_screen(app).view.sort is SortOrder.SIZE
            assert row_paths(app) == ["var", "usr", "bin", "etc"]  # 20000, 5000, 1000, 46
            await pilot.press("ctrl+o")
            assert main_screen(app).view.sort is SortOrder.NAME
            assert row_paths(app) == ["bin", "etc", "usr", "var"]

    run(body)


def test_ctrl_b_toggles_the_attributes_column(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("tab")
            tree = tree_of(app)
            assert tree.show_attributes
            assert "drwxr-xr-x" in tree.render_line(0).text
            assert "0:0" in tree.render_line(0).text
            header = main_screen(app).query_one("#tree-header", Static)
            assert "Permission" in str(header.render())
            await pilot.press("ctrl+b")
            assert not tree.show_attributes
            assert "Permission" not in str(header.render())
            assert "rwx" not in tree.render_line(0).text
            assert "bin" in tree.render_line(0).text

    run(body)


@pytest.mark.parametrize("key", ["ctrl+f", "slash"])
def test_filter_by_regex_and_close_with_escape(sample: Path, key: str) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("tab", key)
            bar = main_screen(app).query_one(FilterBar)
            assert app.focused is bar
            await pilot.press(*"pass", "q")  # q is text here, not quit
            found = main_screen(app).view.filter
            assert found is not None
            assert found.text == "passq"
            await pilot.press("backspace")
            assert row_paths(app) == ["etc", "etc/passwd"]
            await pilot.press("escape")
            assert main_screen(app).view.filter is None
            assert not bar.has_class("-open")
            assert tree_of(app).has_focus
            assert row_paths(app)[:2] == ["bin", "etc"]
            assert app.is_running

    run(body)


def test_filter_falls_back_to_a_glob_and_enter_keeps_it(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("down", "tab", "ctrl+f", *"*.so", "enter")
            view = main_screen(app).view
            assert view.filter is not None
            assert view.filter.kind == "glob"
            assert row_paths(app) == ["usr", "usr/lib", "usr/lib/libc.so", "usr/lib/libfoo.so"]
            assert app.focused is tree_of(app)
            await pilot.press("ctrl+f", "ctrl+u", *"^/usr/lib/libfoo")
            assert main_screen(app).view.filter.kind == "regex"  # type: ignore[union-attr]
            assert row_paths(app)[-2:] == ["usr/lib/libfoo.so", "usr/lib/libfoo.so.1"]

    run(body)


def test_help_overlay(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)
            await pilot.press("question_mark", "question_mark")
            assert not isinstance(app.screen, HelpScreen)

    run(body)


@pytest.mark.parametrize("key", ["q", "ctrl+c"])
def test_quit(sample: Path, key: str) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("tab", key)
            await pilot.pause()
            assert not app.is_running
        assert app.return_value == 0

    run(body)


@pytest.mark.parametrize("key", ["c", "y"])
def test_copy_the_selected_path(sample: Path, key: str) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("tab", "down", "space", "down", "down", key)
            assert app.clipboard == "/etc/passwd"
            messages = [notification.message for notification in app._notifications]
            assert "copied /etc/passwd" in messages

    run(body)
