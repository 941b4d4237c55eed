"""The layer details and image details panes (plain text, every name escaped)."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from auger.analysis.waste_groups import WasteGroup
from auger.display import display
from auger.model import ImageAnalysis
from auger.viewmodel import attributes
from auger.viewmodel.attributes import size

TOP_WASTE = 10


def _grid(rows: list[tuple[str, str]]) -> Table:
    """Label and value columns; long values (digests, commands) fold onto more lines."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True, min_width=10)
    grid.add_column(overflow="fold")
    for label, value in rows:
        grid.add_row(label, Text(value))
    return grid


class LayerDetails(Static):
    """Digest, diff ID, sizes, full command and creation time of the selected layer."""

    shown: int | None = None
    """The layer on display (redrawn only when it changes, not on every change of view)."""

    def show(self, analysis: ImageAnalysis, index: int) -> None:
        if index == self.shown:
            return
        self.shown = index
        layer, overlay = analysis.image.layers[index], analysis.layers[index]
        stored = f" ({size(layer.stored_size)} stored)" if layer.stored_size is not None else ""
        wasted = f"{size(overlay.stored_waste)} stored here, {size(overlay.caused_waste)} hidden"
        rows = [
            ("Layer", f"{index} ({index + 1} of {len(analysis.image.layers)})"),
            ("Digest", display(layer.digest or "-")),
            ("Diff ID", display(layer.diff_id or "-")),
            ("Id", display(layer.id)),
            ("Size", size(layer.size) + stored),
            ("Wasted", wasted),
            ("Created", display(layer.created or "-")),
            ("Command", attributes.command(layer.created_by) or "-"),
        ]
        self.update(_grid(rows), layout=False)  # a fixed height: no relayout per layer


class ImageDetails(Static):
    """Image size, compressed size, wasted bytes and percent, efficiency, top wasted paths."""

    def show(self, analysis: ImageAnalysis, waste: tuple[WasteGroup, ...] | None) -> None:
        image = analysis.image
        compressed = analysis.compressed_size
        rows = [
            ("Image", display(image.name or image.reference)),
            ("Total size", size(analysis.size)),
            ("Compressed", size(compressed) if compressed is not None else "-"),
            ("Wasted", f"{size(analysis.wasted_bytes)} ({analysis.wasted_percent * 100:.1f} %)"),
            ("Efficiency", f"{analysis.dive.efficiency * 100:.2f} % (dive)"),
        ]
        top = Table.grid(padding=(0, 1))
        top.add_column(justify="right", style="bold", no_wrap=True)
        top.add_column(overflow="fold")
        top.add_column(style="dim", no_wrap=True)
        for group in (waste or ())[:TOP_WASTE]:
            path = display(group.label)
            top.add_row(size(group.size), Text(path), group.cause.value)
        title = Text("\nTop wasted paths (w: all of them, to jump to each)", style="bold")
        if waste is None:
            body: Table | Text = Text("grouping…", style="dim")
        else:
            body = top if waste else Text("none", style="dim")
        self.update(Group(_grid(rows), title, body))
