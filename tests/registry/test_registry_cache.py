"""The registry source and the layer cache, on a real registry: a second read downloads no
layer blob, the next build downloads only its new layers, and every downloaded layer is checked
against the config's diff ID."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from auger.testing.images import (
    config_json,
    docker_archive,
    oci_layout,
    sha256,
    write_directory,
)
from tests.registry.conftest import small_image
from tests.registry_support import Registry
from tests.support import NO_ENGINE, run_cli


def layer_fetches(registry: Registry, repository: str, since: int, layers: set[str]) -> set[str]:
    return {d for d, _ in registry.blob_fetches(repository)[since:] if d in layers}


def layer_digests(export: Path) -> list[str]:
    document = json.loads(export.read_text())
    return [layer["digest"] for layer in document["auger"]["layers"]]


def test_a_second_read_downloads_no_layer_blob(
    open_registry: Registry, small_archive: Path, tmp_path: Path
) -> None:
    reference = open_registry.push(f"docker-archive:{small_archive}", "cache/app:1")
    environ = {**NO_ENGINE, "AUGER_CACHE_DIR": str(tmp_path / "cache")}
    exports = []
    fetched = []
    for run in ("cold", "warm"):
        before = len(open_registry.blob_fetches("cache/app"))
        out = tmp_path / f"{run}.json"
        result = run_cli([reference, "--json", str(out)], environ)
        assert result.code == 0, result.stderr
        exports.append(out.read_text())
        fetched.append(layer_fetches(open_registry, "cache/app", before, set(layer_digests(out))))
    assert len(fetched[0]) == 3
    assert fetched[1] == set()
    assert exports[0] == exports[1]
    plain = tmp_path / "plain.json"
    assert run_cli([reference, "--json", str(plain), "--no-cache"], environ).code == 0
    assert plain.read_text() == exports[0]


def test_the_next_build_downloads_only_its_new_layer(
    open_registry: Registry, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.tar", tmp_path / "second.tar"
    first.write_bytes(docker_archive(small_image("app:1", "one")))
    second.write_bytes(docker_archive(small_image("app:2", "two")))  # the middle layer differs
    environ = {**NO_ENGINE, "AUGER_CACHE_DIR": str(tmp_path / "cache")}
    assert run_cli([open_registry.push(f"docker-archive:{first}", "next/app:1")], environ).code == 0
    reference = open_registry.push(f"docker-archive:{second}", "next/app:2")
    before = len(open_registry.blob_fetches("next/app"))
    out = tmp_path / "next.json"
    assert run_cli([reference, "--json", str(out)], environ).code == 0
    digests = layer_digests(out)
    assert layer_fetches(open_registry, "next/app", before, set(digests)) == {digests[1]}


def test_a_config_that_lies_about_a_diff_id_fails(open_registry: Registry, tmp_path: Path) -> None:
    """Blobs and manifest are consistent, but the config names other contents for a layer."""
    image = small_image("liar:1")
    rootfs = json.loads(config_json(image))["rootfs"]
    rootfs["diff_ids"][1] = sha256(b"something else")
    lying = dataclasses.replace(image, extra_config={"rootfs": rootfs})
    layout = write_directory(oci_layout([lying], "gzip"), tmp_path / "layout")
    reference = open_registry.push(f"oci:{layout}:1", "liar/app:1")
    environ = {**NO_ENGINE, "AUGER_CACHE_DIR": str(tmp_path / "cache")}
    result = run_cli([reference, "--json", str(tmp_path / "never.json")], environ)
    assert result.code == 3, result.stderr
    assert result.stderr.startswith("auger: error: digest mismatch: layer 1"), result.stderr
    assert not (tmp_path / "never.json").exists()
    assert run_cli([reference, "--no-verify"], environ).code == 0
