"""The cache directory: records written atomically, damage ignored, LRU eviction to the cap."""

from __future__ import annotations

import os
import time
from pathlib import Path

from auger.cache import records
from auger.cache.store import LAYERS, RECENT, STALE_TEMPORARY, LayerCache
from auger.model import Digest, Entry, EntryKind, LayerScan


def digest(number: int) -> Digest:
    return Digest(f"sha256:{number:064x}")


def scan(files: int, seed: int = 0) -> LayerScan:
    entries = tuple(
        Entry(
            f"dir/file{seed}-{index}", EntryKind.FILE, index, 0o644, 0, 0, "", index * 7919 + seed
        )
        for index in range(files)
    )
    return LayerScan(entries, sum(range(files)))


def record_path(cache: LayerCache, diff_id: Digest) -> Path:
    algorithm, _, encoded = diff_id.partition(":")
    return cache.root / LAYERS / f"{algorithm}-{encoded}.{records.TAG}"


def fresh(cache: LayerCache) -> LayerCache:
    """The same directory as another process sees it (nothing in memory)."""
    return LayerCache(cache.root, cache.max_size)


def test_a_scan_put_is_got_back_with_its_diff_id(tmp_path: Path) -> None:
    cache = LayerCache(tmp_path / "cache")
    assert cache.get(digest(1)) is None
    cache.put(digest(1), scan(10))
    assert cache.get(digest(1)) is not None
    found = fresh(cache).get(digest(1))
    assert found is not None
    assert found.entries == scan(10).entries
    assert found.diff_id == digest(1)
    assert cache.get(digest(2)) is None
    assert (cache.root / "CACHEDIR.TAG").read_bytes().startswith(b"Signature: 8a477f59")
    assert cache.problems == []


def test_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    cache = LayerCache(tmp_path)
    for number in range(5):
        cache.put(digest(number), scan(3, number))
        cache.put(digest(number), scan(3, number))  # rewritten over itself
    assert (
        sorted(path.name.startswith(".tmp-") for path in (tmp_path / LAYERS).iterdir())
        == [False] * 5
    )


def test_a_staged_scan_is_kept_only_once_committed(tmp_path: Path) -> None:
    """Staging writes the record at once under a temporary name; only commit names it."""
    cache = LayerCache(tmp_path)
    kept, dropped = cache.stage(digest(1), scan(4)), cache.stage(digest(2), scan(4, 2))
    assert kept is not None
    assert dropped is not None
    assert kept.temporary.is_file()
    assert fresh(cache).get(digest(1)) is None
    written = cache.written
    kept.commit()
    dropped.discard()
    kept.discard()  # after commit: nothing left to throw away
    found = fresh(cache).get(digest(1))
    assert found is not None
    assert found.entries == scan(4).entries
    assert fresh(cache).get(digest(2)) is None
    assert cache.written > written
    assert [path.name for path in (tmp_path / LAYERS).iterdir()] == [
        record_path(cache, digest(1)).name
    ]


