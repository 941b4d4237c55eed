"""Groups: the build toolchain, development dependencies, docs; and what removing each saves."""

from __future__ import annotations

import pytest

from auger.attribution.groups import DEV_DEPENDENCIES, DOCS, TOOLCHAIN, find_groups, is_toolchain
from auger.attribution.ownership import PackageUsage
from auger.attribution.packages import Manager, Package
from auger.attribution.whatif import measure, simulate
from auger.testing.images import TarEntry, directory, file
from tests.attribution.formats import (
    DebPackage,
    NpmPackage,
    dpkg_list,
    dpkg_list_name,
    dpkg_status,
    npm_lockfile,
    npm_manifest,
)
from tests.attribution.support import build

BASH = DebPackage("bash", "5.2", {"/usr/bin/bash": 4000, "/usr/share/doc/bash/copyright": 30})
GCC = DebPackage("gcc-12", "12.2.0", {"/usr/bin/gcc-12": 2000, "/usr/libexec/gcc/cc1": 30000})
LIBC_DEV = DebPackage("libc6-dev", "2.36", {"/usr/include/stdio.h": 900, "/usr/lib/libc.a": 5000})
MAKE = DebPackage("make", "4.3", {"/usr/bin/make": 250, "/usr/share/man/man1/make.1.gz": 70})
ESSENTIAL = DebPackage("build-essential", "12.9", {"/usr/share/doc/build-essential/list": 10})
DEBS = [BASH, GCC, LIBC_DEV, MAKE, ESSENTIAL]
TS = NpmPackage("node_modules/typescript", "5.6.3", {}, dev=True)
EXPRESS = NpmPackage("node_modules/express", "4.21.1", {})


def system_layer() -> list[TarEntry]:
    items: list[TarEntry] = [directory("var/lib/dpkg/info")]
    items.append(file("var/lib/dpkg/status", dpkg_status(DEBS)))
    for package in DEBS:
        items.append(file(dpkg_list_name(package), dpkg_list(package)))
        items += [file(path.lstrip("/"), size) for path, size in package.files.items()]
    items += [file("usr/share/locale/de/LC_MESSAGES/bash.mo", 400)]
    items += [file("usr/share/locale/locale.alias", 3000)]
    return items


def app_layer() -> list[TarEntry]:
    return [
        file("app/package.json", b'{"name": "app"}'),
        file("app/package-lock.json", npm_lockfile("app", [TS, EXPRESS], {})),
        file("app/node_modules/typescript/package.json", npm_manifest(TS)),
        file("app/node_modules/typescript/lib/tsc.js", 9000),
        file("app/node_modules/express/package.json", npm_manifest(EXPRESS)),
        file("app/node_modules/express/index.js", 200),
    ]


@pytest.mark.parametrize(
    ("manager", "name", "expected"),
    [
        (Manager.DPKG, "gcc-12", True),
        (Manager.DPKG, "g++", True),
        (Manager.DPKG, "libc6-dev", True),
        (Manager.DPKG, "python3.11-dev", True),
        (Manager.DPKG, "build-essential", True),
        (Manager.DPKG, "binutils-x86-64-linux-gnu", True),
        (Manager.DPKG, "make", True),
        (Manager.DPKG, "gcc-12-base", False),  # the runtime's libgcc needs it
        (Manager.DPKG, "libgcc-s1", False),
        (Manager.DPKG, "libc6", False),
        (Manager.DPKG, "python3", False),
        (Manager.APK, "build-base", True),
        (Manager.APK, "musl-dev", True),
        (Manager.APK, "musl", False),
        (Manager.RPM, "gcc-c++", True),
        (Manager.RPM, "glibc-devel", True),
        (Manager.RPM, "glibc", False),
        (Manager.PYTHON, "setuptools", False),
    ],
)
def test_toolchain_names(manager: Manager, name: str, expected: bool) -> None:
    usage = PackageUsage(Package(manager, name, "1"), 0, 0, 0, 0)
    assert is_toolchain(usage) is expected


def test_groups_and_their_simulated_savings() -> None:
    built = build(system_layer(), app_layer())
    ownership = built.ownership()
    groups = {group.id: group for group in find_groups(ownership, built.overlay.final)}
    toolchain = groups[TOOLCHAIN]
    assert {usage.package.name for usage in toolchain.packages} == {
        "gcc-12",
        "libc6-dev",
        "make",
        "build-essential",
    }
    assert toolchain.size_bytes == 2000 + 30000 + 900 + 5000 + 250 + 70 + 10
    dev = groups[DEV_DEPENDENCIES]
    assert [usage.package.name for usage in dev.packages] == ["typescript"]
    assert dev.size_bytes == 9000 + len(npm_manifest(TS))
    docs = groups[DOCS]
    # copyright files and locale.alias are kept
    assert docs.size_bytes == 70 + 10 + 400
    before = measure(built.layers, built.sizes)
    for group in groups.values():
        outcome = simulate(built.layers, built.sizes, [group.change], before=before)
        assert outcome.saves_bytes == group.size_bytes  # nothing of theirs was stored twice


def test_the_saving_counts_every_stored_copy() -> None:
    rewritten = [file("usr/bin/gcc-12", 2100)]  # a later layer overwrote gcc: both copies go
    built = build(system_layer(), rewritten)
    ownership = built.ownership()
    [toolchain] = [g for g in find_groups(ownership, built.overlay.final) if g.id == TOOLCHAIN]
    outcome = simulate(built.layers, built.sizes, [toolchain.change])
    assert toolchain.size_bytes == 2100 + 30000 + 900 + 5000 + 250 + 70 + 10
    assert outcome.saves_bytes == toolchain.size_bytes + 2000
