"""The benchmarks under ``scripts/`` still run, on small generated images, and report every
figure they promise (their timings are not asserted: a test machine's speed proves nothing)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    directory,
    docker_archive,
    file,
    layer_tar,
    whiteout,
)
from tests.conftest import require
from tests.engine_support import Engine
from tests.registry_support import have_registry_tools

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def run_script(name: str, *arguments: str, environ: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / name), *arguments],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=None if environ is None else {**os.environ, **environ},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.oracle
def test_the_dive_benchmark_compares_both_tools_on_three_archives(dive_binary: Path) -> None:
    output = run_script("bench_dive.py", "--files", "300", "--whiteouts", "30")
    verdicts = re.findall(
        r"auger is [\d.]+x faster \(best runs\), [\d.]+x \(medians\), uses [\d.]+x dive's "
        r"memory; numbers (\w+)",
        output,
    )
    assert verdicts == ["agree", "agree", "agree"], output
    assert (
        len(re.findall(r"dive : best +[\d.]+ s  median +[\d.]+ s  peak RSS +[\d.]+ MiB", output))
        == 3
    )


def test_the_explorer_benchmark_times_every_interaction_to_its_frame() -> None:
    output = run_script("bench_tui.py", "--entries", "4000", "--repeat", "2")
    assert re.search(r"first screen: [\d.]+ s after the analysis", output), output
    rows = [line for line in output.splitlines() if re.match(r"\S.* +\d+ +[\d.]+ ", line)]
    labels = [re.split(r"\s{2,}", row)[0] for row in rows]
    assert labels[0] == "no-op key (Pilot's own cost)"
    assert "type a character in the filter" in labels
    assert "switch layer with 20,000 rows open" in labels
    for row in rows[1:]:  # each of these redraws the screen: a frame time is measured
        figures = row.split()[-7:]
        assert "-" not in figures, row
        cpu, frame = float(figures[1]), float(figures[3])
        assert cpu > 0 and frame > 0, row


@pytest.mark.oracle
def test_the_image_benchmark_gives_a_row_per_image_with_both_ratios(
    dive_binary: Path, tmp_path: Path
) -> None:
    cache = {"AUGER_BENCH_CACHE": str(tmp_path)}
    arguments = ("--only", "small-files", "whiteouts", "--scale", "0.01")
    record = tmp_path / "runs.jsonl"
    output = run_script(
        "bench_images.py",
        "measure",
        *arguments,
        *("--repeat", "2", "--warmup", "0", "--record", str(record)),
        environ=cache,
    )
    rows = [line for line in output.splitlines() if line.startswith("| ") and "MB |" in line]
    assert len(rows) == 2, output
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert re.fullmatch(r"\*\*[\d.]+ \([\d.]+-[\d.]+\)x\*\*", cells[6]), row  # speed-up
        assert re.fullmatch(r"[\d.]+ \([\d.]+-[\d.]+\)x", cells[7]), row  # CPU ratio
        assert re.fullmatch(r"\*\*[\d.]+ \([\d.]+-[\d.]+\)\*\*", cells[10]), row  # memory
        assert cells[11] == "yes", row  # both tools found the same image numbers
    recorded = [json.loads(line) for line in record.read_text().splitlines()]
    assert [line["image"] for line in recorded] == ["small-files", "whiteouts"]
    for line in recorded:
        assert len(line["runs"]) == 2
        for run in line["runs"]:
            assert run["auger"]["cpu_seconds"] > 0 and run["dive"]["peak_rss_kib"] > 0
    listed = run_script("bench_images.py", "list", *arguments, environ=cache)
    assert re.findall(r"^(\S+) +built ", listed, re.MULTILINE) == ["small-files", "whiteouts"]
    unverified = run_script(
        "bench_images.py",
        "measure",
        *("--only", "small-files", "--scale", "0.01", "--repeat", "1", "--warmup", "0"),
        *("--auger-flag=--no-verify", "--python", sys.executable),
        environ=cache,
    )
    assert len([line for line in unverified.splitlines() if "MB |" in line]) == 1, unverified


def test_the_profile_splits_a_run_into_phases_and_bytes_per_entry(tmp_path: Path) -> None:
    names = [f"usr/lib/file{index:04d}" for index in range(400)]
    layers = [
        layer_tar([directory("usr"), directory("usr/lib"), *(file(n, 700) for n in names)]),
        layer_tar([file(name, 900) for name in names[:100]]),
        layer_tar([whiteout(name) for name in names[100:150]]),
    ]
    archive = tmp_path / "image.tar"
    archive.write_bytes(docker_archive(ImageSpec([LayerSpec(tar) for tar in layers])))
    phases = run_script("profile_auger.py", "phases", str(archive), "--repeat", "1")
    assert "3 layers, 552 entries" in phases, phases
    for label in (
        "tar headers + CRC-32 of contents",
        "overlay (stack_layers)",
        "JSON text (format_json)",
    ):
        assert re.search(rf"^{re.escape(label)} +[\d.]+ +[\d.]+ +[\d.]+$", phases, re.M), phases
    memory = run_script("profile_auger.py", "memory", str(archive))
    per_entry = re.search(r"^scanned entries \(all layers\) +[\d.]+ +(\d+)$", memory, re.M)
    assert per_entry is not None, memory
    assert 100 < int(per_entry[1]) < 2000, memory  # an entry is a few hundred bytes
    samples = run_script("profile_auger.py", "rss", str(archive))
    assert re.search(r"^parent peak \d+ MiB at [\d.]+ s$", samples, re.M), samples
    imports = run_script("profile_auger.py", "startup", str(archive))
    assert re.search(r"the run imports \d+ more in [\d.]+ ms", imports), imports
    assert re.search(r"^  auger +[\d.]+ ms$", imports, re.M), imports


@pytest.mark.engine
@pytest.mark.oracle
def test_the_sources_benchmark_compares_three_ways_of_reading_a_registry(
    engine: Engine, dive_binary: Path
) -> None:
    require(have_registry_tools(), "docker-registry and skopeo are not installed")
    output = run_script(
        "bench_sources.py",
        *("--size-mb", "2", "--layers", "2", "--repeat", "1", "--settle", "0"),
        *("--dive", str(dive_binary)),
    )
    for label in (
        "cold, auger registry://",
        "cold, docker pull + dive (dive's RSS)",
        "cold, skopeo copy dir: + gzip -dc",
    ):
        assert re.search(rf"{re.escape(label)} +median +[\d.]+ s .* peak RSS +[\d.]+ MiB", output)
    assert re.search(r"auger is [\d.]+x faster than docker pull \+ dive", output), output
    assert re.search(r"auger takes [\d.]+x the time of skopeo copy", output), output
    assert re.search(r"memory: auger peak RSS [\d.]+ MiB on .* [\d.]+ MiB on", output), output
    assert re.search(r"^warm: |^warm re-read: ", output, re.MULTILINE), output


def test_the_cache_benchmark_reports_cold_warm_and_bytes_per_entry() -> None:
    output = run_script("bench_cache.py", "--files", "600", "--layers", "2", "--repeat", "1")
    for row in ("no cache, no verify", "no cache", "cold", "warm", "read stage, cold"):
        assert re.search(rf"^{re.escape(row)} +[\d.]+ s$", output, re.MULTILINE), output
    assert re.search(r"^read stage warm / cold +[\d.]+$", output, re.MULTILINE), output
    assert re.search(r"^cache: \d+ bytes, [\d.]+ bytes per entry$", output, re.MULTILINE)


def test_the_glob_benchmark_times_advice_waste_groups_and_budgets() -> None:
    output = run_script("bench_globs.py", "--files", "2000", "--repeat", "1")
    assert re.search(r"^1000 wasted paths, \d+ visible paths$", output, re.MULTILINE), output
    for label in ("advice (find_advice)", "waste groups (group_waste)", "budgets (evaluate)"):
        assert re.search(rf"^{re.escape(label)} +[\d.]+ ms$", output, re.MULTILINE), output


def test_the_fleet_benchmark_reports_cold_warm_shards_and_the_assignment() -> None:
    require(have_registry_tools(), "docker-registry and skopeo are not installed")
    output = run_script(
        "bench_fleet.py",
        *("--images", "4", "--families", "2", "--base-mb", "1", "--runtime-mb", "1"),
        *("--top-kb", "40", "--shards", "2"),
    )
    for label in (
        "1 image, cold",
        "4 images, cold",
        "4 images, warm",
        "2 shards at once, a cache each, cold",
        "2 shards at once, one shared cache, cold",
    ):
        assert re.search(
            rf"^{re.escape(label)} +[\d.]+ s +[\d,.]+ MB of layers fetched$", output, re.MULTILINE
        ), output
    assert re.search(r"^4 images, warm +[\d.]+ s +0\.0 MB of layers fetched$", output, re.M)
    assert "merge of the shards equals the unsharded summary: True" in output
    for label in ("grouped (auger)", "image i to shard i mod N"):
        assert re.search(rf"^{re.escape(label)} +layers fetched by all shards", output, re.M)
