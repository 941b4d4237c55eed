"""The extract dialog: which directory to write the selected file or folder into.

Its keys are in its own footer, which covers the main screen's (one footer on screen, with
the keys that work in the dialog).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static


class ExtractDialog(ModalScreen[Path | None]):
    """Asks for a target directory; ``enter`` extracts, ``esc`` cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "extract", "Extract"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, what: str, default: Path) -> None:
        super().__init__()
        self.what, self.default = what, default

    def compose(self) -> ComposeResult:
        with Vertical(id="extract"):
            yield Static(self.what, id="extract-what", markup=False)
            yield Input(str(self.default), id="extract-target")
        yield Footer()

    def on_mount(self) -> None:
        box = self.query_one("#extract")
        box.border_title = "Extract"
        box.border_subtitle = "enter: extract · esc: cancel"
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        self.dismiss(Path(text).expanduser() if text else None)

    async def action_extract(self) -> None:
        await self.query_one(Input).action_submit()

    def action_cancel(self) -> None:
        self.dismiss(None)
