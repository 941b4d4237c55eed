"""Waste grouped the way a reader thinks of it: one row per deleted directory, per opaque
replacement and per overwritten file, largest first."""

from __future__ import annotations

from pathlib import Path

from auger.analysis.advice import catalogue
from auger.analysis.waste_groups import WasteGroup, group_waste
from auger.model import WasteCause
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    TarEntry,
    directory,
    file,
    layer_tar,
    opaque,
    symlink,
    whiteout,
)
from tests.report.support import analyse, write_archive


def groups(tmp_path: Path, *layers: list[TarEntry]) -> tuple[WasteGroup, ...]:
    """The waste groups of an image made of ``layers`` (each a RUN)."""
    specs = [
        LayerSpec(layer_tar(entries), f"/bin/sh -c step {i}") for i, entries in enumerate(layers)
    ]
    analysis = analyse(write_archive(tmp_path, "image.tar", ImageSpec(specs)))
    return group_waste(analysis, catalogue())


def summary(group: WasteGroup) -> tuple[str, int, int, WasteCause, int, tuple[int, ...], bool]:
    return (
        group.path,
        group.size,
        group.files,
        group.cause,
        group.hidden_by,
        group.stored_in,
        group.contents,
    )


def test_a_deleted_directory_is_one_group(tmp_path: Path) -> None:
    found = groups(
        tmp_path,
        [
            directory("build"),
            file("build/a.o", 100),
            file("build/b.o", 200),
            file("build/sub/c.o", 300),
            file("build/sub/deeper/d.o", 400),
            file("build/empty", 0),
            symlink("build/link", "a.o"),
            file("keep/me", 50),
        ],
        [whiteout("build")],
    )
    assert [summary(group) for group in found] == [
        ("build", 1000, 4, WasteCause.DELETED, 1, (0,), False)
    ]
    assert found[0].advice == ("AUG009",)
    assert not found[0].churn
    assert found[0].label == "/build"


def test_a_directory_filled_by_several_layers_is_still_one_group(tmp_path: Path) -> None:
    found = groups(
        tmp_path,
        [file("build/a.o", 100), file("build/b.o", 200)],
        [file("build/sub/c.o", 300)],
        [file("build/a.o", 150)],
        [whiteout("build")],
    )
    assert [summary(group) for group in found] == [
        ("build", 650, 3, WasteCause.DELETED, 3, (0, 1, 2), False),
        ("build/a.o", 100, 1, WasteCause.OVERWRITTEN, 2, (0,), False),
    ]


def test_directories_deleted_by_different_layers_are_different_groups(tmp_path: Path) -> None:
    found = groups(
        tmp_path,
        [file("build/sub/c.o", 300), file("build/a.o", 100)],
        [whiteout("build/sub")],
        [whiteout("build")],
    )
    assert [summary(group) for group in found] == [
        ("build/sub", 300, 1, WasteCause.DELETED, 1, (0,), False),
        ("build", 100, 1, WasteCause.DELETED, 2, (0,), False),
    ]


def test_files_deleted_one_by_one_are_groups_of_their_own(tmp_path: Path) -> None:
    found = groups(
        tmp_path,
        [file("etc/a", 100), file("etc/b", 200), file("etc/keep", 5)],
        [whiteout("etc/a"), whiteout("etc/b")],
    )
    assert [summary(group) for group in found] == [
        ("etc/b", 200, 1, WasteCause.DELETED, 1, (0,), False),
        ("etc/a", 100, 1, WasteCause.DELETED, 1, (0,), False),
    ]


def test_opaque_replaced_contents_group_under_the_directory(tmp_path: Path) -> None:
    found = groups(
        tmp_path,
        [
            file("srv/www/index.html", 700),
            file("srv/www/css/old.css", 250),
            file("srv/www/img/deep/x.png", 50),
            file("srv/other", 10),
        ],
        [directory("srv/www"), opaque("srv/www"), file("srv/www/index.html", 600)],
    )
    assert [summary(group) for group in found] == [
        ("srv/www", 1000, 3, WasteCause.REPLACED_BY_OPAQUE, 1, (0,), True)
    ]
    assert found[0].advice == ()
    assert found[0].label == "/srv/www/*"


