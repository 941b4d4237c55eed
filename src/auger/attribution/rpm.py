"""rpm's database: ``rpmdb.sqlite`` read with the standard library's :mod:`sqlite3`.

The database is opened from its captured bytes in memory (never written to disk); its
``Packages`` table holds one header blob per package (:mod:`auger.attribution.rpm_header`),
whose name, epoch, version, release, file names (``BASENAMES`` in ``DIRNAMES`` by
``DIRINDEXES``, or legacy ``OLDFILENAMES``) and sizes are read. The older BerkeleyDB
(``Packages``) and ndb (``Packages.db``) formats are reported as unsupported.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping

from auger.attribution import rpm_header as tags
from auger.attribution.packages import DatabaseNote, Inventory, Manager, Package
from auger.layers import capture, paths

_WAL_VERSION = slice(18, 20)
"""The file-format version bytes of an sqlite header: ``2, 2`` in WAL mode."""


def _open(data: bytes) -> sqlite3.Connection:
    """An in-memory connection to the database ``data`` holds."""
    image = bytearray(data)
    if image[_WAL_VERSION] == b"\x02\x02":
        image[_WAL_VERSION] = b"\x01\x01"  # the in-memory store has no WAL: read it as rollback
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("PRAGMA trusted_schema = OFF")
        connection.deserialize(bytes(image))
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def _blobs(data: bytes) -> list[bytes]:
    connection = _open(data)
    try:
        kind = connection.execute(
            "SELECT type FROM sqlite_master WHERE name = 'Packages'"
        ).fetchone()
        if kind is None or kind[0] != "table":
            raise sqlite3.DatabaseError("no Packages table")
        rows = connection.execute("SELECT blob FROM Packages ORDER BY hnum").fetchall()
    finally:
        connection.close()
    return [bytes(row[0]) for row in rows if isinstance(row[0], bytes | memoryview)]


def _file_names(header: Mapping[int, tags.Value]) -> tuple[str, ...]:
    basenames = tags.strings(header, tags.BASENAMES)
    if not basenames:
        return tuple(
            path
            for path in (paths.normalize(p)[0] for p in tags.strings(header, tags.OLDFILENAMES))
            if path
        )
    dirnames = tags.strings(header, tags.DIRNAMES)
    indexes = tags.numbers(header, tags.DIRINDEXES)
    if len(indexes) != len(basenames) or any(i >= len(dirnames) for i in indexes):
        raise tags.HeaderError("file names whose directory indexes do not match")
    names = (
        paths.normalize(dirnames[i] + base)[0] for i, base in zip(indexes, basenames, strict=True)
    )
    return tuple(name for name in names if name)


def _version(header: Mapping[int, tags.Value]) -> str:
    version = tags.string(header, tags.VERSION)
    release = tags.string(header, tags.RELEASE)
    epoch = tags.numbers(header, tags.EPOCH)
    full = f"{version}-{release}" if release else version
    return f"{epoch[0]}:{full}" if epoch and epoch[0] else full


def package_from_header(header: Mapping[int, tags.Value], database: str) -> Package | None:
    """The package a parsed header describes (``None`` for rpm's ``gpg-pubkey`` entries)."""
    name = tags.string(header, tags.NAME)
    if not name or name == "gpg-pubkey":
        return None
    size = tags.numbers(header, tags.LONGSIZE) or tags.numbers(header, tags.SIZE)
    source = tags.string(header, tags.SOURCERPM)
    return Package(
        manager=Manager.RPM,
        name=name,
        version=_version(header),
        files=_file_names(header),
        database=database,
        section=tags.string(header, tags.GROUP),
        source=_source_name(source) or name,
        declared_size=size[0] if size else None,
    )


def _source_name(source_rpm: str) -> str:
    """``bash`` from ``bash-5.2.15-3.fc38.src.rpm``: the name before the version-release."""
    stem = source_rpm.removesuffix(".rpm").removesuffix(".src").removesuffix(".nosrc")
    parts = stem.rsplit("-", 2)
    return parts[0] if len(parts) == 3 else ""


def read_sqlite(files: Mapping[str, bytes]) -> Inventory:
    """The packages of every ``rpmdb.sqlite`` in ``files``."""
    packages: list[Package] = []
    notes: list[DatabaseNote] = []
    for path in capture.RPM_SQLITE:
        data = files.get(path)
        if data is None:
            continue
        try:
            blobs = _blobs(data)
        except sqlite3.Error as error:
            notes.append(DatabaseNote(path, f"not a readable rpm sqlite database ({error})"))
            continue
        bad = 0
        for blob in blobs:
            try:
                package = package_from_header(tags.parse(blob), path)
            except tags.HeaderError:
                bad += 1
                continue
            if package is not None:
                packages.append(package)
        if bad:
            notes.append(DatabaseNote(path, f"{bad} malformed package headers skipped"))
    return Inventory(tuple(packages), tuple(notes))


def unsupported(present: Iterable[str]) -> tuple[DatabaseNote, ...]:
    """Notes for the BerkeleyDB and ndb databases among the paths ``present``."""
    notes = []
    for path in present:
        if path in capture.RPM_UNSUPPORTED:
            kind = "ndb" if path.endswith(".db") else "BerkeleyDB"
            notes.append(
                DatabaseNote(
                    path, f"an rpm {kind} database: not supported, its packages are not read"
                )
            )
    return tuple(notes)
