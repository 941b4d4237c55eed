"""Benchmark ``auger fleet`` on a registry: a fleet's cost grows with its unique bytes.

A fleet of ``--images`` images is generated in-process: every image carries one OS layer of
``--base-mb`` MB, one of ``--families`` runtime layers of ``--runtime-mb`` MB, and a top layer
of its own of ``--top-kb`` kB (files half random, half text, so gzip does some work). The
layers are compressed once into one OCI layout and pushed with skopeo to Debian's
docker-registry on a free loopback port, one tag per image. Then, each run a fresh process:

- one image, then the first 20 images, then the whole fleet, each with an empty layer cache
  (cold), and the whole fleet again over its cache (warm): wall time and the bytes of layer
  blobs the registry served (from its access log);
- ``--shards`` shards in parallel processes, each with a cache of its own (a CI matrix) and
  all over one cache (an Indexed Job on a shared volume), merged with ``auger fleet merge``
  and compared with the unsharded summary;
- the layer bytes each shard must download under auger's assignment, which keeps images that
  share layers on one shard, against image ``i`` to shard ``i mod N``.

    python scripts/bench_fleet.py [--images 50] [--families 5] [--base-mb 48] [--runtime-mb 16]
                                  [--top-kb 512] [--shards 4] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import auger
from auger.fleet.inputs import Target, target
from auger.fleet.outline import outlines
from auger.fleet.plan import assign, layer_bytes
from auger.sources.interface import ReadOptions
from auger.testing.images import directory, file, layer_tar

ROOT = Path(__file__).resolve().parent.parent
SRC = Path(auger.__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.registry_support import Registry, have_registry_tools  # noqa: E402

REPOSITORY = "fleet/app"
FILE_SIZE = 256 << 10


@dataclass(frozen=True)
class Blob:
    digest: str
    size: int
    diff_id: str


@dataclass(frozen=True)
class Timed:
    seconds: float
    layer_bytes: int
    stdout: str


def layer_content(name: str, size: int, rng: random.Random) -> bytes:
    """A layer tar of ``size`` bytes of files under ``name/``: half random, half text."""
    entries = [directory(name)]
    for index in range(max(1, size // FILE_SIZE)):
        length = min(FILE_SIZE, size)
        text = (f"{name} line {index} " * (length // 32 + 1)).encode()[: length // 2]
        entries.append(file(f"{name}/f{index:05d}", rng.randbytes(length - len(text)) + text))
    return layer_tar(entries)


def write_blob(layout: Path, data: bytes) -> tuple[str, int]:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    (layout / "blobs" / "sha256" / digest.removeprefix("sha256:")).write_bytes(data)
    return digest, len(data)


def add_layer(layout: Path, tar: bytes) -> Blob:
    digest, size = write_blob(layout, gzip.compress(tar, compresslevel=6, mtime=0))
    return Blob(digest, size, "sha256:" + hashlib.sha256(tar).hexdigest())


def image_manifest(layout: Path, name: str, layers: Sequence[Blob]) -> dict[str, object]:
    """The config and manifest of an image of ``layers``; returns its index entry."""
    config = {
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [blob.diff_id for blob in layers]},
        "history": [
            {"created_by": f"/bin/sh -c #(nop) layer {n} of {name}"} for n in range(len(layers))
        ],
    }
    config_digest, config_size = write_blob(layout, json.dumps(config).encode())
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": config_digest,
            "size": config_size,
        },
        "layers": [
            {
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": blob.digest,
                "size": blob.size,
            }
            for blob in layers
        ],
    }
    digest, size = write_blob(layout, json.dumps(manifest).encode())
    return {
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": digest,
        "size": size,
        "annotations": {"org.opencontainers.image.ref.name": name},
    }


def generate(layout: Path, args: argparse.Namespace) -> list[str]:
    """The fleet as one OCI layout, every layer compressed once; returns the image names."""
    rng = random.Random(16)
    (layout / "blobs" / "sha256").mkdir(parents=True)
    (layout / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    base = add_layer(layout, layer_content("usr/lib/os", args.base_mb * 1_000_000, rng))
    runtimes = [
        add_layer(layout, layer_content(f"opt/runtime{n}", args.runtime_mb * 1_000_000, rng))
        for n in range(args.families)
    ]
    names, entries = [], []
    for index in range(args.images):
        name = f"app-{index:03d}"
        top = add_layer(layout, layer_content(f"app/{name}", args.top_kb * 1_000, rng))
        entries.append(image_manifest(layout, name, [base, runtimes[index % args.families], top]))
        names.append(name)
    index_document = {"schemaVersion": 2, "manifests": entries}
    (layout / "index.json").write_text(json.dumps(index_document))
    return names


def served_layer_bytes(registry: Registry, since: int) -> tuple[int, int]:
    """Bytes of layer blobs the registry served since log line ``since``, and the log's end."""
    lines = registry.log.read_text(errors="replace").splitlines()
    total = 0
    for line in lines[since:]:
        match = re.search(rf'"GET /v2/{REPOSITORY}/blobs/\S+ HTTP/[\d.]+" 200 (\d+)', line)
        if match and int(match[1]) > 10_000:  # configs are a few hundred bytes
            total += int(match[1])
    return total, len(lines)


def log_end(registry: Registry) -> int:
    return len(registry.log.read_text(errors="replace").splitlines())


def auger_fleet(argv: Sequence[str], cache: Path) -> subprocess.Popen[str]:
    environ = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "AUGER_CACHE_DIR": str(cache),
        "DOCKER_HOST": "unix:///nonexistent/auger-bench.sock",
        "CI": "",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "auger", "fleet", *argv],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> str:
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"auger fleet failed ({process.returncode}):\n{stderr}")
    return stdout


