"""Tree rows: glyphs, lazy expansion, and the path filter's forms."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from auger.viewmodel.model import Mode, View
from auger.viewmodel.pathfilter import apply_filter
from auger.viewmodel.rows import TreeRows
from tests.viewmodel.support import load_explorer


def labels(tree: TreeRows) -> list[str]:
    index = tree.model.index
    return [row.guide + index.name(row.item.id) for row in tree.rows]


def test_glyphs_and_lazy_expansion(sample: Path) -> None:
    explorer = load_explorer(sample)
    tree = TreeRows(explorer.model, View(layer=1))
    assert labels(tree) == ["├── bin", "├── etc", "├── usr", "└── var"]
    asked: list[int] = []
    children = explorer.model.children

    def spy(view: View, number: int) -> list:  # type: ignore[type-arg]
        asked.append(number)
        return children(view, number)

    explorer.model.children = spy  # type: ignore[method-assign]
    tree.expand(3)
    assert asked == [explorer.index.id_of["var"]]  # only the folder that was opened
    tree.expand(4)
    tree.expand(5)
    assert labels(tree)[3:] == [
        "└── var",
        "    └── cache",
        "        └── apt",
        "            ├── more.deb",
        "            └── pkg.deb",
    ]
    tree.collapse(3)
    assert labels(tree) == ["├── bin", "├── etc", "├── usr", "└── var"]
    tree.expand(3)
    assert len(tree.rows) == 8  # cache and apt stayed expanded


def test_expansion_survives_a_change_of_layer_and_mode(sample: Path) -> None:
    explorer = load_explorer(sample)
    tree = TreeRows(explorer.model, View(layer=0))
    tree.expand(1)  # etc
    tree.rebuild(dataclasses.replace(tree.view, layer=3, mode=Mode.LAYER))
    assert labels(tree) == ["└── app"]
    tree.rebuild(dataclasses.replace(tree.view, mode=Mode.AGGREGATED))
    assert "│   ├── hosts" in labels(tree)
    number = explorer.index.id_of["usr/lib/libc.so"]
    position = tree.reveal(number)
    assert position is not None
    assert tree.rows[position].item.id == number


def test_filter_forms(sample: Path) -> None:
    explorer = load_explorer(sample)
    slashed = explorer.haystack

    def matched(text: str) -> list[str]:
        found = apply_filter(text, slashed, None)
        assert found is not None
        return [explorer.index.paths[n] for n in found.matches]

    assert matched("libfoo") == ["usr/lib/libfoo.so", "usr/lib/libfoo.so.1"]
    assert matched(r"\.so$") == ["usr/lib/libc.so", "usr/lib/libfoo.so"]
    assert matched("*.so") == ["usr/lib/libc.so", "usr/lib/libfoo.so"]  # not a regex: a glob
    assert matched("/usr/**/libc.so") == ["usr/lib/libc.so"]  # "**" is no regex either
    assert matched("^/etc$") == ["etc"]
    assert matched("*") == explorer.index.paths[1:]  # every path but the root
    assert apply_filter("", slashed, None) is None
    for text, kind in [
        ("[z-a]", "text"),  # neither a regular expression nor a glob: the text itself
        ("*.so[", "text"),
        ("(" * 5000, "glob"),  # too deep for Python's regular expressions
        ("a{4294967296}", "glob"),  # too many repeats for them
    ]:
        found = apply_filter(text, slashed, None)
        assert found is not None
        assert (found.kind, found.matches) == (kind, []), text[:20]
    first = apply_filter("pa", slashed, None)
    narrowed = apply_filter("pas", slashed, first)
    assert narrowed is not None
    assert [explorer.index.paths[n] for n in narrowed.matches] == ["etc/passwd"]


def test_filter_membership_agrees_with_its_matches(sample: Path) -> None:
    explorer = load_explorer(sample)
    for text in ("lib", r"\.so$", "*.so", "no such path", "^/etc$", "*"):
        found = apply_filter(text, explorer.haystack, None)
        assert found is not None
        every = range(-1, len(explorer.index.paths) + 1)
        assert [n for n in every if n in found] == found.matches
