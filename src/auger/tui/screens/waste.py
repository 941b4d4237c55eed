"""The wasted-space view: every group of wasted bytes, largest first; a row jumps to its file.

Choosing a row (``enter`` or a click) closes the view with the path and the layer that stored
it; the main screen then selects that layer and expands the tree down to the path.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import DataTable

from auger.analysis.advice import catalogue
from auger.analysis.waste_groups import WasteGroup
from auger.display import display
from auger.viewmodel.attributes import size

MAX_ROWS = 500
"""Rows shown: the largest groups (a table of tens of thousands of rows takes seconds)."""

Jump = tuple[str, int]
"""An image path and the index of the layer that stored it."""


class WasteTable(DataTable[Text]):
    """A table whose rows are chosen with one click (a plain table wants two)."""

    def on_click(self, event: events.Click) -> None:
        row = event.style.meta.get("row")
        if isinstance(row, int) and row >= 0:
            self.move_cursor(row=row)
            self.action_select_cursor()


class WasteScreen(ModalScreen[Jump | None]):
    """A table of waste groups over the main screen."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,w,q", "close", "Close")]

    def __init__(self, groups: tuple[WasteGroup, ...]) -> None:
        super().__init__()
        self.total = len(groups)
        self.groups = groups[:MAX_ROWS]

    def compose(self) -> ComposeResult:
        table = WasteTable(id="waste", cursor_type="row")
        shown = f"the largest {MAX_ROWS} of {self.total}" if self.total > MAX_ROWS else "all"
        table.border_title = f"Wasted space ({shown}) — enter or click jumps to it in its layer"
        yield table

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("Size", "Files", "Cause", "Stored in", "Hidden by", "Path", "Advice"):
            table.add_column(label)
        for number, group in enumerate(self.groups):
            path = display(group.label)
            table.add_row(
                Text(size(group.size), justify="right"),
                Text(str(group.files), justify="right"),
                Text(group.cause.value),
                Text(", ".join(str(layer) for layer in group.stored_in)),
                Text(str(group.hidden_by)),
                Text(path),
                Text(self._advice(group), style="dim"),
                key=str(number),
            )
        table.focus()

    @staticmethod
    def _advice(group: WasteGroup) -> str:
        titles = {rule.id: rule.title for rule in catalogue()}
        return "; ".join(f"{rule}: {titles.get(rule, '')}" for rule in group.advice)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._jump(event.cursor_row)

    def _jump(self, row: int) -> None:
        if self.is_current:
            group = self.groups[row]
            self.dismiss((group.path, group.stored_in[0]))

    def action_close(self) -> None:
        self.dismiss(None)
