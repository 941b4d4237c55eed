"""The help overlay (``?``): every key, by pane, and the choices that differ from dive."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: tuple[tuple[str, str, str], ...] = (
    ("Anywhere", "tab / shift+tab", "switch pane"),
    ("", "ctrl+f  or  /", "filter paths (regex; a glob when not a valid regex)"),
    ("", "w", "wasted space: rows jump to the file in the layer that stored it"),
    ("", "b", "the two-image view (explore IMAGE --baseline REF), and back"),
    ("", "p", "packages, largest first: rows select the layer that installed them"),
    ("", "?", "this help"),
    ("", "q  or  ctrl+c", "quit"),
    ("Filter", "enter", "keep the filter and go to the tree"),
    ("", "esc", "clear the filter and close it"),
    ("Layers", "↑ ↓  or  click", "select a layer"),
    ("", "ctrl+l", "show the layer's changes only"),
    ("", "ctrl+a", "show the filesystem aggregated up to the layer"),
    ("", "e", "wrap / cut long commands"),
    ("Baseline", "ctrl+l", "what changed only / the whole image, changes coloured"),
    ("File tree", "↑ ↓ pgup pgdn home end", "move (or click a row)"),
    ("", "space  or  enter", "collapse / expand (or click a selected folder)"),
    ("", "← →", "collapse or go to the parent / expand"),
    ("", "ctrl+space", "collapse / expand all"),
    ("", "a  or  ctrl+a", "show / hide added paths"),
    ("", "r  or  ctrl+r", "show / hide removed paths"),
    ("", "m", "show / hide modified paths (ctrl+m is enter in a terminal)"),
    ("", "u  or  ctrl+u", "show / hide unmodified paths"),
    ("", "ctrl+o", "sort by name / by size"),
    ("", "ctrl+b", "show / hide attributes (type, permissions, uid:gid, size, package)"),
    ("", "c  or  y", "copy the selected path to the clipboard"),
    ("", "x", "extract the selected file or folder, from its layer, to a directory"),
    ("", "v", "view the selected text file, as its layer stored it"),
)

NOTES = (
    "Colours: added green, modified yellow, removed red, unmodified default.\n"
    "Differences from dive: enter expands folders (ctrl+m is the same key as enter, so "
    "modified paths are toggled with m); plain letters a, r, m, u toggle as well."
)


class HelpScreen(ModalScreen[None]):
    """Keys, over the main screen; any of ``esc``, ``?`` or ``q`` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close help"),
    ]

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold")
        table.add_column(style="cyan")
        table.add_column()
        for pane, keys, what in KEYS:
            table.add_row(pane, keys, what)
        with VerticalScroll(id="help"):
            yield Static(table)
            yield Static(NOTES, id="help-notes", markup=False)

    def on_mount(self) -> None:
        self.query_one("#help").border_title = "Keys"

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
