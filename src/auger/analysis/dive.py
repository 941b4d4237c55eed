"""dive 0.13.1's efficiency metrics, reproduced exactly, in linear time.

dive builds one tree per layer from the layer's tar (``.wh..wh.`` names are dropped, a
directory that only appears as a parent is an empty node) and visits each tree's leaves
depth-first, children before parents, names in byte order. A leaf's key is its path with a
``.wh.`` prefix removed from the last name. A normal leaf weighs its tar header size; a
whiteout leaf weighs the header sizes of the whole subtree it hides if that path is a directory
in the layers below (stacked as dive stacks them), and nothing if it is a file. If the hidden
path does not exist below at all, dive records the key with a minimum of -1 and stops visiting
the rest of that layer (so efficiency can even be negative). Per key dive
keeps the count, the cumulative size and the minimum size; efficiency is the sum of minimums
over the sum of cumulative sizes, and the keys seen twice or more are the inefficient files.

dive restacks every lower layer for every whiteout. Here each layer's tree is a flat dict
visited in one sorted pass, and the stacked tree is built once, incrementally, and only when
some layer has a whiteout to look up: the work is linear in the number of entries plus a sort.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from typing import TypeVar

from auger.layers import paths
from auger.model import DiveFileReference, DiveMetrics, Entry

_META_PREFIX = ".wh..wh."
_WHITEOUT_PREFIX = ".wh."

GO_MODE_DIR = 1 << 31
GO_MODE_SYMLINK = 1 << 27
GO_MODE_DEVICE = 1 << 26
GO_MODE_NAMED_PIPE = 1 << 25
GO_MODE_SOCKET = 1 << 24
GO_MODE_SETUID = 1 << 23
GO_MODE_SETGID = 1 << 22
GO_MODE_CHAR_DEVICE = 1 << 21
GO_MODE_STICKY = 1 << 20

_TYPE_BITS = {
    0o040000: GO_MODE_DIR,
    0o010000: GO_MODE_NAMED_PIPE,
    0o120000: GO_MODE_SYMLINK,
    0o060000: GO_MODE_DEVICE,
    0o020000: GO_MODE_DEVICE | GO_MODE_CHAR_DEVICE,
    0o140000: GO_MODE_SOCKET,
}
_TYPEFLAG_BITS = {
    "2": GO_MODE_SYMLINK,
    "3": GO_MODE_DEVICE | GO_MODE_CHAR_DEVICE,
    "4": GO_MODE_DEVICE,
    "5": GO_MODE_DIR,
    "6": GO_MODE_NAMED_PIPE,
}


def go_file_mode(entry: Entry) -> int:
    """The entry's mode as Go's ``tar.Header.FileInfo().Mode()`` reports it (dive's fileMode)."""
    mode = entry.mode & 0o777
    if entry.mode & 0o4000:
        mode |= GO_MODE_SETUID
    if entry.mode & 0o2000:
        mode |= GO_MODE_SETGID
    if entry.mode & 0o1000:
        mode |= GO_MODE_STICKY
    mode |= _TYPE_BITS.get(entry.mode & ~0o7777, 0)
    mode |= _TYPEFLAG_BITS.get(entry.typeflag, 0)
    return mode


def go_is_dir(entry: Entry | None) -> bool:
    """dive's ``FileInfo.IsDir`` (an implicit node has an empty FileInfo: not a directory)."""
    return entry is not None and bool(go_file_mode(entry) & GO_MODE_DIR)


_Payload = TypeVar("_Payload")


def _add_path(
    nodes: dict[str, _Payload],
    children: dict[str, list[str]],
    path: str,
    payload: _Payload,
    implicit: _Payload,
) -> None:
    """dive's ``AddPath``: create missing parents as ``implicit`` nodes, drop ``.wh..wh.``
    names."""
    parent, _, name = path.rpartition("/")
    if parent and parent not in nodes:
        prefix = ""
        for part in parent.split("/"):
            current = f"{prefix}/{part}" if prefix else part
            if current not in nodes:
                if part.startswith(_META_PREFIX):
                    return
                nodes[current] = implicit
                children.setdefault(prefix, []).append(current)
            prefix = current
    if path not in nodes:
        if name.startswith(_META_PREFIX):
            return
        children.setdefault(parent, []).append(path)
    nodes[path] = payload


class _Tree:
    """The tree dive builds for one layer, as flat dicts: path (no leading slash) to the
    position of its entry in the layer, and to child paths (only for paths that have had
    children: a leaf has no list).

    Positions rather than the entries themselves: they are what dive's file lists are made of
    (see :attr:`DiveMetrics.file_lists`), and a second dict of them cost a fifth of the tree's
    building. On 218,000 entries dive's metrics took 332 instead of 367 ms, and a whole
    ``--no-verify`` run 0.98 of its time (farm-bench, median of 12 pairs).
    """

    __slots__ = ("children", "entries", "nodes")

    def __init__(self, entries: tuple[Entry, ...]) -> None:
        self.entries = entries
        """The layer's entries, which positions index."""
        self.nodes: dict[str, int] = {}
        """``-1``: an implicit node (dive's empty FileInfo)."""
        self.children: dict[str, list[str]] = {}

    def add(self, path: str, position: int) -> None:
        """dive's ``AddPath`` of the entry at ``position``."""
        _add_path(self.nodes, self.children, path, position, _IMPLICIT)

    def post_order(self) -> list[str]:
        """Every node, children before parents, siblings in byte order (dive's visit order)."""
        keys = list(self.nodes)
        joined = "".join(keys)  # one check at C speed for the common, plain ASCII case
        if "\1" in joined or (not joined.isascii() and not all(paths.is_utf8(key) for key in keys)):
            return sorted(keys, key=_exact_key)
        return sorted(keys, key=_fast_key)


_IMPLICIT = -1


class _Stacked:
    """Layers stacked as dive stacks them, with their entries (``None``: an implicit node)."""

    __slots__ = ("children", "nodes")

    def __init__(self, tree: _Tree) -> None:
        entries = tree.entries
        self.nodes: dict[str, Entry | None] = {
            path: entries[position] if position >= 0 else None
            for path, position in tree.nodes.items()
        }
        self.children = {path: list(kids) for path, kids in tree.children.items()}

    def add(self, path: str, entry: Entry | None) -> None:
        _add_path(self.nodes, self.children, path, entry, None)

    def remove(self, path: str) -> None:
        """Remove ``path`` and its subtree."""
        if path not in self.nodes:
            return
        self.children[path.rpartition("/")[0]].remove(path)
        stack = [path]
        while stack:
            current = stack.pop()
            del self.nodes[current]
            stack.extend(self.children.pop(current, ()))

    def subtree_size(self, path: str) -> int:
        total = 0
        stack = [path]
        while stack:
            current = stack.pop()
            entry = self.nodes[current]
            if entry is not None:
                total += entry.size
            stack.extend(self.children.get(current, ()))
        return total


def _fast_key(path: str) -> str:
    """Names compared in byte order (UTF-8 order is code point order), ``/`` sorting before
    any character so that ``ar/x`` < ``ar`` < ``arch``: children first, then the parent."""
    return path.replace("/", "\0") + "\1"


def _exact_key(path: str) -> tuple[tuple[int, bytes], ...]:
    parts = [(0, paths.to_bytes(part)) for part in path.split("/")]
    return (*parts, (1, b""))


def build_tree(entries: tuple[Entry, ...]) -> _Tree:
    """The tree dive builds for one layer."""
    tree = _Tree(entries)
    nodes = tree.nodes
    children = tree.children
    for position, entry in enumerate(entries):
        name = entry.name
        if name:  # a name that differs from the normalised path: clean it as dive does
            if name.startswith("/") or "//" in name:
                name = "/".join(part for part in name.split("/") if part)
            if not name or name == ".":
                continue
        elif entry.kind.is_marker:
            name = paths.stored_name(entry)
        else:  # the common case, inline: a new path whose parent exists
            name = entry.path
            parent, _, base = name.rpartition("/")
            new = name not in nodes and not base.startswith(_META_PREFIX)
            if new and (not parent or parent in nodes):
                children.setdefault(parent, []).append(name)
                nodes[name] = position
                continue
        tree.add(name, position)
    return tree


def _stacked_path(path: str) -> str:
    """The path a node grafts onto the stacked tree (``.wh.`` removed from the leaf name)."""
    parent, _, name = path.rpartition("/")
    stripped = name.removeprefix(_WHITEOUT_PREFIX)
    return f"{parent}/{stripped}" if parent else stripped


def _stack(lower: _Stacked, upper: _Tree, order: list[str]) -> None:
    """dive's ``FileTree.Stack``: graft ``upper`` onto ``lower`` in dive's visiting order."""
    nodes = upper.nodes
    entries = upper.entries
    for path in order:
        if path.rpartition("/")[2].startswith(_WHITEOUT_PREFIX):
            lower.remove(_stacked_path(path))
        else:
            position = nodes[path]
            lower.add(path, entries[position] if position >= 0 else None)


class _Stacker:
    """The stacked tree of layers ``0..i-1``, built only as far as whiteout lookups need."""

    def __init__(self, trees: list[_Tree], orders: list[list[str]]) -> None:
        self._trees = trees
        self._orders = orders
        self._first: _Stacked | None = None
        self._stacked: _Stacked | None = None
        self._upto = 0

    def below(self, index: int) -> _Stacked:
        """The tree a whiteout of layer ``index`` is looked up in, as dive builds it: the first
        layer's own for the first layer, else a copy of the first with layers ``0..index-1``
        stacked onto it (the first layer twice, as dive does)."""
        if index == 0:
            if self._first is None:
                self._first = _Stacked(self._trees[0])
            return self._first
        if self._stacked is None:
            self._stacked = _Stacked(self._trees[0])
        while self._upto < index:
            _stack(self._stacked, self._trees[self._upto], self._orders[self._upto])
            self._upto += 1
        return self._stacked


def _visit(
    tree: _Tree, order: list[str], index: int, stacker: _Stacker, stats: dict[str, list[int]]
) -> None:
    """Count one layer's leaves, stopping where dive's visit stops.

    ``stats`` maps a key to ``[count, cumulative size, minimum size]``.
    """
    children = tree.children
    nodes = tree.nodes
    entries = tree.entries
    for path in order:
        if children.get(path):
            continue
        if ".wh." in path and path.rpartition("/")[2].startswith(_WHITEOUT_PREFIX):
            key = _stacked_path(path)
            below = stacker.below(index)
            if key not in below.nodes:
                # dive registers the key with a minimum of -1 (and no occurrence), then
                # aborts the rest of this layer's visit.
                stats.setdefault(key, [0, 0, -1])
                return
            size = below.subtree_size(key) if go_is_dir(below.nodes[key]) else 0
        else:
            key = path
            position = nodes[path]
            size = entries[position].size if position >= 0 else 0
        found = stats.get(key)
        if found is None:
            stats[key] = [1, size, size]
        else:
            found[0] += 1
            found[1] += size
            if found[2] < 0 or size < found[2]:
                found[2] = size


def dive_metrics(layers: list[tuple[Entry, ...]], layer_sizes: list[int]) -> DiveMetrics:
    """Compute dive's efficiency, wasted bytes, user wasted percent and inefficient files."""
    trees = [build_tree(entries) for entries in layers]
    orders = [tree.post_order() for tree in trees]
    stacker = _Stacker(trees, orders)
    stats: dict[str, list[int]] = {}
    for index, (tree, order) in enumerate(zip(trees, orders, strict=True)):
        _visit(tree, order, index, stacker, stats)
    minimum = sum(item[2] for item in stats.values())
    cumulative = sum(item[1] for item in stats.values())
    efficiency = minimum / cumulative if cumulative else 1.0
    inefficient = sorted(
        (
            DiveFileReference("/" + key, item[0], item[1])
            for key, item in stats.items()
            if item[0] >= 2
        ),
        key=lambda ref: (-ref.size, ref.path),
    )
    wasted = sum(ref.size for ref in inefficient)
    user_size = sum(layer_sizes[1:])
    if user_size:
        user_percent = wasted / user_size
    else:
        user_percent = 0.0 if wasted == 0 or len(layer_sizes) <= 1 else math.inf
    # positions rather than the entries themselves: they cross from a forked child as one block
    # of bytes (a tuple of entries had to be rebuilt from indexes, 90 ms of 218,000 entries)
    file_lists = tuple(
        array("i", map(tree.nodes.__getitem__, order))
        for tree, order in zip(trees, orders, strict=True)
    )
    return DiveMetrics(efficiency, wasted, user_percent, tuple(inefficient), file_lists)


def listed(entries: Sequence[Entry], positions: Sequence[int]) -> list[Entry | None]:
    """A layer's file list (see :attr:`DiveMetrics.file_lists`) as entries, ``None`` for
    implicit directories."""
    return [entries[position] if position >= 0 else None for position in positions]


PlainDiveMetrics = tuple[float, int, float, list[tuple[str, int, int]], list[bytes]]
""":class:`DiveMetrics` as plain data: each file list's positions as machine integers."""


def to_plain(metrics: DiveMetrics) -> PlainDiveMetrics:
    """``metrics`` as plain data, for :func:`from_plain` in another process."""
    file_lists = [array("i", positions).tobytes() for positions in metrics.file_lists]
    references = [(ref.path, ref.count, ref.size) for ref in metrics.inefficient_files]
    return (
        metrics.efficiency,
        metrics.wasted_bytes,
        metrics.user_wasted_percent,
        references,
        file_lists,
    )


def from_plain(plain: PlainDiveMetrics) -> DiveMetrics:
    """Rebuild the metrics :func:`to_plain` flattened (its file lists index the same layers)."""
    efficiency, wasted, user_percent, references, file_lists = plain
    rebuilt = []
    for data in file_lists:
        positions = array("i")
        positions.frombytes(data)
        rebuilt.append(positions)
    return DiveMetrics(
        efficiency,
        wasted,
        user_percent,
        tuple(DiveFileReference(*reference) for reference in references),
        tuple(rebuilt),
    )
