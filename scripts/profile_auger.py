"""Where auger's time and memory go on one ``docker save`` archive, phase by phase.

``phases`` times each stage of ``auger ARCHIVE --json`` in this process, from the floor up:
reading the layers' bytes, parsing tar headers while seeking past contents, the same while
reading contents, with CRC-32 fingerprints, with entries made (auger's scanner), SHA-256 of
every layer (what verifying diff IDs costs) alone and in a thread beside the scan, then the
overlay, dive's metrics, the forked analysis as the pipeline runs it, the JSON text and its
writing. Each figure is the best of ``--repeat`` runs (the archive stays in the page cache).
``memory`` traces the Python heap (``tracemalloc``) after each stage and gives bytes per entry.
``rss`` samples the resident memory of a real run and of its forked child every few
milliseconds, to show when the peak comes. ``spy`` samples a real run with py-spy
(``pip install py-spy``), forked child included, and sorts the samples into the same phases.
``startup`` sums ``python -X importtime`` of a real run by package.

    python scripts/profile_auger.py phases|memory|rss|spy|startup ARCHIVE
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import gc
import hashlib
import io
import json
import linecache
import marshal
import os
import queue
import re
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import auger
from auger.analysis import dive
from auger.analysis.image import analyze_image
from auger.analysis.overlay import stack_layers
from auger.layers.scanner import scan_layer
from auger.layers.tarstream import TarReader
from auger.model import DiveMetrics, Entry, LayerRef
from auger.pipeline import analyze
from auger.report.dive_json import format_json

CHUNK = 1 << 20
LAYER = LayerRef("layer.tar")
"""How the scanner's messages would name a layer (none is expected from a sound archive)."""


# -- the layers of an archive ----------------------------------------------------------------


@dataclass(frozen=True)
class LayerBlob:
    offset: int
    size: int


def layer_blobs(archive: Path) -> list[LayerBlob]:
    """Where each layer (in manifest order) lies in an uncompressed ``docker save`` archive."""
    with tarfile.open(archive) as outer:
        manifest_file = outer.extractfile("manifest.json")
        assert manifest_file is not None, "not a docker save archive"
        manifest = json.load(manifest_file)
        blobs = []
        for name in manifest[0]["Layers"]:
            member = outer.getmember(name)
            while member.issym() or member.islnk():
                target = member.linkname
                if member.issym():  # relative to the link's directory
                    target = os.path.normpath(f"{Path(member.name).parent}/{target}")
                member = outer.getmember(target)
            blobs.append(LayerBlob(member.offset_data, member.size))
    return blobs


class LayerStream:
    """A layer blob of the archive as a forward stream: ``read`` and ``readinto`` as auger's
    sources give it, and ``skip`` (seeking) only when asked for."""

    def __init__(self, handle: io.BufferedReader, blob: LayerBlob, *, seekable: bool) -> None:
        handle.seek(blob.offset)
        self._handle = handle
        self._remaining = blob.size
        if seekable:
            self.skip = self._skip

    def read(self, size: int = -1, /) -> bytes:
        size = self._remaining if size < 0 else min(size, self._remaining)
        data = self._handle.read(size)
        self._remaining -= len(data)
        return data

    def readinto(self, buffer: memoryview, /) -> int:
        size = min(len(buffer), self._remaining)
        count = self._handle.readinto(buffer[:size]) if size else 0
        self._remaining -= count
        return count

    def _skip(self, size: int) -> int:
        size = min(size, self._remaining)
        self._handle.seek(size, os.SEEK_CUR)
        self._remaining -= size
        return size


def each_layer(archive: Path, *, seekable: bool = False) -> Iterator[LayerStream]:
    with archive.open("rb", buffering=CHUNK) as handle:
        for blob in layer_blobs(archive):
            yield LayerStream(handle, blob, seekable=seekable)  # type: ignore[arg-type]


# -- phases ----------------------------------------------------------------------------------


def best_of(repeat: int, work: Callable[[], object]) -> tuple[float, float]:
    """The best wall and CPU seconds of ``repeat`` runs of ``work`` (collector paused, as the
    pipeline pauses it)."""
    walls, cpus = [], []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
        gc.enable()
    return min(walls), min(cpus)


def read_all(archive: Path) -> None:
    buffer = memoryview(bytearray(CHUNK))
    for stream in each_layer(archive):
        while stream.readinto(buffer):
            pass