def test_a_damaged_record_counts_as_missing(tmp_path: Path) -> None:
    cache = LayerCache(tmp_path)
    cache.put(digest(1), scan(50))
    path = record_path(cache, digest(1))
    good = path.read_bytes()
    for damaged in (good[:-1], good[: len(good) // 2], good[:10], b"", good[:-8] + b"\0" * 8):
        path.write_bytes(damaged)
        assert fresh(cache).get(digest(1)) is None
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 1
    path.write_bytes(bytes(flipped))
    assert fresh(cache).get(digest(1)) is None
    cache.put(digest(1), scan(50))  # the next scan writes it again
    assert fresh(cache).get(digest(1)) is not None


def test_a_record_copied_under_another_name_is_refused(tmp_path: Path) -> None:
    cache = LayerCache(tmp_path)
    cache.put(digest(1), scan(5))
    record_path(cache, digest(2)).write_bytes(record_path(cache, digest(1)).read_bytes())
    assert fresh(cache).get(digest(2)) is None


def test_malformed_digests_are_neither_stored_nor_looked_up(tmp_path: Path) -> None:
    cache = LayerCache(tmp_path)
    for bad in ("sha256", "sha256:../../x", "../x:abc", "sha256:ab/cd", ""):
        cache.put(Digest(bad), scan(1))
        assert cache.get(Digest(bad)) is None
    assert not (tmp_path / LAYERS).exists()


def test_documents_come_back_intact_or_not_at_all(tmp_path: Path) -> None:
    cache = LayerCache(tmp_path)
    cache.put_document("docker-image-sha256-abc", b'{"a": 1}')
    assert cache.get_document("docker-image-sha256-abc") == b'{"a": 1}'
    assert cache.get_document("other") is None
    path = tmp_path / "documents" / "docker-image-sha256-abc"
    path.write_bytes(path.read_bytes()[:-1] + b"2")
    assert cache.get_document("docker-image-sha256-abc") is None
    for bad in ("../x", ".hidden", "a/b", ""):
        cache.put_document(bad, b"x")
        assert cache.get_document(bad) is None


def test_an_unusable_directory_is_an_empty_cache_that_says_why(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = LayerCache(blocker / "cache")
    cache.put(digest(1), scan(1))
    assert fresh(cache).get(digest(1)) is None
    assert fresh(cache).problems == []  # a directory that does not exist is just empty
    assert any("cannot write: Not a directory" in problem for problem in cache.problems)
    assert len(cache.problems) == len(set(cache.problems)) <= 2  # each cause said once


# -- eviction -------------------------------------------------------------------------------------


def age(path: Path, seconds: float) -> None:
    when = time.time() - seconds
    os.utime(path, (when, when))


def test_trimming_keeps_the_cap_and_the_most_recently_used(tmp_path: Path) -> None:
    cache = LayerCache(tmp_path)
    for number in range(10):
        cache.put(digest(number), scan(200, number))
        age(record_path(cache, digest(number)), 10_000 - number * 100)  # 9 is the newest
    one = record_path(cache, digest(0)).stat().st_size
    cache = fresh(cache)
    assert cache.get(digest(0)) is not None  # read now: the most recently used
    cache.max_size = 5 * one
    removed = cache.trim()
    assert removed > 0
    kept = {number for number in range(10) if record_path(cache, digest(number)).exists()}
    assert cache.usage().bytes <= 5 * one
    assert 0 in kept
    assert 3 <= len(kept) <= 5
    assert kept - {0} == set(range(10 - len(kept) + 1, 10))  # the newest, as used


def test_reading_refreshes_only_stale_use_times(tmp_path: Path) -> None:
    cache = LayerCache(tmp_path)
    cache.put(digest(1), scan(3))
    path = record_path(cache, digest(1))
    age(path, 30)
    before = path.stat().st_mtime
    fresh(cache).get(digest(1))
    assert path.stat().st_mtime == before  # read a moment ago: not worth a write
    age(path, 3600)
    fresh(cache).get(digest(1))
    assert time.time() - path.stat().st_mtime < 60


def test_old_leftovers_go_and_fresh_ones_stay(tmp_path: Path) -> None:
    cache = LayerCache(tmp_path)
    cache.put(digest(1), scan(3))
    old = tmp_path / LAYERS / ".tmp-1-dead"
    busy = tmp_path / LAYERS / ".tmp-2-busy"
    old.write_bytes(b"x" * 100)
    busy.write_bytes(b"y" * 100)
    age(old, STALE_TEMPORARY + 10)
    cache.trim()
    assert not old.exists()
    assert busy.exists()
    assert fresh(cache).get(digest(1)) is not None


def test_records_of_other_versions_age_out_or_are_pruned(tmp_path: Path) -> None:
    cache = LayerCache(tmp_path)
    cache.put(digest(1), scan(3))
    foreign = tmp_path / LAYERS / f"sha256-{'0' * 64}.0.0.0"
    foreign.write_bytes(b"an older auger's record")
    usage = cache.usage()
    assert (usage.layers, usage.stale) == (1, 1)
    cache.trim()
    assert foreign.exists()  # another auger may share the directory
    cache.trim(stale=True)
    assert not foreign.exists()
    assert fresh(cache).get(digest(1)) is not None


def test_clear_removes_everything(tmp_path: Path) -> None:
    cache = LayerCache(tmp_path)
    for number in range(3):
        cache.put(digest(number), scan(3, number))
    cache.put_document("doc", b"{}")
    assert cache.clear() > 0
    assert cache.usage().bytes == 0
    assert cache.get(digest(0)) is None


def test_recent_scans_are_kept_in_memory_up_to_a_bound(tmp_path: Path) -> None:
    cache = LayerCache(tmp_path)
    for number in range(RECENT + 4):
        cache.put(digest(number), scan(2, number))
    for path in (tmp_path / LAYERS).iterdir():
        path.unlink()
    found = [cache.get(digest(number)) is not None for number in range(RECENT + 4)]
    assert found == [False] * 4 + [True] * RECENT
