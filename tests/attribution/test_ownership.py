"""Files of the final filesystem and wasted bytes mapped to the packages that own them."""

from __future__ import annotations

from auger.attribution.packages import Manager
from auger.testing.images import TarEntry, directory, file, symlink, whiteout
from tests.attribution.formats import (
    DebPackage,
    NpmPackage,
    PythonDist,
    dist_info_name,
    dpkg_list,
    dpkg_list_name,
    dpkg_status,
    metadata,
    npm_lockfile,
    npm_manifest,
    record,
)
from tests.attribution.support import build

BASH = DebPackage("bash", "5.2.15-2+b7", {"/bin/bash": 4000, "/usr/share/doc/bash/README": 300})
LIBC = DebPackage("libc6", "2.36-9", {"/lib/x86_64-linux-gnu/libc.so.6": 9000}, multi_arch="same")
GCC = DebPackage("gcc-12", "12.2.0-14", {"/usr/bin/gcc-12": 2000, "/usr/lib/gcc/cc1": 30000})
LIBC_NEW = DebPackage(
    "libc6", "2.36-9+deb12u9", {"/lib/x86_64-linux-gnu/libc.so.6": 9100}, multi_arch="same"
)


def dpkg_files(packages: list[DebPackage], lists: list[DebPackage] | None = None) -> list[TarEntry]:
    items = [
        directory("var/lib/dpkg/info"),
        file("var/lib/dpkg/status", dpkg_status(packages)),
    ]
    items += [file(dpkg_list_name(p), dpkg_list(p)) for p in (packages if lists is None else lists)]
    return items


def contents(package: DebPackage, real: dict[str, str] | None = None) -> list[TarEntry]:
    """The package's files, stored where they really are (``real`` maps listed to stored)."""
    real = real or {}
    return [file(real.get(path, path.lstrip("/")), size) for path, size in package.files.items()]


MERGED_USR = {
    "/bin/bash": "usr/bin/bash",
    "/lib/x86_64-linux-gnu/libc.so.6": "usr/lib/x86_64-linux-gnu/libc.so.6",
}


def base_layer() -> list[TarEntry]:
    return [
        directory("usr/bin"),
        directory("usr/lib/x86_64-linux-gnu"),
        symlink("bin", "usr/bin"),
        symlink("lib", "usr/lib"),
        *contents(BASH, MERGED_USR),
        *contents(LIBC, MERGED_USR),
        file("etc/hostname", 20),
        *dpkg_files([BASH, LIBC]),
    ]


def test_files_listed_through_directory_links_are_found_where_they_are() -> None:
    built = build(base_layer())
    ownership = built.ownership()
    by_name = {usage.package.name: usage for usage in ownership.packages}
    assert by_name["bash"].size_bytes == 4300
    assert by_name["bash"].files == 2
    assert by_name["libc6"].size_bytes == 9000
    assert ownership.owner("usr/bin/bash") is by_name["bash"]
    assert ownership.owner("etc/hostname") is None
    database = sum(len(item.data) for item in dpkg_files([BASH, LIBC]) if item.kind == "file")
    assert ownership.unowned_bytes == 20 + database
    total = sum(usage.size_bytes for usage in ownership.packages) + ownership.unowned_bytes
    assert total == built.overlay.final_size
    assert [usage.package.name for usage in ownership.packages] == ["libc6", "bash"]


def test_layer_that_installed_and_bytes_wasted_by_removal_and_upgrade() -> None:
    install_gcc = [*contents(GCC), *dpkg_files([BASH, LIBC, GCC], lists=[GCC])]
    upgrade_and_purge = [
        whiteout("usr/bin/gcc-12"),
        whiteout("usr/lib/gcc"),
        whiteout(dpkg_list_name(GCC)),
        *contents(LIBC_NEW, MERGED_USR),
        *dpkg_files([BASH, LIBC_NEW], lists=[LIBC_NEW]),
    ]
    built = build(base_layer(), install_gcc, upgrade_and_purge)
    ownership = built.ownership()
    by_name = {usage.package.name: usage for usage in ownership.packages}
    gcc = by_name["gcc-12"]
    assert (gcc.installed, gcc.size_bytes, gcc.wasted_bytes, gcc.layer) == (False, 0, 32000, 1)
    libc = by_name["libc6"]
    assert (libc.installed, libc.package.version) == (
        True,
        "2.36-9+deb12u9",
    )
    assert (libc.size_bytes, libc.wasted_bytes, libc.layer) == (9100, 9000, 2)
    assert by_name["bash"].layer == 0


def test_python_and_npm_packages() -> None:
    site = "usr/local/lib/python3.12/site-packages"
    dist = PythonDist("flask", "3.0.3", {"flask/__init__.py": 2500, "../../../bin/flask": 200})
    info = f"{site}/{dist_info_name(dist)}"
    left_pad = NpmPackage("node_modules/left-pad", "1.3.0", {})
    jest = NpmPackage("node_modules/jest", "29.7.0", {}, dev=True)
    layer = [
        file(f"{site}/flask/__init__.py", 2500),
        file("usr/local/bin/flask", 200),
        file(f"{info}/METADATA", metadata(dist)),
        file(f"{info}/RECORD", record(dist, {})),
        file("app/package.json", b'{"name": "app", "devDependencies": {"jest": "*"}}'),
        file("app/package-lock.json", npm_lockfile("app", [left_pad, jest], {})),
        file("app/node_modules/left-pad/package.json", npm_manifest(left_pad)),
        file("app/node_modules/left-pad/index.js", 1000),
        file("app/node_modules/jest/package.json", npm_manifest(jest)),
        file("app/node_modules/jest/build/index.js", 50000),
        symlink("app/node_modules/.bin/jest", "../jest/bin/jest.js"),
    ]
    ownership = build(layer).ownership()
    by_name = {usage.package.name: usage for usage in ownership.packages}
    flask = by_name["flask"]
    assert flask.package.manager is Manager.PYTHON
    metadata_size = len(metadata(dist)) + len(record(dist, {}))
    assert flask.size_bytes == 2700 + metadata_size
    jest_usage = by_name["jest"]
    assert jest_usage.package.dev
    assert jest_usage.size_bytes == 50000 + len(npm_manifest(jest))
    assert by_name["left-pad"].size_bytes == 1000 + len(npm_manifest(left_pad))
    assert not by_name["left-pad"].package.dev
    assert ownership.owner("app/node_modules/jest/build/index.js") is jest_usage


def test_unsupported_rpm_databases_are_noted() -> None:
    built = build([file("var/lib/rpm/Packages", 4096), file("usr/bin/x", 10)])
    ownership = built.ownership()
    assert ownership.packages == ()
    assert ["BerkeleyDB" in note.message for note in ownership.notes] == [True]
