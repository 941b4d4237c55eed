"""Which layer paths a scan captures: package databases only."""

from __future__ import annotations

import pytest

from auger.layers.capture import wanted


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
        "usr/share/doc/METADATA",
        "app/tsconfig.json",
        "var/cache/apt/pkgcache.bin",
        "",
    ],
)
def test_other_files_are_not(path: str) -> None:
    assert not wanted(path)
