"""Pairing the layers of two images: same tar, then same command and place, then the same tar
elsewhere; a rebuilt layer with identical entries is "unchanged (rebuilt)"."""

from __future__ import annotations

from auger.analysis.layer_match import LayerPair, match_layers, same_contents
from auger.model import Digest, Entry, Layer, LayerScan
from auger.testing.images import TarEntry, file
from auger.testing.scans import entries


def layer(index: int, tag: str, command: str, *contents: TarEntry) -> Layer:
    """A layer whose diff ID is ``tag`` (two layers with one tag are the same tar)."""
    scanned: tuple[Entry, ...] = entries(*contents)
    scan = LayerScan(scanned, sum(entry.size for entry in scanned))
    return Layer(index, scan, tag, Digest(f"sha256:{tag}"), None, None, None, command)


def stack(*layers: tuple[str, str, tuple[TarEntry, ...]]) -> list[Layer]:
    return [layer(n, tag, command, *items) for n, (tag, command, items) in enumerate(layers)]


def summary(pairs: tuple[LayerPair, ...]) -> list[tuple[int | None, int | None, str]]:
    return [
        (
            pair.base.index if pair.base else None,
            pair.head.index if pair.head else None,
            pair.change.name,
        )
        for pair in pairs
    ]


OS = ("os", "ADD rootfs", (file("bin/sh", 300),))
LIBS = ("libs", "RUN apt-get install libz", (file("usr/lib/libz.so", 800),))
APP = ("app", "COPY app /app", (file("app/main.py", 400),))
APP_GROWN = ("app2", "COPY app /app", (file("app/main.py", 900),))
TOOLS = ("tools", "RUN install tools", (file("usr/bin/tool", 50),))


def test_identical_stacks_are_unchanged() -> None:
    pairs = match_layers(stack(OS, LIBS, APP), stack(OS, LIBS, APP))
    assert summary(pairs) == [(0, 0, "UNCHANGED"), (1, 1, "UNCHANGED"), (2, 2, "UNCHANGED")]
    assert [pair.delta for pair in pairs] == [0, 0, 0]


def test_a_grown_layer_pairs_with_the_layer_of_the_same_command() -> None:
    pairs = match_layers(stack(OS, LIBS, APP), stack(OS, LIBS, APP_GROWN))
    assert summary(pairs)[2] == (2, 2, "CHANGED")
    assert (pairs[2].delta, pairs[2].verb) == (500, "grew")


def test_a_layer_with_a_new_command_at_the_same_place_is_changed_not_replaced() -> None:
    other = ("app3", "COPY --chown=app app /app", (file("app/main.py", 100),))
    pairs = match_layers(stack(OS, APP), stack(OS, other))
    assert summary(pairs) == [(0, 0, "UNCHANGED"), (1, 1, "CHANGED")]
    assert pairs[1].verb == "shrank"


def test_an_inserted_layer_is_added_and_the_rest_still_pair() -> None:
    pairs = match_layers(stack(OS, LIBS, APP), stack(OS, TOOLS, LIBS, APP_GROWN))
    assert summary(pairs) == [
        (0, 0, "UNCHANGED"),
        (None, 1, "ADDED"),
        (1, 2, "UNCHANGED"),
        (2, 3, "CHANGED"),
    ]


def test_a_removed_layer_is_listed_where_it_was() -> None:
    pairs = match_layers(stack(OS, TOOLS, LIBS, APP), stack(OS, LIBS, APP))
    assert summary(pairs) == [
        (0, 0, "UNCHANGED"),
        (1, None, "REMOVED"),
        (2, 1, "UNCHANGED"),
        (3, 2, "UNCHANGED"),
    ]
    assert pairs[1].delta == -50


def test_a_reordered_stack_falls_back_to_the_same_tar_elsewhere() -> None:
    pairs = match_layers(stack(OS, LIBS, TOOLS, APP), stack(OS, TOOLS, LIBS, APP))
    changes = {(base, head): change for base, head, change in summary(pairs)}
    assert changes[(0, 0)] == "UNCHANGED"
    assert changes[(3, 3)] == "UNCHANGED"
    assert sorted(changes[key] for key in [(1, 2), (2, 1)]) == ["MOVED", "UNCHANGED"]
    assert all(pair.delta == 0 for pair in pairs)


def test_a_rebuilt_layer_with_identical_entries_is_unchanged_rebuilt() -> None:
    rebuilt = ("libs-again", LIBS[1], LIBS[2])
    pairs = match_layers(stack(OS, LIBS), stack(OS, rebuilt))
    assert summary(pairs)[1] == (1, 1, "REBUILT")
    assert pairs[1].change.value == "unchanged (rebuilt)"
    assert pairs[1].delta == 0


def test_same_size_other_contents_is_changed() -> None:
    old = layer(0, "a", "RUN x", file("etc/conf", b"aaaa"))
    new = layer(0, "b", "RUN x", file("etc/conf", b"bbbb"))
    assert not same_contents(old, new)
    assert same_contents(old, layer(0, "c", "RUN y", file("etc/conf", b"aaaa")))
    assert not same_contents(old, layer(0, "d", "RUN x", file("etc/conf", b"aaaa", 0o755)))
    assert summary(match_layers([old], [new])) == [(0, 0, "CHANGED")]
    assert match_layers([old], [new])[0].verb == "changed"


def test_layers_without_diff_ids_pair_by_command() -> None:
    old = Layer(0, LayerScan((), 0), "x", None, None, None, None, "RUN a")
    new = Layer(0, LayerScan((), 0), "y", None, None, None, None, "RUN a")
    assert summary(match_layers([old], [new])) == [(0, 0, "REBUILT")]


def test_different_images_pair_by_place_when_the_counts_agree() -> None:
    pairs = match_layers(stack(OS, LIBS), stack(TOOLS, APP))
    assert summary(pairs) == [(0, 0, "CHANGED"), (1, 1, "CHANGED")]
    pairs = match_layers(stack(OS), stack(TOOLS, APP))
    assert summary(pairs) == [(None, 0, "ADDED"), (None, 1, "ADDED"), (0, None, "REMOVED")]
