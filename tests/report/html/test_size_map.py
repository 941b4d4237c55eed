"""The size map: bytes summed by directory and layer, laid out to scale, cut to a budget."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest

from auger.analysis.image import analyze_image
from auger.model import EntryKind, ImageAnalysis
from auger.report.html import treemap
from auger.report.html.sizetree import SizeNode, size_tree
from auger.report.html.treemap import HEIGHT, WIDTH, Box, View, layout
from auger.testing.synthetic import synthetic_image
from tests.report.support import analyse, head_image, write_archive


@pytest.fixture(scope="module")
def head(tmp_path_factory: pytest.TempPathFactory) -> ImageAnalysis:
    return analyse(write_archive(tmp_path_factory.mktemp("head"), "head.tar", head_image()))


@pytest.fixture(scope="module")
def large() -> ImageAnalysis:
    return analyze_image(synthetic_image(20_000, seed=3))


def node(root: SizeNode, path: str, directory: bool = True) -> SizeNode:
    *parents, last = path.split("/")
    found = root
    for name in parents:
        found = found.children[name + "/"]
    return found.children[last + "/" if directory else last]


def visible_by_layer(analysis: ImageAnalysis) -> Counter[int]:
    sizes: Counter[int] = Counter()
    for layer, entry in analysis.final.values():
        if entry is not None and entry.kind is EntryKind.FILE:
            sizes[layer] += entry.size
    return sizes


def test_the_tree_sums_every_visible_and_wasted_byte(head: ImageAnalysis) -> None:
    root = size_tree(head)
    assert root.visible == head.final_size
    assert root.wasted == sum(item.size for item in head.waste) == head.wasted_bytes
    assert root.layers == dict(visible_by_layer(head))
    stored: Counter[int] = Counter()
    for item in head.waste:
        stored[item.stored_in] += item.size
    assert root.waste_layers == dict(stored)


def test_a_deleted_directory_is_all_waste_stored_by_its_layer(head: ImageAnalysis) -> None:
    build = node(size_tree(head), "app/build")
    assert (build.visible, build.wasted) == (0, 2400)
    assert build.waste_layers == {2: 2400}
    assert build.path == "/app/build"


def test_a_file_overwritten_later_is_visible_and_wasted_at_once(head: ImageAnalysis) -> None:
    main = node(size_tree(head), "app/main.py", directory=False)
    assert main.visible == 900  # the chmod's copy, from layer 4
    assert main.layers == {4: 900}
    assert main.wasted == 900  # layer 2's copy
    assert main.waste_layers == {2: 900}


def nested(box: Box, frames: list[Box]) -> bool:
    return any(
        frame.rect.x <= box.rect.x + 1e-6
        and frame.rect.y <= box.rect.y + 1e-6
        and box.rect.x + box.rect.w <= frame.rect.x + frame.rect.w + 1e-6
        and box.rect.y + box.rect.h <= frame.rect.y + frame.rect.h + 1e-6
        for frame in frames
        if frame is not box
    )


def top_level(view: View) -> list[Box]:
    frames = [box for box in view.boxes if box.kind == "frame"]
    return [box for box in view.boxes if not nested(box, frames)]


def test_the_root_view_tiles_the_map_to_scale(head: ImageAnalysis) -> None:
    root = size_tree(head)
    view = layout(root).views[0]
    assert (view.path, view.trail, view.size) == ("/", (), root.total)
    boxes = top_level(view)
    assert math.isclose(sum(box.rect.w * box.rect.h for box in boxes), WIDTH * HEIGHT)
    for box in boxes:
        share = box.rect.w * box.rect.h / (WIDTH * HEIGHT)
        assert math.isclose(share, box.size / root.total, rel_tol=1e-9), box
    names = {box.name for box in boxes}
    assert {"app", "var", "usr", "root", "bin"} <= names


def test_boxes_are_coloured_by_the_layer_that_stored_most_bytes(head: ImageAnalysis) -> None:
    view = layout(size_tree(head)).views[0]
    by_path = {(box.path, box.kind): box for box in view.boxes}
    assert by_path[("root", "frame")].layer == 3  # the pip cache
    assert by_path[("bin", "frame")].layer == 0
    assert by_path[("app/build", "wasted")].layer == 2
    assert by_path[("app/build", "wasted")].layers == ((2, 2400),)


def test_small_entries_are_folded_into_one_box(large: ImageAnalysis) -> None:
    size_map = layout(size_tree(large))
    checked = 0
    for view in size_map.views:
        boxes = top_level(view)
        more = [box for box in boxes if box.kind == "more"]
        if not more:
            continue
        (folded,) = more
        shown = [box for box in boxes if box.kind != "more"]
        assert len(shown) <= treemap.MAX_ENTRIES * 2  # a file's visible and wasted halves
        assert folded.size == view.size - sum(box.size for box in shown)
        assert folded.folded >= 2
        entries: Counter[str] = Counter()
        for box in shown:
            entries[box.path] += box.size
        assert folded.size / folded.folded <= min(entries.values())
        checked += 1
    assert checked >= 5


def test_a_directory_links_to_its_view_and_the_trail_leads_back(large: ImageAnalysis) -> None:
    size_map = layout(size_tree(large))
    assert len(size_map.views) > 10
    for view in size_map.views:
        assert [index for index, candidate in enumerate(size_map.views) if candidate is view] == [
            view.index
        ]
        for box in view.boxes:
            if box.target is None:
                continue
            target = size_map.views[box.target]
            under = view.path.rstrip("/") + "/" + box.path
            assert under == target.path or under.startswith(target.path + "/"), (box, target)
        steps = view.trail
        assert steps[0][0] == "" if steps else view.path == "/"
        for depth, (_, index) in enumerate(steps):
            assert index is not None
            ancestor = size_map.views[index]
            assert ancestor.path.count("/") == depth or ancestor.path == "/"


def test_the_layout_stays_within_its_budget_however_big_the_image(
    monkeypatch: pytest.MonkeyPatch, large: ImageAnalysis
) -> None:
    monkeypatch.setattr(treemap, "MAX_BOXES", 400)
    size_map = layout(size_tree(large))
    boxes = sum(len(view.boxes) for view in size_map.views)
    assert 400 <= boxes < 400 + max(len(view.boxes) for view in size_map.views)
    monkeypatch.setattr(treemap, "MAX_BOXES", 100_000)
    monkeypatch.setattr(treemap, "MAX_VIEWS", 3)
    assert len(layout(size_tree(large)).views) == 3


def test_views_are_chosen_largest_directory_first(large: ImageAnalysis) -> None:
    sizes = [view.size for view in layout(size_tree(large)).views]
    assert sizes == sorted(sizes, reverse=True)


def test_an_empty_image_has_one_empty_view(tmp_path: Path) -> None:
    analysis = analyze_image(synthetic_image(0))
    size_map = layout(size_tree(analysis))
    assert [view.boxes for view in size_map.views] == [()]
