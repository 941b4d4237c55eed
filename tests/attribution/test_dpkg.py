"""dpkg's status file, file lists and distroless status.d, as dpkg writes them."""

from __future__ import annotations

from auger.attribution.dpkg import read_status, read_status_d
from auger.attribution.packages import Manager
from tests.attribution.formats import DebPackage, dpkg_list, dpkg_list_name, dpkg_status

BASH = DebPackage("bash", "5.2.15-2+b7", {"/bin/bash": 1265648, "/etc/bash.bashrc": 1994}, "shells")
LIBC = DebPackage(
    "libc6",
    "2.36-9+deb12u9",
    {"/lib/x86_64-linux-gnu/libc.so.6": 1922136},
    multi_arch="same",
    source="glibc",
)
GONE = DebPackage("oldpkg", "1.0", {"/usr/bin/old": 10}, status="purge ok not-installed")


def files_for(*packages: DebPackage) -> dict[str, bytes]:
    files = {"var/lib/dpkg/status": dpkg_status(packages)}
    for package in packages:
        if package.status.endswith(" installed"):
            files[dpkg_list_name(package)] = dpkg_list(package)
    return files


def test_status_and_lists_give_packages_and_their_files() -> None:
    inventory = read_status(files_for(BASH, LIBC, GONE))
    by_name = {package.name: package for package in inventory.packages}
    assert set(by_name) == {"bash", "libc6"}  # not-installed is not a package
    bash = by_name["bash"]
    assert bash.manager is Manager.DPKG
    assert bash.version == "5.2.15-2+b7"
    assert bash.section == "shells"
    assert bash.source == "bash"
    assert bash.declared_size == (1265648 + 1994) // 1024 * 1024
    assert "bin/bash" in bash.files and "etc/bash.bashrc" in bash.files
    assert "bin" in bash.files and "" not in bash.files  # directories, never the root
    libc = by_name["libc6"]  # Multi-Arch: same reads info/libc6:amd64.list
    assert libc.files[-1] == "lib/x86_64-linux-gnu/libc.so.6"
    assert libc.source == "glibc"


def test_a_package_without_a_list_has_no_files() -> None:
    inventory = read_status({"var/lib/dpkg/status": dpkg_status([BASH])})
    [bash] = inventory.packages
    assert bash.files == ()


def test_continuation_lines_and_case_of_field_names() -> None:
    status = (
        b"package: tzdata\nstatus: install ok installed\nVERSION: 2024a-0+deb12u1\n"
        b"Description: time zone data\n with more\n .\n lines\nConffiles:\n /etc/x 0123\n"
    )
    [package] = read_status({"var/lib/dpkg/status": status}).packages
    assert (package.name, package.version) == ("tzdata", "2024a-0+deb12u1")


def test_no_status_file_means_no_packages() -> None:
    assert read_status({}).packages == ()


def test_distroless_status_d_with_md5sums() -> None:
    paragraph = (
        b"Package: libssl3\nVersion: 3.0.15-1~deb12u1\nArchitecture: amd64\n"
        b"Source: openssl\nInstalled-Size: 6160\n"
    )
    md5sums = (
        b"0123456789abcdef0123456789abcdef  usr/lib/x86_64-linux-gnu/libssl.so.3\n"
        b"fedcba9876543210fedcba9876543210  usr/share/doc/libssl3/copyright\n"
    )
    inventory = read_status_d(
        {
            "var/lib/dpkg/status.d/libssl3": paragraph,
            "var/lib/dpkg/status.d/libssl3.md5sums": md5sums,
            "var/lib/dpkg/status.d/broken": b"not a paragraph at all",
        }
    )
    [package] = inventory.packages
    assert package.name == "libssl3"
    assert package.source == "openssl"
    assert package.declared_size == 6160 * 1024
    assert package.files == (
        "usr/lib/x86_64-linux-gnu/libssl.so.3",
        "usr/share/doc/libssl3/copyright",
    )
    assert [note.path for note in inventory.notes] == ["var/lib/dpkg/status.d/broken"]
