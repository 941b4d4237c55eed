"""Benchmark glob matching where it runs over every path: advice and budget rules.

A generated image stores ``--files`` files across realistic directories (apt lists, pip and
yarn caches, ``__pycache__``, ``node_modules``, archives, deep application trees) in its first
layer; its second layer deletes half of them (waste for the advice catalogue to match) and
its third adds as many again (the final filesystem for budget path rules and ignore globs).
The analysis is made once; the advice, waste grouping and budget evaluation are then timed
separately (the least CPU time of ``--repeat`` runs).

    python scripts/bench_globs.py [--files 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from auger.analysis.advice import catalogue, find_advice
from auger.analysis.waste_groups import group_waste
from auger.budgets.evaluate import evaluate
from auger.budgets.loader import parse_budgets
from auger.model import ImageAnalysis
from auger.pipeline import AnalyzeOptions, analyze
from auger.testing.images import ImageSpec, LayerSpec, TarEntry, docker_archive, file, layer_tar
from auger.testing.images import whiteout as whiteout_entry

_FOLDERS = (
    "var/lib/apt/lists",
    "root/.cache/pip/http/a/b",
    "home/app/.cache/yarn/v6",
    "usr/lib/python3/dist-packages/pkg/__pycache__",
    "app/node_modules/left-pad/lib",
    "srv/app/src/main/java/org/example/service/impl",
    "opt/data/archives",
    "usr/share/doc/package",
)

BUDGETS = """\
version: 1
image:
  max_wasted_bytes: 1GB
paths:
  - {glob: /var/lib/apt/lists/**, max_size: 0}
  - {glob: "**/__pycache__/**", max_size: 10MB}
  - {glob: "**/*.tar.gz", max_size: 1MB}
  - {glob: /srv/**/impl/*.class, max_size: 1MB}
  - {glob: "/home/*/.cache/**", max_size: 1MB}
ignore:
  - "**/node_modules/**"
  - /usr/share/doc/**
"""


def _name(index: int) -> str:
    folder = _FOLDERS[index % len(_FOLDERS)]
    suffix = (".tar.gz", ".pyc", ".js", ".class", ".txt")[index % 5]
    return f"{folder}/d{index % 97}/file{index:07d}{suffix}"


def generate(files: int) -> bytes:
    """Stored, then half deleted, then as many again added."""
    stored = [_name(index) for index in range(files)]
    deleted = [whiteout_entry(name) for name in stored[::2]]
    added: list[TarEntry] = [file("new/" + _name(index), 10) for index in range(files)]
    layers = [
        LayerSpec(layer_tar([file(name, 10) for name in stored]), "RUN build"),
        LayerSpec(layer_tar(deleted), "RUN rm -rf caches"),
        LayerSpec(layer_tar(added), "COPY . /new"),
    ]
    return docker_archive(ImageSpec(layers))


def best(repeat: int, work: Callable[[], object]) -> float:
    """The least CPU time of ``repeat`` runs (the work is single-threaded and CPU-bound: CPU
    time says the same as wall time on an idle machine, and much less noise on a busy one)."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--archive", type=Path, help="the generated image: read if it exists, else kept there"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        archive = args.archive or Path(directory) / "image.tar"
        if not archive.exists():
            archive.write_bytes(generate(args.files))
        analysis: ImageAnalysis = analyze(f"docker-archive://{archive}", AnalyzeOptions())
    rules = catalogue()
    budgets = parse_budgets(BUDGETS, "budgets.yaml")
    print(f"{len(analysis.waste)} wasted paths, {len(analysis.final)} visible paths")
    timings = {
        "advice (find_advice)": best(args.repeat, lambda: find_advice(analysis, rules)),
        "waste groups (group_waste)": best(args.repeat, lambda: group_waste(analysis, rules)),
        "budgets (evaluate)": best(args.repeat, lambda: evaluate(analysis, budgets)),
    }
    for label, seconds in timings.items():
        print(f"{label:28} {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
