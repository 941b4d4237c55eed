"""The main screen: layers, layer and image details on the left, the file tree on the right.

It owns the current :class:`~auger.viewmodel.model.View` (layer, mode, diff toggles, filter, order)
and hands every change to the file tree, which redraws only what is on screen.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from auger.display import display
from auger.model import DiffType
from auger.tui.messages import Extracted, PackagesFound, WasteGrouped
from auger.tui.screens.actions import ask_and_extract
from auger.tui.screens.compare import CompareScreen
from auger.tui.screens.file_view import FileViewScreen
from auger.tui.screens.filtering import FilteredTreeScreen
from auger.tui.screens.packages import PackagesScreen
from auger.tui.screens.waste import Jump, WasteScreen
from auger.tui.widgets.details import ImageDetails, LayerDetails
from auger.tui.widgets.file_tree import FileTree
from auger.tui.widgets.filter_bar import FilterBar
from auger.tui.widgets.layers import LayersPane
from auger.viewmodel import attributes
from auger.viewmodel.explorer import Explorer, ImageRef
from auger.viewmodel.file_view import locate, read_text
from auger.viewmodel.model import Mode, SortOrder, View
from auger.viewmodel.packages import OWNER_WIDTH, package_rows
from auger.viewmodel.pathfilter import Haystack

EXPAND_MATCHES = 200
"""A filter matching at most this many paths expands every folder that holds one."""


class MainScreen(FilteredTreeScreen):
    """The explorer proper."""

    FILTER_ID = "filter"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+f,slash", "open_filter", "Filter"),
        Binding("w", "waste", "Wasted space"),
        Binding("escape", "close_filter", "Close filter", show=False),
        Binding("p", "packages", "Packages"),
        Binding("b", "compare", "Baseline"),
    ]

    def __init__(self, explorer: Explorer, image: ImageRef | None, open_top: bool = True) -> None:
        super().__init__()
        self.explorer, self.image = explorer, image
        self.open_top = open_top
        """Open the tree with its first level expanded."""
        self.view = View(layer=0)

    def compose(self) -> ComposeResult:
        analysis = self.explorer.analysis
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield LayersPane(analysis, id="layers")
                yield LayerDetails(id="layer-details")
                yield ImageDetails(id="image-details")
            with Vertical(id="right"):
                yield Static(id="tree-header", markup=False)
                yield FileTree(self.explorer.model, self.view, open_top=self.open_top, id="tree")
                yield Static(id="status", markup=False)
                yield FilterBar(id="filter")
        yield Footer()

    def on_mount(self) -> None:
        for selector, title in (
            ("#layers", "Layers"),
            ("#layer-details", "Layer details"),
            ("#image-details", "Image details"),
        ):
            self.query_one(selector).border_title = title
        self.query_one(ImageDetails).show(self.explorer.analysis, self.explorer.waste)
        self._refresh_panes()
        self.query_one(LayersPane).focus()
        if self.explorer.comparison is not None:  # explore IMAGE --baseline REF opens on it
            self.action_compare()
        # after the first paint, which this would slow down
        self.call_after_refresh(self.run_worker, self._finish_in_background, thread=True)

    def _finish_in_background(self) -> None:
        """Group the waste, then ready what the path filter searches and every layer's
        directory sizes (so that neither the first keystroke in the filter nor the first visit
        to a layer waits for them)."""
        if self.explorer.waste is None:
            self.explorer.group_waste()
            self.post_message(WasteGrouped())
        if self.explorer.ownership is None:
            self.explorer.find_packages()
            self.post_message(PackagesFound())
        self.explorer.haystack.prepare()
        self.explorer.model.sizes.prepare()

    def on_waste_grouped(self) -> None:
        self.query_one(ImageDetails).show(self.explorer.analysis, self.explorer.waste)

    def on_packages_found(self) -> None:
        ownership = self.explorer.ownership
        if ownership is not None and ownership.packages:  # the owner column, when any
            self.file_tree.column = self.explorer.owner_label
            self.file_tree.refresh()
            self._refresh_panes()

    @property
    def file_tree(self) -> FileTree:
        return self.query_one(FileTree)

    @property
    def haystack(self) -> Haystack:
        return self.explorer.haystack

    # -- the view ------------------------------------------------------------------------

    def set_view(self, view: View, keep: int | None = None) -> None:
        """Show ``view`` in the tree and the panes."""
        self.view = view
        self.file_tree.show(view, keep)
        if view.filter is not None and len(view.filter.matches) <= EXPAND_MATCHES:
            self.file_tree.rows.expand_all()
            self.file_tree.show(view, keep)
        self._refresh_panes()

    def _refresh_panes(self) -> None:
        view = self.view
        what = "Layer changes only" if view.mode is Mode.LAYER else "Aggregated contents"
        hidden = [diff.value for diff in DiffType if diff not in view.shown]
        parts = [f"layer {view.layer}", f"sorted by {view.sort.value}"]
        if view.filter is not None:
            parts.append(view.filter.describe())
        if hidden:
            parts.append("hiding " + ", ".join(hidden))
        header = Text(" · ".join(display(part) for part in parts), style="bold")
        if self.file_tree.show_attributes:
            owner = f"{'Package':<{OWNER_WIDTH}} " if self.file_tree.column is not None else ""
            header.append("\n" + f"{'Permission':<11}{'UID:GID':>9} {'Size':>9} {owner}Name", "dim")
        header_widget = self.query_one("#tree-header", Static)
        lines = 1 + self.file_tree.show_attributes
        header_widget.update(header, layout=header_widget.size.height != lines)
        self.query_one(LayerDetails).show(self.explorer.analysis, view.layer)
        right = self.query_one("#right")
        if right.border_title != what:
            right.border_title = what

    def on_layers_pane_chosen(self, event: LayersPane.Chosen) -> None:
        if event.index != self.view.layer:
            self.set_view(dataclasses.replace(self.view, layer=event.index))

    def action_set_mode(self, mode: str) -> None:
        self.set_view(dataclasses.replace(self.view, mode=Mode[mode.upper()]))

    def action_toggle_diff(self, name: str) -> None:
        self.set_view(dataclasses.replace(self.view, shown=self.view.shown ^ {DiffType(name)}))

    def action_toggle_sort(self) -> None:
        order = SortOrder.SIZE if self.view.sort is SortOrder.NAME else SortOrder.NAME
        self.set_view(dataclasses.replace(self.view, sort=order))

    def action_toggle_attributes(self) -> None:
        self.file_tree.action_toggle_attributes()
        self._refresh_panes()

    # -- filter --------------------------------------------------------------------------

    def action_open_filter(self) -> None:
        self.query_one(FilterBar).open()

    def action_close_filter(self) -> None:
        """``esc`` from the tree (or a pane) closes an open filter, as it does in the bar."""
        bar = self.query_one(FilterBar)
        if bar.has_class("-open"):
            bar.action_close()

    # -- status, copy, waste -------------------------------------------------------------

    def on_file_tree_highlighted(self, event: FileTree.Highlighted) -> None:
        item, status = event.item, Text()
        if item is not None:
            status.append(display("/" + self.explorer.index.paths[item.id]), style="bold")
            if not item.context:
                status.append(f"  {item.diff.value}", style=attributes.DIFF_STYLE[item.diff])
        self.query_one("#status", Static).update(status, layout=False)

    def action_copy_path(self) -> None:
        item = self.file_tree.selected
        if item is None:
            return
        path = "/" + self.explorer.index.paths[item.id]
        self.app.copy_to_clipboard(path)
        self.notify(f"copied {display(path)}", title="Clipboard", markup=False)

    def action_waste(self) -> None:
        if self.explorer.waste is None:
            self.notify("still grouping the wasted paths, a moment…", markup=False)
            return
        self.app.push_screen(WasteScreen(self.explorer.waste), self.jump)

    def check_action(self, action: str, _parameters: tuple[object, ...]) -> bool | None:
        """The baseline key only when there is a baseline."""
        return action != "compare" or self.explorer.comparison is not None

    def action_compare(self) -> None:
        """Show the image against its baseline."""
        if self.explorer.comparison is not None:
            self.app.push_screen(CompareScreen(self.explorer.comparison, self.view_final_file))

    def action_packages(self) -> None:
        ownership = self.explorer.ownership
        if ownership is None:
            self.notify("still reading the package databases, a moment…", markup=False)
            return
        unowned = attributes.size(ownership.unowned_bytes)
        self.app.push_screen(PackagesScreen(package_rows(ownership), unowned), self.select_layer)

    def select_layer(self, layer: int | None) -> None:
        """Select ``layer`` (the one that installed a package chosen in the packages view)."""
        if layer is None or layer == self.view.layer:
            return
        self.set_view(dataclasses.replace(self.view, layer=layer))
        self.query_one(LayersPane).select(layer)

    def jump(self, target: Jump | None) -> None:
        """Select the layer that stored ``path`` and put the tree's cursor on it."""
        if target is None:
            return
        path, layer = target
        number = self.explorer.index.id_of.get(path)
        model = self.explorer.model
        view = dataclasses.replace(self.view, layer=layer)
        if number is None:
            return
        if model.item(view, number) is None:
            view = dataclasses.replace(view, mode=Mode.AGGREGATED)
        item = model.item(view, number)
        if item is not None and not model.shows(view, item):
            view = dataclasses.replace(view, filter=None, shown=frozenset(DiffType))
            self.query_one(FilterBar).action_close()
            self.notify("cleared the filter and toggles to show it", markup=False)
        self.set_view(view, keep=number)
        self.query_one(LayersPane).select(layer)
        self.file_tree.reveal(number)
        self.file_tree.focus()

    def on_extracted(self, event: Extracted) -> None:
        if event.error is not None:
            self.notify(event.error, title="Extract failed", severity="error", markup=False)
            return
        notes = "\n".join(event.notes[:5]) + ("\n…" if len(event.notes) > 5 else "")
        message = event.summary + ("\n" + notes if notes else "")
        self.notify(message, title="Extracted", markup=False, timeout=8)

    def action_extract(self) -> None:
        ask_and_extract(self)

    def action_view_file(self) -> None:
        """Show the selected file's text, read from the layer the view shows it from."""
        item = self.file_tree.selected
        if item is not None:
            self._view_file(item.id, self.view)

    def view_final_file(self, path: str) -> None:
        """Show the text of ``path`` as the image's final filesystem has it (the two-image
        view's ``v``)."""
        number = self.explorer.index.id_of.get(path)
        if number is None:
            self.notify(f"/{display(path)} is not in the image", severity="warning", markup=False)
            return
        self._view_file(number, View(layer=len(self.explorer.analysis.layers) - 1))

    def _view_file(self, number: int, view: View) -> None:
        found = locate(self.explorer, number, view)
        if isinstance(found, str):
            self.notify(found, severity="warning", markup=False)
            return
        image = self.image
        if image is None:
            self.notify("this image cannot be read again", severity="warning", markup=False)
            return
        explorer = self.explorer
        title = display("/" + explorer.index.paths[number])
        self.app.push_screen(
            FileViewScreen(title, lambda: read_text(image, explorer, number, view))
        )

    def default_target(self) -> Path:
        return Path.cwd() / "auger-extract"
