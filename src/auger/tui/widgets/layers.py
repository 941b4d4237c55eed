"""The layers pane: index, size, wasted bytes and command of every layer, one row each.

Moving the cursor selects a layer (as in dive); ``ctrl+l`` and ``ctrl+a`` switch the file tree
between that layer's changes and the filesystem aggregated up to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from auger.model import ImageAnalysis
from auger.viewmodel import attributes


class LayersPane(DataTable[Text]):
    """One row per layer; the highlighted row is the selected layer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "screen.set_mode('layer')", "Layer changes"),
        Binding("ctrl+a", "screen.set_mode('aggregated')", "Aggregated"),
    ]

    @dataclass
    class Chosen(Message):
        """The user moved to another layer."""

        index: int

    def __init__(self, analysis: ImageAnalysis, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.analysis = analysis

    def on_mount(self) -> None:
        self.add_column("#", key="index")
        self.add_column("Size", key="size")
        self.add_column("Wasted", key="wasted")
        self.add_column("Command", key="command")
        for layer, overlay in zip(self.analysis.image.layers, self.analysis.layers, strict=True):
            self.add_row(
                Text(str(layer.index), justify="right"),
                Text(attributes.size(layer.size), justify="right"),
                Text(attributes.size(overlay.stored_waste), justify="right"),
                Text(attributes.command(layer.command, 200)),
                key=str(layer.index),
            )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.Chosen(event.cursor_row))

    def select(self, index: int) -> None:
        """Move the cursor to layer ``index``."""
        self.move_cursor(row=index)
