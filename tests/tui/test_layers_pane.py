"""The layers pane on a tall image: the selected layer stays in view when the terminal
shrinks, and ``e`` wraps long commands to the pane's width and back."""

from __future__ import annotations

from pathlib import Path

from auger.testing.images import ImageSpec, LayerSpec, docker_archive, file, layer_tar
from auger.tui.widgets.layers import LayersPane
from tests.tui.support import SIZE, main_screen, make_app, run

LAYERS = 40
LONG = "RUN /bin/sh -c " + " && ".join(f"step-{n} --with a-long-argument" for n in range(12))


def tall_image(tmp_path: Path) -> Path:
    layers = [
        LayerSpec(layer_tar([file(f"f{n}", b"x" * n)]), LONG if n == 1 else f"RUN step {n}")
        for n in range(LAYERS)
    ]
    archive = tmp_path / "tall.tar"
    archive.write_bytes(docker_archive(ImageSpec(layers, tag="tall:1")))
    return archive


def in_view(pane: LayersPane) -> bool:
    """True if the cursor's row is within the rows the pane shows."""
    top = int(pane.scroll_y)
    height = pane.scrollable_content_region.height - 1  # less the header row
    return top <= pane.cursor_row < top + height


def test_the_selected_layer_stays_in_view_after_a_resize(tmp_path: Path) -> None:
    async def body() -> None:
        app = make_app(tall_image(tmp_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press(*["down"] * (LAYERS - 1))
            await pilot.pause()
            pane = main_screen(app).query_one(LayersPane)
            assert (pane.cursor_row, main_screen(app).view.layer) == (LAYERS - 1, LAYERS - 1)
            assert in_view(pane)
            await pilot.resize_terminal(80, 24)
            await pilot.pause()
            await pilot.pause()
            assert pane.cursor_row == LAYERS - 1
            assert in_view(pane)
            await pilot.press(*["up"] * (LAYERS - 1))
            await pilot.resize_terminal(*SIZE)
            await pilot.pause()
            await pilot.pause()
            assert pane.cursor_row == 0 and in_view(pane)

    run(body)


def test_e_wraps_long_commands_and_cuts_them_again(tmp_path: Path) -> None:
    async def body() -> None:
        app = make_app(tall_image(tmp_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            pane = main_screen(app).query_one(LayersPane)
            assert pane.ordered_rows[1].height == 1
            await pilot.press("e")
            await pilot.pause()
            assert pane.ordered_rows[1].height > 3
            assert pane.ordered_rows[2].height == 1
            await pilot.press("e")
            await pilot.pause()
            assert pane.ordered_rows[1].height == 1

    run(body)
