"""The two-image view's model: both final filesystems in one tree, coloured by what the image
changed against its baseline, with size changes that add up to the images' own totals."""

from __future__ import annotations

from pathlib import Path

import pytest

from auger.model import DiffType, ImageAnalysis
from auger.testing.images import ImageSpec, LayerSpec, directory, file, layer_tar
from auger.viewmodel.comparison import BASELINE, CHANGES, EVERYTHING, IMAGE, Comparison, compare
from auger.viewmodel.index import ROOT
from auger.viewmodel.model import View
from auger.viewmodel.rows import TreeRows
from tests.report.support import analyse, base_image, head_image, write_archive


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Comparison:
    directory_path = tmp_path_factory.mktemp("compare")
    base = analyse(write_archive(directory_path, "base.tar", base_image()))
    head = analyse(write_archive(directory_path, "head.tar", head_image()))
    return compare(base, head)


def shown(comparison: Comparison, view: View) -> dict[str, DiffType]:
    """Every path the view shows with every folder open, and how it is coloured."""
    rows = TreeRows(comparison.model, view)
    rows.expand_all()
    paths = comparison.index.paths
    return {paths[row.item.id]: row.item.diff for row in rows.rows if not row.item.context}


def test_the_changes_view_shows_what_the_image_added_modified_and_removed(
    comparison: Comparison,
) -> None:
    changes = shown(comparison, CHANGES)
    assert changes["app/legacy.py"] is DiffType.REMOVED
    assert changes["app/main.py"] is DiffType.MODIFIED
    assert changes["etc/motd"] is DiffType.MODIFIED
    assert changes["srv/www/index.html"] is DiffType.ADDED
    assert changes["var/cache/apt/archives/curl_8.0_amd64.deb"] is DiffType.REMOVED
    assert "etc/passwd" not in changes, "unchanged files are not changes"
    assert "bin/sh" not in changes
    assert set(changes.values()) == {DiffType.ADDED, DiffType.MODIFIED, DiffType.REMOVED}
    assert len(changes) == comparison.changed


def test_the_full_view_shows_the_image_with_the_baselines_removed_paths(
    comparison: Comparison,
) -> None:
    everything = shown(comparison, EVERYTHING)
    head_paths = set(comparison.head.final)
    removed = {path for path, diff in everything.items() if diff is DiffType.REMOVED}
    assert set(everything) - removed == head_paths
    assert removed == {"app/legacy.py", "var/cache/apt/archives/curl_8.0_amd64.deb"}
    assert everything["etc/passwd"] is DiffType.UNMODIFIED
    assert everything["bin/sh"] is DiffType.UNMODIFIED


def test_sizes_and_changes_add_up_to_each_images_visible_bytes(comparison: Comparison) -> None:
    sizes = comparison.model.sizes
    assert sizes.aggregated(ROOT, BASELINE) == comparison.base.final_size
    assert sizes.aggregated(ROOT, IMAGE) == comparison.head.final_size
    root = comparison.model.item(EVERYTHING, ROOT)
    assert root is not None
    assert comparison.delta(root) == comparison.diff.final_delta
    index = comparison.index
    files = {change.path: change.delta for change in comparison.diff.paths}
    for path, expected in files.items():
        item = comparison.model.item(EVERYTHING, index.id_of[path])
        assert item is not None and comparison.delta(item) == expected, path
    assert comparison.delta_label(index.id_of["app/legacy.py"]).strip() == "-300 B"
    assert comparison.delta_label(index.id_of["etc/passwd"]).strip() == ""


def test_the_summary_pairs_layers_as_auger_diff_does(comparison: Comparison) -> None:
    summary = comparison.summary()
    assert summary[:2] == ["baseline  example:base", "image     example:head"]
    assert "size 13.6 kB → 24.6 kB (+11.0 kB)" in summary
    assert "2 layers unchanged, 1 changed, 3 new" in summary
    assert "layer 2 grew by 5.0 kB" in summary
    assert summary[summary.index("layer 2 grew by 5.0 kB") + 1] == "  /app/build +2.4 kB"


def analysed(tmp_path: Path, name: str, *layers: LayerSpec) -> ImageAnalysis:
    return analyse(write_archive(tmp_path, name, ImageSpec(list(layers), tag=f"t:{name}")))


def test_an_image_against_itself_changes_nothing(tmp_path: Path) -> None:
    layer = LayerSpec(layer_tar([directory("etc"), file("etc/a", b"a")]), "ADD a /etc")
    image = analysed(tmp_path, "same.tar", layer)
    same = compare(image, image)
    assert same.changed == 0
    assert shown(same, CHANGES) == {}
    assert "0 paths changed" in same.summary()
    assert "1 layer unchanged" in same.summary()


def test_metadata_and_type_changes_are_modifications(tmp_path: Path) -> None:
    before = LayerSpec(
        layer_tar(
            [
                directory("d"),
                file("d/mode", b"x", mode=0o644),
                file("d/owner", b"x"),
                file("d/kind", b"x"),
                file("d/same", b"x"),
                file("d/text", b"x"),
            ]
        ),
        "one",
    )
    after = LayerSpec(
        layer_tar(
            [
                directory("d"),
                file("d/mode", b"x", mode=0o755),
                file("d/owner", b"x", uid=1000),
                directory("d/kind"),
                file("d/same", b"x"),
                file("d/text", b"y"),
            ]
        ),
        "one",
    )
    result = compare(analysed(tmp_path, "a.tar", before), analysed(tmp_path, "b.tar", after))
    changes = shown(result, CHANGES)
    assert changes == {
        "d/kind": DiffType.MODIFIED,
        "d/mode": DiffType.MODIFIED,
        "d/owner": DiffType.MODIFIED,
        "d/text": DiffType.MODIFIED,
    }
    kind = result.model.item(EVERYTHING, result.index.id_of["d/kind"])
    assert kind is not None and kind.is_dir
    said = {path: result.what_changed(result.index.id_of[path]) for path in changes}
    assert said == {
        "d/kind": "file → dir",
        "d/mode": "-rw-r--r-- → -rwxr-xr-x",
        "d/owner": "owner 0:0 → 1000:1000",
        "d/text": "contents",
    }
    assert result.what_changed(result.index.id_of["d/same"]) == ""
