"""The error dialog: the CLI's one-line cause and hint; closing it exits with the exit code."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ErrorDialog(ModalScreen[None]):
    """Shows why the image could not be opened, then quits with ``code``."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter,q", "quit", "Quit")]

    def __init__(self, message: str, hint: str | None, code: int) -> None:
        super().__init__()
        self.message, self.hint, self.code = message, hint, code

    def compose(self) -> ComposeResult:
        text = Text(self.message, style="bold red")
        if self.hint:
            text.append("\n" + self.hint, style="")
        with Vertical(id="error"):
            yield Static(text, id="error-text")
            yield Button("Quit", variant="error", id="error-quit")

    def on_mount(self) -> None:
        self.query_one("#error").border_title = "auger could not open the image"
        self.query_one(Button).focus()

    def on_button_pressed(self) -> None:
        self.action_quit()

    def action_quit(self) -> None:
        self.app.exit(self.code)
