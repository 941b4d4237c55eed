"""Which layer paths a scan captures (package databases only), and how the scanner keeps them."""

from __future__ import annotations

import io

import pytest

from auger.layers import capture
from auger.layers.capture import wanted
from auger.layers.scanner import scan_layer
from auger.model import LayerRef, LayerScan
from auger.testing.images import TarEntry, directory, file, layer_tar


@pytest.mark.parametrize(
    "path",
    [
        "var/lib/dpkg/status",
        "var/lib/dpkg/info/libc6:amd64.list",
        "var/lib/dpkg/info/bash.list",
        "var/lib/dpkg/status.d/base-files",
        "var/lib/dpkg/status.d/libc6.md5sums",
        "lib/apk/db/installed",
        "var/lib/rpm/rpmdb.sqlite",
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
        "usr/local/lib/python3.12/site-packages/requests-2.32.3.dist-info/RECORD",
        "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
        "app/node_modules/left-pad/package.json",
        "app/node_modules/@babel/core/package.json",
        "app/package.json",
        "app/package-lock.json",
        "app/node_modules/.package-lock.json",
    ],
)
def test_package_databases_are_captured(path: str) -> None:
    assert wanted(path)


@pytest.mark.parametrize(
    "path",
    [
        "usr/bin/bash",
        "etc/status",  # a file called status elsewhere
        "var/lib/dpkg/status-old",
        "var/lib/dpkg/available",
        "var/lib/dpkg/info/bash.md5sums",
        "var/lib/dpkg/info/sub/x.list",
        "var/lib/rpm/Packages",  # BerkeleyDB: noted, never read
        "usr/lib/python3/dist-packages/six/RECORD",  # not in a .dist-info directory
        "usr/lib/python3/site-packages/setuptools/_vendor/wheel-0.45.dist-info/RECORD",
        "usr/share/doc/METADATA",
        "app/tsconfig.json",
        "var/cache/apt/pkgcache.bin",
        "",
    ],
)
def test_other_files_are_not(path: str) -> None:
    assert not wanted(path)


def scan(*items: TarEntry) -> LayerScan:
    return scan_layer(io.BytesIO(layer_tar(items)), LayerRef("layer.tar"))


def test_a_scan_keeps_the_databases_and_nothing_else() -> None:
    status = b"Package: bash\nStatus: install ok installed\nVersion: 5.2\n"
    large = bytes(range(256)) * 4096  # 1 MiB: read past the reader's buffer, in chunks
    result = scan(
        file("usr/bin/bash", 5000),
        file("./var/lib/dpkg/status", status),
        file("var/lib/rpm/rpmdb.sqlite", large),
        file("etc/status", b"not a database"),
        file("app/node_modules/a/package.json", b"{}"),
        file("app/node_modules/a/index.js", b"module.exports = 1"),
    )
    assert result.captured == {
        "var/lib/dpkg/status": status,
        "var/lib/rpm/rpmdb.sqlite": large,
        "app/node_modules/a/package.json": b"{}",
    }
    assert [entry.path for entry in result.entries][1] == "var/lib/dpkg/status"
    assert result.warnings == ()


def test_a_distroless_status_d_directory_is_captured_whatever_its_names() -> None:
    result = scan(
        directory("var/lib/dpkg/status.d"),
        file("var/lib/dpkg/status.d/libc6", b"Package: libc6\n"),
        file("var/lib/dpkg/status.d/base-files", b"Package: base-files\n"),
        file("var/lib/dpkg/status.d/base-files.md5sums", b"0  etc/x\n"),
        file("usr/lib/libc.so.6", 700),
    )
    assert sorted(result.captured) == [
        "var/lib/dpkg/status.d/base-files",
        "var/lib/dpkg/status.d/base-files.md5sums",
        "var/lib/dpkg/status.d/libc6",
    ]


def test_caps_per_file_and_per_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(capture, "MAX_FILE", 1000)
    monkeypatch.setattr(capture, "MAX_LAYER", 1500)
    result = scan(
        file("var/lib/rpm/rpmdb.sqlite", 2000),
        file("lib/apk/db/installed", 900),
        file("var/lib/dpkg/status", 900),
    )
    assert list(result.captured) == ["lib/apk/db/installed"]
    too_large, over_total = result.warnings
    assert "var/lib/rpm/rpmdb.sqlite (2000 bytes) is larger than 1000 bytes" in too_large
    assert "var/lib/dpkg/status" in over_total and "exceed 1500 bytes" in over_total


def test_a_rewritten_database_keeps_its_last_copy_and_counts_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(capture, "MAX_LAYER", 1000)
    result = scan(
        file("var/lib/dpkg/status", 600),
        file("var/lib/dpkg/status", b"Package: x\n"),
        file("lib/apk/db/installed", 900),
    )
    assert result.captured["var/lib/dpkg/status"] == b"Package: x\n"
    assert "lib/apk/db/installed" in result.captured
