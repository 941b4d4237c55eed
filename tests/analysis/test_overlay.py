"""Overlay stacking on hand-made layers: every case docs/overlay.md's semantics name."""

from __future__ import annotations

from auger.analysis.overlay import OverlayResult, stack_layers
from auger.model import DiffType, Entry, WasteCause
from auger.testing.images import (
    TarEntry,
    directory,
    file,
    hardlink,
    opaque,
    symlink,
    whiteout,
)
from auger.testing.scans import entries


def stack(*layers: tuple[Entry, ...]) -> OverlayResult:
    return stack_layers(list(layers))


def diffs(result: OverlayResult, layer: int) -> dict[str, DiffType]:
    return {change.path: change.diff for change in result.layers[layer].changes}


def total_size(*layers: tuple[Entry, ...]) -> int:
    return sum(entry.size for layer in layers for entry in layer)


def test_overwrite_wastes_the_lower_copy() -> None:
    base = entries(directory("etc"), file("etc/conf", 100))
    top = entries(directory("etc"), file("etc/conf", b"new"))
    result = stack(base, top)
    assert diffs(result, 1) == {"etc": DiffType.UNMODIFIED, "etc/conf": DiffType.MODIFIED}
    assert result.final["etc/conf"].layer == 1
    assert result.final_size == 3
    [item] = result.waste
    assert (item.path, item.size, item.stored_in, item.hidden_by, item.cause) == (
        "etc/conf",
        100,
        0,
        1,
        WasteCause.OVERWRITTEN,
    )
    assert result.layers[0].stored_waste == 100
    assert result.layers[1].caused_waste == 100


def test_chmod_only_change_is_metadata_only_waste() -> None:
    base = entries(file("run.sh", b"echo hi\n", mode=0o644))
    top = entries(file("run.sh", b"echo hi\n", mode=0o755))
    result = stack(base, top)
    assert diffs(result, 1) == {"run.sh": DiffType.MODIFIED}
    [item] = result.waste
    assert item.cause is WasteCause.METADATA_ONLY_CHANGE
    assert item.size == len(b"echo hi\n")


def test_identical_readd_is_unmodified() -> None:
    base = entries(file("same", b"x" * 10))
    top = entries(file("same", b"x" * 10))
    result = stack(base, top)
    assert diffs(result, 1) == {"same": DiffType.UNMODIFIED}
    assert result.waste[0].cause is WasteCause.METADATA_ONLY_CHANGE


def test_same_size_different_content_is_modified() -> None:
    result = stack(entries(file("f", b"aaaa")), entries(file("f", b"bbbb")))
    assert diffs(result, 1) == {"f": DiffType.MODIFIED}
    assert result.waste[0].cause is WasteCause.OVERWRITTEN


def test_delete_file() -> None:
    base = entries(directory("tmp"), file("tmp/big", 5000), file("tmp/keep", 7))
    top = entries(directory("tmp"), whiteout("tmp/big"))
    result = stack(base, top)
    assert "tmp/big" not in result.final
    assert "tmp/keep" in result.final
    assert diffs(result, 1)["tmp/big"] is DiffType.REMOVED
    [item] = result.waste
    assert (item.path, item.size, item.cause, item.hidden_by) == (
        "tmp/big",
        5000,
        WasteCause.DELETED,
        1,
    )
    assert result.final_size == 7


def test_delete_directory_hides_its_whole_subtree() -> None:
    base = entries(
        directory("build"),
        directory("build/obj"),
        file("build/obj/a.o", 300),
        file("build/obj/b.o", 200),
        file("build/log", 50),
    )
    top = entries(whiteout("build"))
    result = stack(base, top)
    assert not [path for path in result.final if path.startswith("build")]
    removed = {path for path, diff in diffs(result, 1).items() if diff is DiffType.REMOVED}
    assert removed == {"build", "build/obj", "build/obj/a.o", "build/obj/b.o", "build/log"}
    assert sum(item.size for item in result.waste) == 550
    assert {item.cause for item in result.waste} == {WasteCause.DELETED}


