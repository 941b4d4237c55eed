"""Random layer stacks against a deliberately naive model of the overlay.

The model keeps a flat dict of visible paths and rescans it for every deletion (quadratic, and
obviously right). The real stacking must agree on the final filesystem, on which layer
provided each path, on the bytes visible at the end and on each layer's stored waste.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from auger.analysis.overlay import stack_layers
from auger.model import LayerRef
from auger.testing.images import (
    TarEntry,
    directory,
    file,
    hardlink,
    opaque,
    symlink,
    whiteout,
)
from auger.testing.scans import layer_scan

NAMES = ("a", "b", "c")
PATHS = [
    "/".join(parts)
    for depth in (1, 2, 3)
    for parts in __import__("itertools").product(NAMES, repeat=depth)
]


@dataclass(frozen=True)
class Op:
    kind: str
    path: str
    size: int = 0
    target: str = ""


ops = st.one_of(
    st.builds(Op, st.just("file"), st.sampled_from(PATHS), st.integers(0, 50)),
    st.builds(Op, st.just("dir"), st.sampled_from(PATHS)),
    st.builds(Op, st.just("whiteout"), st.sampled_from(PATHS)),
    st.builds(Op, st.just("opaque"), st.sampled_from(PATHS)),
    st.builds(Op, st.just("symlink"), st.sampled_from(PATHS)),
    st.builds(Op, st.just("hardlink"), st.sampled_from(PATHS), st.just(0), st.sampled_from(PATHS)),
)
stacks = st.lists(st.lists(ops, min_size=1, max_size=7), min_size=1, max_size=5)


def to_tar_entries(layer: list[Op]) -> list[TarEntry]:
    result = []
    for op in layer:
        if op.kind == "file":
            result.append(file(op.path, op.size))
        elif op.kind == "dir":
            result.append(directory(op.path))
        elif op.kind == "whiteout":
            result.append(whiteout(op.path))
        elif op.kind == "opaque":
            result.append(opaque(op.path))
        elif op.kind == "symlink":
            result.append(symlink(op.path, "elsewhere"))
        else:
            result.append(hardlink(op.path, op.target))
    return result


@dataclass
class Visible:
    layer: int
    kind: str
    content: tuple[int, int] | None
    """(layer, op index) of the bytes this path shows, if any."""


def under(path: str, directory_path: str) -> bool:
    return path.startswith(directory_path + "/")


def naive(stack: list[list[Op]]) -> tuple[dict[str, Visible], dict[tuple[int, int], int]]:
    """The obvious overlay: returns visible paths and every stored content unit's size."""
    visible: dict[str, Visible] = {}
    stored: dict[tuple[int, int], int] = {}
    for index, layer in enumerate(stack):
        for op in layer:
            if op.kind == "opaque":
                for path in [p for p in visible if under(p, op.path)]:
                    del visible[path]
        for op in layer:
            if op.kind == "whiteout":
                for path in [p for p in visible if p == op.path or under(p, op.path)]:
                    del visible[path]
        files_here: dict[str, tuple[int, int]] = {}
        for position, op in enumerate(layer):
            if op.kind in ("whiteout", "opaque"):
                continue
            parts = op.path.split("/")
            for depth in range(1, len(parts)):
                ancestor = "/".join(parts[:depth])
                found = visible.get(ancestor)
                if found is not None and found.kind != "dir":
                    del visible[ancestor]
                    found = None
                if found is None:
                    visible[ancestor] = Visible(index, "dir", None)
            old = visible.get(op.path)
            new_kind = "dir" if op.kind == "dir" else op.kind
            if old is not None and old.kind == "dir" and new_kind != "dir":
                for path in [p for p in visible if under(p, op.path)]:
                    del visible[path]
            content: tuple[int, int] | None = None
            if op.kind == "file" and op.size > 0:
                content = (index, position)
                stored[content] = op.size
                files_here[op.path] = content
            elif op.kind == "file":
                files_here.pop(op.path, None)
            elif op.kind == "hardlink":
                target = files_here.get(op.target)
                if target is None and op.target in visible:
                    target = visible[op.target].content
                content = target
            visible[op.path] = Visible(index, new_kind, content)
    return visible, stored


@settings(max_examples=300, deadline=None)
@given(stacks)
def test_overlay_matches_the_naive_model(stack: list[list[Op]]) -> None:
    scanned = [
        layer_scan(*to_tar_entries(layer), ref=LayerRef("", i)).entries
        for i, layer in enumerate(stack)
    ]
    result = stack_layers(scanned)
    visible, stored = naive(stack)

    assert set(result.final) == set(visible)
    for path, expected in visible.items():
        assert result.final[path].layer == expected.layer, path

    reachable = {v.content for v in visible.values() if v.content is not None}
    assert result.final_size == sum(stored[unit] for unit in reachable)

    total = sum(entry.size for layer in scanned for entry in layer)
    assert total == sum(stored.values())
    assert sum(item.size for item in result.waste) == total - result.final_size
    for index in range(len(stack)):
        wasted_here = sum(
            size for unit, size in stored.items() if unit[0] == index and unit not in reachable
        )
        assert result.layers[index].stored_waste == wasted_here
