"""``auger fleet`` on archives built here: the summary against a computation of its own, shards
in parallel processes over one cache merged into the unsharded summary, a missing image, budgets,
lists and duplicates."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from auger.fleet.jsonl import parse_lines
from auger.fleet.records import ErrorRecord, ImageRecord, ShardHeader
from auger.testing.images import docker_archive
from tests.fleet.support import (
    DEBIAN,
    NODE,
    PYTHON,
    diff_id,
    expected_numbers,
    fleet_specs,
    layer_size,
    write_fleet,
)
from tests.support import NO_ENGINE, diagnostics_only, run_cli


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return write_fleet(tmp_path_factory.mktemp("fleet"), fleet_specs())


def cache_environ(path: Path) -> dict[str, str]:
    return {**NO_ENGINE, "AUGER_CACHE_DIR": str(path)}


def summary_of(argv: list[str], environ: dict[str, str]) -> dict[str, Any]:
    result = run_cli(["fleet", *argv, "--format", "json", "-q"], environ)
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_the_summary_equals_a_computation_from_the_archives(
    fleet: dict[str, str], tmp_path: Path
) -> None:
    specs = fleet_specs()
    expected = expected_numbers(specs)
    summary = summary_of(list(fleet.values()), cache_environ(tmp_path / "cache"))
    assert summary["images"] == expected.images == 6
    assert summary["unreadable"] == 0
    assert summary["size_bytes"] == expected.size_bytes
    assert summary["unique_bytes"] == expected.unique_bytes
    assert summary["shared_bytes"] == expected.size_bytes - expected.unique_bytes > 0
    assert summary["wasted_bytes"] == expected.wasted_bytes > 0
    assert summary["compressed_images"] == 5
    assert summary["compressed_size_bytes"] == expected.compressed_size_bytes
    assert summary["unique_compressed_bytes"] == expected.unique_compressed_bytes
    layers = {layer["diff_id"]: layer for layer in summary["layers"]}
    assert {key: layer["images"] for key, layer in layers.items()} == expected.layer_images
    assert {key: layer["size_bytes"] for key, layer in layers.items()} == expected.layer_sizes
    assert layers[diff_id(DEBIAN.tar)]["refs"] == sorted(
        fleet[name] for name in ("api", "cron", "worker")
    )
    bases = {(base["diff_id"], base["layers"]): base for base in summary["shared_bases"]}
    python = bases[(diff_id(PYTHON.tar), 2)]
    assert python["images"] == 3
    assert python["size_bytes"] == layer_size(DEBIAN.tar) + layer_size(PYTHON.tar)
    assert python["saved_bytes"] == 2 * python["size_bytes"]
    node = bases[(diff_id(NODE.tar), 1)]
    assert (node["images"], node["size_bytes"]) == (2, layer_size(NODE.tar))
    assert summary["unshared_images"] == [fleet["lone"]]
    savings = {saving["advice"]: saving for saving in summary["savings"]}
    assert savings["DL3009"]["images"] == 3  # the apt lists the Debian base leaves behind
    assert savings["DL3009"]["size_bytes"] == 3 * 6_000
    wasters = [waster["reference"] for waster in summary["biggest_wasters"]]
    assert fleet["lone"] not in wasters
    assert len(wasters) == 5
    assert summary["budgets"] is None
    assert summary["exit_code"] == 0


def start_shard(references: list[str], shard: str, out: Path, cache: Path) -> subprocess.Popen[str]:
    environ = {**os.environ, **cache_environ(cache), "CI": ""}
    command = [sys.executable, "-m", "auger", "fleet", *references, "--shard", shard]
    return subprocess.Popen(
        [*command, "--jsonl", str(out), "--format", "json", "-q"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_shards_in_parallel_processes_merge_into_the_unsharded_summary(
    fleet: dict[str, str], tmp_path: Path
) -> None:
    references = [*fleet.values(), str(tmp_path / "missing.tar")]
    whole = tmp_path / "whole.jsonl"
    outputs_of_one = ["--jsonl", str(whole), "--json", str(tmp_path / "whole.json")]
    unsharded = run_cli(
        ["fleet", *references, *outputs_of_one, "--format", "markdown", "-q"],
        cache_environ(tmp_path / "own-cache"),
    )
    assert unsharded.code == 3, unsharded.stderr
    shared_cache = tmp_path / "shared-cache"
    outputs = [tmp_path / f"shard-{index}.jsonl" for index in range(3)]
    running = [
        start_shard(references, f"{index}/3", out, shared_cache)
        for index, out in enumerate(outputs)
    ]
    shard_summaries = []
    for process in running:
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode in (0, 3), stderr
        assert stderr == ""
        shard_summaries.append(json.loads(stdout))
    assert sorted(summary["shard"]["index"] for summary in shard_summaries) == [0, 1, 2]
    assert sum(summary["images"] + summary["unreadable"] for summary in shard_summaries) == 7
    lines = [list(parse_lines(iter(out.read_text().splitlines()), str(out))) for out in outputs]
    headers = [shard[0] for shard in lines]
    assert all(isinstance(header, ShardHeader) for header in headers)
    assert len({header.plan for header in headers if isinstance(header, ShardHeader)}) == 1
    merged_json = tmp_path / "merged.json"
    merge_argv = ["fleet", "merge", *map(str, outputs), "--json", str(merged_json)]
    merged = run_cli([*merge_argv, "--format", "markdown", "-q"], NO_ENGINE)
    assert merged.code == 3, merged.stderr
    assert merged.stderr == ""
    assert merged_json.read_text() == (tmp_path / "whole.json").read_text()
    assert merged.stdout == unsharded.stdout
    text = run_cli(["fleet", "merge", *map(str, outputs), "-q"], NO_ENGINE)
    assert text.stdout.startswith("auger fleet: 6 images, 1 unreadable\n")
    records = [item for shard in lines for item in shard[1:] if not isinstance(item, ShardHeader)]
    assert len(records) == 7
    assert {item.reference for item in records} == set(references)
    # the shared cache holds each distinct layer once, whoever wrote it first
    layers = list((shared_cache / "layers").iterdir())
    assert len(layers) == len(expected_numbers(fleet_specs()).layer_sizes)


def test_a_missing_image_is_an_error_record_and_the_rest_completes(
    fleet: dict[str, str], tmp_path: Path
) -> None:
    missing = str(tmp_path / "missing.tar")
    out = tmp_path / "records.jsonl"
    references = [fleet["api"], missing, fleet["web"]]
    result = run_cli(["fleet", *references, "--jsonl", str(out)], cache_environ(tmp_path / "c"))
    assert result.code == 3
    diagnostics_only(result.stderr)
    progress = [line for line in result.stderr.splitlines() if line.startswith("auger: [")]
    assert len(progress) == 3
    assert any(f"{missing}: error: {missing} does not exist" in line for line in progress)
    items = list(parse_lines(iter(out.read_text().splitlines()), str(out)))
    errors = [item for item in items if isinstance(item, ErrorRecord)]
    images = [item for item in items if isinstance(item, ImageRecord)]
    assert [error.reference for error in errors] == [missing]
    assert errors[0].exit_code == 3
    assert errors[0].error == f"{missing} does not exist"
    assert sorted(image.reference for image in images) == sorted([fleet["api"], fleet["web"]])
    assert "auger fleet: 2 images, 1 unreadable" in result.stdout
    assert f"{missing}: {missing} does not exist" in result.stdout


def test_one_image_over_its_budget_fails_the_fleet(fleet: dict[str, str], tmp_path: Path) -> None:
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text("version: 1\nimage:\n  max_size: 100kB\n")
    references = [fleet["api"], fleet["lone"]]  # 61 kB and 12 kB: both pass
    passing = run_cli(
        ["fleet", *references, "--budgets", str(budgets), "--format", "json", "-q"],
        cache_environ(tmp_path / "c"),
    )
    assert passing.code == 0, passing.stderr
    assert json.loads(passing.stdout)["budgets"]["passed"] == 2
    budgets.write_text("version: 1\nimage:\n  max_size: 50kB\n")
    out = tmp_path / "records.jsonl"
    failing = run_cli(
        ["fleet", *references, "--budgets", str(budgets), "--jsonl", str(out), "-q"],
        cache_environ(tmp_path / "c"),
    )
    assert failing.code == 1, failing.stderr
    assert "budgets: 1 failed, 0 warned, 1 passed of 2" in failing.stdout
    assert f"FAIL  {fleet['api']}" in failing.stdout
    records = [
        r
        for r in parse_lines(iter(out.read_text().splitlines()), "x")
        if isinstance(r, ImageRecord)
    ]
    verdicts = {record.reference: record.verdict for record in records}
    lone = verdicts[fleet["lone"]]
    assert lone is not None and lone.status == "pass"
    api = verdicts[fleet["api"]]
    assert api is not None and api.status == "fail"
    assert [rule.rule for rule in api.rules] == ["image.max_size"]


def test_lists_with_comments_from_files_and_standard_input(
    fleet: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = tmp_path / "images.txt"
    listing.write_text(
        f"# the team's images\n{fleet['api']}   # the API\n\n  {fleet['web']}\n#{fleet['lone']}\n"
    )
    from_file = summary_of(["--from", str(listing)], cache_environ(tmp_path / "c"))
    assert from_file["images"] == 2
    monkeypatch.setattr(sys, "stdin", io.StringIO(listing.read_text()))
    from_stdin = summary_of(["--from", "-", fleet["web"]], cache_environ(tmp_path / "c"))
    assert from_stdin == from_file


def test_one_image_under_two_names_is_read_once(fleet: dict[str, str], tmp_path: Path) -> None:
    """The same image as an OCI archive and as a docker save tarball: one config digest."""
    again = tmp_path / "api-again.tar"
    again.write_bytes(docker_archive(fleet_specs()["api"]))
    out = tmp_path / "records.jsonl"
    result = run_cli(
        ["fleet", fleet["api"], str(again), fleet["api"], "--jsonl", str(out), "--format", "json"],
        cache_environ(tmp_path / "c"),
    )
    assert result.code == 0, result.stderr
    assert "fleet of 1 image," in result.stderr
    (header, record) = parse_lines(iter(out.read_text().splitlines()), str(out))
    assert isinstance(header, ShardHeader) and isinstance(record, ImageRecord)
    assert record.refs == tuple(sorted([fleet["api"], str(again)]))
    assert json.loads(result.stdout)["images"] == 1


def test_no_images_is_a_usage_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n")
    result = run_cli(["fleet", "--from", str(empty)])
    assert result.code == 2
    assert result.stderr.startswith("auger: error: auger fleet: no images\n")
    assert run_cli(["fleet", "--tags", "v*", "x.tar"]).code == 2
    assert run_cli(["fleet", "x.tar", "--shard", "4/4"]).code == 2
    twice = run_cli(["fleet", "-", "--from", "-"])
    assert twice.code == 2
    assert twice.stderr.startswith("auger: error: standard input (-) is named twice\n")
