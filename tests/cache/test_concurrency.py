"""Eight processes on one cache at once, cold and warm, while it evicts: identical results."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

from auger.cache import records
from auger.cache.store import LAYERS, LayerCache
from auger.model import Digest
from auger.testing.images import ImageSpec, LayerSpec, directory, docker_archive, file, layer_tar

PROCESSES = 8


def image() -> ImageSpec:
    layers = []
    for number in range(4):
        entries = [directory(f"d{number}")]
        entries += [file(f"d{number}/f{index}", 100 + index % 900) for index in range(1500)]
        layers.append(LayerSpec(layer_tar(entries), f"/bin/sh -c layer {number}"))
    return ImageSpec(layers)


def run_all(references: list[str], out: Path, environ: dict[str, str]) -> list[str]:
    """Start every analysis at once; return their JSON exports."""
    out.mkdir()
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "auger", reference, "--json", str(out / f"{number}.json")],
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for number, reference in enumerate(references)
    ]
    for process in running:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr.decode()
        assert b"warning" not in stderr, stderr.decode()
    return [(out / f"{number}.json").read_text() for number in range(len(references))]


def test_eight_processes_share_one_cache(tmp_path: Path) -> None:
    plain = tmp_path / "image.tar"
    plain.write_bytes(docker_archive(image()))
    streamed = tmp_path / "image.tar.gz"
    streamed.write_bytes(gzip.compress(docker_archive(image(), layout="oci"), 1))
    references = [str(plain), str(streamed)] * (PROCESSES // 2)
    cache = tmp_path / "cache"
    environ = {**os.environ, "AUGER_CACHE_DIR": str(cache), "CI": ""}
    expected = run_all([str(plain)], tmp_path / "alone", {**environ, "AUGER_CACHE_DIR": ""})[0]
    for round_ in ("cold", "warm"):
        exports = run_all(references, tmp_path / round_, environ)
        assert exports[0::2] == [expected] * (PROCESSES // 2), round_
        assert len(set(exports[1::2])) == 1, round_
    files = sorted((cache / LAYERS).iterdir())
    assert len(files) == 4
    assert all(path.name.endswith(records.TAG) for path in files)  # no temporary file left
    for path in files:
        algorithm, _, rest = path.name.partition("-")
        assert LayerCache(cache).get(Digest(f"{algorithm}:{rest.split('.')[0]}")) is not None
    # and, from cold again, while processes evict records others are about to read
    one = max(path.stat().st_size for path in files)
    LayerCache(cache).clear()
    squeezed = {**environ, "AUGER_CACHE_MAX_SIZE": str(2 * one)}
    exports = run_all(references, tmp_path / "evicting", squeezed)
    assert exports[0::2] == [expected] * (PROCESSES // 2)
    assert sum(path.stat().st_size for path in (cache / LAYERS).iterdir()) <= 2 * one
