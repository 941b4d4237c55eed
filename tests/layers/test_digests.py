"""Digests computed while a stream is read, in this thread or in a second one."""

from __future__ import annotations

import hashlib
import io
import threading

import pytest

from auger.layers.digests import DigestingReader, algorithm_of

DATA = bytes(range(256)) * 40_000  # 10 MB


@pytest.mark.parametrize("background", [False, True], ids=["inline", "background"])
@pytest.mark.parametrize("how", ["read", "readinto", "drain"])
def test_the_digest_is_of_every_byte_read(background: bool, how: str) -> None:
    with DigestingReader(io.BytesIO(DATA), background=background) as reader:
        if how == "read":
            while reader.read(65536):
                pass
        elif how == "readinto":
            buffer = bytearray(100_000)
            while reader.readinto(memoryview(buffer)):
                pass
        else:
            reader.read(10)
            reader.drain()
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
