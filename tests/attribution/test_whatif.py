"""What-if: changed layers stacked again, checked against the image the fix really builds."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auger.attribution.whatif import (
    Change,
    Drop,
    DropPaths,
    DropStored,
    Measures,
    Squash,
    WhatIfError,
    apply,
    apply_drops,
    measure,
    saved_bytes,
    simulate,
)
from auger.model import Entry, EntryKind
from auger.testing.images import TarEntry, directory, file, hardlink, opaque, whiteout
from tests.attribution.support import Built, build

BASE = [directory("usr/bin"), file("usr/bin/sh", 5000), file("etc/os-release", 100)]
INSTALL = [
    directory("var/lib/apt/lists"),
    file("var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease", 150_000),
    file("var/lib/apt/lists/deb.debian.org_main_Packages", 9_000_000),
    file("usr/bin/curl", 250_000),
    file("usr/share/doc/curl/changelog.gz", 40_000),
    file("usr/share/doc/curl/copyright", 2_000),
]
CLEANUP = [whiteout("var/lib/apt/lists/deb.debian.org_main_Packages"), file("tmp/x", 10)]


def measured(built: Built) -> Measures:
    return measure(built.layers, built.sizes)


def same(before: Measures, after: Measures) -> None:
    assert (after.size, after.final_size, after.layers) == (
        before.size,
        before.final_size,
        before.layers,
    )
    assert math.isclose(after.efficiency, before.efficiency)


def test_measures_agree_with_the_overlay() -> None:
    built = build(BASE, INSTALL, CLEANUP)
    measures = measured(built)
    assert measures.size == sum(built.sizes)
    assert measures.final_size == built.overlay.final_size
    assert measures.wasted_bytes == 9_000_000
    assert measures.layers == 3


def test_dropping_globs_gives_the_image_that_never_stored_them() -> None:
    original = build(BASE, INSTALL, CLEANUP)
    outcome = simulate(
        original.layers,
        original.sizes,
        [
            Drop(
                ("/var/lib/apt/lists/**", "/usr/share/doc/**"), keep=("/usr/share/doc/*/copyright",)
            )
        ],
    )
    fixed_install = [
        item
        for item in INSTALL
        if not item.name.startswith("var/lib/apt/lists/")
        and item.name != "usr/share/doc/curl/changelog.gz"
    ]
    rebuilt = build(BASE, [directory("var/lib/apt/lists"), *fixed_install], [file("tmp/x", 10)])
    same(measured(rebuilt), outcome.after)
    assert outcome.saves_bytes == 9_150_000 + 40_000
    assert outcome.before.wasted_bytes == 9_000_000
    assert outcome.after.wasted_bytes == 0


def test_dropping_stored_copies_is_deleting_in_the_same_layer() -> None:
    original = build(BASE, INSTALL, CLEANUP)
    change = DropStored(frozenset({(1, "var/lib/apt/lists/deb.debian.org_main_Packages")}))
    outcome = simulate(original.layers, original.sizes, [change])
    rebuilt = build(
        BASE,
        [item for item in INSTALL if not item.name.endswith("_main_Packages")],
        [file("tmp/x", 10)],  # the rm finds nothing: no whiteout
    )
    same(measured(rebuilt), outcome.after)
    assert outcome.saves_bytes == 9_000_000


def test_dropping_a_package_directory() -> None:
    app = [file("app/node_modules/jest/index.js", 7000), file("app/node_modules/jestx/a.js", 5)]
    original = build(BASE, app)
    outcome = simulate(
        original.layers,
        original.sizes,
        [DropPaths(frozenset({"usr/bin/sh"}), under=("app/node_modules/jest",))],
    )
    rebuilt = build([item for item in BASE if item.name != "usr/bin/sh"], app[1:])
    same(measured(rebuilt), outcome.after)


def squash_case() -> tuple[list[list[TarEntry]], list[list[TarEntry]]]:
    """An image whose layers 1-3 add, rewrite and delete, and the same built as one layer."""
    layers = [
        BASE,
        [directory("build"), file("build/obj.o", 80_000), file("build/app", 3_000)],
        [
            file("build/app", 3_500),
            hardlink("build/app-link", "build/app"),
            file("etc/os-release", 120),
        ],
        [whiteout("build/obj.o"), whiteout("usr/bin/sh"), opaque("etc"), file("etc/motd", 7)],
        [file("srv/data", 1_000)],
    ]
    one = [
        whiteout("usr/bin/sh"),
        whiteout("etc/os-release"),
        directory("build"),
        directory("etc"),
        file("build/app", 3_500),
        file("etc/motd", 7),
        hardlink("build/app-link", "build/app"),
    ]
    return layers, [BASE, one, [file("srv/data", 1_000)]]


def test_squash_gives_the_image_built_as_one_layer() -> None:
    layers, squashed = squash_case()
    original = build(*layers)
    outcome = simulate(original.layers, original.sizes, [Squash(1, 3)])
    same(measured(build(*squashed)), outcome.after)
    assert outcome.before.wasted_bytes == 80_000 + 3_000 + 5_000 + 100 + 120
    assert outcome.after.wasted_bytes == 5_000 + 100  # the base layer's, which stay stored


def test_drops_apply_before_squashes() -> None:
    layers, _ = squash_case()
    original = build(*layers)
    new_layers, new_sizes = apply(
        original.layers, original.sizes, [Squash(1, 2), Drop(("/srv/**",))]
    )
    assert len(new_layers) == 4
    assert new_sizes[-2] == 7  # layer 3 as it was
    assert new_sizes[-1] == 0  # layer 4 without /srv
    assert sum(entry.size for entry in new_layers[1]) == new_sizes[1] == 3_500 + 120 + 80_000


@pytest.mark.parametrize("changes", [[Squash(2, 9)], [Squash(3, 1)], [Squash(0, 2), Squash(2, 3)]])
def test_impossible_squashes_are_refused(changes: list[Squash]) -> None:
    original = build(BASE, INSTALL, CLEANUP, [file("a", 1)])
    with pytest.raises(WhatIfError):
        apply(original.layers, original.sizes, changes)


@pytest.mark.parametrize(
    "changes",
    [
        [Drop(("/var/lib/apt/lists/**",))],
        [Drop(("/usr/share/doc/**",)), DropPaths(frozenset({"usr/bin/curl"}))],
        [DropStored(frozenset({(1, "var/lib/apt/lists/deb.debian.org_main_Packages")}))],
        [Squash(1, 2)],
        [Drop(("/usr/share/doc/**",)), Squash(0, 1)],
        [Drop(("/nothing/**",))],
    ],
)
def test_the_saving_alone_is_the_simulated_saving(changes: list[Change]) -> None:
    """What advice shows (``saved_bytes``) is the saving of the whole simulation."""
    original = build(BASE, INSTALL, CLEANUP)
    outcome = simulate(original.layers, original.sizes, changes)
    assert saved_bytes(original.layers, original.sizes, changes) == outcome.saves_bytes


@given(
    st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=5).map("/".join),
    st.sets(st.lists(st.sampled_from(["a", "b", "c"]), max_size=4).map("/".join), max_size=4),
)
def test_a_directory_drop_takes_what_lies_within_it(path: str, under: set[str]) -> None:
    """A path goes when it, or one of its ancestors (never the root itself), is named."""
    change = DropPaths(frozenset(), under=tuple(sorted(under)))
    entries = (Entry(path, EntryKind.FILE, 5, 0o644, 0, 0),)
    kept, _ = apply_drops([entries], [5], [change])
    parts = path.split("/")
    ancestors = {"/".join(parts[: count + 1]) for count in range(len(parts))}
    assert (kept == [()]) is bool(ancestors & under)