def headers(archive: Path, *, seekable: bool, checksums: bool) -> None:
    for stream in each_layer(archive, seekable=seekable):
        for _ in TarReader(stream, "layer", checksums=checksums):
            pass


def scans(archive: Path) -> list[tuple[Entry, ...]]:
    return [scan_layer(stream, LAYER).entries for stream in each_layer(archive)]


def digests(archive: Path) -> None:
    """SHA-256 of every layer, as verifying diff IDs needs."""
    buffer = memoryview(bytearray(CHUNK))
    for stream in each_layer(archive):
        digest = hashlib.sha256()
        while count := stream.readinto(buffer):
            digest.update(buffer[:count])


class HashingStream:
    """A layer stream whose bytes a second thread hashes (SHA-256) as the scanner reads them:
    ``hashlib`` releases the GIL on large updates, so both can run at once on two CPUs."""

    def __init__(self, inner: LayerStream, pending: queue.SimpleQueue[bytes | None]) -> None:
        self._inner = inner
        self._pending = pending

    def read(self, size: int = -1, /) -> bytes:
        data = self._inner.read(size)
        self._pending.put(data)
        return data

    def readinto(self, buffer: memoryview, /) -> int:
        count = self._inner.readinto(buffer)
        self._pending.put(bytes(buffer[:count]))  # a copy: the scanner reuses its buffer
        return count


def scans_hashed(archive: Path) -> list[tuple[Entry, ...]]:
    """Scan every layer while another thread hashes its bytes."""
    results = []
    for stream in each_layer(archive):
        pending: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()

        def consume(pending: queue.SimpleQueue[bytes | None] = pending) -> None:
            digest = hashlib.sha256()
            while (chunk := pending.get()) is not None:
                digest.update(chunk)

        worker = threading.Thread(target=consume)
        worker.start()
        results.append(scan_layer(HashingStream(stream, pending), LAYER).entries)
        pending.put(None)
        worker.join()
    return results


def phases(archive: Path, repeat: int) -> None:
    reference = f"docker-archive://{archive}"
    entries = scans(archive)
    count = sum(map(len, entries))
    analysis = analyze(reference)
    sizes = [layer.size for layer in analysis.image.layers]
    text = format_json(analysis)
    metrics = dive.dive_metrics(entries, sizes)
    rows: list[tuple[str, Callable[[], object]]] = [
        ("read every layer byte (I/O floor)", lambda: read_all(archive)),
        (
            "tar headers, seeking past contents",
            lambda: headers(archive, seekable=True, checksums=False),
        ),
        (
            "tar headers, reading contents",
            lambda: headers(archive, seekable=False, checksums=False),
        ),
        (
            "tar headers + CRC-32 of contents",
            lambda: headers(archive, seekable=False, checksums=True),
        ),
        ("scan: headers + CRC-32 + entries", lambda: scans(archive)),
        ("SHA-256 of every layer (diff IDs)", lambda: digests(archive)),
        ("scan, SHA-256 in a second thread", lambda: scans_hashed(archive)),
        ("overlay (stack_layers)", lambda: stack_layers(entries)),
        ("dive metrics (dive_metrics)", lambda: dive.dive_metrics(entries, sizes)),
        ("dive result to/from the child", lambda: _transfer(metrics)),
        ("analysis as run (forked)", lambda: analyze_image(analysis.image)),
        ("JSON text (format_json)", lambda: format_json(analysis)),
        ("JSON encode + write", lambda: _write(text)),
        ("whole pipeline (analyze)", lambda: analyze(reference)),
    ]
    print(
        f"{archive.name}: {len(entries)} layers, {count:,} entries, {len(text) / 1e6:.1f} MB JSON"
    )
    print(f"{'phase':40} {'wall s':>8} {'cpu s':>8} {'us/entry':>9}")
    for label, work in rows:
        wall, cpu = best_of(repeat, work)
        print(f"{label:40} {wall:8.3f} {cpu:8.3f} {wall / count * 1e6:9.2f}")


def _transfer(metrics: DiveMetrics) -> object:
    """What the forked analysis adds to send dive's metrics back: flatten, marshal, rebuild."""
    plain = marshal.loads(marshal.dumps(dive.to_plain(metrics)))
    return dive.from_plain(plain)


