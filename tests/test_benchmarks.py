"""The benchmarks under ``scripts/`` still run, on small generated images, and report every
figure they promise (their timings are not asserted: a test machine's speed proves nothing)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require
from tests.engine_support import Engine
from tests.registry_support import have_registry_tools

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def run_script(name: str, *arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / name), *arguments],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
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
