"""Mouse actions, the wasted-space view, extraction, loading and the error dialog."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import DataTable, Input

from auger.analysis.waste_groups import WasteGroup
from auger.model import DiffType, WasteCause
from auger.tui.app import AugerApp
from auger.tui.screens.error import ErrorDialog
from auger.tui.screens.extract import ExtractDialog
from auger.tui.screens.main import MainScreen
from auger.tui.screens.waste import MAX_ROWS, WasteScreen
from auger.viewmodel.explorer import ImageRef
from auger.viewmodel.model import Mode
from tests.support import NO_ENGINE, run_cli
from tests.tui.support import SIZE, main_screen, make_app, row_paths, run, selected_path, tree_of


def test_clicking_a_layer_selects_it(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.click("#layers", offset=(3, 4))  # border, header, rows 0 and 1
            await pilot.pause()
            assert main_screen(app).view.layer == 2

    run(body)


def test_clicking_rows_moves_the_cursor_and_toggles_folders(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.click("#tree", offset=(40, 1))
            assert selected_path(app) == "etc"
            assert "etc/passwd" not in row_paths(app)
            await pilot.click("#tree", offset=(40, 1))
            assert "etc/passwd" in row_paths(app)
            await pilot.click("#tree", offset=(40, 3))
            assert selected_path(app) == "etc/passwd"
            await pilot.click("#tree", offset=(40, 1))
            await pilot.click("#tree", offset=(40, 1))
            assert "etc/passwd" not in row_paths(app)

    run(body)


def test_the_mouse_wheel_scrolls_the_tree(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=(120, 12)) as pilot:
            await pilot.press("tab", "ctrl+space")
            tree = tree_of(app)
            assert tree.scroll_y == 0
            await pilot._post_mouse_events([events.MouseScrollDown], "#tree", (5, 5))
            await pilot.pause()
            assert tree.scroll_y > 0

    run(body)


def test_wasted_space_rows_jump_to_the_file_in_its_layer(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("down", "down", "down", "tab", "a", "w")  # layer 3, added hidden
            assert isinstance(app.screen, WasteScreen)
            table = app.screen.query_one(DataTable)
            first = app.screen.groups[0]
            assert first.path == "var/cache/apt"
            assert table.row_count == len(app.screen.groups)
            await pilot.press("enter")
            screen = main_screen(app)
            assert screen.view.layer == first.stored_in[0] == 0
            assert screen.view.shown == frozenset(DiffType)  # cleared to show the file
            assert selected_path(app) == "var/cache/apt"
            assert app.focused is tree_of(app)
            await pilot.press("w", "down", "enter")
            assert screen.explorer.waste is not None
            second = screen.explorer.waste[1]
            assert screen.view.layer == second.stored_in[0]
            assert selected_path(app) == second.path

    run(body)


def test_clicking_a_wasted_space_row_jumps(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+l", "w")
            waste = app.screen
            assert isinstance(waste, WasteScreen)
            target = waste.groups[1]
            await pilot.click(DataTable, offset=(4, 3))  # border, header, row 0, row 1
            await pilot.pause()
            assert isinstance(app.screen, MainScreen)
            assert selected_path(app) == target.path
            assert main_screen(app).view.layer == target.stored_in[0]

    run(body)


def test_extract_the_selected_folder(sample: Path, tmp_path: Path) -> None:
    target = tmp_path / "out"

    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("down", "tab", "down", "x")  # layer 1, /etc
            dialog = app.screen
            assert isinstance(dialog, ExtractDialog)
            dialog.query_one(Input).value = str(target)
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            messages = [notification.message for notification in app._notifications]
            assert any("entries written to" in message for message in messages), messages

    run(body)
    assert (target / "etc" / "passwd").read_text().startswith("root:x:0:0::/root:/bin/sh\napp")
    assert (target / "etc" / "hosts").read_text() == "127.0.0.1 localhost\n"
    assert sorted(p.name for p in target.rglob("*")) == ["etc", "hosts", "passwd"]


def test_extracting_one_file_says_1_entry(sample: Path, tmp_path: Path) -> None:
    target = tmp_path / "one"

    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("down", "tab", "down", "right", "down")  # layer 1, /etc/hosts
            assert selected_path(app) == "etc/hosts"
            await pilot.press("x")
            app.screen.query_one(Input).value = str(target)
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            messages = [notification.message for notification in app._notifications]
            assert any(message.startswith("1 entry written to") for message in messages), messages

    run(body)
    assert [p.name for p in target.rglob("*")] == ["hosts"]


def test_escape_cancels_extraction(sample: Path, tmp_path: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("tab", "x")
            assert isinstance(app.screen, ExtractDialog)
            app.screen.query_one(Input).value = str(tmp_path / "never")
            await pilot.press("escape")
            assert isinstance(app.screen, MainScreen)

    run(body)
    assert not (tmp_path / "never").exists()


def test_loading_shows_the_main_screen_when_done(sample: Path) -> None:
    async def body() -> None:
        app = AugerApp(image=ImageRef(str(sample), environ=NO_ENGINE), open_top=False)
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(100):
                await pilot.pause(0.05)
                if isinstance(app.screen, MainScreen):
                    break
            assert isinstance(app.screen, MainScreen)
            assert main_screen(app).view.mode is Mode.AGGREGATED
            assert row_paths(app) == ["bin", "etc", "usr", "var"]

    run(body)


def test_an_unreadable_image_shows_the_clis_error_then_exits_3(tmp_path: Path) -> None:
    missing = tmp_path / "missing.tar"
    cli = run_cli([str(missing)])
    expected = [line for line in cli.stderr.splitlines() if line.startswith("auger: error: ")]

    async def body() -> None:
        app = AugerApp(image=ImageRef(str(missing), environ=NO_ENGINE))
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(100):
                await pilot.pause(0.05)
                if isinstance(app.screen, ErrorDialog):
                    break
            dialog = app.screen
            assert isinstance(dialog, ErrorDialog)
            assert [dialog.message] == expected
            assert dialog.code == cli.code == 3
            await pilot.press("enter")
            await pilot.pause()
        assert app.return_value == 3

    run(body)


def test_the_wasted_space_view_lists_the_largest_groups_only() -> None:
    group = WasteGroup("x", 1, 1, WasteCause.DELETED, 1, (0,))
    screen = WasteScreen((group,) * (MAX_ROWS + 10))
    assert (len(screen.groups), screen.total) == (MAX_ROWS, MAX_ROWS + 10)


def test_the_filter_and_sizes_are_readied_in_the_background(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            explorer = main_screen(app).explorer
            for _ in range(100):
                if explorer.haystack.ready and explorer.model.sizes.ready:
                    break
                await pilot.pause(0.05)
            assert explorer.haystack.ready
            assert explorer.model.sizes.ready
            assert explorer.waste is not None

    run(body)
