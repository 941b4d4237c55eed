"""apk's installed database."""

from __future__ import annotations

from auger.attribution.apk import read_installed
from auger.attribution.packages import Manager
from tests.attribution.formats import ApkPackage, apk_installed

MUSL = ApkPackage(
    "musl", "1.2.5-r0", {"lib/ld-musl-x86_64.so.1": 600000, "lib/libc.musl-x86_64.so.1": 0}
)
BUSYBOX = ApkPackage("busybox", "1.36.1-r29", {"bin/busybox": 800000, "etc/securetty": 50})


def test_installed_lists_packages_and_files() -> None:
    data = apk_installed([MUSL, BUSYBOX])
    inventory = read_installed({"lib/apk/db/installed": data})
    by_name = {package.name: package for package in inventory.packages}
    assert set(by_name) == {"musl", "busybox"}
    busybox = by_name["busybox"]
    assert busybox.manager is Manager.APK
    assert busybox.version == "1.36.1-r29"
    assert busybox.declared_size == 800050
    assert busybox.files == ("bin/busybox", "etc/securetty")
    assert by_name["musl"].files == ("lib/ld-musl-x86_64.so.1", "lib/libc.musl-x86_64.so.1")


def test_a_database_without_a_final_blank_line() -> None:
    data = apk_installed([BUSYBOX]).rstrip(b"\n")
    [package] = read_installed({"lib/apk/db/installed": data}).packages
    assert package.files == ("bin/busybox", "etc/securetty")


def test_files_at_the_root_have_an_empty_directory() -> None:
    data = b"P:rootfile\nV:1\nF:\nR:topfile\n\n"
    [package] = read_installed({"lib/apk/db/installed": data}).packages
    assert package.files == ("topfile",)
