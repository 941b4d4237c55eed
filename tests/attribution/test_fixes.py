"""Advice turned into changes, and each saving checked against the image the fix builds."""

from __future__ import annotations

from pathlib import Path

from auger.analysis.advice import catalogue, find_advice
from auger.attribution.fixes import changes_for, savings
from auger.attribution.groups import TOOLCHAIN, Group
from auger.attribution.whatif import DropPaths, Squash
from auger.model import ImageAnalysis
from auger.testing.images import ImageSpec, LayerSpec, TarEntry, file, layer_tar, whiteout
from tests.report.support import analyse, write_archive

ROOTFS = (
    [file("bin/sh", 100, 0o755), file("etc/os-release", 50)],
    "/bin/sh -c #(nop) ADD file:1 in / ",
)
LISTS = [file("var/lib/apt/lists/main_Packages", 40_000), file("var/lib/apt/lists/InRelease", 900)]


def image(tmp_path: Path, name: str, *layers: tuple[list[TarEntry], str]) -> ImageAnalysis:
    specs = [LayerSpec(layer_tar(entries), command) for entries, command in (ROOTFS, *layers)]
    return analyse(write_archive(tmp_path, name, ImageSpec(specs)))


def saved(analysis: ImageAnalysis) -> dict[str, int | None]:
    rules = catalogue()
    return savings(analysis, find_advice(analysis, rules), rules)


def test_apt_lists_saving_is_what_the_fixed_image_saves(tmp_path: Path) -> None:
    install = "/bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl"
    original = image(tmp_path, "a.tar", ([*LISTS, file("usr/bin/curl", 3000)], install))
    fixed = image(tmp_path, "b.tar", ([file("usr/bin/curl", 3000)], install + " && rm -rf lists"))
    found = saved(original)
    assert found["DL3009"] == original.size - fixed.size == 40_900


def test_deleted_files_saving_is_deleting_them_where_they_were_made(tmp_path: Path) -> None:
    original = image(
        tmp_path,
        "a.tar",
        (
            [file("opt/sdk.bin", 70_000), file("opt/keep", 10)],
            "/bin/sh -c #(nop) COPY dir:1 in /opt",
        ),
        ([whiteout("opt/sdk.bin")], "/bin/sh -c #(nop) COPY file:2 in /x"),
    )
    fixed = image(
        tmp_path,
        "b.tar",
        ([file("opt/keep", 10)], "/bin/sh -c #(nop) COPY dir:1 in /opt"),
        ([], "/bin/sh -c #(nop) COPY file:2 in /x"),
    )
    assert saved(original)["AUG009"] == original.size - fixed.size == 70_000


def test_consecutive_runs_are_squashed(tmp_path: Path) -> None:
    original = image(
        tmp_path,
        "a.tar",
        ([file("tmp/build/obj.o", 9_000), file("usr/bin/tool", 500)], "/bin/sh -c make"),
        ([whiteout("tmp/build")], "/bin/sh -c rm -rf /tmp/build"),
        ([file("srv/x", 1)], "/bin/sh -c #(nop) COPY file:3 in /srv"),
    )
    rules = catalogue()
    [finding] = [f for f in find_advice(original, rules) if f.rule.id == "DL3059"]
    assert changes_for(finding, original, rules) == (Squash(1, 2),)
    assert saved(original)["DL3059"] == 9_000


def test_command_only_advice_has_no_simulated_saving(tmp_path: Path) -> None:
    original = image(tmp_path, "a.tar", ([file("usr/bin/x", 5)], "/bin/sh -c apt-get install -y x"))
    assert saved(original)["DL3015"] is None


def test_a_package_group_answers_the_toolchain_advice(tmp_path: Path) -> None:
    original = image(
        tmp_path,
        "a.tar",
        ([file("usr/bin/gcc", 7_000), file("usr/lib/gcc/cc1", 90_000)], "/bin/sh -c x"),
    )
    rules = catalogue()
    [finding] = [f for f in find_advice(original, rules) if f.rule.id == "AUG008"]
    group = Group(
        TOOLCHAIN,
        "toolchain",
        97_000,
        (),
        DropPaths(frozenset({"usr/bin/gcc", "usr/lib/gcc/cc1"})),
        "fix",
    )
    assert changes_for(finding, original, rules, {TOOLCHAIN: group}) == (group.change,)
    assert savings(original, [finding], rules, {TOOLCHAIN: group}) == {"AUG008": 97_000}
    # without packages, the advice's own globs: /usr/bin/gcc and /usr/lib/gcc/**
    assert savings(original, [finding], rules) == {"AUG008": 97_000}