def timed(registry: Registry, argv: Sequence[str], cache: Path) -> Timed:
    since = log_end(registry)
    started = time.perf_counter()
    stdout = finish(auger_fleet(argv, cache))
    seconds = time.perf_counter() - started
    served, _ = served_layer_bytes(registry, since)
    return Timed(seconds, served, stdout)


def sharded(
    registry: Registry, listing: Path, shards: int, caches: Sequence[Path], out: Path
) -> tuple[Timed, list[str]]:
    """Every shard at once, each over ``caches[i % len(caches)]``; then their records."""
    since = log_end(registry)
    started = time.perf_counter()
    records = [str(out / f"shard-{index}.jsonl") for index in range(shards)]
    quiet = ["-q", "--format", "json"]
    running = [
        auger_fleet(
            [
                "--from",
                str(listing),
                "--shard",
                f"{index}/{shards}",
                "--jsonl",
                records[index],
                *quiet,
            ],
            caches[index % len(caches)],
        )
        for index in range(shards)
    ]
    for process in running:
        finish(process)
    seconds = time.perf_counter() - started
    served, _ = served_layer_bytes(registry, since)
    return Timed(seconds, served, ""), records


def mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def row(label: str, result: Timed) -> None:
    print(f"{label:<46} {result.seconds:>8.2f} s  {mb(result.layer_bytes):>12} of layers fetched")


def assignment_figures(targets: list[Target], shards: int) -> None:
    found = outlines(targets, ReadOptions(), {})
    chains = [
        (item.reference, (o.layers if o else ())) for item, o in zip(targets, found, strict=True)
    ]
    layers = [layers for _, layers in chains]
    for label, assignment in (
        ("grouped (auger)", assign(chains, shards)),
        ("image i to shard i mod N", [i % shards for i in range(len(chains))]),
    ):
        per_shard = [
            layer_bytes([layers[i] for i, s in enumerate(assignment) if s == shard])
            for shard in range(shards)
        ]
        counts = [assignment.count(shard) for shard in range(shards)]
        print(
            f"{label:<28} layers fetched by all shards {mb(sum(per_shard)):>12}, the busiest "
            f"{mb(max(per_shard)):>10}; images per shard {counts}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=50)
    parser.add_argument("--families", type=int, default=5)
    parser.add_argument("--base-mb", type=int, default=48)
    parser.add_argument("--runtime-mb", type=int, default=16)
    parser.add_argument("--top-kb", type=int, default=512)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    if not have_registry_tools():
        raise SystemExit("bench_fleet needs docker-registry and skopeo")
    with tempfile.TemporaryDirectory(prefix="auger-bench-fleet-", dir=args.workdir) as scratch:
        work = Path(scratch)
        started = time.perf_counter()
        names = generate(work / "layout", args)
        registry = Registry(work / "registry").start()
        try:
            for name in names:
                registry.push(f"oci:{work / 'layout'}:{name}", f"{REPOSITORY}:{name}")
            print(
                f"{args.images} images: a {args.base_mb} MB base, {args.families} runtimes of "
                f"{args.runtime_mb} MB, a {args.top_kb} kB top each; generated and pushed in "
                f"{time.perf_counter() - started:.1f} s"
            )
            references = [f"registry://{registry.host}/{REPOSITORY}:{name}" for name in names]
            run_benchmarks(registry, references, work, args)
        finally:
            registry.kill()


def run_benchmarks(
    registry: Registry, references: list[str], work: Path, args: argparse.Namespace
) -> None:
    listing = work / "fleet.txt"
    listing.write_text("\n".join(references) + "\n")
    first20 = work / "first20.txt"
    first20.write_text("\n".join(references[:20]) + "\n")
    quiet = ["-q", "--format", "json"]
    one = timed(registry, [references[0], *quiet], work / "cache-one")
    row("1 image, cold", one)
    twenty = timed(registry, ["--from", str(first20), *quiet], work / "cache-20")
    row(f"{min(20, len(references))} images, cold", twenty)
    cold = timed(registry, ["--from", str(listing), *quiet], work / "cache-all")
    row(f"{len(references)} images, cold", cold)
    warm = timed(registry, ["--from", str(listing), *quiet], work / "cache-all")
    row(f"{len(references)} images, warm", warm)
    summary = json.loads(cold.stdout)
    print(
        f"fleet: {mb(summary['size_bytes'])} in all, {mb(summary['unique_bytes'])} unique; "
        f"compressed {mb(summary['compressed_size_bytes'])} in all, "
        f"{mb(summary['unique_compressed_bytes'])} unique"
    )
    print(
        f"{min(20, len(references))} images / 1 image (cold): {twenty.seconds / one.seconds:.2f}x"
    )
    print(f"{len(references)} images / 1 image (cold): {cold.seconds / one.seconds:.2f}x")
    print(f"warm / cold: {warm.seconds / cold.seconds:.2f}x")
    shards = args.shards
    own, own_records = sharded(
        registry, listing, shards, [work / f"shard-cache-{i}" for i in range(shards)], work
    )
    row(f"{shards} shards at once, a cache each, cold", own)
    shared, _ = sharded(registry, listing, shards, [work / "shared-cache"], work)
    row(f"{shards} shards at once, one shared cache, cold", shared)
    merged = finish(auger_fleet(["merge", *own_records, "--format", "json", "-q"], work / "none"))
    print(f"merge of the shards equals the unsharded summary: {merged == cold.stdout}")
    assignment_figures([target(reference) for reference in references], shards)


if __name__ == "__main__":
    main()