def test_a_top_level_opaque_directory_groups_too(tmp_path: Path) -> None:
    found = groups(
        tmp_path,
        [file("opt/a", 10), file("opt/b/c", 20)],
        [directory("opt"), opaque("opt")],
    )
    assert [summary(group) for group in found] == [
        ("opt", 30, 2, WasteCause.REPLACED_BY_OPAQUE, 1, (0,), True)
    ]
    assert found[0].label == "/opt/*"


def test_overwritten_files_are_individual_groups(tmp_path: Path) -> None:
    found = groups(
        tmp_path,
        [file("etc/a", 100), file("etc/b", 300), file("etc/c", 200)],
        [file("etc/a", 1), file("etc/b", 1), file("etc/c", 1)],
        [file("etc/a", 2)],
    )
    assert [summary(group) for group in found] == [
        ("etc/b", 300, 1, WasteCause.OVERWRITTEN, 1, (0,), False),
        ("etc/c", 200, 1, WasteCause.OVERWRITTEN, 1, (0,), False),
        ("etc/a", 100, 1, WasteCause.OVERWRITTEN, 1, (0,), False),
        ("etc/a", 1, 1, WasteCause.OVERWRITTEN, 2, (1,), False),
    ]
    assert all(group.advice == () for group in found)


def test_a_chmod_only_rewrite_is_its_own_cause(tmp_path: Path) -> None:
    found = groups(
        tmp_path,
        [file("app/run.sh", b"#!/bin/sh\n", 0o644)],
        [file("app/run.sh", b"#!/bin/sh\n", 0o755)],
    )
    assert [summary(group) for group in found] == [
        ("app/run.sh", 10, 1, WasteCause.METADATA_ONLY_CHANGE, 1, (0,), False)
    ]
    assert found[0].advice == ("AUG010",)


def test_groups_are_largest_first(tmp_path: Path) -> None:
    found = groups(
        tmp_path,
        [
            file("small", 10),
            file("big/a", 600),
            file("big/b", 600),
            file("middle", 700),
            file("same-1", 50),
            file("same-2", 50),
            file("www/x", 900),
        ],
        [file("small", 1), file("middle", 1), file("same-2", 1), file("same-1", 1)],
        [whiteout("big"), directory("www"), opaque("www")],
    )
    assert [(group.path, group.size) for group in found] == [
        ("big", 1200),
        ("www", 900),
        ("middle", 700),
        ("same-1", 50),
        ("same-2", 50),
        ("small", 10),
    ]


def test_advice_and_churn_of_a_group(tmp_path: Path) -> None:
    found = groups(
        tmp_path,
        [
            file("root/.cache/pip/http/a", 500),
            file("var/log/apt/history.log", 40),
            file("var/log/apt/term.log", 60),
            file("var/lib/dpkg/status", 30),
            file("var/mixed/x", 5),
        ],
        [
            whiteout("root/.cache"),
            whiteout("var/log/apt"),
            file("var/lib/dpkg/status", 31),
        ],
    )
    by_path = {group.path: group for group in found}
    assert by_path["root/.cache"].advice == ("DL3042",)
    assert not by_path["root/.cache"].churn
    assert by_path["var/log/apt"].advice == ("CHURN",)
    assert by_path["var/log/apt"].churn
    assert (by_path["var/log/apt"].size, by_path["var/log/apt"].files) == (100, 2)
    assert by_path["var/lib/dpkg/status"].churn


def test_a_group_with_churn_and_other_files_is_not_churn(tmp_path: Path) -> None:
    found = groups(
        tmp_path,
        [file("var/lib/dpkg/status", 30), file("var/lib/app/data", 70)],
        [whiteout("var/lib")],
    )
    assert [(group.path, group.churn, group.advice) for group in found] == [
        ("var/lib", False, ("AUG009", "CHURN"))
    ]
