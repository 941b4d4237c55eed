"""The packages view (``p``) and the owner column, driven with Pilot."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from auger.tui.app import AugerApp
from auger.tui.screens.packages import PackagesScreen
from tests.report.support import attributed_image, write_archive
from tests.tui.support import SIZE, main_screen, make_app, run, tree_of


async def packages_found(pilot: Pilot[int], app: AugerApp) -> None:
    for _ in range(200):
        if tree_of(app).column is not None:
            return
        await pilot.pause(0.05)
    raise AssertionError("the packages were never found")


def test_choosing_a_package_selects_the_layer_that_installed_it(tmp_path: Path) -> None:
    archive = write_archive(tmp_path, "attributed.tar", attributed_image())

    async def body() -> None:
        app = make_app(archive)
        async with app.run_test(size=SIZE) as pilot:
            await packages_found(pilot, app)
            await pilot.press("p")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, PackagesScreen)
            assert [row.name for row in screen.rows] == [
                "gcc-12",
                "typescript",
                "libc6",
                "bash",
                "express",
                "make",
            ]
            await pilot.press("down", "enter")  # typescript, installed by layer 4
            await pilot.pause()
            assert main_screen(app).view.layer == 4
            await pilot.press("p", "escape")
            await pilot.pause()
            assert main_screen(app).view.layer == 4

    run(body)


def test_the_owner_column_names_each_file_s_package(tmp_path: Path) -> None:
    archive = write_archive(tmp_path, "attributed.tar", attributed_image())

    async def body() -> None:
        app = make_app(archive)
        async with app.run_test(size=SIZE) as pilot:
            await packages_found(pilot, app)
            explorer = main_screen(app).explorer
            index = explorer.index
            assert explorer.owner_label(index.id_of["usr/bin/gcc-12"]).strip() == "gcc-12"
            label = explorer.owner_label(index.id_of["app/node_modules/typescript/lib/tsc.js"])
            assert label.strip() == "typescript"
            assert explorer.owner_label(index.id_of["app/server.js"]).strip() == "-"

    run(body)


def test_an_image_without_package_databases_has_no_owner_column(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(200):
                if main_screen(app).explorer.ownership is not None:
                    break
                await pilot.pause(0.05)
            await pilot.pause()
            assert tree_of(app).column is None
            await pilot.press("p")
            await pilot.pause()
            assert isinstance(app.screen, PackagesScreen)
            assert app.screen.rows == []

    run(body)
