"""The packages view: every package the image's databases list, largest first.

Choosing a row (``enter`` or a click) closes the view with the layer that installed the
package; the main screen then selects that layer.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import DataTable

from auger.tui.screens.waste import WasteTable
from auger.viewmodel.packages import PackageRow

MAX_ROWS = 1000
"""Rows shown: the largest packages."""


class PackagesScreen(ModalScreen[int | None]):
    """A table of packages over the main screen."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,p,q", "close", "Close")]

    def __init__(self, rows: list[PackageRow], unowned: str) -> None:
        super().__init__()
        self.total = len(rows)
        self.rows = rows[:MAX_ROWS]
        self.unowned = unowned

    def compose(self) -> ComposeResult:
        table = WasteTable(id="packages", cursor_type="row")
        shown = f"the largest {MAX_ROWS} of {self.total}" if self.total > MAX_ROWS else "all"
        table.border_title = (
            f"Packages ({shown}; {self.unowned} in no package) — enter or click selects the layer"
        )
        yield table

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("Size", "Wasted", "Layer", "Manager", "Name", "Version", ""):
            table.add_column(label)
        if not self.rows:
            table.add_row(*(Text("") for _ in range(4)), Text("no package database found"))
        for number, row in enumerate(self.rows):
            table.add_row(
                Text(row.size, justify="right"),
                Text(row.wasted, justify="right"),
                Text(row.layer, justify="right"),
                Text(row.manager),
                Text(row.name),
                Text(row.version, style="dim"),
                Text(row.note, style="dim"),
                key=str(number),
            )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.is_current and 0 <= event.cursor_row < len(self.rows):
            self.dismiss(self.rows[event.cursor_row].layer_index)

    def action_close(self) -> None:
        self.dismiss(None)
