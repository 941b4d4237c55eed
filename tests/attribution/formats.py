"""Package databases written in their real formats, for images the tests build in-process.

Each writer produces the bytes its package manager writes: dpkg's ``status`` paragraphs and
``info/*.list`` files, apk's ``installed`` database, rpm's ``rpmdb.sqlite`` (an sqlite file in
WAL mode, as rpm leaves it, whose ``Packages`` rows are header blobs built here per rpm's
header format: region entry first, index sorted by tag, aligned data, region trailer),
Python's ``METADATA`` and ``RECORD``, and npm's manifests and version 3 lockfile.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from auger.attribution import rpm_header as tags

# -- dpkg ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DebPackage:
    name: str
    version: str
    files: dict[str, int]
    """Absolute path to size (directories are derived)."""
    section: str = "libs"
    architecture: str = "amd64"
    multi_arch: str = ""
    source: str = ""
    status: str = "install ok installed"


def dpkg_paragraph(package: DebPackage) -> str:
    """A package's paragraph of ``/var/lib/dpkg/status``, fields in dpkg's order."""
    size_kib = max(1, sum(package.files.values()) // 1024)
    lines = [
        f"Package: {package.name}",
        f"Status: {package.status}",
        "Priority: optional",
        f"Section: {package.section}",
        f"Installed-Size: {size_kib}",
        "Maintainer: Debian Maintainers <maintainers@example.org>",
        f"Architecture: {package.architecture}",
    ]
    if package.multi_arch:
        lines.append(f"Multi-Arch: {package.multi_arch}")
    if package.source:
        lines.append(f"Source: {package.source}")
    lines += [
        f"Version: {package.version}",
        "Depends: libc6 (>= 2.34)",
        f"Description: the {package.name} package",
        " A longer description that continues",
        " .",
        " over several lines.",
    ]
    return "\n".join(lines) + "\n"


def dpkg_status(packages: Sequence[DebPackage]) -> bytes:
    """``/var/lib/dpkg/status``: paragraphs separated by blank lines."""
    return "\n".join(dpkg_paragraph(package) for package in packages).encode()


def dpkg_list(package: DebPackage) -> bytes:
    """``/var/lib/dpkg/info/NAME.list``: ``/.``, every directory, every file."""
    directories: set[str] = set()
    for path in package.files:
        parts = path.strip("/").split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            directories.add("/" + "/".join(parts[:depth]))
    listed = ["/.", *sorted(directories), *sorted(package.files)]
    return ("\n".join(listed) + "\n").encode()


def dpkg_list_name(package: DebPackage) -> str:
    suffix = f":{package.architecture}" if package.multi_arch == "same" else ""
    return f"var/lib/dpkg/info/{package.name}{suffix}.list"


# -- apk ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApkPackage:
    name: str
    version: str
    files: dict[str, int]
    """Path relative to the root to size."""
    origin: str = ""


def apk_installed(packages: Sequence[ApkPackage]) -> bytes:
    """``/lib/apk/db/installed``: a paragraph per package, ``F:`` then ``R:`` lines."""
    blocks = []
    for package in packages:
        lines = [
            "C:Q1" + base64.b64encode(hashlib.sha1(package.name.encode()).digest()).decode(),
            f"P:{package.name}",
            f"V:{package.version}",
            "A:x86_64",
            "S:12345",
            f"I:{sum(package.files.values())}",
            f"T:the {package.name} package",
            "U:https://example.org",
            "L:MIT",
            f"o:{package.origin or package.name}",
            "m:Maintainer <m@example.org>",
            "t:1700000000",
            "c:0123456789abcdef",
            "D:so:libc.musl-x86_64.so.1",
        ]
        by_directory: dict[str, list[str]] = {}
        for path in sorted(package.files):
            head, _, name = path.rpartition("/")
            by_directory.setdefault(head, []).append(name)
        for directory, names in by_directory.items():
            lines.append(f"F:{directory}")
            for name in names:
                lines.append(f"R:{name}")
                lines.append("a:0:0:755")
                lines.append(
                    "Z:Q1" + base64.b64encode(hashlib.sha1(name.encode()).digest()).decode()
                )
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks).encode() + b"\n"


# -- rpm ----------------------------------------------------------------------------------

_WIDTH = {tags.INT16: ("H", 2), tags.INT32: ("I", 4), tags.INT64: ("Q", 8)}


def header_blob(entries: Sequence[tuple[int, int, object]]) -> bytes:
    """A header blob as rpm stores it in a database: counts, the index (the immutable region
    entry first, then by tag), the data (aligned), and the region trailer at its end."""
    data = bytearray()
    index: list[tuple[int, int, int, int]] = []
    for tag, kind, value in sorted(entries, key=lambda entry: entry[0]):
        if kind in _WIDTH:
            code, width = _WIDTH[kind]
            numbers = list(value)  # type: ignore[call-overload]
            data.extend(b"\0" * (-len(data) % width))
            offset = len(data)
            data.extend(struct.pack(f">{len(numbers)}{code}", *numbers))
            count = len(numbers)
        elif kind == tags.STRING:
            offset = len(data)
            data.extend(str(value).encode() + b"\0")
            count = 1
        elif kind in (tags.STRING_ARRAY, tags.I18NSTRING):
            strings = [str(item) for item in value]  # type: ignore[attr-defined]
            offset = len(data)
            for item in strings:
                data.extend(item.encode() + b"\0")
            count = len(strings)
        else:
            raise AssertionError(f"type {kind} not written by these tests")
        index.append((tag, kind, offset, count))
    count_all = len(index) + 1
    region_offset = len(data)
    data.extend(struct.pack(">iIiI", tags.IMMUTABLE, tags.BIN, -(count_all * 16), 16))
    index.insert(0, (tags.IMMUTABLE, tags.BIN, region_offset, 16))
    head = struct.pack(">II", count_all, len(data))
    return head + b"".join(struct.pack(">iIiI", *entry) for entry in index) + bytes(data)


@dataclass(frozen=True)
class RpmPackage:
    name: str
    version: str
    release: str
    files: dict[str, int]
    """Absolute path to size."""
    epoch: int | None = None
    group: str = "Unspecified"


def rpm_header(package: RpmPackage) -> bytes:
    """The header blob of an installed package: the tags rpm -q and syft read."""
    directories: list[str] = []
    dirindexes = []
    basenames = []
    for path in sorted(package.files):
        head, _, name = path.rpartition("/")
        directory = head + "/"
        if directory not in directories:
            directories.append(directory)
        dirindexes.append(directories.index(directory))
        basenames.append(name)
    entries: list[tuple[int, int, object]] = [
        (tags.NAME, tags.STRING, package.name),
        (tags.VERSION, tags.STRING, package.version),
        (tags.RELEASE, tags.STRING, package.release),
        (tags.SIZE, tags.INT32, [sum(package.files.values())]),
        (tags.GROUP, tags.I18NSTRING, [package.group]),
        (tags.ARCH, tags.STRING, "x86_64"),
        (
            tags.SOURCERPM,
            tags.STRING,
            f"{package.name}-{package.version}-{package.release}.src.rpm",
        ),
        (tags.FILESIZES, tags.INT32, [package.files[path] for path in sorted(package.files)]),
        (tags.FILEMODES, tags.INT16, [0o100755] * len(package.files)),
        (tags.FILEFLAGS, tags.INT32, [0] * len(package.files)),
        (tags.DIRINDEXES, tags.INT32, dirindexes),
        (tags.BASENAMES, tags.STRING_ARRAY, basenames),
        (tags.DIRNAMES, tags.STRING_ARRAY, directories),
    ]
    if package.epoch is not None:
        entries.append((tags.EPOCH, tags.INT32, [package.epoch]))
    return header_blob(entries)


def rpmdb_sqlite(
    directory: Path, packages: Sequence[RpmPackage], extra: Sequence[bytes] = ()
) -> bytes:
    """The bytes of an ``rpmdb.sqlite`` holding ``packages`` (rpm's schema, WAL mode)."""
    path = directory / "rpmdb.sqlite"
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute(
        "CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)"
    )
    for table in ("Name", "Basenames", "Group", "Requirename", "Providename"):
        connection.execute(
            f"CREATE TABLE '{table}' (key TEXT NOT NULL, hnum INTEGER NOT NULL, "
            "idx INTEGER NOT NULL, FOREIGN KEY (hnum) REFERENCES 'Packages'(hnum))"
        )
    for package in packages:
        cursor = connection.execute(
            "INSERT INTO Packages (blob) VALUES (?)", (rpm_header(package),)
        )
        connection.execute(
            "INSERT INTO Name (key, hnum, idx) VALUES (?, ?, 0)", (package.name, cursor.lastrowid)
        )
    for blob in extra:
        connection.execute("INSERT INTO Packages (blob) VALUES (?)", (blob,))
    connection.commit()
    connection.close()
    return path.read_bytes()


# -- Python -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PythonDist:
    name: str
    version: str
    files: dict[str, int]
    """Path relative to site-packages (``../../../bin/x`` for scripts) to size."""


def dist_info_name(dist: PythonDist) -> str:
    return f"{dist.name.replace('-', '_')}-{dist.version}.dist-info"


def metadata(dist: PythonDist) -> bytes:
    return (
        f"Metadata-Version: 2.1\nName: {dist.name}\nVersion: {dist.version}\n"
        f"Summary: the {dist.name} distribution\n\nA long description.\n"
    ).encode()


def record(dist: PythonDist, contents: dict[str, bytes]) -> bytes:
    """``RECORD``: ``path,sha256=…,size`` per file; itself without hash or size."""
    rows = []
    for path, size in dist.files.items():
        data = contents.get(path, b"x" * size)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        rows.append(f"{path},sha256={digest},{size}")
    info = dist_info_name(dist)
    rows += [f"{info}/METADATA,,", f"{info}/RECORD,,", f"{info}/INSTALLER,,"]
    return ("\n".join(rows) + "\n").encode()


# -- npm ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NpmPackage:
    path: str
    """``node_modules/NAME`` in the project, or nested: ``node_modules/a/node_modules/b``."""
    version: str
    files: dict[str, int]
    """Relative to the package directory (``package.json`` is added)."""
    dependencies: dict[str, str] = field(default_factory=dict)
    dev: bool = False

    @property
    def name(self) -> str:
        tail = self.path.rpartition("node_modules/")[2]
        return tail


def npm_manifest(package: NpmPackage) -> bytes:
    return json.dumps(
        {"name": package.name, "version": package.version, "dependencies": package.dependencies},
        indent=2,
    ).encode()


def npm_lockfile(name: str, packages: Sequence[NpmPackage], root: Mapping[str, object]) -> bytes:
    """``package-lock.json``, lockfile version 3 (npm 9 and later)."""
    entries: dict[str, object] = {"": {"name": name, "version": "1.0.0", **root}}
    for package in packages:
        entry: dict[str, object] = {
            "version": package.version,
            "resolved": f"https://registry.npmjs.org/{package.name}/-/{package.name}-{package.version}.tgz",
            "integrity": "sha512-"
            + base64.b64encode(hashlib.sha512(package.path.encode()).digest()).decode(),
        }
        if package.dev:
            entry["dev"] = True
        if package.dependencies:
            entry["dependencies"] = package.dependencies
        entries[package.path] = entry
    return json.dumps(
        {
            "name": name,
            "version": "1.0.0",
            "lockfileVersion": 3,
            "requires": True,
            "packages": entries,
        },
        indent=2,
    ).encode()
