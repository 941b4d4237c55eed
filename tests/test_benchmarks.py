"""The benchmarks under ``scripts/`` still run, on small generated images, and report every
figure they promise (their timings are not asserted: a test machine's speed proves nothing)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

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
