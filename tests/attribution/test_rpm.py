"""rpm's sqlite database and header blobs, built in rpm's formats."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from auger.attribution import rpm_header as tags
from auger.attribution.packages import Manager
from auger.attribution.rpm import read_sqlite, unsupported
from tests.attribution.formats import RpmPackage, header_blob, rpm_header, rpmdb_sqlite

BASH = RpmPackage(
    "bash",
    "5.2.26",
    "3.fc40",
    {"/usr/bin/bash": 1406568, "/usr/share/doc/bash/README": 3000, "/etc/skel/.bashrc": 500},
    group="System Environment/Shells",
)
OPENSSL = RpmPackage("openssl-libs", "3.2.2", "3.fc40", {"/usr/lib64/libssl.so.3": 700000}, epoch=1)


def test_a_header_blob_is_read_as_rpm_writes_it() -> None:
    header = tags.parse(rpm_header(BASH))
    assert tags.string(header, tags.NAME) == "bash"
    assert tags.strings(header, tags.BASENAMES) == (".bashrc", "bash", "README")
    assert tags.numbers(header, tags.FILESIZES) == (500, 1406568, 3000)
    assert tags.numbers(header, tags.FILEMODES) == (0o100755,) * 3
    assert tags.strings(header, tags.GROUP) == ("System Environment/Shells",)


def test_the_database_gives_names_versions_and_files(tmp_path: Path) -> None:
    data = rpmdb_sqlite(tmp_path, [BASH, OPENSSL])
    assert data[18:20] == b"\x02\x02"  # WAL mode, as rpm leaves its database
    inventory = read_sqlite({"var/lib/rpm/rpmdb.sqlite": data})
    assert inventory.notes == ()
    by_name = {package.name: package for package in inventory.packages}
    bash = by_name["bash"]
    assert bash.manager is Manager.RPM
    assert bash.version == "5.2.26-3.fc40"
    assert bash.section == "System Environment/Shells"
    assert bash.source == "bash"
    assert bash.declared_size == 1406568 + 3000 + 500
    assert set(bash.files) == {"usr/bin/bash", "usr/share/doc/bash/README", "etc/skel/.bashrc"}
    assert by_name["openssl-libs"].version == "1:3.2.2-3.fc40"
    assert by_name["openssl-libs"].source == "openssl-libs"


def test_the_newer_location_is_read_too(tmp_path: Path) -> None:
    data = rpmdb_sqlite(tmp_path, [BASH])
    inventory = read_sqlite({"usr/lib/sysimage/rpm/rpmdb.sqlite": data})
    assert [package.name for package in inventory.packages] == ["bash"]


def test_malformed_headers_are_skipped_and_counted(tmp_path: Path) -> None:
    good = rpm_header(OPENSSL)
    truncated = good[: len(good) - 20]
    bad_trailer = bytearray(good)
    struct.pack_into(">i", bad_trailer, len(good) - 16, 62)  # trailer tag differs from region
    data = rpmdb_sqlite(tmp_path, [BASH], extra=[truncated, bytes(bad_trailer), b"\0\0"])
    inventory = read_sqlite({"var/lib/rpm/rpmdb.sqlite": data})
    assert [package.name for package in inventory.packages] == ["bash"]
    [note] = inventory.notes
    assert "3 malformed package headers" in note.message


def test_not_an_sqlite_database_is_a_note() -> None:
    inventory = read_sqlite({"var/lib/rpm/rpmdb.sqlite": b"SQLite format 3\0" + b"\xff" * 200})
    assert inventory.packages == ()
    [note] = inventory.notes
    assert "not a readable rpm sqlite database" in note.message


def test_berkeleydb_and_ndb_are_reported_unsupported() -> None:
    notes = unsupported(["var/lib/rpm/Packages", "usr/lib/sysimage/rpm/Packages.db", "etc/x"])
    assert [(note.path, "BerkeleyDB" in note.message, "ndb" in note.message) for note in notes] == [
        ("var/lib/rpm/Packages", True, False),
        ("usr/lib/sysimage/rpm/Packages.db", False, True),
    ]


def test_a_legacy_header_without_a_region() -> None:
    entries = [(tags.NAME, tags.STRING, "old"), (tags.VERSION, tags.STRING, "1")]
    blob = header_blob(entries)
    count, size = struct.unpack_from(">II", blob)
    # drop the region entry and its trailer: what rpm accepts as a header without a region
    legacy = (
        struct.pack(">II", count - 1, size - 16)
        + blob[8 + 16 : 8 + 16 * count]
        + blob[8 + 16 * count : 8 + 16 * count + size - 16]
    )
    header = tags.parse(legacy)
    assert tags.string(header, tags.NAME) == "old"


@pytest.mark.parametrize(
    "blob",
    [
        b"",
        struct.pack(">II", 0, 0),
        struct.pack(">II", 1, 100) + b"\0" * 16,  # data shorter than it says
        struct.pack(">II", 1, 4) + struct.pack(">iIiI", 1000, 6, 10, 1) + b"abc\0",  # outside
        struct.pack(">II", 1, 4) + struct.pack(">iIiI", 1000, 6, 0, 1) + b"abcd",  # no NUL
        struct.pack(">II", 1, 8) + struct.pack(">iIiI", 1000, 4, 2, 1) + b"\0" * 8,  # misaligned
        struct.pack(">II", 1, 4) + struct.pack(">iIiI", 1000, 42, 0, 1) + b"\0" * 4,  # type
    ],
)
def test_inconsistent_blobs_raise(blob: bytes) -> None:
    with pytest.raises(tags.HeaderError):
        tags.parse(blob)
