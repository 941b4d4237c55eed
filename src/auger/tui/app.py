"""The explorer application: a thin shell that loads the image, then shows the main screen.

``AugerApp(image=...)`` reads the image in a worker with a progress screen;
``AugerApp(explorer=...)`` starts from an analysis already indexed (tests, snapshots). The
value :meth:`App.run` returns is the exit code: 0, or the error dialog's code.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from auger.tui.messages import Loaded, LoadFailed
from auger.tui.screens.error import ErrorDialog
from auger.tui.screens.help import HelpScreen
from auger.tui.screens.loading import LoadingScreen
from auger.tui.screens.main import MainScreen
from auger.viewmodel.explorer import Explorer, ImageRef


class AugerApp(App[int]):
    """dive's layout and keys, over auger's analysis."""

    CSS_PATH = "app.tcss"
    TITLE = "auger"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("question_mark", "help", "Help"),
    ]

    def __init__(
        self,
        image: ImageRef | None = None,
        explorer: Explorer | None = None,
        *,
        baseline: ImageRef | None = None,
        open_top: bool = True,
    ) -> None:
        super().__init__()
        if image is None and explorer is None:
            raise ValueError("AugerApp needs an image or an explorer")
        self.image, self.explorer, self.baseline = image, explorer, baseline
        self.open_top = open_top
        """Open the file tree with its first level expanded (tests of keys start collapsed)."""

    def on_mount(self) -> None:
        if self.explorer is not None:
            self.push_screen(MainScreen(self.explorer, self.image, self.open_top))
        else:
            assert self.image is not None
            self.push_screen(LoadingScreen(self.image, self.baseline))

    def on_loaded(self, event: Loaded) -> None:
        self.explorer = event.explorer
        self.switch_screen(MainScreen(event.explorer, self.image, self.open_top))

    def on_load_failed(self, event: LoadFailed) -> None:
        self.push_screen(ErrorDialog(event.message, event.hint, event.code))

    async def action_quit(self) -> None:
        self.exit(0)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


__all__ = ["AugerApp", "ImageRef", "run_app"]


def run_app(image: ImageRef, baseline: ImageRef | None = None) -> int:
    """Run the explorer on ``image`` (against ``baseline``) in the terminal; return the exit
    code."""
    code = AugerApp(image=image, baseline=baseline).run()
    return 0 if code is None else code
