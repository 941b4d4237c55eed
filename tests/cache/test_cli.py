"""``auger cache info|prune|clear``."""

from __future__ import annotations

import os
import time
from pathlib import Path

from auger.testing.images import ImageSpec, LayerSpec, docker_archive, file, layer_tar
from tests.support import NO_ENGINE, run_cli


def fill(tmp_path: Path, environ: dict[str, str], layers: int) -> Path:
    image = ImageSpec([LayerSpec(layer_tar([file(f"f{n}", 100 * n)])) for n in range(layers)])
    archive = tmp_path / "image.tar"
    archive.write_bytes(docker_archive(image))
    assert run_cli([str(archive)], environ).code == 0
    return tmp_path / "cache" / "layers"


def test_info_says_where_and_how_much(tmp_path: Path) -> None:
    environ = {**NO_ENGINE, "AUGER_CACHE_DIR": str(tmp_path / "cache")}
    empty = run_cli(["cache", "info"], environ)
    assert empty.code == 0
    assert f"directory:      {tmp_path / 'cache'}" in empty.stdout
    assert "layer scans:    0" in empty.stdout
    fill(tmp_path, environ, 3)
    result = run_cli(["cache", "info"], environ)
    assert "layer scans:    3" in result.stdout
    assert "of 2.1 GB" in result.stdout
    other = run_cli(["cache", "info", "--cache-dir", str(tmp_path / "other")], environ)
    assert "layer scans:    0" in other.stdout


def test_prune_removes_the_least_recently_used_down_to_a_size(tmp_path: Path) -> None:
    environ = {**NO_ENGINE, "AUGER_CACHE_DIR": str(tmp_path / "cache")}
    layers = fill(tmp_path, environ, 4)
    records = sorted(layers.iterdir())
    for age, record in enumerate(records):
        when = time.time() - 1000 * (age + 1)
        os.utime(record, (when, when))
    one = max(record.stat().st_size for record in records)
    (layers / "sha256-0.0.0.0").write_bytes(b"from another version")
    result = run_cli(["cache", "prune", "--max-size", str(2 * one)], environ)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("removed ")
    assert sorted(layers.iterdir()) == records[:1]  # the most recent only fits 90 % of 2
    assert run_cli(["cache", "prune", "--max-size", "a lot"], environ).code == 2


def test_clear_empties_the_cache(tmp_path: Path) -> None:
    environ = {**NO_ENGINE, "AUGER_CACHE_DIR": str(tmp_path / "cache")}
    layers = fill(tmp_path, environ, 2)
    result = run_cli(["cache", "clear"], environ)
    assert result.code == 0
    assert list(layers.iterdir()) == []
    assert "layer scans:    0" in run_cli(["cache", "info"], environ).stdout


def test_usage(tmp_path: Path) -> None:
    assert run_cli(["cache"]).code == 2
    assert run_cli(["cache", "nonsense"]).code == 2
    helped = run_cli(["cache", "--help"])
    assert helped.code == 0
    assert "info" in helped.stdout and "prune" in helped.stdout
    assert "cache" in run_cli(["--help"]).stdout
