"""The two-image view (``b``, or ``auger explore IMAGE --baseline REF``): the image's files
against the baseline's, coloured by what changed, with how many bytes each path grew or shrank.

The summary on the left pairs the layers as ``auger diff`` does; the tree on the right is the
explorer's own file tree over :class:`~auger.viewmodel.comparison.Comparison`'s index: only the
changes at first (``ctrl+l`` shows everything), with the same toggles, order and filter keys.
``v`` shows a file's text as the image has it (read by the main screen, which knows where the
image came from); extracting is left to the layers' view.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Static

from auger.display import display
from auger.model import DiffType
from auger.tui.screens.filtering import FilteredTreeScreen
from auger.tui.widgets.file_tree import FileTree
from auger.tui.widgets.filter_bar import FilterBar
from auger.viewmodel import attributes
from auger.viewmodel.comparison import CHANGES, DELTA_WIDTH, EVERYTHING, Comparison
from auger.viewmodel.model import Mode, SortOrder, View
from auger.viewmodel.pathfilter import Haystack

EXPAND_BELOW = 200
"""Changes up to which every directory holding one opens at first."""
_UNSUPPORTED = frozenset({"extract"})
"""File tree keys left to the layers' view."""


class CompareScreen(FilteredTreeScreen):
    """The image against its baseline; ``b`` or ``esc`` goes back to the layers."""

    FILTER_ID = "compare-filter"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "toggle_changes", "Changes only / all"),
        Binding("ctrl+f,slash", "open_filter", "Filter"),
        Binding("b,escape", "back", "Layers"),
    ]

    def __init__(self, comparison: Comparison, view_file: Callable[[str], None]) -> None:
        super().__init__()
        self.comparison = comparison
        self.view_file = view_file
        """Shows the text of an image path as the image has it."""
        self.view = CHANGES

    def compose(self) -> ComposeResult:
        with Horizontal(id="compare"):
            with VerticalScroll(id="compare-left"):
                summary = Text("\n".join(self.comparison.summary()))
                yield Static(summary, id="compare-summary")
            with Vertical(id="compare-right"):
                yield Static(id="compare-header", markup=False)
                yield FileTree(self.comparison.model, self.view, id="compare-tree")
                yield Static(id="compare-status", markup=False)
                yield FilterBar(id="compare-filter")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#compare-left").border_title = "Baseline → image"
        tree = self.file_tree
        tree.attributes_of = attributes.size_only
        tree.column = self.comparison.delta_label
        if self.comparison.changed <= EXPAND_BELOW:
            tree.rows.expand_all()
            tree.show(self.view)
        self._refresh_header()
        tree.focus()

    @property
    def file_tree(self) -> FileTree:
        return self.query_one(FileTree)

    @property
    def haystack(self) -> Haystack:
        return self.comparison.haystack

    def check_action(self, action: str, _parameters: tuple[object, ...]) -> bool | None:
        """Hide the file tree's keys that belong to the layers' view."""
        return action not in _UNSUPPORTED

    # -- the view ------------------------------------------------------------------------

    def set_view(self, view: View) -> None:
        self.view = view
        self.file_tree.show(view)
        self._refresh_header()

    def _refresh_header(self) -> None:
        view = self.view
        what = "What changed" if view.mode is Mode.LAYER else "The image, changes coloured"
        hidden = [diff.value for diff in DiffType if diff not in view.shown]
        parts = [f"sorted by {view.sort.value}"]
        if view.filter is not None:
            parts.append(view.filter.describe())
        if hidden:
            parts.append("hiding " + ", ".join(hidden))
        header = Text(" · ".join(display(part) for part in parts), style="bold")
        if self.file_tree.show_attributes:
            columns = f"{'Size':>9} {'Change':>{DELTA_WIDTH}} Name"
            header.append("\n" + columns, "dim")
        self.query_one("#compare-header", Static).update(header)
        right = self.query_one("#compare-right")
        right.border_title = what
        other = "all files" if view.mode is Mode.LAYER else "changes only"
        right.border_subtitle = f"ctrl+l: {other} · b: layers"

    def action_toggle_changes(self) -> None:
        mode = Mode.AGGREGATED if self.view.mode is Mode.LAYER else Mode.LAYER
        base = EVERYTHING if mode is Mode.AGGREGATED else CHANGES
        self.set_view(dataclasses.replace(self.view, layer=base.layer, mode=base.mode))

    def action_toggle_diff(self, name: str) -> None:
        self.set_view(dataclasses.replace(self.view, shown=self.view.shown ^ {DiffType(name)}))

    def action_toggle_sort(self) -> None:
        order = SortOrder.SIZE if self.view.sort is SortOrder.NAME else SortOrder.NAME
        self.set_view(dataclasses.replace(self.view, sort=order))

    def action_toggle_attributes(self) -> None:
        self.file_tree.action_toggle_attributes()
        self._refresh_header()

    def action_copy_path(self) -> None:
        item = self.file_tree.selected
        if item is not None:
            path = "/" + self.comparison.index.paths[item.id]
            self.app.copy_to_clipboard(path)
            self.notify(f"copied {display(path)}", title="Clipboard", markup=False)

    def action_view_file(self) -> None:
        item = self.file_tree.selected
        if item is None:
            return
        path = self.comparison.index.paths[item.id]
        if item.diff is DiffType.REMOVED:
            self.notify(
                f"/{display(path)} was removed: only the baseline has it",
                severity="warning",
                markup=False,
            )
            return
        self.view_file(path)

    def action_back(self) -> None:
        bar = self.query_one(FilterBar)
        if bar.has_class("-open"):
            bar.action_close()
            return
        self.dismiss(None)

    # -- filter --------------------------------------------------------------------------

    def action_open_filter(self) -> None:
        self.query_one(FilterBar).open()

    # -- status --------------------------------------------------------------------------

    def on_file_tree_highlighted(self, event: FileTree.Highlighted) -> None:
        item, status = event.item, Text()
        if item is not None:
            status.append(display("/" + self.comparison.index.paths[item.id]), style="bold")
            if not item.context:
                status.append(f"  {item.diff.value}", style=attributes.DIFF_STYLE[item.diff])
            how = self.comparison.what_changed(item.id)
            if how:
                status.append(f": {how}", style=attributes.DIFF_STYLE[item.diff])
        self.query_one("#compare-status", Static).update(status, layout=False)
