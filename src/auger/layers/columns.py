"""A layer scan as columns rather than rows, the compact form in which scans cross a pipe or
go into the layer cache.

Every path in one string, kinds one byte each, numbers as little-endian 64-bit arrays, the rare
link targets and cleaned names sparse; a column whose values do not fit its compact shape (a
size beyond 64 bits, a name the text codec cannot carry) is kept as a plain tuple instead; the
package database files the scanner kept follow as (path, contents) pairs. The result is made of
what :mod:`marshal` writes, and turning 168,000 entries into columns and back takes about 0.1
and 0.06 seconds, where a row per entry would cost several times as much.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence
from itertools import repeat
from typing import Any

from auger.model import Digest, Entry, EntryKind, LayerScan

_KINDS = tuple(EntryKind)
_KIND_CODES = {id(kind): code for code, kind in enumerate(_KINDS)}
_SEPARATOR = "\0"
"""Joins strings in one column; tar names are C strings, so they never hold it."""
_SWAP = sys.byteorder == "big"
_new_entry = tuple.__new__


def _int64(values: Sequence[int]) -> bytes | tuple[int, ...]:
    """``values`` as a little-endian array of 64-bit integers, or a tuple when one is too big."""
    try:
        numbers = array("q", values)
    except (OverflowError, TypeError):
        return tuple(values)
    if _SWAP:
        numbers.byteswap()
    return numbers.tobytes()


def _from_int64(column: Any, count: int | None = None) -> list[int]:
    """The integers :func:`_int64` encoded (``count`` of them, when given)."""
    if isinstance(column, tuple):
        values = list(column)
    else:
        numbers = array("q")
        numbers.frombytes(column)
        if _SWAP:
            numbers.byteswap()
        values = numbers.tolist()
    if count is not None and len(values) != count:
        raise ValueError("column length")
    return values


def _strings(values: Sequence[str]) -> bytes | tuple[str, ...]:
    """The strings joined and encoded as UTF-8 (surrogate escapes as the bytes they stand for),
    or a tuple when that would not give them back exactly."""
    joined = _SEPARATOR.join(values)
    if values and joined.count(_SEPARATOR) == len(values) - 1:
        try:
            data = joined.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return tuple(values)
        if joined.isascii() or data.decode("utf-8", "surrogateescape") == joined:
            return data
    return tuple(values)


def _from_strings(column: Any, count: int) -> list[str]:
    if isinstance(column, tuple):
        values = list(column)
    elif count == 0:
        values = []
    else:
        values = column.decode("utf-8", "surrogateescape").split(_SEPARATOR)
    if len(values) != count:
        raise ValueError("column length")
    return values


def _sparse(values: Sequence[str]) -> tuple[bytes | tuple[int, ...], bytes | tuple[str, ...]]:
    """The positions and values of the strings that are not empty."""
    positions = [index for index, value in enumerate(values) if value]
    return _int64(positions), _strings([values[index] for index in positions])


def _from_sparse(column: Any, count: int) -> list[str]:
    encoded_positions, encoded_values = column
    values: list[str] = [""] * count
    positions = _from_int64(encoded_positions)
    for position, value in zip(
        positions, _from_strings(encoded_values, len(positions)), strict=True
    ):
        values[position] = value
    return values


def to_columns(scan: LayerScan) -> tuple[Any, ...]:
    """``scan`` as :mod:`marshal`-able columns (its ``diff_id`` left out)."""
    entries = scan.entries
    count = len(entries)
    if count:
        paths, kinds, sizes, modes, uids, gids, links, digests, names, flags = zip(
            *entries, strict=True
        )
    else:
        paths = kinds = sizes = modes = uids = gids = links = digests = names = flags = ()
    codes = bytes(map(_KIND_CODES.__getitem__, map(id, kinds)))
    missing = [index for index, digest in enumerate(digests) if digest is None]
    fingerprints = _int64([0 if digest is None else digest for digest in digests])
    typeflags = "".join(flags)
    return (
        scan.size,
        tuple(scan.warnings),
        count,
        _strings(paths),
        codes,
        _int64(sizes),
        _int64(modes),
        _int64(uids),
        _int64(gids),
        _sparse(links),
        (_int64(missing), fingerprints),
        _sparse(names),
        typeflags if len(typeflags) == count and "" not in flags else tuple(flags),
        tuple(scan.captured.items()),
    )


def from_columns(payload: tuple[Any, ...], diff_id: Digest | None) -> LayerScan:
    """The scan :func:`to_columns` made columns of, with ``diff_id``; ``ValueError`` (or
    ``TypeError``, ``IndexError``, ``KeyError``) for columns that do not fit together."""
    (size, warnings, count, paths, codes, sizes, modes, uids, gids) = payload[:9]
    links, (missing, fingerprints), names, flags, captured = payload[9:]
    if not isinstance(count, int) or len(codes) != count or len(flags) != count:
        raise ValueError("column length")
    files = dict(captured)
    if not all(isinstance(k, str) and isinstance(v, bytes) for k, v in files.items()):
        raise ValueError("captured files")
    digests: list[int | None] = list(_from_int64(fingerprints, count))
    for index in _from_int64(missing):
        digests[index] = None
    kinds = map(_KINDS.__getitem__, codes)
    columns = zip(
        _from_strings(paths, count),
        kinds,
        _from_int64(sizes, count),
        _from_int64(modes, count),
        _from_int64(uids, count),
        _from_int64(gids, count),
        _from_sparse(links, count),
        digests,
        _from_sparse(names, count),
        flags,
        strict=True,
    )
    entries = tuple(map(_new_entry, repeat(Entry), columns))
    return LayerScan(
        entries=entries,
        size=int(size),
        warnings=tuple(str(text) for text in warnings),
        diff_id=diff_id,
        captured=files,
    )
