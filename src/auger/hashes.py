"""SHA-2 hash objects for small data, without loading OpenSSL.

:mod:`hashlib`'s constructors load OpenSSL's ``libcrypto``: 3.8 MiB of resident memory and
about 3 ms of start-up in every run that hashes anything, which on a small image is a tenth of
auger's memory. CPython carries its own SHA-2 code (``_sha2`` from 3.12, ``_sha256`` and
``_sha512`` before), at a sixth to a tenth of OpenSSL's speed with the SHA extensions (175 to
266 against 1,555 to 1,809 MB/s here): right for documents, cache records and small layers,
wrong for large streams, which keep :mod:`hashlib` (and the helper processes of
:mod:`auger.parallel` use it too).
"""

from __future__ import annotations

import importlib
from typing import Any

SMALL = 4 << 20
"""The most bytes worth hashing with CPython's own code rather than loading OpenSSL: at most
16 ms here. A layer blob above it that lies in a file goes to a helper process
(:data:`auger.layers.digests.HELPER_MIN`), so a run loads OpenSSL only where no helper can
start."""

_MODULES = {"sha256": ("_sha2", "_sha256"), "sha384": ("_sha2", "_sha512")}
_MODULES["sha512"] = _MODULES["sha384"]


def small_hash(algorithm: str, data: bytes | bytearray | memoryview = b"") -> Any:
    """A hash object of ``algorithm`` (``sha256``, ``sha384`` or ``sha512``) fed ``data``:
    CPython's own where the interpreter has it, else :mod:`hashlib`'s (``ValueError`` for an
    algorithm neither knows)."""
    for name in _MODULES.get(algorithm, ()):
        try:
            constructor = getattr(importlib.import_module(name), algorithm)
        except (ImportError, AttributeError):
            continue
        return constructor(data)
    import hashlib  # noqa: PLC0415 - OpenSSL only where CPython's own code is missing

    return hashlib.new(algorithm, data)


def sha256(data: bytes | bytearray | memoryview) -> bytes:
    """The SHA-256 digest of a small ``data``."""
    digest: bytes = small_hash("sha256", data).digest()
    return digest
