"""``auger fleet`` on images of the real Docker Engine: a base and two images built on it, read
through the engine, against the layers ``docker save`` gives for each, counted independently."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from pathlib import Path
from typing import Any

import pytest

from tests.engine_support import BUSYBOX_PREAMBLE, Engine
from tests.fleet.support import layer_size
from tests.support import run_cli

pytestmark = pytest.mark.engine


def saved_layers(engine: Engine, tag: str, directory: Path) -> list[tuple[str, int]]:
    """(diff ID, content bytes) of each layer of ``tag``, from its ``docker save`` tarball."""
    archive = engine.save(tag, directory / f"{hashlib.sha256(tag.encode()).hexdigest()}.tar")
    with tarfile.open(archive) as saved:
        manifest = json.load(saved.extractfile("manifest.json"))  # type: ignore[arg-type]
        layers = []
        for name in manifest[0]["Layers"]:
            member = saved.extractfile(name)
            assert member is not None
            data = member.read()
            tar = data if data[257:262] == b"ustar" else _inflate(data)
            layers.append(("sha256:" + hashlib.sha256(tar).hexdigest(), layer_size(tar)))
    return layers


def _inflate(data: bytes) -> bytes:
    import gzip  # noqa: PLC0415 - only a compressed save needs it

    return gzip.decompress(data)


def test_a_fleet_of_engine_images_counts_a_shared_base_once(
    engine: Engine, busybox: Path, tmp_path: Path
) -> None:
    base = engine.build(
        tmp_path / "base",
        BUSYBOX_PREAMBLE + "COPY lib.bin /usr/lib/lib.bin\n",
        {"lib.bin": bytes(range(256)) * 200},
        busybox,
    )
    apps = [
        engine.build(
            tmp_path / name,
            f"FROM {base}\nCOPY {name}.bin /app/{name}.bin\nRUN rm /usr/lib/lib.bin\n",
            {f"{name}.bin": name.encode() * 3000},
        )
        for name in ("api", "web")
    ]
    tags = [base, *apps]
    environ = {**os.environ, "AUGER_CACHE_DIR": str(tmp_path / "cache"), "CI": ""}
    references = [f"docker://{tag}" for tag in tags]
    result = run_cli(["fleet", *references, "--format", "json", "-q"], environ)
    assert result.code == 0, result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)
    layers = {tag: saved_layers(engine, tag, tmp_path) for tag in tags}
    sizes = {key: size for found in layers.values() for key, size in found}
    carried: dict[str, int] = {}
    for found in layers.values():
        for key in {key for key, _ in found}:
            carried[key] = carried.get(key, 0) + 1
    assert summary["images"] == 3
    assert summary["size_bytes"] == sum(size for found in layers.values() for _, size in found)
    assert summary["unique_bytes"] == sum(sizes.values())
    assert summary["size_bytes"] > summary["unique_bytes"]
    assert {layer["diff_id"]: layer["images"] for layer in summary["layers"]} == carried
    assert max(carried.values()) == 3  # the busybox and lib layers of the base
    (shared,) = [base for base in summary["shared_bases"] if base["images"] == 3]
    assert shared["refs"] == sorted(references)
    wasters = {waster["reference"]: waster for waster in summary["biggest_wasters"]}
    assert set(wasters) == {f"docker://{app}" for app in apps}  # each deleted the library
    assert all(waster["wasted_bytes"] == 256 * 200 for waster in wasters.values())
    again = run_cli(["fleet", *references, "--format", "json", "-q"], environ)
    assert again.code == 0, again.stderr
    assert json.loads(again.stdout) == summary


def test_an_engine_image_that_is_not_there_is_an_error_record(
    engine: Engine, busybox: Path, tmp_path: Path
) -> None:
    present = engine.build(tmp_path / "one", BUSYBOX_PREAMBLE, {}, busybox)
    environ = {**os.environ, "AUGER_CACHE_DIR": str(tmp_path / "cache"), "CI": ""}
    out = tmp_path / "records.jsonl"
    missing = "docker://auger-test-never-built:1"
    result = run_cli(["fleet", f"docker://{present}", missing, "--jsonl", str(out)], environ)
    assert result.code == 3
    records = [json.loads(line) for line in io.StringIO(out.read_text())]
    kinds = {record.get("reference"): record["kind"] for record in records[1:]}
    assert kinds == {f"docker://{present}": "image", missing: "error"}
    assert "auger fleet: 1 image, 1 unreadable" in result.stdout
