"""What every screen with a filtered file tree does with its filter bar: apply the latest text
once the keystrokes already queued are in, focus the tree on Enter, clear on close."""

from __future__ import annotations

import dataclasses
from abc import abstractmethod
from typing import ClassVar

from textual.screen import Screen

from auger.tui.widgets.file_tree import FileTree
from auger.tui.widgets.filter_bar import FilterBar
from auger.viewmodel.model import View
from auger.viewmodel.pathfilter import Haystack, apply_filter


class FilteredTreeScreen(Screen[None]):
    """A screen whose file tree the :class:`FilterBar` with id :attr:`FILTER_ID` filters."""

    FILTER_ID: ClassVar[str]
    view: View

    def __init__(self) -> None:
        super().__init__()
        self._typed: str | None = None
        """Text typed but not applied yet (a match is queued)."""

    @property
    @abstractmethod
    def file_tree(self) -> FileTree: ...

    @property
    @abstractmethod
    def haystack(self) -> Haystack:
        """The paths the filter matches."""

    @abstractmethod
    def set_view(self, view: View) -> None: ...

    def on_input_changed(self, event: FilterBar.Changed) -> None:
        """Apply the filter once the keystrokes already queued are in (typing ahead of a slow
        match over hundreds of thousands of paths applies only the latest text)."""
        if event.input.id != self.FILTER_ID:
            return
        scheduled = self._typed is not None
        self._typed = event.value
        if not scheduled:
            self.call_later(self._apply_filter)

    def _apply_filter(self) -> None:
        text, self._typed = self._typed or "", None
        if text != (self.view.filter.text if self.view.filter else ""):
            found = apply_filter(text, self.haystack, self.view.filter)
            self.set_view(dataclasses.replace(self.view, filter=found))

    def on_input_submitted(self, event: FilterBar.Submitted) -> None:
        if event.input.id == self.FILTER_ID:
            self.file_tree.focus()

    def on_filter_bar_closed(self) -> None:
        if self.view.filter is not None:
            self.set_view(dataclasses.replace(self.view, filter=None))
        self.file_tree.focus()
