"""The file viewer (``v``), driven with Pilot: the text of the version the layer shows, or why
there is none."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static, TextArea

from auger.tui.app import AugerApp
from auger.tui.screens.file_view import FileViewScreen
from auger.tui.screens.main import MainScreen
from tests.tui.support import SIZE, make_app, run, selected_path

TO_PASSWD = ("down", "tab", "down", "right", "down", "down")
"""Layer 1, then /etc/passwd in the tree."""


async def shown(app: AugerApp) -> FileViewScreen:
    await app.workers.wait_for_complete()
    screen = app.screen
    assert isinstance(screen, FileViewScreen), screen
    return screen


def test_v_shows_the_files_text_as_the_layer_stored_it(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press(*TO_PASSWD)
            assert selected_path(app) == "etc/passwd"
            await pilot.press("v")
            screen = await shown(app)
            await pilot.pause()
            text = screen.query_one(TextArea).text
            assert text == "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh"
            assert screen.query_one("#file-view").border_title == "/etc/passwd (layer 1)"
            assert not screen.query_one("#file-note", Static).display
            await pilot.press("escape")
            assert isinstance(app.screen, MainScreen)

    run(body)


def test_v_on_a_folder_says_why_nothing_is_shown(sample: Path) -> None:
    async def body() -> None:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("tab", "v")
            await pilot.pause()
            assert isinstance(app.screen, MainScreen)
            messages = [notification.message for notification in app._notifications]
            assert messages == ["/bin is a directory"]

    run(body)
