"""The file tree: a line-API widget that draws only the rows on screen.

Rows come from :class:`~auger.viewmodel.rows.TreeRows` (children are asked for only when a directory
is expanded); this widget keeps the cursor, draws glyphs, attributes and diff colours, and
turns keys and clicks into cursor moves and expansions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from auger.model import Entry
from auger.viewmodel import attributes
from auger.viewmodel.model import Item, View, ViewModel
from auger.viewmodel.rows import TreeRows

_STYLES = {
    diff: Style.parse(name) if name else Style() for diff, name in attributes.DIFF_STYLE.items()
}
_DIM = Style(dim=True)


class FileTree(ScrollView, can_focus=True):
    """The image's files in the selected layer, as a lazily expanded tree."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "move_to(0)", show=False),
        Binding("end", "move_to(-1)", show=False),
        Binding("left", "collapse", show=False),
        Binding("right", "expand", show=False),
        Binding("space,enter", "toggle_node", "Collapse/expand"),
        Binding("ctrl+space,ctrl+@", "toggle_all", "All"),
        Binding("a,ctrl+a", "screen.toggle_diff('added')", "Added"),
        Binding("r,ctrl+r", "screen.toggle_diff('removed')", "Removed"),
        Binding("m", "screen.toggle_diff('modified')", "Modified"),
        Binding("u,ctrl+u", "screen.toggle_diff('unmodified')", "Unmodified"),
        Binding("ctrl+o", "screen.toggle_sort", "Sort"),
        Binding("ctrl+b", "screen.toggle_attributes", "Attributes"),
        Binding("c,y", "screen.copy_path", "Copy path"),
        Binding("x", "screen.extract", "Extract"),
        Binding("v", "screen.view_file", "View file"),
    ]

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another row (``item`` is ``None`` in an empty tree)."""

        item: Item | None

    def __init__(
        self, model: ViewModel, view: View, *, open_top: bool = True, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.rows = TreeRows(model, view)
        if open_top:
            self.rows.expand_top()
        self.names = model.index
        self.cursor = 0
        self.show_attributes = True
        self.attributes_of: Callable[[Entry | None, int], str] = attributes.attributes
        """Draws the attributes column from an entry and its size."""
        self.column: Callable[[int], str] | None = None
        """A column between the attributes and the name (path id to label): the owner package
        once the packages are known, or the change against a baseline."""
        self._base = Style()
        self._all_expanded = False

    # -- state ---------------------------------------------------------------------------

    @property
    def selected(self) -> Item | None:
        rows = self.rows.rows
        return rows[self.cursor].item if 0 <= self.cursor < len(rows) else None

    def show(self, view: View, keep: int | None = None) -> None:
        """Show another view, keeping the cursor on path ``keep`` (default: the current one)."""
        current = self.selected
        target = keep if keep is not None else (current.id if current else None)
        self.rows.rebuild(view)
        position = self._nearest(target) if target is not None else 0
        self._changed(position or 0)

    def _nearest(self, number: int) -> int | None:
        """The row of ``number``, else of its nearest ancestor on screen."""
        for candidate in [number, *reversed(self.names.ancestors(number))]:
            position = self.rows.position_of(candidate)
            if position is not None:
                return position
        return None

    def reveal(self, number: int) -> bool:
        """Expand down to path ``number`` and put the cursor on it."""
        position = self.rows.reveal(number)
        if position is None:
            return False
        self._changed(position, center=True)
        return True

    def _changed(self, cursor: int, center: bool = False) -> None:
        self._set_height(len(self.rows.rows))
        self.move_cursor(cursor, center=center)
        self.refresh()

    def _set_height(self, rows: int) -> None:
        """Set the scrollable height without a relayout of the screen.

        Assigning ``virtual_size`` lays out the whole screen again (tens of milliseconds with
        the details panes); the vertical scrollbar is always shown (see app.tcss), so only
        this widget and its scrollbar need to know, as Textual itself does on a resize.
        """
        size = Size(self.size.width, rows)
        if size != self.virtual_size:
            self.set_reactive(ScrollView.virtual_size, size)
            self._scroll_update(size)

    def move_cursor(self, position: int, center: bool = False) -> None:
        previous, count = self.cursor, len(self.rows.rows)
        self.cursor = max(0, min(position, count - 1))
        height = max(self.scrollable_content_region.height, 1)
        top = old_top = int(self.scroll_y)
        if center:
            top = self.cursor - height // 2
        elif self.cursor < top:
            top = self.cursor
        elif self.cursor >= top + height:
            top = self.cursor - height + 1
        top = max(0, min(top, count - height))
        if top != old_top:
            self.scroll_to(y=top, animate=False, immediate=True)
            self.refresh()
        else:  # only the two rows whose highlight changed
            self.refresh_line(previous)
            self.refresh_line(self.cursor)
        self.post_message(self.Highlighted(self.selected))

    # -- actions -------------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        self.move_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor + direction * max(self.size.height - 1, 1))

    def action_move_to(self, position: int) -> None:
        self.move_cursor(position if position >= 0 else len(self.rows.rows) - 1)

    def action_toggle_node(self) -> None:
        if self.selected is not None and self.selected.is_dir:
            self.rows.toggle(self.cursor)
            self._changed(self.cursor)

    def action_expand(self) -> None:
        if self.selected is not None and self.selected.is_dir:
            self.rows.expand(self.cursor)
            self._changed(self.cursor)

    def action_collapse(self) -> None:
        item = self.selected
        if item is None:
            return
        if item.is_dir and item.id in self.rows.expanded:
            self.rows.collapse(self.cursor)
            self._changed(self.cursor)
        else:
            parent = self.rows.model.index.parent[item.id]
            self._changed(self.rows.position_of(parent) or self.cursor)

    def action_toggle_all(self) -> None:
        current = self.selected
        self._all_expanded = not self._all_expanded
        if self._all_expanded:
            self.rows.expand_all()
        else:
            self.rows.collapse_all()
        position = self._nearest(current.id) if current else 0
        self._changed(position or 0)

    def action_toggle_attributes(self) -> None:
        self.show_attributes = not self.show_attributes
        self.refresh()

    # -- mouse ---------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        position = offset.y + int(self.scroll_y)
        if position >= len(self.rows.rows):
            return
        if position == self.cursor or event.chain > 1:
            self.move_cursor(position)
            self.action_toggle_node()
        else:
            self.move_cursor(position)

    # -- drawing -------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        self._base = self.rich_style  # computed once per frame, not once per line
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width, base = self.scrollable_content_region.width, self._base
        position = int(self.scroll_y) + y
        if position >= len(self.rows.rows):
            return Strip.blank(width, base)
        row = self.rows.rows[position]
        item = row.item
        segments = []
        if self.show_attributes:
            size = self.rows.model.size(self.rows.view, item)
            segments.append(Segment(self.attributes_of(item.entry, size), _DIM))
            if self.column is not None:
                segments.append(Segment(self.column(item.id) + " ", _DIM))
        segments.append(Segment(row.guide, _DIM))
        label = attributes.name(self.names.name(item.id), item.entry)
        if item.is_dir:
            label = ("⊖ " if item.id in self.rows.expanded else "⊕ ") + label + "/"
        style = _DIM if item.context else _STYLES[item.diff]
        if position == self.cursor:
            style += Style(reverse=True) if self.has_focus else Style(underline=True)
        segments.append(Segment(label, style))
        return Strip(segments).crop_extend(0, width, base).apply_style(base)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self._set_height(len(self.rows.rows))
