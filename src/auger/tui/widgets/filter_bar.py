"""The filter bar: a path filter typed at the bottom of the file tree.

Every keystroke applies the filter; ``enter`` keeps it and returns to the tree, ``esc`` clears
it and closes the bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Input


class FilterBar(Input):
    """Regex (or glob) over paths; hidden until ``ctrl+f`` or ``/``."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close filter")]

    @dataclass
    class Closed(Message):
        """The user closed the bar with ``esc`` (the filter is cleared)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="filter paths: regex, or a glob such as *.so", id=id)

    def _watch_value(self, value: str) -> None:
        """Input's own watcher, less its virtual-size assignment: that lays out the whole
        screen again on every keystroke, although the bar's size never changes."""
        self.set_reactive(Input.virtual_size, Size(self.content_width, 1))
        self._suggestion = ""
        self.post_message(self.Changed(self, value, None))

    def open(self) -> None:
        self.add_class("-open")
        self.focus()

    def action_close(self) -> None:
        self.value = ""
        self.remove_class("-open")
        self.post_message(self.Closed())
