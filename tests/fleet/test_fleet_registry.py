"""``auger fleet`` against a real registry: tags listed through its API, the numbers against a
computation of their own, each shared layer downloaded once, the JSON of ``kubectl get pods``
as the fleet, and a tag that is gone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from auger.fleet.jsonl import parse_lines
from auger.fleet.records import ErrorRecord, ImageRecord
from auger.sources.registry.tags import next_path, repository_tags
from auger.testing.images import docker_archive
from tests.conftest import require
from tests.fleet.support import diff_id, expected_numbers, fleet_specs, write_oci_archive
from tests.registry_support import Registry, have_registry_tools
from tests.support import NO_ENGINE, run_cli

REPOSITORY = "team/svc"
SERVICES = ("api", "worker", "cron", "web", "admin")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """A registry holding the services as ``team/svc:NAME-1``, the API again as
    ``team/svc:api-latest``, and the lone image as ``team/svc:scratch``."""
    require(have_registry_tools(), "docker-registry and skopeo are not installed")
    root = tmp_path_factory.mktemp("fleet-registry")
    running = Registry(root / "registry").start()
    specs = fleet_specs()
    for name in SERVICES:
        archive = write_oci_archive(specs[name], root / f"{name}.oci.tar")
        running.push(archive.replace("oci-archive://", "oci-archive:"), f"{REPOSITORY}:{name}-1")
    running.push(f"oci-archive:{root / 'api.oci.tar'}", f"{REPOSITORY}:api-latest")
    lone = root / "lone.tar"
    lone.write_bytes(docker_archive(specs["lone"]))
    running.push(f"docker-archive:{lone}", f"{REPOSITORY}:scratch")
    yield running
    running.kill()


def fleet_of(argv: list[str], cache: Path) -> tuple[int, dict[str, Any], str]:
    result = run_cli(
        ["fleet", *argv, "--format", "json"], {**NO_ENGINE, "AUGER_CACHE_DIR": str(cache)}
    )
    data: dict[str, Any] = json.loads(result.stdout)
    return result.code, data, result.stderr


def layer_fetches(registry: Registry) -> list[str]:
    known = {
        diff_id(blob)
        for blob in (path.read_bytes() for path in registry.storage.rglob("data"))
        if blob[:2] == b"\x1f\x8b"  # the layers: every other blob is JSON
    }
    return [digest for digest, _ in registry.blob_fetches(REPOSITORY) if digest in known]


def test_tags_are_listed_through_the_api(registry: Registry) -> None:
    where, tags = repository_tags(f"{registry.host}/{REPOSITORY}", environ=NO_ENGINE, page=2)
    assert where.repository == REPOSITORY
    assert tags == sorted([f"{name}-1" for name in SERVICES] + ["api-latest", "scratch"])
    asked = [
        path
        for method, path, _ in registry.requests()
        if method == "GET" and path.startswith(f"/v2/{REPOSITORY}/tags/list")
    ]
    assert asked[-1] == f"/v2/{REPOSITORY}/tags/list?n=2"


def test_the_next_page_is_where_the_link_header_says() -> None:
    """(docker-registry 2.8 answers every tag at once; newer registries and Docker Hub page.)"""
    link = '</v2/team/svc/tags/list?n=2&last=b>; rel="next"'
    answer = httpx.Response(200, headers={"Link": link}, request=httpx.Request("GET", "http://h/"))
    assert next_path(answer) == "team/svc/tags/list?n=2&last=b"
    assert next_path(httpx.Response(200, request=answer.request)) is None
    elsewhere = httpx.Response(200, headers={"Link": '<https://h/other>; rel="next"'})
    assert next_path(elsewhere) is None


def test_a_missing_repository_is_one_error_line(registry: Registry, tmp_path: Path) -> None:
    result = run_cli(["fleet", "--from-registry", f"{registry.host}/team/none"])
    assert result.code == 3
    assert result.stderr.startswith(f"auger: error: repository {registry.host}/team/none not found")
    assert "Traceback" not in result.stderr
    named = run_cli(["fleet", "--from-registry", f"{registry.host}/{REPOSITORY}:api-1"])
    assert named.code == 2
    assert "names an image, not a repository" in named.stderr


def test_a_registry_repository_by_tag_glob_equals_the_archives(
    registry: Registry, tmp_path: Path
) -> None:
    specs = {name: fleet_specs()[name] for name in SERVICES}
    expected = expected_numbers(specs)
    before = len(layer_fetches(registry))
    code, summary, stderr = fleet_of(
        ["--from-registry", f"{registry.host}/{REPOSITORY}", "--tags", "*-1", "--tags", "*-latest"],
        tmp_path / "cache",
    )
    assert code == 0, stderr
    assert "fleet of 5 images" in stderr  # api-1 and api-latest are one image
    assert summary["images"] == 5
    assert summary["size_bytes"] == expected.size_bytes
    assert summary["unique_bytes"] == expected.unique_bytes
    assert summary["wasted_bytes"] == expected.wasted_bytes
    assert summary["compressed_size_bytes"] == expected.compressed_size_bytes
    assert summary["unique_compressed_bytes"] == expected.unique_compressed_bytes
    layers = {layer["diff_id"]: layer["images"] for layer in summary["layers"]}
    assert layers == expected.layer_images
    shared = [base["refs"] for base in summary["shared_bases"] if base["images"] == 3]
    assert shared == [
        [f"registry://{registry.host}/{REPOSITORY}:{n}-1" for n in ("api", "cron", "worker")]
    ]
    # every distinct layer was downloaded once, however many images carry it
    fetched = layer_fetches(registry)[before:]
    assert sorted(fetched) == sorted(set(fetched))
    assert len(fetched) == len(expected.layer_images)
    # and a second run over the same cache downloads none
    again = len(layer_fetches(registry))
    code, warm, stderr = fleet_of(
        ["--from-registry", f"{registry.host}/{REPOSITORY}", "--tags", "*-1", "-q"],
        tmp_path / "cache",
    )
    assert code == 0, stderr
    assert layer_fetches(registry)[again:] == []
    assert warm["unique_bytes"] == summary["unique_bytes"]


def pod(name: str, image: str, running: str | None) -> dict[str, Any]:
    status: dict[str, Any] = {"phase": "Running"}
    if running is not None:
        status["containerStatuses"] = [
            {"name": name, "image": image, "imageID": f"docker-pullable://{running}"}
        ]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"{name}-7d9f8", "namespace": "prod"},
        "spec": {"containers": [{"name": name, "image": image}]},
        "status": status,
    }


def test_what_runs_in_a_cluster_is_the_fleet(registry: Registry, tmp_path: Path) -> None:
    base = f"{registry.host}/{REPOSITORY}"
    head = run_cli(["fleet", f"registry://{base}:api-1", "--jsonl", str(tmp_path / "api.jsonl")])
    assert head.code == 0, head.stderr
    (api,) = [
        r
        for r in parse_lines(iter((tmp_path / "api.jsonl").read_text().splitlines()), "api")
        if isinstance(r, ImageRecord)
    ]
    assert api.digest is not None
    pods = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            pod("api", f"{base}:api-1", f"{base}@{api.digest}"),
            pod("api-canary", f"{base}:api-latest", f"{base}@{api.digest}"),
            pod("web", f"{base}:web-1", None),
            pod("gone", f"{base}:gone-1", None),
        ],
    }
    listing = tmp_path / "pods.json"
    listing.write_text(json.dumps(pods))
    out = tmp_path / "cluster.jsonl"
    code, summary, stderr = fleet_of(
        ["--from", str(listing), "--jsonl", str(out)], tmp_path / "cache"
    )
    assert code == 3, stderr
    assert (summary["images"], summary["unreadable"]) == (2, 1)
    records = list(parse_lines(iter(out.read_text().splitlines()), str(out)))
    images = {r.reference: r for r in records if isinstance(r, ImageRecord)}
    pinned = f"registry://{base}:api-1@{api.digest}"
    assert set(images) == {pinned, f"registry://{base}:web-1"}
    assert images[pinned].refs == (f"{base}:api-1", f"{base}:api-latest", pinned)
    assert images[pinned].digest == api.digest
    (gone,) = [r for r in records if isinstance(r, ErrorRecord)]
    assert gone.reference == f"registry://{base}:gone-1"
    assert gone.exit_code == 3
    assert gone.error == f"{base} has no tag gone-1"