def _write(text: str) -> None:
    with tempfile.NamedTemporaryFile("wb") as handle:
        handle.write(text.encode("utf-8"))


# -- memory ----------------------------------------------------------------------------------


def memory(archive: Path) -> None:
    """The Python heap each structure holds, per entry."""
    gc.disable()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]

    def held(since: int) -> int:
        return tracemalloc.get_traced_memory()[0] - since

    analysis = analyze(f"docker-archive://{archive}")
    whole = held(base)
    entries = [layer.scan.entries for layer in analysis.image.layers]
    count = sum(map(len, entries))
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    rescanned = scans(archive)
    scan_bytes = held(before)
    before = tracemalloc.get_traced_memory()[0]
    overlay = stack_layers(rescanned)
    overlay_bytes = held(before)
    final_paths = len(overlay.final)
    before = tracemalloc.get_traced_memory()[0]
    final_entries = dict(overlay.final.items())
    final_bytes = held(before)
    before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    metrics = dive.dive_metrics(rescanned, [0] * len(rescanned))
    dive_peak = tracemalloc.get_traced_memory()[1] - before
    dive_bytes = held(before)
    before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    text = format_json(analysis)
    json_peak = tracemalloc.get_traced_memory()[1] - before
    json_bytes = held(before)
    del metrics, final_entries, overlay, text, rescanned
    print(f"{archive.name}: {count:,} entries, {final_paths:,} final paths")
    rows = [
        ("whole analysis kept by the CLI", whole),
        ("scanned entries (all layers)", scan_bytes),
        ("overlay result (diffs, final nodes, waste)", overlay_bytes),
        ("final filesystem read (entries replace nodes)", final_bytes),
        ("dive metrics kept (file lists)", dive_bytes),
        ("dive metrics, peak while computed", dive_peak),
        ("JSON text kept", json_bytes),
        ("JSON rendering, peak", json_peak),
    ]
    print(f"{'structure':44} {'MiB':>8} {'bytes/entry':>12}")
    for label, size in rows:
        print(f"{label:44} {size / 2**20:8.1f} {size / count:12.0f}")
    print(f"(tracemalloc baseline {base / 2**20:.1f} MiB; ", end="")
    print(f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)")
    print(f"one entry: {_entry_bytes(entries)}")


