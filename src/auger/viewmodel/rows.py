"""The file tree as a flat list of visible rows, expanded lazily (no Textual here).

Only expanded directories contribute rows: expanding one asks the view model for its children
and inserts them after it; collapsing deletes its rows. Which directories are expanded is kept
by path id, so switching layer, mode, filter or order rebuilds just the visible rows.
"""

from __future__ import annotations

from typing import NamedTuple

from auger.viewmodel.index import ROOT
from auger.viewmodel.model import Item, View, ViewModel

_BRANCH, _LAST = "├── ", "└── "
_PIPE, _SPACE = "│   ", "    "


class Row(NamedTuple):
    item: Item
    depth: int
    guide: str
    """The tree glyphs before the name, e.g. ``│   ├── ``."""


class TreeRows:
    """Visible rows of a view, and the set of expanded directories."""

    def __init__(self, model: ViewModel, view: View) -> None:
        self.model = model
        self.view = view
        self.expanded: set[int] = set()
        self.rows: list[Row] = []
        self.rebuild()

    def rebuild(self, view: View | None = None) -> None:
        """Recompute every visible row (after the view changed)."""
        self.view = view or self.view
        self.rows = self._subtree(ROOT, 0, "")

    def _subtree(self, number: int, depth: int, prefix: str, everything: bool = False) -> list[Row]:
        """The rows below directory ``number``: its children, and theirs where expanded."""
        out: list[Row] = []
        model, view, expanded = self.model, self.view, self.expanded
        stack = [(model.children(view, number), 0, depth, prefix)]
        while stack:
            items, start, level, lead = stack.pop()
            branch, last_branch, count = lead + _BRANCH, lead + _LAST, len(items)
            for position in range(start, count):
                item = items[position]
                last = position == count - 1
                out.append(Row(item, level, last_branch if last else branch))
                if item.is_dir and (everything or item.id in expanded):
                    if everything:
                        expanded.add(item.id)
                    stack.append((items, position + 1, level, lead))
                    below = model.children(view, item.id)
                    stack.append((below, 0, level + 1, lead + (_SPACE if last else _PIPE)))
                    break
        return out

    def end_of(self, position: int) -> int:
        """The position after the last row below the row at ``position``."""
        depth, rows = self.rows[position].depth, self.rows
        end = position + 1
        while end < len(rows) and rows[end].depth > depth:
            end += 1
        return end

    def expand(self, position: int, everything: bool = False) -> None:
        row = self.rows[position]
        if not row.item.is_dir or (row.item.id in self.expanded and not everything):
            return
        self.collapse(position)
        self.expanded.add(row.item.id)
        lead = row.guide[:-4] + (_SPACE if row.guide.endswith(_LAST) else _PIPE)
        below = self._subtree(row.item.id, row.depth + 1, lead, everything)
        self.rows[position + 1 : position + 1] = below

    def collapse(self, position: int) -> None:
        row = self.rows[position]
        self.expanded.discard(row.item.id)
        del self.rows[position + 1 : self.end_of(position)]

    def toggle(self, position: int) -> None:
        """Expand a collapsed directory, collapse an expanded one."""
        if self.rows[position].item.id in self.expanded:
            self.collapse(position)
        else:
            self.expand(position)

    def expand_top(self) -> None:
        """Expand every directory at the top of the tree (how the explorer opens it)."""
        self.expanded.update(row.item.id for row in self.rows if row.depth == 0 and row.item.is_dir)
        self.rebuild()

    def expand_all(self) -> None:
        self.rows = self._subtree(ROOT, 0, "", everything=True)

    def collapse_all(self) -> None:
        self.expanded.clear()
        self.rebuild()

    def position_of(self, number: int) -> int | None:
        """The row showing path ``number``, if it is visible."""
        for position, row in enumerate(self.rows):
            if row.item.id == number:
                return position
        return None

    def reveal(self, number: int) -> int | None:
        """Expand the ancestors of path ``number`` and return its row, if the view shows it."""
        index = self.model.index
        missing = [n for n in index.ancestors(number)[1:] if n not in self.expanded]
        if missing:
            self.expanded.update(missing)
            self.rebuild()
        return self.position_of(number)