def test_opaque_directory_replaces_lower_children_but_keeps_its_own() -> None:
    base = entries(directory("data"), file("data/old", 400), file("data/keep", 10))
    top = entries(directory("data"), opaque("data"), file("data/new", 20), file("data/keep", 10))
    result = stack(base, top)
    assert set(result.final) == {"data", "data/new", "data/keep"}
    assert result.final["data/keep"].layer == 1
    by_path = {item.path: item for item in result.waste}
    assert by_path["data/old"].cause is WasteCause.REPLACED_BY_OPAQUE
    assert by_path["data/keep"].cause is WasteCause.REPLACED_BY_OPAQUE
    assert diffs(result, 1)["data/old"] is DiffType.REMOVED
    assert diffs(result, 1)["data/keep"] is DiffType.UNMODIFIED
    assert result.final_size == 30


def test_opaque_marker_applies_before_entries_whatever_the_tar_order() -> None:
    base = entries(directory("d"), file("d/x", 5))
    top = entries(directory("d"), file("d/y", 6), opaque("d"))
    result = stack(base, top)
    assert set(result.final) == {"d", "d/y"}


def test_readd_after_delete() -> None:
    first = entries(file("app.bin", 1000))
    second = entries(whiteout("app.bin"))
    third = entries(file("app.bin", 900))
    result = stack(first, second, third)
    assert result.final["app.bin"].layer == 2
    assert diffs(result, 2) == {"app.bin": DiffType.ADDED}
    [item] = result.waste
    assert (item.stored_in, item.hidden_by, item.cause) == (0, 1, WasteCause.DELETED)


def test_whiteout_and_readd_in_one_layer_is_a_replacement() -> None:
    first = entries(directory("cfg"), file("cfg/a", 10))
    second = entries(whiteout("cfg"), file("cfg", b"now a file"))
    result = stack(first, second)
    assert result.final["cfg"].entry is not None
    assert "cfg/a" not in result.final
    assert diffs(result, 1)["cfg"] is DiffType.MODIFIED
    assert {item.cause for item in result.waste} == {WasteCause.OVERWRITTEN}


def test_file_replacing_a_directory_without_whiteout_hides_its_children() -> None:
    first = entries(directory("x"), file("x/inner", 40))
    second = entries(file("x", 3))
    result = stack(first, second)
    assert set(result.final) == {"x"}
    assert result.waste[0].path == "x/inner"
    assert diffs(result, 1)["x/inner"] is DiffType.REMOVED


def test_hard_link_content_is_counted_once_and_survives_deleting_the_original() -> None:
    first = entries(directory("bin"), file("bin/tool", 800), hardlink("bin/alias", "bin/tool"))
    assert total_size(first) == 800
    alone = stack(first)
    assert alone.final_size == 800
    assert not alone.waste
    second = entries(directory("bin"), whiteout("bin/tool"))
    result = stack(first, second)
    assert "bin/alias" in result.final
    assert result.final_size == 800
    assert not result.waste
    third = entries(directory("bin"), whiteout("bin/alias"))
    gone = stack(first, second, third)
    [item] = gone.waste
    assert (item.path, item.size, item.hidden_by, item.cause) == (
        "bin/tool",
        800,
        2,
        WasteCause.DELETED,
    )


def test_symlinks_are_entries_with_targets() -> None:
    result = stack(entries(symlink("lib", "usr/lib"), directory("usr"), directory("usr/lib")))
    link = result.final["lib"].entry
    assert link is not None
    assert link.link == "usr/lib"
    changed = stack(
        entries(symlink("lib", "usr/lib")),
        entries(symlink("lib", "usr/lib64")),
    )
    assert diffs(changed, 1) == {"lib": DiffType.MODIFIED}


def test_entries_without_parent_directories_create_them_implicitly() -> None:
    result = stack(entries(file("a/b/c/deep.txt", 12)))
    assert set(result.final) == {"a", "a/b", "a/b/c", "a/b/c/deep.txt"}
    assert result.final["a/b"].entry is None
    assert diffs(result, 0) == {
        "a": DiffType.ADDED,
        "a/b": DiffType.ADDED,
        "a/b/c": DiffType.ADDED,
        "a/b/c/deep.txt": DiffType.ADDED,
    }