def _entry_bytes(layers: list[tuple[Entry, ...]]) -> str:
    """The size of one typical entry's objects, counted once each."""
    sample = [entry for entries in layers for entry in entries[:: max(1, len(entries) // 500)]]
    tuple_bytes = sum(sys.getsizeof(entry) for entry in sample) / len(sample)
    path_bytes = sum(sys.getsizeof(entry.path) for entry in sample) / len(sample)
    ints = [value for entry in sample for value in (entry.size, entry.digest) if value is not None]
    int_bytes = sum(sys.getsizeof(value) for value in ints if not -5 <= value <= 256) / len(sample)
    return (
        f"tuple {tuple_bytes:.0f} B + path str {path_bytes:.0f} B + own ints {int_bytes:.0f} B "
        f"+ list slot 8 B = {tuple_bytes + path_bytes + int_bytes + 8:.0f} B"
    )


# -- a real run: RSS over time, py-spy samples, imports ---------------------------------------


def auger_command(archive: Path, output: Path) -> list[str]:
    """A real run writing JSON to ``output``; run it with ``cold_cache`` for a cold start."""
    return [
        sys.executable,
        "-m",
        "auger",
        f"docker-archive://{archive}",
        "--json",
        str(output),
        "-q",
    ]


def cold_cache(scratch: str) -> dict[str, str]:
    """The environment of a cold run: an empty layer cache in ``scratch``, as the bench uses."""
    return {**os.environ, "AUGER_CACHE_DIR": str(Path(scratch) / "cache")}


def _rss_kib(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [
            int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ]
    return []


def rss(archive: Path, interval: float) -> None:
    """Sample the RSS of a real run and of its children."""
    with tempfile.TemporaryDirectory() as scratch:
        start = time.perf_counter()
        process = subprocess.Popen(
            auger_command(archive, Path(scratch) / "out.json"), env=cold_cache(scratch)
        )
        samples: list[tuple[float, int, int]] = []
        while process.poll() is None:
            parent = _rss_kib(process.pid)
            child = sum(_rss_kib(pid) for pid in _children(process.pid))
            samples.append((time.perf_counter() - start, parent, child))
            time.sleep(interval)
        elapsed = time.perf_counter() - start
    peak_parent = max(samples, key=lambda sample: sample[1])
    peak_child = max(samples, key=lambda sample: sample[2])
    peak_sum = max(samples, key=lambda sample: sample[1] + sample[2])
    print(f"{archive.name}: {elapsed:.2f} s, {len(samples)} samples")
    print(f"parent peak {peak_parent[1] / 1024:.0f} MiB at {peak_parent[0]:.2f} s")
    print(f"child peak  {peak_child[2] / 1024:.0f} MiB at {peak_child[0]:.2f} s", end=" ")
    print("(pages shared with the parent count in both)")
    print(f"sum peak    {(peak_sum[1] + peak_sum[2]) / 1024:.0f} MiB at {peak_sum[0]:.2f} s")
    step = max(1, len(samples) // 20)
    for moment, parent, child in samples[::step]:
        print(f"  {moment:6.2f} s  parent {parent / 1024:6.0f} MiB  child {child / 1024:6.0f} MiB")


PHASE_RULES: list[tuple[str, str, str]] = [
    # (file suffix, function name or "*", phase); the first rule matching the innermost auger
    # frame decides; a line calling crc32 or reading the stream refines the tar reader's rows
    ("layers/tarstream.py", "*", "tar headers"),
    ("layers/scanner.py", "*", "entries (scanner)"),
    ("layers/paths.py", "*", "entries (scanner)"),
    ("analysis/overlay.py", "*", "overlay"),
    ("analysis/dive.py", "to_plain", "dive metrics to/from the child"),
    ("analysis/dive.py", "from_plain", "dive metrics to/from the child"),
    ("analysis/dive.py", "*", "dive metrics"),
    ("parallel.py", "*", "dive metrics to/from the child"),
    ("report/dive_json.py", "*", "JSON text"),
    ("cli/console.py", "write_atomically", "JSON encode + write"),
    ("sources/streams.py", "*", "reading layer bytes"),
    ("sources/", "*", "archive index, manifest"),
    ("pipeline.py", "*", "pipeline (collector freeze)"),
]
_FRAME = re.compile(r"^(?P<function>.+) \((?P<file>[^()]*):(?P<line>\d+)\)$")


def innermost(stack: list[str]) -> str:
    """The innermost auger function of a stack, as ``module.function``."""
    for frame in reversed(stack):
        match = _FRAME.match(frame)
        if match is not None and "auger/" in match["file"]:
            module = match["file"][match["file"].index("auger/") :].removesuffix(".py")
            return f"{module.replace('/', '.')}:{match['function']}"
    return "(no auger frame)"


def phase_of(stack: list[str]) -> str:
    if any("_find_and_load" in frame for frame in stack):
        return "imports (start-up)"
    for frame in reversed(stack):
        match = _FRAME.match(frame)
        if match is None or "auger/" not in match["file"]:
            continue
        file, function = match["file"], match["function"]
        for suffix, name, phase in PHASE_RULES:
            if suffix in file and name in ("*", function.rpartition(".")[2]):
                if phase == "tar headers":
                    source = linecache.getline(_source_path(file), int(match["line"]))
                    if "crc32" in source:
                        return "CRC-32 of contents"
                    if any(word in source for word in ("readinto", "read(", "_fill", "_skip")):
                        return "reading layer bytes"
                return phase
        return "other auger"
    return "interpreter (no auger frame)"


def _source_path(file: str) -> str:
    root = Path(auger.__file__).parent.parent
    return str(root / file[file.index("auger/") :])


def _sample_lines(text: str) -> list[str]:
    """py-spy's raw samples, one per item: a process whose command line holds newlines (the
    hashing helper's ``-c`` program) spreads a sample over several lines of the file."""
    samples: list[str] = []
    pending = ""
    for line in text.splitlines():
        pending = f"{pending}\n{line}" if pending else line
        if pending.count('"') % 2 == 0 and pending.rpartition(" ")[2].isdigit():
            samples.append(pending)
            pending = ""
    return samples


def spy(archive: Path, rate: int, top: int) -> None:
    py_spy = shutil.which("py-spy")
    if py_spy is None:
        raise SystemExit("py-spy not found: pip install py-spy")
    with tempfile.TemporaryDirectory() as scratch:
        raw = Path(scratch) / "samples.txt"
        command = [py_spy, "record", "--subprocesses", "-r", str(rate), "-f", "raw", "-o", str(raw)]
        subprocess.run(
            [*command, "--", *auger_command(archive, Path(scratch) / "out.json")],
            check=True,
            capture_output=True,
            env=cold_cache(scratch),
        )
        lines = _sample_lines(raw.read_text())
    by_process: dict[int, Counter[str]] = defaultdict(Counter)
    functions: Counter[str] = Counter()
    parent = 0
    for line in lines:
        stack_text, _, count = line.rpartition(" ")
        frames = stack_text.split(";")
        # a child's stack hangs below its parent's "process" frame: the last one is the sampled
        last = max(index for index, frame in enumerate(frames) if frame.startswith("process "))
        pid = int(frames[last].split(":")[0].split()[1])
        parent = parent or int(frames[0].split(":")[0].split()[1])
        by_process[pid][phase_of(frames[last + 1 :])] += int(count)
        functions[innermost(frames[last + 1 :])] += int(count)
    children = [pid for pid in by_process if pid != parent]
    child: Counter[str] = Counter()
    for pid in children:
        child.update(by_process[pid])
    total = sum(by_process[parent].values()) + sum(child.values())
    print(f"{archive.name}: {total} samples at {rate} Hz, {len(children)} forked child(ren)")
    print(f"{'phase':36} {'main ms':>8} {'child ms':>8} {'share':>6}")
    for phase in sorted(
        set(by_process[parent]) | set(child), key=lambda p: -(by_process[parent][p] + child[p])
    ):
        main_ms = by_process[parent][phase] * 1000 / rate
        child_ms = child[phase] * 1000 / rate
        share = (by_process[parent][phase] + child[phase]) / total
        print(f"{phase:36} {main_ms:8.0f} {child_ms:8.0f} {share:6.1%}")
    print("busiest auger functions (innermost frame, both processes):")
    for function, samples in functions.most_common(top):
        print(f"  {function:60} {samples * 1000 / rate:6.0f} ms {samples / total:6.1%}")


def _import_times(command: list[str]) -> dict[str, int]:
    """Each module's own import time (microseconds) when ``command`` runs under importtime."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *command], capture_output=True, text=True, check=True
    )
    times: dict[str, int] = {}
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            own, _, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
            times[name] = int(own)
    return times


def startup(archive: Path) -> None:
    """Import times of a real run, beyond what the interpreter imports anyway (``site``)."""
    baseline = _import_times(["-c", "pass"])
    with tempfile.TemporaryDirectory() as scratch:
        run = _import_times(auger_command(archive, Path(scratch) / "o.json")[1:])
    own = {name: micros for name, micros in run.items() if name not in baseline}
    by_package: Counter[str] = Counter()
    for name, micros in own.items():
        by_package[name.split(".")[0]] += micros
    print(
        f"{archive.name}: the interpreter's own start imports {len(baseline)} modules in "
        f"{sum(baseline.values()) / 1000:.1f} ms; the run imports {len(own)} more in "
        f"{sum(own.values()) / 1000:.1f} ms"
    )
    for package, micros in by_package.most_common(10):
        print(f"  {package:24} {micros / 1000:7.1f} ms")
    slowest = sorted(own.items(), key=lambda item: -item[1])[:8]
    print("slowest:", ", ".join(f"{name} {micros / 1000:.1f} ms" for name, micros in slowest))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("phases", "memory", "rss", "spy", "startup"))
    parser.add_argument("archive", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=12, help="functions listed by spy")
    parser.add_argument("--interval", type=float, default=0.005, help="rss sampling period")
    args = parser.parse_args()
    # as installing auger does: without bytecode (PYTHONDONTWRITEBYTECODE, or sources edited
    # within a second of their last compilation) every run would compile auger again
    compileall.compile_dir(Path(auger.__file__).parent, quiet=1)
    if args.what == "phases":
        phases(args.archive, args.repeat)
    elif args.what == "memory":
        memory(args.archive)
    elif args.what == "rss":
        rss(args.archive, args.interval)
    elif args.what == "spy":
        spy(args.archive, args.rate, args.top)
    else:
        startup(args.archive)


if __name__ == "__main__":
    main()
