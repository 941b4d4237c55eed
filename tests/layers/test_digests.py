"""Digests computed while a stream is read, in this thread or in a second one."""

from __future__ import annotations

import hashlib
import io
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from auger import parallel
from auger.layers import digests
from auger.layers.digests import DigestingReader, algorithm_of
from auger.sources.streams import PositionedReader, Window

DATA = bytes(range(256)) * 40_000  # 10 MB


def _consume(reader: DigestingReader, how: str) -> None:
    """Read ``reader`` to its end by ``read``, ``readinto`` or ``drain`` (after a first read)."""
    assert reader.read(10) == DATA[:10]
    if how == "read":
        while reader.read(65536):
            pass
    elif how == "readinto":
        buffer = bytearray(100_000)
        while reader.readinto(memoryview(buffer)):
            pass
    else:
        reader.drain()


@pytest.mark.parametrize("background", [False, True], ids=["inline", "background"])
@pytest.mark.parametrize("how", ["read", "readinto", "drain"])
def test_the_digest_is_of_every_byte_read(background: bool, how: str) -> None:
    with DigestingReader(io.BytesIO(DATA), background=background) as reader:
        _consume(reader, how)
        assert reader.digest() == "sha256:" + hashlib.sha256(DATA).hexdigest()
        assert reader.position == len(DATA)


def test_the_background_hasher_stops_when_the_reader_stops() -> None:
    before = threading.active_count()
    with DigestingReader(io.BytesIO(DATA), background=True) as reader:
        reader.read(1000)
        assert threading.active_count() == before + 1
    assert threading.active_count() == before


def test_a_digest_covers_only_what_was_read() -> None:
    reader = DigestingReader(io.BytesIO(DATA), "sha512")
    reader.read(1000)
    assert reader.digest() == "sha512:" + hashlib.sha512(DATA[:1000]).hexdigest()


def test_algorithms() -> None:
    assert algorithm_of("sha256:abc") == "sha256"
    assert algorithm_of("sha512:abc") == "sha512"
    assert algorithm_of("md5:abc") is None
    assert algorithm_of("sha256:") is None
    assert algorithm_of("abc") is None


def _file_with(tmp_path: Path, data: bytes) -> int:
    path = tmp_path / "blob"
    path.write_bytes(b"HEAD" + data + b"TAIL")
    return os.open(path, os.O_RDONLY)


@contextmanager
def _blob_in_a_file(tmp_path: Path, length: int = len(DATA)) -> Iterator[Window]:
    """``DATA`` as the blob between ``HEAD`` and ``TAIL`` of a file, ``length`` bytes long."""
    descriptor = _file_with(tmp_path, DATA)
    try:
        yield Window(PositionedReader(descriptor, 4), length)
    finally:
        os.close(descriptor)


@pytest.fixture
def helpers_for_every_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digests, "HELPER_MIN", 0)


@pytest.mark.usefixtures("helpers_for_every_range")
def test_a_range_of_a_file_is_hashed_by_a_helper(tmp_path: Path) -> None:
    with _blob_in_a_file(tmp_path) as window, DigestingReader(window) as reader:
        assert reader.from_file
        head = reader.read(512)  # what the scanner reads passes through unhashed
        assert head == DATA[:512]
        assert reader.digest() == "sha256:" + hashlib.sha256(DATA).hexdigest()


@pytest.mark.usefixtures("helpers_for_every_range")
def test_a_range_that_runs_past_the_file_hashes_what_is_there(tmp_path: Path) -> None:
    with _blob_in_a_file(tmp_path, len(DATA) + 100) as window, DigestingReader(window) as reader:
        assert reader.digest() == "sha256:" + hashlib.sha256(DATA + b"TAIL").hexdigest()


@pytest.mark.usefixtures("helpers_for_every_range")
@pytest.mark.parametrize("failure", ["no interpreter", "frozen", "helper fails"])
def test_a_helper_that_cannot_hash_leaves_it_to_this_process(
    failure: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if failure == "no interpreter":
        monkeypatch.setattr(sys, "executable", str(tmp_path / "missing-python"))
    elif failure == "frozen":  # a bundled app: its executable would not run the helper
        monkeypatch.setattr(sys, "frozen", True, raising=False)
    else:
        monkeypatch.setattr(parallel, "_HASHER", "import sys; sys.stdout.write('zz'); sys.exit(3)")
    with _blob_in_a_file(tmp_path) as window, DigestingReader(window) as reader:
        assert reader.from_file is (failure == "helper fails")
        while reader.read(1 << 20):
            pass
        assert reader.digest() == "sha256:" + hashlib.sha256(DATA).hexdigest()


@pytest.mark.usefixtures("helpers_for_every_range")
def test_a_helper_outlives_the_file_being_closed(tmp_path: Path) -> None:
    """The digest is asked for after the store closed its file (as the pipeline settles)."""
    descriptor = _file_with(tmp_path, DATA)
    window = Window(PositionedReader(descriptor, 4), len(DATA))
    reader = DigestingReader(window)
    os.close(descriptor)
    assert reader.digest() == "sha256:" + hashlib.sha256(DATA).hexdigest()


def test_a_cancelled_helper_is_stopped_and_reaped() -> None:
    zero = os.open("/dev/zero", os.O_RDONLY)
    try:
        helper = parallel.RangeDigest.start(zero, 0, 1 << 50, "sha256")  # would take hours
        assert helper is not None
        pid = helper._pid
        assert pid is not None
        helper.cancel()
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    finally:
        os.close(zero)


def _stream(data: bytes = DATA) -> Window:
    """``data`` as a blob that lies in no file (as an engine's ``save`` gives it)."""
    return Window(io.BytesIO(data), len(data))


@pytest.mark.usefixtures("helpers_for_every_range")
@pytest.mark.parametrize("how", ["read", "readinto", "drain"])
def test_a_stream_in_no_file_is_hashed_by_a_helper_it_is_fed_to(how: str) -> None:
    with DigestingReader(_stream(), stream_helper=True) as reader:
        assert not reader.from_file  # the reader reads every byte: the helper sees them pass
        _consume(reader, how)
        expected = "sha256:" + hashlib.sha256(DATA).hexdigest()
        assert reader.digest() == expected
        assert reader.digest() == expected  # asked again


@pytest.mark.usefixtures("helpers_for_every_range")
def test_a_stream_helper_that_fails_is_an_error_not_a_wrong_digest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parallel, "_STREAM_HASHER", "import sys; sys.exit(3)")
    with DigestingReader(_stream(), stream_helper=True) as reader:
        reader.drain()
        with pytest.raises(digests.DigestHelperError):
            reader.digest()


@pytest.mark.usefixtures("helpers_for_every_range")
def test_a_stream_helper_that_cannot_start_leaves_it_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "missing-python"))
    with DigestingReader(_stream(), stream_helper=True) as reader:
        reader.drain()
        assert reader.digest() == "sha256:" + hashlib.sha256(DATA).hexdigest()


def test_a_cancelled_stream_helper_is_stopped_and_reaped() -> None:
    helper = parallel.StreamDigest.start("sha256")
    assert helper is not None
    pid = helper._pid
    assert pid is not None
    helper.feed(DATA[:1000])
    helper.cancel()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_a_stream_helper_hashes_everything_fed_whatever_the_pieces() -> None:
    helper = parallel.StreamDigest.start("sha512")
    assert helper is not None
    for start in range(0, len(DATA), 3_000_001):  # pieces larger than the pipe's buffer
        helper.feed(memoryview(DATA)[start : start + 3_000_001])
    assert helper.result() == hashlib.sha512(DATA).hexdigest()
