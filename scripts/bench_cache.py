"""Benchmark the layer cache and layer verification on a large generated image.

Generates a ``docker save`` archive (by default 6 layers, 120,000 files with log-normal sizes
like a Linux distribution's), then times whole ``auger ARCHIVE --json FILE`` runs:

- cold: an empty cache (the layers are read, digested, scanned and stored);
- warm: the same image again (every layer comes from the cache, none is read);
- without the cache and without verification, to show what each costs.

With ``--engine`` the archive is also loaded into the Docker Engine and read from there, cold
(``docker save`` streamed and scanned) and warm (no save at all). Prints the median of each,
the warm/cold ratios, and the cache's bytes per entry. The analysis that follows the read is
the same cold or warm, so the read stage alone is also timed, in this process.

    python scripts/bench_cache.py [--files 120000] [--layers 6] [--repeat 3] [--engine]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from auger.testing.images import ImageSpec, LayerSpec, directory, docker_archive, file, layer_tar


def generate(files: int, layers: int, seed: int = 7) -> bytes:
    """``layers`` layers of about ``files / layers`` files each, sized like a distribution's."""
    rng = random.Random(seed)
    specs = []
    per_layer = files // layers
    for number in range(layers):
        entries = [directory(f"layer{number}")]
        for index in range(per_layer):
            folder = f"layer{number}/pkg{index // 40:05d}"
            if index % 40 == 0:
                entries.append(directory(folder))
            size = min(int(rng.lognormvariate(7.5, 1.6)), 2_000_000)
            entries.append(file(f"{folder}/file{index:06d}", rng.randbytes(size)))
        specs.append(LayerSpec(layer_tar(entries), f"/bin/sh -c make layer {number}"))
    return docker_archive(ImageSpec(specs, tag="auger-bench-cache:latest"))


def timed(command: list[str], environ: dict[str, str]) -> float:
    start = time.perf_counter()
    completed = subprocess.run(command, env=environ, capture_output=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {completed.stderr.decode()}")
    return time.perf_counter() - start


def median_of(repeat: int, run: list[str], environ: dict[str, str], cache: Path | None) -> float:
    """Median wall time; ``cache`` (when given) is emptied before each run: a cold run."""
    times = []
    for _ in range(repeat):
        if cache is not None:
            shutil.rmtree(cache, ignore_errors=True)
        times.append(timed(run, environ))
    return statistics.median(times)


def read_stage(archive: Path, cache: Path, repeat: int) -> tuple[float, float]:
    """Median seconds of the read stage alone (the source's read, no analysis): cold, warm."""
    from auger.cache.scanning import digesting_scanner  # noqa: PLC0415
    from auger.cache.store import LayerCache  # noqa: PLC0415
    from auger.layers.scanner import scan_layer  # noqa: PLC0415
    from auger.progress import Progress  # noqa: PLC0415
    from auger.sources.interface import ReadOptions  # noqa: PLC0415
    from auger.sources.reference import resolve_source  # noqa: PLC0415

    def once() -> float:
        layers = LayerCache(cache)  # a new object each time: nothing kept in memory
        source = resolve_source(str(archive), None, {})
        start = time.perf_counter()
        source.read(
            digesting_scanner(scan_layer, layers),
            ReadOptions(cache=layers, documents=layers),
            Progress(),
        )
        return time.perf_counter() - start

    gc.disable()
    cold, warm = [], []
    for _ in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(once())
        warm.append(once())
    gc.enable()
    return statistics.median(cold), statistics.median(warm)


def cache_bytes(cache: Path) -> int:
    return sum(path.stat().st_size for path in (cache / "layers").iterdir())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=120_000)
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engine", action="store_true", help="also via the Docker Engine")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="auger-bench-cache-") as scratch:
        root = Path(scratch)
        archive = root / "image.tar"
        archive.write_bytes(generate(args.files, args.layers))
        cache = root / "cache"
        environ = {**os.environ, "AUGER_CACHE_DIR": str(cache), "CI": ""}
        auger = [sys.executable, "-m", "auger"]
        out = ["--json", str(root / "out.json")]
        print(f"archive: {archive.stat().st_size / 1e6:.0f} MB, {args.files} files")
        rows = {
            "no cache, no verify": median_of(
                args.repeat,
                [*auger, str(archive), *out, "--no-cache", "--no-verify"],
                environ,
                None,
            ),
            "no cache": median_of(
                args.repeat, [*auger, str(archive), *out, "--no-cache"], environ, None
            ),
            "cold": median_of(args.repeat, [*auger, str(archive), *out], environ, cache),
        }
        timed([*auger, str(archive), *out], environ)
        rows["warm"] = median_of(args.repeat, [*auger, str(archive), *out], environ, None)
        stored = cache_bytes(cache)
        rows["read stage, cold"], rows["read stage, warm"] = read_stage(
            archive, root / "read-cache", args.repeat
        )
        if args.engine:
            subprocess.run(
                ["docker", "load", "-q", "-i", str(archive)], check=True, stdout=subprocess.DEVNULL
            )
            reference = "docker://auger-bench-cache:latest"
            rows["engine cold"] = median_of(args.repeat, [*auger, reference, *out], environ, cache)
            timed([*auger, reference, *out], environ)
            rows["engine warm"] = median_of(args.repeat, [*auger, reference, *out], environ, None)
            subprocess.run(
                ["docker", "rmi", "-f", "auger-bench-cache:latest"],
                check=False,
                stdout=subprocess.DEVNULL,
            )
        for name, seconds in rows.items():
            print(f"{name:22s} {seconds:7.3f} s")
        print(f"warm / cold            {rows['warm'] / rows['cold']:7.3f}")
        read_ratio = rows["read stage, warm"] / rows["read stage, cold"]
        print(f"read stage warm / cold {read_ratio:7.3f}")
        if args.engine:
            print(f"engine warm / cold     {rows['engine warm'] / rows['engine cold']:7.3f}")
        print(f"cache: {stored} bytes, {stored / args.files:.1f} bytes per entry")


if __name__ == "__main__":
    main()
