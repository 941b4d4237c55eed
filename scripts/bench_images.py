"""Benchmark auger against dive 0.13.1 on realistic images, one row per image.

``build`` makes the image set once per machine and keeps it in ``~/.cache/auger-bench``
(``AUGER_BENCH_CACHE``): the Debian bookworm ``debootstrap --variant=minbase`` root file system
the tests use too (``tests/debian_support.py``, cached in ``~/.cache/auger-test``) imported
into the Docker Engine as the base, then real ``apt-get``, ``pip`` and ``npm`` installs
from the Dockerfiles in ``scripts/images/`` (a Node.js app with its devDependencies, a
multi-stage Node.js image, a Python app with compilers and a virtual environment, a slim Python
image, large data layers overwritten by later ones), each ``docker save``d to an archive. Two
synthetic archives from ``bench_dive.py`` join them: 214,000 small files, and thousands of
whiteouts. An archive's name carries a hash of what made it, so an edited Dockerfile rebuilds.

``measure`` times both tools exporting JSON from each archive (``auger ARCHIVE --json``,
``dive ARCHIVE --json``), cold (a fresh, empty auger cache every run), in alternating runs
after an untimed warm-up of each; it prints one Markdown row per image: the median wall time
and peak RSS of each tool and their ratios, with the spread (min-max) over the runs, and whether
the two exports agree on dive's image numbers. Every process a tool starts counts (auger forks
its analysis): CPU time is summed over them, peak RSS is the largest of them. ``--source
engine`` reads the images from the Docker Engine instead (``auger docker://REF``, ``dive REF``).

    python scripts/bench_images.py build [--only NAME ...]
    python scripts/bench_images.py measure [--repeat 5] [--only NAME ...] [--source engine]
                                           [--auger-flag --no-verify] [--python VENV/bin/python]
                                           [--record runs.jsonl]
    python scripts/bench_images.py list
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

import bench_dive  # a sibling script, found through the path set just above

from tests import debian_support  # the Debian root file system, shared with the tests

IMAGES = Path(__file__).resolve().parent / "images"
"""Build contexts: one directory per family, one ``Dockerfile.NAME`` per image."""
BASE_TAG = "auger-bench/debian:bookworm-minbase"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
"""Copied into every build context as ``host-ca.crt``: where HTTPS goes through a proxy with
its own authority, the host's bundle is what lets pip and npm in the build trust it."""


