"""The layer details and image details panes (plain text, every name escaped)."""

from __future__ import annotations

from dataclasses import dataclass

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
        rows = [  # what a short pane must still show first
            ("Layer", f"{index} ({index + 1} of {len(analysis.image.layers)})"),
            ("Size", size(layer.size) + stored),
            ("Wasted", wasted),
            ("Command", attributes.command(layer.created_by) or "(no command)"),
            ("Created", display(layer.created or "-")),
            ("Digest", display(layer.digest or "-")),
            ("Diff ID", display(layer.diff_id or "-")),
            ("Id", display(layer.id)),
        ]
        self.update(_grid(rows), layout=False)  # a fixed height: no relayout per layer


@dataclass(frozen=True, slots=True)
class TopPath:
    """Wasted bytes under one path, over every layer that stored and hid them."""

    label: str
    size: int
    layers: str
    """``8→9``: the layer that stored the bytes and the one that hid them (several pairs
    separated by spaces)."""
    causes: str


def top_paths(waste: tuple[WasteGroup, ...], count: int = TOP_WASTE) -> list[TopPath]:
    """The largest wasted paths, one row per path however many layers it was wasted in."""
    by_label: dict[str, list[WasteGroup]] = {}
    for group in waste:
        by_label.setdefault(group.label, []).append(group)
    rows = []
    for label, groups in by_label.items():
        moves = sorted({(stored, g.hidden_by) for g in groups for stored in g.stored_in})
        causes = sorted({g.cause.value for g in groups})
        rows.append(
            TopPath(
                label,
                sum(g.size for g in groups),
                " ".join(f"{stored}→{hidden}" for stored, hidden in moves),
                ", ".join(causes),
            )
        )
    rows.sort(key=lambda row: (-row.size, row.label))
    return rows[:count]


def fit_left(text: str, width: int) -> str:
    """``text`` cut from the left to ``width`` characters (``…/lib/libc.so``): the end of a
    path says most."""
    if len(text) <= width:
        return text
    return "…" + text[len(text) - max(width - 1, 0) :] if width > 1 else text[-width:]


class ImageDetails(Static):
    """Image size, compressed size, wasted bytes and percent, efficiency, top wasted paths."""

    _shown: tuple[ImageAnalysis, tuple[WasteGroup, ...] | None] | None = None

    def show(self, analysis: ImageAnalysis, waste: tuple[WasteGroup, ...] | None) -> None:
        self._shown = (analysis, waste)
        self._draw()

    def on_resize(self) -> None:
        if self._shown is not None:
            self._draw()

    def _draw(self) -> None:
        assert self._shown is not None
        analysis, waste = self._shown
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
        top.add_column(style="dim", no_wrap=True)
        top.add_column(no_wrap=True)
        found = top_paths(waste or ())
        sizes = max((len(size(row.size)) for row in found), default=0)
        moves = max((len(row.layers) for row in found), default=0)
        room = max(self.scrollable_content_region.width - sizes - moves - 3, 8)
        for row in found:
            top.add_row(size(row.size), row.layers, Text(fit_left(display(row.label), room)))
        title = Text("\nTop wasted paths (layer stored→hid; w: all, to jump)", style="bold")
        if waste is None:
            body: Table | Text = Text("grouping…", style="dim")
        else:
            body = top if waste else Text("none", style="dim")
        self.update(Group(_grid(rows), title, body))
