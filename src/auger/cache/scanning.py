"""The scanner the pipeline hands to sources: it digests each layer as it scans it, and keeps
the scan in the layer cache under the digest it computed.

The key is the digest of the bytes actually read, never the diff ID an image config claims, so
a wrong or hostile config cannot store a scan under another layer's name. Sources compare the
digest (:attr:`~auger.model.LayerScan.diff_id`) with the config and the manifest.

A large layer whose bytes lie in a file on disk is hashed by a helper process, from the file,
beside the scan (see :mod:`auger.layers.digests`). When the config names the layer's diff ID,
the scan need not wait for that hash: it carries the claimed diff ID at once, and a
:class:`Settlement` holds the comparison of the claim with the digest, and the keeping in the
cache, until the pipeline settles it after the analysis and before anything is reported. The
analysis of a large layer thus runs while its last bytes are hashed.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

from auger.cache.store import LayerCache, StagedScan
from auger.layers.digests import DigestingReader
from auger.model import Digest, LayerRef, LayerScan, Readable
from auger.sources.interface import LayerScanner, ScanCache
from auger.sources.verification import check_diff_id


class _Pending(NamedTuple):
    digesting: DigestingReader
    ref: LayerRef
    claimed: Digest
    scan: LayerScan
    staged: StagedScan | None
    """The scan, already written to the cache under a temporary name (while its encoding's
    memory was free, not at the analysis's peak), to keep if the claim holds."""


class Settlement:
    """Layers whose digests were still being computed when their scans were handed on."""

    def __init__(self, cache: ScanCache | None) -> None:
        self._cache = cache
        self._pending: list[_Pending] = []
        self._lock = threading.Lock()

    def defer(
        self, digesting: DigestingReader, ref: LayerRef, claimed: Digest, scan: LayerScan
    ) -> None:
        cache = self._cache
        staged = cache.stage(claimed, scan) if isinstance(cache, LayerCache) else None
        with self._lock:
            self._pending.append(_Pending(digesting, ref, claimed, scan, staged))

    def settle(self) -> None:
        """Wait for every digest, keep each scan in the cache under it, and check it against
        the diff ID the scan carries (:class:`~auger.sources.interface.DigestMismatchError`
        for the first that differs, in layer order)."""
        with self._lock:
            pending, self._pending = self._pending, []
        try:
            settled = []
            for item in pending:  # every scan is kept under the digest of its bytes, first
                actual = item.digesting.digest()
                if item.staged is not None and actual == item.claimed:
                    item.staged.commit()
                elif self._cache is not None:
                    self._cache.put(actual, item.scan._replace(diff_id=actual))
                settled.append((item, actual))
            for item, actual in settled:
                check_diff_id(item.ref.label, actual, item.claimed, [])
        finally:
            _release(pending)

    def abandon(self) -> None:
        """Stop waiting for any digest still outstanding (after an error elsewhere)."""
        with self._lock:
            pending, self._pending = self._pending, []
        _release(pending)


def _release(pending: list[_Pending]) -> None:
    """Stop what is left of each helper and throw away each record not kept (nothing is left
    of one settled)."""
    for item in pending:
        item.digesting.cancel()
        if item.staged is not None:
            item.staged.discard()


def digesting_scanner(
    scan: LayerScanner,
    cache: ScanCache | None,
    *,
    background: bool = False,
    settlement: Settlement | None = None,
) -> LayerScanner:
    """``scan``, also computing each layer's diff ID and storing the scan in ``cache``.

    The whole stream is read, up to its end, even past the tar's end-of-archive marker: the
    diff ID covers every byte. ``background`` hashes in a second thread: off by default, as on a
    busy two-processor machine it measured 1.3 times slower than hashing inline, for 17 % more
    CPU (``scripts/bench_cache.py`` shows the cost of verification as a whole). A layer hashed
    from its file, whose diff ID the config claims, is left to ``settlement`` when one is given.
    """

    def scan_and_keep(stream: Readable, ref: LayerRef) -> LayerScan:
        with DigestingReader(stream, background=background, stream_helper=True) as digesting:
            result = scan(digesting, ref)
            claimed = ref.diff_id
            if (
                settlement is not None
                and digesting.from_file
                and claimed is not None
                and claimed.partition(":")[0] == digesting.algorithm
                and ref.digest in (None, claimed)  # else a message could name the wrong digest
            ):
                result = result._replace(diff_id=claimed)
                settlement.defer(digesting, ref, claimed, result)
                return result
            digesting.drain()
            diff_id = digesting.digest()
        result = result._replace(diff_id=diff_id)
        if cache is not None:
            cache.put(diff_id, result)
        return result

    return scan_and_keep