def cache_dir() -> Path:
    configured = os.environ.get("AUGER_BENCH_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "auger-bench"


# -- the image set ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """One image of the set."""

    name: str
    summary: str
    context: Path | None
    """The build context directory (``Dockerfile.NAME`` in it); ``None`` for a synthetic one."""
    generate: Callable[[float], bytes] | None = None
    """Writes a synthetic ``docker save`` archive in memory, at a scale (1.0: full size)."""
    scale: float = 1.0
    """The size of a synthetic image, as a fraction of the full one (for a quick trial)."""

    def fingerprint(self) -> str:
        """A short hash of everything that makes the archive."""
        synthetic = self.generate is not None
        digest = hashlib.sha256(f"{self.name} {self.scale}".encode() if synthetic else b"")
        digest.update(self.name.encode())
        if self.context is not None:
            for path in sorted(self.context.rglob("*")):
                if path.is_file():
                    digest.update(str(path.relative_to(self.context)).encode())
                    digest.update(path.read_bytes())
        return digest.hexdigest()[:10]

    @property
    def tag(self) -> str:
        return f"auger-bench/{self.name}:{self.fingerprint()}"

    @property
    def archive(self) -> Path:
        return cache_dir() / "archives" / f"{self.name}-{self.fingerprint()}.tar"


SHAPES = (
    Shape(
        "node-app",
        "Node app, devDependencies, npm cache cleaned in a later layer",
        IMAGES / "node",
    ),
    Shape("python-app", "Python app, build-essential and a venv", IMAGES / "python"),
    Shape("python-slim", "slim Python (Debian's python3 on minbase)", IMAGES / "python"),
    Shape("node-multistage", "multi-stage Node image", IMAGES / "node"),
    Shape("data-layers", "300-700 MB data layers, overwritten", IMAGES / "data"),
    Shape(
        "small-files",
        "214k small files (synthetic)",
        None,
        lambda scale: bench_dive.generate(int(165_000 * scale), 0),
    ),
    Shape(
        "whiteouts",
        "20k files, 2k whiteouts (synthetic)",
        None,
        lambda scale: bench_dive.generate(int(20_000 * scale), int(2_000 * scale)),
    ),
)


def run(command: Sequence[str], **options: object) -> subprocess.CompletedProcess[bytes]:
    print("+", " ".join(command), file=sys.stderr, flush=True)
    return subprocess.run(command, check=True, **options)  # type: ignore[call-overload, no-any-return]


def engine_has(tag: str) -> bool:
    found = subprocess.run(
        ["docker", "image", "inspect", tag], capture_output=True, check=False
    ).returncode
    return found == 0


def ensure_base() -> None:
    """Import the minbase root file system into the engine, bootstrapping it once."""
    if engine_has(BASE_TAG):
        return
    reason = debian_support.can_build()
    if not debian_support.rootfs_tar().is_file() and reason is not None:
        raise SystemExit(f"cannot build the Debian root file system: {reason}")
    tar = debian_support.build_rootfs()
    print(f"+ import {tar} as {BASE_TAG}", file=sys.stderr, flush=True)
    debian_support.import_rootfs(tar, BASE_TAG)


@contextmanager
def build_context(shape: Shape) -> Iterator[Path]:
    """A copy of the shape's context with the host's certificate bundle added."""
    assert shape.context is not None
    with tempfile.TemporaryDirectory() as scratch:
        context = Path(scratch) / "context"
        shutil.copytree(shape.context, context)
        target = context / "host-ca.crt"
        target.write_bytes(HOST_CA.read_bytes() if HOST_CA.is_file() else b"")
        yield context


def build(shape: Shape) -> Path:
    """The shape's archive, built and saved unless the cache has it."""
    archive = shape.archive
    if archive.is_file():
        return archive
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_suffix(".partial")
    if shape.generate is not None:
        partial.write_bytes(shape.generate(shape.scale))
    else:
        ensure_base()
        if not engine_has(shape.tag):
            with build_context(shape) as context:
                dockerfile = context / f"Dockerfile.{shape.name}"
                run(
                    ["docker", "build", "-f", str(dockerfile), "-t", shape.tag, str(context)],
                    env={**os.environ, "DOCKER_BUILDKIT": "0"},
                )
        run(["docker", "save", "-o", str(partial), shape.tag])
    partial.rename(archive)
    return archive


def in_engine(shape: Shape) -> str:
    """The shape's engine reference, loaded from its archive if the engine lacks it."""
    if shape.generate is not None:
        tag = shape.tag
        if not engine_has(tag):
            loaded = run(["docker", "load", "-q", "-i", str(build(shape))], capture_output=True)
            name = loaded.stdout.decode().strip().rpartition(" ")[2]
            run(["docker", "tag", name, tag])
        return tag
    if not engine_has(shape.tag):
        if shape.archive.is_file():
            run(["docker", "load", "-q", "-i", str(shape.archive)], capture_output=True)
        else:
            build(shape)
    return shape.tag


# -- measuring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """A median and the range it comes from."""

    median: float
    low: float
    high: float

    @staticmethod
    def of(values: Sequence[float]) -> Spread:
        return Spread(statistics.median(values), min(values), max(values))

    def show(self, digits: int = 2) -> str:
        return f"{self.median:.{digits}f} ({self.low:.{digits}f}-{self.high:.{digits}f})"


@dataclass(frozen=True)
class Row:
    shape: Shape
    entries: int
    layers: int
    archive_mb: float
    auger_seconds: Spread
    dive_seconds: Spread
    speedup: Spread
    """dive's time over auger's, pair by pair."""
    cpu_ratio: Spread
    """dive's CPU time over auger's (all processes of each), pair by pair: on a busy machine
    steadier than wall time, though a second CPU put to work counts against auger here."""
    auger_mib: Spread
    dive_mib: Spread
    memory: Spread
    """auger's peak RSS over dive's, pair by pair."""
    agree: bool
    pairs: tuple[tuple[bench_dive.Run, bench_dive.Run], ...]
    """Every timed run: (auger's, dive's)."""

    def record(self, source: str) -> str:
        """The row's runs as one line of JSON, to compare with a later measurement."""
        runs = [
            {tool: dataclasses.asdict(run) for tool, run in (("auger", a), ("dive", d))}
            for a, d in self.pairs
        ]
        return json.dumps(
            {"image": self.shape.name, "source": source, "entries": self.entries, "runs": runs}
        )

    def markdown(self) -> str:
        return (
            f"| {self.shape.summary} | {self.entries / 1000:.1f}k | {self.layers} "
            f"| {self.archive_mb:,.0f} MB | {self.auger_seconds.show()} "
            f"| {self.dive_seconds.show()} | **{self.speedup.show()}x** "
            f"| {self.cpu_ratio.show()}x "
            f"| {self.auger_mib.show(0)} | {self.dive_mib.show(0)} "
            f"| **{self.memory.show()}** | {'yes' if self.agree else 'NO'} |"
        )


HEADER = (
    "| image | entries | layers | archive | auger s | dive s | auger speed-up | dive/auger CPU "
    "| auger MiB | dive MiB | auger/dive memory | same numbers |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|"
)


@dataclass(frozen=True)
class AugerRun:
    """How auger is started: which interpreter, and any flags beyond ``--json FILE -q``."""

    python: str = sys.executable
    flags: tuple[str, ...] = ()


def measure_shape(
    shape: Shape, repeat: int, warmup: int, source: str, how: AugerRun = AugerRun()
) -> Row:
    dive = bench_dive.find_dive()
    if source == "engine":
        reference = in_engine(shape)
        auger_target, dive_target = f"docker://{reference}", [reference]
    else:
        archive = build(shape)
        auger_target = f"docker-archive://{archive}"
        dive_target = [auger_target]
    with tempfile.TemporaryDirectory() as scratch:
        auger_json = Path(scratch) / "auger.json"
        dive_json = Path(scratch) / "dive.json"
        dive_command = [dive, *dive_target, "--json", str(dive_json)]
        auger_command = [how.python, "-m", "auger", auger_target, "--json", str(auger_json)]
        auger_command += ["-q", *how.flags]

        def timed_auger() -> bench_dive.Run:
            with tempfile.TemporaryDirectory(dir=scratch) as cache:  # cold: an empty cache
                env = {**os.environ, "CI": "true", "AUGER_CACHE_DIR": cache}
                return bench_dive.measure(auger_command, env)

        def timed_dive() -> bench_dive.Run:
            return bench_dive.measure(dive_command, {**os.environ, "CI": "true"})

        for _ in range(warmup):  # the archive into the page cache, for both alike
            timed_dive()
            timed_auger()
        pairs: list[tuple[bench_dive.Run, bench_dive.Run]] = []
        for index in range(repeat):  # ABBA order, so that a drift of the machine hits both
            if index % 2:
                auger_run = timed_auger()
                dive_run = timed_dive()
            else:
                dive_run = timed_dive()
                auger_run = timed_auger()
            pairs.append((auger_run, dive_run))
        dive_export = json.loads(dive_json.read_text())
        auger_export = json.loads(auger_json.read_text())
    agree = all(
        dive_export["image"][key] == auger_export["image"][key]
        for key in ("sizeBytes", "inefficientBytes", "efficiencyScore")
    )
    layers = auger_export["auger"]["layers"]
    size = shape.archive.stat().st_size if shape.archive.is_file() else 0
    return Row(
        shape=shape,
        entries=sum(layer["entryCount"] for layer in layers),
        layers=len(layers),
        archive_mb=size / 1e6,
        auger_seconds=Spread.of([a.seconds for a, _ in pairs]),
        dive_seconds=Spread.of([d.seconds for _, d in pairs]),
        speedup=Spread.of([d.seconds / a.seconds for a, d in pairs]),
        cpu_ratio=Spread.of([d.cpu_seconds / a.cpu_seconds for a, d in pairs]),
        auger_mib=Spread.of([a.peak_rss_kib / 1024 for a, _ in pairs]),
        dive_mib=Spread.of([d.peak_rss_kib / 1024 for _, d in pairs]),
        memory=Spread.of([a.peak_rss_kib / d.peak_rss_kib for a, d in pairs]),
        agree=agree,
        pairs=tuple(pairs),
    )


# -- the command line ------------------------------------------------------------------------


def selected(names: Sequence[str] | None, scale: float) -> list[Shape]:
    known = {shape.name: shape for shape in SHAPES}
    unknown = [name for name in names or () if name not in known]
    if unknown:
        raise SystemExit(f"unknown image {', '.join(unknown)}; known: {', '.join(known)}")
    shapes = [known[name] for name in names] if names else list(SHAPES)
    return [
        dataclasses.replace(shape, scale=scale) if shape.generate is not None else shape
        for shape in shapes
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build", help="build and save the images")
    measure_command = commands.add_parser("measure", help="auger against dive, per image")
    list_command = commands.add_parser("list", help="the images and whether they are built")
    for command in (build_command, measure_command, list_command):
        command.add_argument("--only", nargs="+", metavar="NAME", help="these images only")
        command.add_argument(
            "--scale", type=float, default=1.0, help="synthetic images at this fraction of size"
        )
    measure_command.add_argument("--repeat", type=int, default=5, help="timed runs of each")
    measure_command.add_argument("--warmup", type=int, default=1, help="untimed runs of each")
    measure_command.add_argument("--source", choices=("archive", "engine"), default="archive")
    measure_command.add_argument(
        "--record", type=Path, metavar="FILE", help="append every run to FILE (JSON lines)"
    )
    measure_command.add_argument(
        "--auger-flag",
        action="append",
        default=[],
        metavar="FLAG",
        help="pass FLAG to auger too (repeatable), such as --no-verify",
    )
    measure_command.add_argument(
        "--python",
        default=sys.executable,
        help="the interpreter auger runs under, such as a virtual environment's with only "
        "auger installed (what a user's pipx install is)",
    )
    args = parser.parse_args(argv)
    shapes = selected(args.only, args.scale)
    if args.command == "list":
        for shape in shapes:
            state = "built" if shape.archive.is_file() else "not built"
            print(f"{shape.name:16} {state:9}  {shape.archive}  {shape.summary}")
    elif args.command == "build":
        for shape in shapes:
            archive = build(shape)
            print(f"{shape.name}: {archive} ({archive.stat().st_size / 1e6:,.0f} MB)")
    else:
        bench_dive.compile_auger()
        print(HEADER, flush=True)
        for shape in shapes:
            how = AugerRun(args.python, tuple(args.auger_flag))
            row = measure_shape(shape, args.repeat, args.warmup, args.source, how)
            print(row.markdown(), flush=True)
            if args.record is not None:
                with args.record.open("a") as record:
                    record.write(row.record(args.source) + "\n")


if __name__ == "__main__":
    main()
