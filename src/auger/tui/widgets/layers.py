"""The layers pane: index, size, wasted bytes and command of every layer, one row each.

Moving the cursor selects a layer (as in dive); ``ctrl+l`` and ``ctrl+a`` switch the file tree
between that layer's changes and the filesystem aggregated up to it. Layer 0 reads
``FROM <id>``, as in dive (its full command is in the layer details). Commands are cut to one
line, or wrapped whole with ``e``; the selected layer stays in view when the pane is resized.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from auger.model import ImageAnalysis, Layer
from auger.viewmodel import attributes

_PADDING = 2
"""The table's cell padding, per column."""


def from_line(layer: Layer) -> str:
    """``FROM <short id>``: how dive names the bottom layer."""
    return "FROM " + layer.id.removeprefix("sha256:")[:12]


class LayersPane(DataTable[Text]):
    """One row per layer; the highlighted row is the selected layer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "screen.set_mode('layer')", "Layer changes"),
        Binding("ctrl+a", "screen.set_mode('aggregated')", "Aggregated"),
        Binding("e", "toggle_wrap", "Wrap commands"),
    ]

    @dataclass
    class Chosen(Message):
        """The user moved to another layer."""

        index: int

    def __init__(self, analysis: ImageAnalysis, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.analysis = analysis
        self.wrap = False
        self._filled_width = 0

    def on_mount(self) -> None:
        self._fill()

    def _fill(self) -> None:
        """(Re)build the rows: commands on one line, or wrapped to the pane's width."""
        row = self.cursor_row
        self.clear(columns=True)
        layers = self.analysis.image.layers
        cells = [
            (
                str(layer.index),
                attributes.size(layer.size),
                attributes.size(overlay.stored_waste),
                attributes.command(from_line(layer) if layer.index == 0 else layer.command),
            )
            for layer, overlay in zip(layers, self.analysis.layers, strict=True)
        ]
        labels = ("#", "Size", "Wasted")
        fixed = sum(
            max([len(label), *(len(cell[n]) for cell in cells)]) + _PADDING
            for n, label in enumerate(labels)
        )
        self._filled_width = self.scrollable_content_region.width
        width = max(self._filled_width - fixed - _PADDING, 8)
        for label, key in zip(labels, ("index", "size", "wasted"), strict=True):
            self.add_column(label, key=key)
        self.add_column("Command", key="command", width=width if self.wrap else None)
        for index, size, wasted, command in cells:
            lines = textwrap.wrap(command, width, break_on_hyphens=False) if self.wrap else []
            self.add_row(
                Text(index, justify="right"),
                Text(size, justify="right"),
                Text(wasted, justify="right"),
                Text("\n".join(lines) if lines else command[:200]),
                key=index,
                height=max(len(lines), 1),
            )
        self.move_cursor(row=row)

    def action_toggle_wrap(self) -> None:
        self.wrap = not self.wrap
        self._fill()

    def on_resize(self) -> None:
        """Rewrap to the new width, and keep the selected layer in view."""
        if self.wrap and self.scrollable_content_region.width != self._filled_width:
            self._fill()
        self.call_after_refresh(self._keep_in_view)

    def _keep_in_view(self) -> None:
        self.move_cursor(row=self.cursor_row)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.Chosen(event.cursor_row))

    def select(self, index: int) -> None:
        """Move the cursor to layer ``index``."""
        self.move_cursor(row=index)
