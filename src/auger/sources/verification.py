"""Checks of what was read against what names it: blob digests and descriptor sizes from the
manifest, diff IDs from the image config.

Each check raises :class:`~auger.sources.interface.DigestMismatchError` (exit 3) on a mismatch,
so nothing from a corrupt or tampered image is reported. A digest auger cannot compute (an
algorithm other than sha256) is not checked, and a warning says so.
"""

from __future__ import annotations

from auger.display import display
from auger.hashes import small_hash
from auger.layers.digests import algorithm_of
from auger.model import Digest
from auger.sources.interface import DigestMismatchError

_HINT = "the image is damaged or was altered; --no-verify reads it without these checks"


def _comparable(expected: str, actual: Digest, what: str, warnings: list[str]) -> bool:
    """True when ``actual`` was computed with ``expected``'s algorithm."""
    if expected.partition(":")[0] == actual.partition(":")[0]:
        return True
    text = f"{what}: {display(expected)} cannot be verified (auger computes sha256)"
    if text not in warnings:
        warnings.append(text)
    return False


def check_size(what: str, actual: int, expected: object) -> None:
    """The blob ``what`` is ``actual`` bytes long; its descriptor says ``expected``."""
    if isinstance(expected, int) and not isinstance(expected, bool) and expected != actual:
        raise DigestMismatchError(
            f"size mismatch: {what} is {actual} bytes, but its descriptor says {expected}",
            hint=_HINT,
        )


def check_blob(what: str, actual: Digest | None, expected: str | None, warnings: list[str]) -> None:
    """The blob ``what`` hashes to ``actual``; its name or descriptor says ``expected``."""
    if actual is None or expected is None or not _comparable(expected, actual, what, warnings):
        return
    if actual != expected:
        raise DigestMismatchError(
            f"digest mismatch: {what} hashes to {actual}, not to {display(expected)}",
            hint=_HINT,
        )


def check_diff_id(what: str, actual: Digest | None, expected: object, warnings: list[str]) -> None:
    """The layer ``what`` read (uncompressed) hashes to ``actual``; the config says
    ``expected``."""
    if actual is None or not isinstance(expected, str):
        return
    if not _comparable(expected, actual, what, warnings):
        return
    if actual != expected:
        raise DigestMismatchError(
            f"digest mismatch: {what} has diff ID {actual}, but the image config says "
            f"{display(expected)}",
            hint=_HINT,
        )


def check_document(what: str, data: bytes, digest: str | None, size: object) -> None:
    """A manifest, index or config read whole, against the digest and size that name it."""
    check_size(what, len(data), size)
    algorithm = algorithm_of(digest) if digest else None
    if digest is None or algorithm is None:
        return
    actual = f"{algorithm}:{small_hash(algorithm, data).hexdigest()}"
    if actual != digest:
        raise DigestMismatchError(
            f"digest mismatch: {what} hashes to {actual}, not to {display(digest)}",
            hint=_HINT,
        )
