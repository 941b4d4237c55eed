"""Small data is hashed by CPython's own SHA-2, and a run over an archive never loads OpenSSL
unless a layer is too large for that and too small for a helper."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auger import hashes
from auger.testing.images import ImageSpec, LayerSpec, docker_archive, file, layer_tar


@pytest.mark.parametrize("algorithm", ["sha256", "sha384", "sha512"])
def test_small_hashes_are_the_standard_digests(algorithm: str) -> None:
    data = bytes(range(256)) * 1000
    assert (
        hashes.small_hash(algorithm, data).hexdigest() == hashlib.new(algorithm, data).hexdigest()
    )
    grown = hashes.small_hash(algorithm)
    grown.update(data[:1000])
    grown.update(data[1000:])
    assert grown.digest() == hashlib.new(algorithm, data).digest()
    assert hashes.sha256(data) == hashlib.sha256(data).digest()


def test_an_unknown_algorithm_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        hashes.small_hash("sha3_999")


def openssl_loaded_after_analysing(archive: Path, *flags: str, helper_min: int) -> bool:
    program = (
        "import sys\n"
        "from auger.layers import digests\n"
        f"digests.HELPER_MIN = {helper_min}\n"
        "from auger.pipeline import AnalyzeOptions, analyze\n"
        f"analyze(sys.argv[1], AnalyzeOptions(verify={'--no-verify' not in flags}))\n"
        "print('_hashlib' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, str(archive)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "AUGER_CACHE_DIR": str(archive.parent / "cache")},
    )
    return done.stdout.strip() == "True"


def test_a_verified_run_of_small_and_large_layers_never_loads_openssl(tmp_path: Path) -> None:
    small = LayerSpec(layer_tar([file("etc/small", 1000)]))
    large = LayerSpec(layer_tar([file(f"usr/lib/f{index}", 100_000) for index in range(60)]))
    archive = tmp_path / "image.tar"
    archive.write_bytes(docker_archive(ImageSpec([small, large])))
    assert len(large.tar) > hashes.SMALL
    # the large layer hashed by a helper, the small one here with CPython's own code
    assert not openssl_loaded_after_analysing(archive, helper_min=hashes.SMALL + 1)
    assert not openssl_loaded_after_analysing(archive, "--no-verify", helper_min=1 << 40)
    # a layer too large for CPython's code and too small for a helper: hashed with OpenSSL
    assert openssl_loaded_after_analysing(archive, helper_min=1 << 40)