def test_duplicate_entries_in_one_layer_last_wins_and_first_is_waste() -> None:
    layer = entries(file("dup", 100), file("dup", 30))
    result = stack(layer)
    assert result.final_size == 30
    [item] = result.waste
    assert (item.size, item.stored_in, item.hidden_by) == (100, 0, 0)
    assert diffs(result, 0) == {"dup": DiffType.ADDED}


def test_paths_are_normalised() -> None:
    layer = entries(
        TarEntry("./etc/", "dir", mode=0o755),
        TarEntry("/etc/hosts", "file", b"127.0.0.1\n"),
        TarEntry("etc//passwd", "file", b"root\n"),
    )
    result = stack(layer)
    assert set(result.final) == {"etc", "etc/hosts", "etc/passwd"}


def test_hostile_names_are_kept_losslessly() -> None:
    names = ["\x1b[31mred", "line\nbreak", "a|b`c", "<script>", "caf\udcff"]
    result = stack(entries(*(file(name, 1) for name in names)))
    assert set(result.final) == set(names)


def test_wasted_bytes_add_up() -> None:
    layers = [
        entries(directory("a"), file("a/1", 10), file("a/2", 20), file("b", 30)),
        entries(directory("a"), file("a/1", 11), whiteout("b")),
        entries(opaque("a"), directory("a"), file("a/3", 5)),
    ]
    result = stack(*layers)
    size = total_size(*layers)
    assert size - result.final_size == sum(item.size for item in result.waste)
    assert result.final_size == 5
    assert sum(layer.stored_waste for layer in result.layers) == size - 5
    assert sum(layer.caused_waste for layer in result.layers) == size - 5


def test_a_path_added_then_hidden_in_the_same_layer_is_not_a_change() -> None:
    layer = entries(directory("a"), file("a/b", 5), file("a", 3), file("c", 1))
    result = stack(layer)
    assert set(result.final) == {"a", "c"}
    assert diffs(result, 0) == {"a": DiffType.ADDED, "c": DiffType.ADDED}


def test_a_lower_path_changed_then_hidden_in_one_layer_is_removed() -> None:
    lower = entries(directory("a"), file("a/b", 5))
    upper = entries(file("a/b", 7), file("a", 3))
    result = stack(lower, upper)
    assert diffs(result, 1)["a/b"] is DiffType.REMOVED
    assert diffs(result, 1)["a"] is DiffType.MODIFIED


def test_a_file_made_a_directory_and_hidden_in_its_own_layer_is_not_a_change() -> None:
    layer = entries(file("c/a", 0), directory("c/a/a"), file("c", 0), directory("c/b/a"))
    result = stack(layer)
    assert set(result.final) == {"c", "c/b", "c/b/a"}
    assert diffs(result, 0) == {
        "c": DiffType.ADDED,
        "c/b": DiffType.ADDED,
        "c/b/a": DiffType.ADDED,
    }


def test_a_lower_file_made_a_directory_is_modified() -> None:
    lower = entries(file("x", 4))
    upper = entries(file("x/y", 1))
    result = stack(lower, upper)
    assert diffs(result, 1) == {"x": DiffType.MODIFIED, "x/y": DiffType.ADDED}
    changes = {change.path: change for change in result.layers[1].changes}
    assert changes["x"].previous is not None and changes["x"].previous.size == 4


def test_the_final_filesystem_reads_as_a_plain_mapping() -> None:
    base = entries(directory("etc"), file("etc/a", 10), file("usr/bin/x", 5))
    top = entries(whiteout("etc/a"), file("etc/b", 7))
    final = stack(base, top).final
    assert len(final) == 5  # counted and tested before any entry is read
    assert "etc/b" in final
    assert "etc/a" not in final
    assert "usr" in final
    expected = {
        "etc": (0, base[0]),
        "etc/b": (1, top[1]),
        "usr": (0, None),  # implicit directories
        "usr/bin": (0, None),
        "usr/bin/x": (0, base[2]),
    }
    assert dict(final) == expected
    assert final == expected
    assert expected == final
    assert sorted(final) == sorted(expected)
    assert final["etc/b"].layer == 1
    assert final.get("etc/a") is None
    assert len(final) == 5
    assert "etc/b" in repr(final)
