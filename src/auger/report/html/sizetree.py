"""The bytes of an image by directory: the final filesystem and the wasted copies, per layer.

:func:`size_tree` folds every visible regular file and every wasted item of an analysis into
one tree of :class:`SizeNode`, each knowing its bytes visible and wasted, by the layer that
stored them. It is linear in the number of entries and keeps no file contents, only sums.
"""

from __future__ import annotations

from collections.abc import Iterator

from auger.model import EntryKind, ImageAnalysis

_NONE: dict[str, SizeNode] = {}
"""Every file's children: one empty dict, never written to."""
_NOTHING: dict[int, int] = {}
"""The layers of a node that has no bytes of that kind yet: one empty dict, never written to."""


class SizeNode:
    """A directory or file of the tree: its own bytes and, once summed, its subtree's."""

    __slots__ = (
        "children",
        "directory",
        "files",
        "layers",
        "name",
        "parent",
        "visible",
        "waste_layers",
        "wasted",
    )

    def __init__(self, name: str, parent: SizeNode | None, directory: bool) -> None:
        self.name = name
        self.parent = parent
        self.directory = directory
        self.children: dict[str, SizeNode] = {} if directory else _NONE
        """Directories under ``NAME/`` and files under ``NAME``."""
        self.visible = 0
        """Bytes visible in the final filesystem, here and below."""
        self.wasted = 0
        """Bytes stored in a layer but hidden in the final filesystem, here and below."""
        self.files = 0
        """Visible regular files, here and below."""
        self.layers = _NOTHING
        """Visible bytes by the layer that stored them."""
        self.waste_layers = _NOTHING
        """Wasted bytes by the layer that stored them."""

    def add_visible(self, layer: int, size: int, files: int = 1) -> None:
        """Count ``size`` visible bytes of ``layer`` here."""
        self.visible += size
        self.files += files
        if self.layers is _NOTHING:
            self.layers = {}
        self.layers[layer] = self.layers.get(layer, 0) + size

    def add_wasted(self, layer: int, size: int) -> None:
        """Count ``size`` wasted bytes stored by ``layer`` here."""
        self.wasted += size
        if self.waste_layers is _NOTHING:
            self.waste_layers = {}
        self.waste_layers[layer] = self.waste_layers.get(layer, 0) + size

    @property
    def total(self) -> int:
        """Visible and wasted bytes: the node's share of the size map."""
        return self.visible + self.wasted

    @property
    def path(self) -> str:
        """``/usr/lib`` (``/`` for the root)."""
        names = []
        node: SizeNode | None = self
        while node is not None and node.parent is not None:
            names.append(node.name)
            node = node.parent
        return "/" + "/".join(reversed(names))

    def ancestors(self) -> Iterator[SizeNode]:
        """The root first, down to this node's parent."""
        chain = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return reversed(chain)


def dominant(layers: dict[int, int]) -> int | None:
    """The layer that stored most of the bytes (the lowest index on a tie)."""
    return min(layers, key=lambda layer: (-layers[layer], layer)) if layers else None


class _Builder:
    """Adds files to the tree, finding each one's directory by its path in one lookup.

    A directory is its parent's child under ``NAME/``, a file under ``NAME``: a path that was
    a file in one layer and a directory in another has a node for each. Directories are made
    parents first, so :attr:`directories` lists every parent before its children.
    """

    def __init__(self) -> None:
        self.root = SizeNode("", None, directory=True)
        self.directories: dict[str, SizeNode] = {"": self.root}

    def directory(self, path: str) -> SizeNode:
        found = self.directories.get(path)
        if found is None:
            head, _, name = path.rpartition("/")
            parent = self.directory(head)
            found = parent.children[name + "/"] = SizeNode(name, parent, directory=True)
            self.directories[path] = found
        return found

    def entry(self, path: str) -> tuple[SizeNode, SizeNode]:
        """The node of the file ``path`` and of its directory."""
        head, _, name = path.rpartition("/")
        parent = self.directory(head)
        node = parent.children.get(name)
        if node is None:
            node = parent.children[name] = SizeNode(name, parent, directory=False)
        return node, parent


def _sum(directories: list[SizeNode]) -> None:
    """Add each directory's sums into its parent's, children first (a file's bytes were added
    to its directory as it was read)."""
    for node in reversed(directories):
        parent = node.parent
        if parent is None:
            continue
        for layer, size in node.layers.items():
            parent.add_visible(layer, size, 0)
        parent.files += node.files
        for layer, size in node.waste_layers.items():
            parent.add_wasted(layer, size)


def size_tree(analysis: ImageAnalysis) -> SizeNode:
    """The root of the image's tree, with every sum computed."""
    tree = _Builder()
    file_kind = EntryKind.FILE
    for path, (layer, entry) in analysis.final.items():
        if entry is None or entry.kind is not file_kind or not path:
            continue
        node, parent = tree.entry(path)
        node.add_visible(layer, entry.size)
        parent.add_visible(layer, entry.size)
    for item in analysis.waste:
        if item.path and item.size:
            node, parent = tree.entry(item.path)
            node.add_wasted(item.stored_in, item.size)
            parent.add_wasted(item.stored_in, item.size)
    _sum(list(tree.directories.values()))
    return tree.root
