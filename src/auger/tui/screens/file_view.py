"""The file viewer (``v``): a text file's contents, read from its layer, over the main screen.

The file is read in a thread worker (only its layer's blob, at most 1 MiB); until then the
viewer says what it is reading. Lines arrive already safe for a terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from auger.display import safe_line
from auger.errors import AugerError
from auger.tui.messages import FileRead
from auger.viewmodel.file_view import FileText

Reader = Callable[[], FileText | str]
"""Reads the file (in a worker thread): its text, or why there is none."""


class FileViewScreen(ModalScreen[None]):
    """A read-only view of one file; ``esc``, ``q`` or ``v`` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,v", "close", "Close")]

    def __init__(self, title: str, read: Reader) -> None:
        super().__init__()
        self.title_text, self.read = title, read
        self.text: FileText | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="file-view"):
            yield Static(f"reading {self.title_text}…", id="file-note", markup=False)
            area = TextArea(id="file-text", read_only=True, show_line_numbers=True, soft_wrap=False)
            area.cursor_blink = False
            yield area

    def on_mount(self) -> None:
        box = self.query_one("#file-view")
        box.border_title = self.title_text
        box.border_subtitle = "esc: close"
        self.run_worker(self._read, thread=True, exit_on_error=False)

    def _read(self) -> None:
        try:
            result = self.read()
        except AugerError as error:
            self.post_message(FileRead(None, safe_line(error.message)))
        except OSError as error:
            self.post_message(FileRead(None, safe_line(str(error))))
        else:
            if isinstance(result, str):
                self.post_message(FileRead(None, result))
            else:
                self.post_message(FileRead(result, result.note))

    def on_file_read(self, event: FileRead) -> None:
        self.text = event.text
        note = self.query_one("#file-note", Static)
        area = self.query_one(TextArea)
        if event.text is not None:
            box = self.query_one("#file-view")
            box.border_title = f"{event.text.path} (layer {event.text.layer})"
            area.load_text("\n".join(event.text.lines))
            area.focus()
        note.update(event.note)
        note.display = bool(event.note)
        area.display = bool(event.text and event.text.lines)

    def action_close(self) -> None:
        self.dismiss(None)
