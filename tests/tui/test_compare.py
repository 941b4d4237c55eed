"""The two-image view, driven with Pilot: it opens on what the image changed against its
baseline, shows everything on ``ctrl+l``, and ``b`` goes back and forth to the layers."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import TextArea

from auger.tui.app import AugerApp
from auger.tui.screens.compare import CompareScreen
from auger.tui.screens.file_view import FileViewScreen
from auger.tui.screens.main import MainScreen
from auger.viewmodel.explorer import ImageRef
from auger.viewmodel.model import Mode
from tests.report.support import base_image, head_image, write_archive
from tests.support import NO_ENGINE
from tests.tui.support import SIZE, make_app, make_compare_app, run


@pytest.fixture
def images(tmp_path: Path) -> tuple[Path, Path]:
    return write_archive(tmp_path, "base.tar", base_image()), write_archive(
        tmp_path, "head.tar", head_image()
    )


def compare_screen(app: AugerApp) -> CompareScreen:
    screen = app.screen
    assert isinstance(screen, CompareScreen), screen
    return screen


def tree_paths(screen: CompareScreen) -> list[str]:
    paths = screen.comparison.index.paths
    return [paths[row.item.id] for row in screen.file_tree.rows.rows]


def footer_keys(app: AugerApp) -> set[str]:
    return {key for key, active in app.screen.active_bindings.items() if active.enabled}


def test_opens_on_the_changes_with_every_folder_open(images: tuple[Path, Path]) -> None:
    async def body() -> None:
        app = make_compare_app(*images)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = compare_screen(app)
            paths = tree_paths(screen)
            assert "app/legacy.py" in paths and "srv/www/index.html" in paths
            assert "etc/passwd" not in paths and "bin" not in paths
            assert screen.query_one("#compare-right").border_title == "What changed"
            await pilot.press("ctrl+l")
            await pilot.pause()
            assert screen.view.mode is Mode.AGGREGATED
            assert "bin" in tree_paths(screen)
            assert screen.query_one("#compare-right").border_title == (
                "The image, changes coloured"
            )

    run(body)


def test_b_goes_to_the_layers_and_back(images: tuple[Path, Path]) -> None:
    async def body() -> None:
        app = make_compare_app(*images)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert "x" not in footer_keys(app), "extracting is the layers' job"
            await pilot.press("x")
            await pilot.pause()
            assert isinstance(app.screen, CompareScreen)
            await pilot.press("b")
            await pilot.pause()
            assert isinstance(app.screen, MainScreen)
            assert "b" in footer_keys(app)
            await pilot.press("b")
            await pilot.pause()
            assert isinstance(app.screen, CompareScreen)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, MainScreen)

    run(body)


def test_v_shows_a_file_as_the_image_has_it(images: tuple[Path, Path]) -> None:
    async def body() -> None:
        app = make_compare_app(*images)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = compare_screen(app)
            index = screen.comparison.index
            assert screen.file_tree.reveal(index.id_of["app/legacy.py"])
            await pilot.press("v")
            await pilot.pause()
            assert app.screen is screen
            messages = [notification.message for notification in app._notifications]
            assert messages == ["/app/legacy.py was removed: only the baseline has it"]
            assert screen.file_tree.reveal(index.id_of["etc/os-release"])
            await pilot.press("v")
            await app.workers.wait_for_complete()
            await pilot.pause()
            viewer = app.screen
            assert isinstance(viewer, FileViewScreen)
            assert viewer.query_one(TextArea).text == (
                "ID=example\nVERSION_ID=2\nPRETTY_NAME=Example 2"
            )
            assert viewer.query_one("#file-view").border_title == "/etc/os-release (layer 5)"

    run(body)


def test_without_a_baseline_b_does_nothing(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert "b" not in footer_keys(app)
            await pilot.press("b")
            await pilot.pause()
            assert isinstance(app.screen, MainScreen)

    run(body)


def test_the_filter_narrows_the_changes(images: tuple[Path, Path]) -> None:
    async def body() -> None:
        app = make_compare_app(*images)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("slash", *"motd", "enter")
            await pilot.pause()
            screen = compare_screen(app)
            assert tree_paths(screen) == ["etc", "etc/motd"]
            await pilot.press("slash", "escape")
            await pilot.pause()
            assert "app/legacy.py" in tree_paths(screen)
            assert isinstance(app.screen, CompareScreen), "esc closed the filter, not the view"

    run(body)


def test_loading_with_a_baseline_opens_on_the_comparison(images: tuple[Path, Path]) -> None:
    base, head = images

    async def body() -> None:
        app = AugerApp(
            image=ImageRef(str(head), environ=NO_ENGINE),
            baseline=ImageRef(str(base), environ=NO_ENGINE),
        )
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(200):
                if isinstance(app.screen, CompareScreen):
                    break
                await pilot.pause(0.05)
            screen = compare_screen(app)
            assert screen.comparison.base.image.name == "example:base"
            assert screen.comparison.head.image.name == "example:head"

    run(body)
