"""The view model against a brute-force restack of layers 0..K, on random layer stacks."""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from auger.analysis.image import analyze_image
from auger.analysis.overlay import stack_layers
from auger.layers import paths
from auger.model import (
    DiffType,
    Entry,
    EntryKind,
    Image,
    ImageAnalysis,
    Layer,
    LayerRef,
    VisibleEntry,
)
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
from auger.viewmodel.index import PathIndex
from auger.viewmodel.model import Mode, SortOrder, View, ViewModel
from auger.viewmodel.pathfilter import Haystack, apply_filter
from auger.viewmodel.rows import TreeRows

NAMES = ("a", "b", "c")
PATHS = ["/".join(p) for depth in (1, 2, 3) for p in itertools.product(NAMES, repeat=depth)]


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
stacks = st.lists(st.lists(ops, min_size=1, max_size=8), min_size=1, max_size=5)


def tar_entry(op: Op) -> TarEntry:
    if op.kind == "file":
        return file(op.path, op.size)
    if op.kind == "dir":
        return directory(op.path)
    if op.kind == "whiteout":
        return whiteout(op.path)
    if op.kind == "opaque":
        return opaque(op.path)
    if op.kind == "symlink":
        return symlink(op.path, "elsewhere")
    return hardlink(op.path, op.target)


def analysis_of(stack: list[list[Op]]) -> tuple[ImageAnalysis, list[tuple[Entry, ...]]]:
    layers, entries = [], []
    for index, ops_ in enumerate(stack):
        scan = layer_scan(*(tar_entry(op) for op in ops_), ref=LayerRef("", index))
        entries.append(scan.entries)
        layers.append(Layer(index, scan, str(index), None, None, None, None, f"layer {index}"))
    return analyze_image(Image("test", "test", tuple(layers))), entries


def brute(entries: list[tuple[Entry, ...]], layer: int) -> dict[str, VisibleEntry]:
    """The filesystem after layers 0..layer, restacked from scratch."""
    return dict(stack_layers(entries[: layer + 1]).final) if layer >= 0 else {}


def shown_rows(model: ViewModel, view: View) -> dict[str, tuple[DiffType, bool]]:
    tree = TreeRows(model, view)
    tree.expand_all()
    names = model.index.paths
    return {names[row.item.id]: (row.item.diff, row.item.context) for row in tree.rows}


def under_file(path: str, now: dict[str, VisibleEntry]) -> bool:
    """True below a path that is now not a directory (the tree cannot open it)."""
    while paths.parent(path):
        path = paths.parent(path)
        entry = now[path].entry if path in now else None
        if entry is not None and entry.kind is not EntryKind.DIR:
            return True
    return False


def with_ancestors(selected: set[str]) -> set[str]:
    out = set(selected)
    for path in selected:
        while paths.parent(path):
            path = paths.parent(path)
            out.add(path)
    return out


@settings(max_examples=150, deadline=None)
@given(stacks)
def test_aggregated_view_is_the_restacked_filesystem(stack: list[list[Op]]) -> None:
    analysis, entries = analysis_of(stack)
    index = PathIndex(analysis)
    model = ViewModel(index)
    for layer in range(len(stack)):
        now, before = brute(entries, layer), brute(entries, layer - 1)
        rows = shown_rows(model, View(layer=layer))
        visible = {path for path, (diff, _) in rows.items() if diff is not DiffType.REMOVED}
        removed = {path for path, (diff, _) in rows.items() if diff is DiffType.REMOVED}
        assert visible == set(now)
        assert removed == {path for path in set(before) - set(now) if not under_file(path, now)}
        for path in visible:
            event = index.event_at(index.id_of[path], layer)
            assert event is not None
            assert (event.layer, event.entry) == (now[path].layer, now[path].entry)
            if event.layer < layer:
                assert rows[path][0] is DiffType.UNMODIFIED
        view = View(layer=layer)
        for path, (_, _) in rows.items():
            item = model.item(view, index.id_of[path])
            assert item is not None
            if item.is_dir and path in now:
                expected = sum(
                    ve.entry.size
                    for p, ve in now.items()
                    if paths.is_within(p, path) and p != path
                    if ve.entry is not None and ve.entry.kind is not EntryKind.DIR
                )
                assert model.size(view, item) == expected


@settings(max_examples=100, deadline=None)
@given(stacks, st.sets(st.sampled_from(list(DiffType))), st.sampled_from(["", "a", "b/c", "*c"]))
def test_toggles_and_filter_keep_matches_and_their_ancestors(
    stack: list[list[Op]], hidden: set[DiffType], text: str
) -> None:
    analysis, _ = analysis_of(stack)
    index = PathIndex(analysis)
    model = ViewModel(index)
    found = apply_filter(text, Haystack(index.paths), None)
    shown = frozenset(DiffType) - hidden
    for layer, mode in itertools.product(range(len(stack)), Mode):
        plain = shown_rows(model, View(layer=layer, mode=mode))
        in_view = {path for path, (_, context) in plain.items() if not context}
        view = View(layer=layer, mode=mode, shown=shown, filter=found)
        keep = {
            path
            for path in in_view
            if plain[path][0] in shown and (found is None or index.id_of[path] in found)
        }
        assert set(shown_rows(model, view)) == with_ancestors(keep)


@settings(max_examples=100, deadline=None)
@given(stacks)
def test_layer_view_shows_the_layers_changes_with_their_ancestors(stack: list[list[Op]]) -> None:
    analysis, entries = analysis_of(stack)
    index = PathIndex(analysis)
    model = ViewModel(index)
    for layer in range(len(stack)):
        now, before = brute(entries, layer), brute(entries, layer - 1)
        rows = shown_rows(model, View(layer=layer, mode=Mode.LAYER))
        changed = {path for path, (_, context) in rows.items() if not context}
        listed = {change.path for change in analysis.layers[layer].changes}
        assert changed <= listed
        for change in analysis.layers[layer].changes:
            gone = change.diff is DiffType.REMOVED and change.path in before
            gone = gone and not under_file(change.path, now)
            if change.path in now or gone:
                assert change.path in changed
        assert set(rows) == with_ancestors(changed)


def test_sort_by_size_puts_the_largest_first() -> None:
    stack = [
        [Op("file", "a/x", 5), Op("file", "b", 50), Op("file", "c/y", 20), Op("file", "c/z", 20)]
    ]
    analysis, _ = analysis_of(stack)
    model = ViewModel(PathIndex(analysis))
    view = View(layer=0, sort=SortOrder.SIZE)
    names = [model.index.paths[item.id] for item in model.children(view, 0)]
    assert names == ["b", "c", "a"]
    by_name = dataclasses.replace(view, sort=SortOrder.NAME)
    assert [model.index.paths[i.id] for i in model.children(by_name, 0)] == ["a", "b", "c"]
