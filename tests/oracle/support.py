"""Helpers for the engine and dive-oracle tests: images to build, archives to write, dive to run."""

from __future__ import annotations

import io
import json
import math
import os
import re
import subprocess
import tarfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from auger.model import ImageAnalysis
from auger.pipeline import analyze
from auger.testing.images import ImageSpec, LayerSpec, TarEntry, docker_archive, layer_tar
from tests.engine_support import BUSYBOX_PREAMBLE, Engine

DIVE_TIMEOUT = 120

# -- the engine-built image -------------------------------------------------------------------

OVERLAY_DOCKERFILE = (
    BUSYBOX_PREAMBLE
    + """\
ENV LANG=C.UTF-8
RUN mkdir -p /data/opq /data/gone/sub && \\
    yes a | head -c 1000 > /data/over.txt && \\
    yes b | head -c 500 > /data/chmod.bin && chmod 644 /data/chmod.bin && \\
    yes c | head -c 300 > /data/del.txt && \\
    yes d | head -c 200 > /data/opq/old1 && yes e | head -c 100 > /data/opq/old2 && \\
    yes f | head -c 400 > /data/gone/sub/x && yes g | head -c 50 > /data/gone/y && \\
    yes h | head -c 70 > /data/readd.txt
LABEL stage=change
RUN yes i | head -c 600 > /data/over.txt && chmod 755 /data/chmod.bin && rm /data/del.txt && \\
    rm -rf /data/opq && mkdir /data/opq && yes j | head -c 10 > /data/opq/new && \\
    rm -rf /data/gone && rm /data/readd.txt
RUN yes k | head -c 80 > /data/readd.txt && yes l | head -c 120 > /data/orig && \\
    ln /data/orig /data/hard && ln -s orig /data/sym && mkdir -p /data/a/b/c/d && \\
    yes m | head -c 33 > /data/a/b/c/d/deep.txt
RUN true
"""
)
"""Layers: 0 busybox, 1 applet links, 2 writes /data, 3 changes it, 4 re-adds and links.

Layer 3 overwrites ``over.txt`` (1000 -> 600 bytes), chmods ``chmod.bin`` (500 bytes, same
content), deletes ``del.txt`` (300), replaces ``opq`` (old1 200 + old2 100) through an opaque
marker, deletes the directory ``gone`` (x 400 + y 50) and ``readd.txt`` (70); layer 4 writes
``readd.txt`` again (80), a file with a hard link (120, once), a symlink and a deep file (33).
``ENV``, ``LABEL`` and ``RUN true`` (no change) only add ``empty_layer`` history entries.
"""

WRITER_LAYER = 2
CHANGER_LAYER = 3
READDER_LAYER = 4
EXPECTED_WASTED = 1000 + 500 + 300 + (200 + 100) + (400 + 50) + 70

RENAME_DOCKERFILE = (
    BUSYBOX_PREAMBLE
    + """\
COPY app /app
RUN mv /app/big.bin /app/moved.bin && rm -rf /app/cache
"""
)
"""Layers: 0 busybox, 1 applet links, 2 ``COPY app``, 3 renames a file and deletes a directory."""

RENAME_FILES = {
    "app/big.bin": bytes(range(256)) * 16,
    "app/cache/a.tmp": b"a" * 100,
    "app/cache/b.tmp": b"b" * 200,
    "app/conf": b"key=value\n",
}
RENAME_WASTED = 4096 + 100 + 200

IMAGES: dict[str, tuple[str, dict[str, bytes]]] = {
    "overlay": (OVERLAY_DOCKERFILE, {}),
    "rename": (RENAME_DOCKERFILE, RENAME_FILES),
}
"""The engine-built images by name: Dockerfile and build-context files."""

_built: dict[tuple[int, str], str] = {}


def engine_image(
    engine: Engine, busybox: Path, tmp_path_factory: pytest.TempPathFactory, name: str
) -> str:
    """The tag of the engine-built image ``name`` of :data:`IMAGES` (built once per session)."""
    key = (id(engine), name)
    if key not in _built:
        dockerfile, files = IMAGES[name]
        context = tmp_path_factory.mktemp(f"{name}-image")
        _built[key] = engine.build(context, dockerfile, files, busybox=busybox)
    return _built[key]


_saved: dict[str, Path] = {}


def saved_archive(engine: Engine, tag: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``docker save`` of ``tag`` (written once per session)."""
    if tag not in _saved:
        directory = tmp_path_factory.mktemp("saved")
        _saved[tag] = engine.save(tag, directory / "image.tar")
    return _saved[tag]


# -- generated archives -----------------------------------------------------------------------


LayerContent = Sequence[TarEntry] | bytes
"""A layer as entries to write, or as a ready-made tar."""


def write_archive(
    directory: Path,
    layers: Sequence[LayerContent],
    layout: str = "legacy",
    *,
    history: bool = True,
    empty_before: Sequence[int] = (),
    name: str = "image.tar",
) -> Path:
    """Write a ``docker save`` archive whose layer ``i`` holds ``layers[i]`` in that order."""
    specs = [
        LayerSpec(
            entries if isinstance(entries, bytes) else layer_tar(entries),
            f"/bin/sh -c step {index}",
            empty_before[index] if index < len(empty_before) else 0,
        )
        for index, entries in enumerate(layers)
    ]
    target = directory / name
    target.write_bytes(docker_archive(ImageSpec(layers=specs, history=history), layout=layout))
    return target


def describe_entry(entry: TarEntry) -> str:
    """A short form of one tar entry: ``d/``, ``f(10)``, ``l->t``, ``h=>t``."""
    if entry.kind == "dir":
        return entry.name
    if entry.kind == "symlink":
        return f"{entry.name}->{entry.link}"
    if entry.kind == "hardlink":
        return f"{entry.name}=>{entry.link}"
    if entry.name.rpartition("/")[2].startswith(".wh."):
        return entry.name
    mode = "" if entry.mode == 0o644 else f",{entry.mode:o}"
    return f"{entry.name}({len(entry.data)}{mode})"


def _describe_member(member: tarfile.TarInfo) -> str:
    link = f" link={member.linkname}" if member.linkname else ""
    return f"{member.name}(type {member.type.decode()}, {member.size}{link})"


def describe_layers(layers: Sequence[LayerContent]) -> str:
    """Every layer's entries, one layer a line, for failure messages and the report."""
    lines = []
    for index, entries in enumerate(layers):
        if isinstance(entries, bytes):
            with tarfile.open(fileobj=io.BytesIO(entries)) as archive:
                described = [_describe_member(member) for member in archive.getmembers()]
        else:
            described = [describe_entry(entry) for entry in entries]
        lines.append(f"  L{index}: " + (", ".join(described) or "(empty)"))
    return "\n".join(lines)


def docker_whiteout_layer(created: Sequence[tuple[str, int]], deleted: Sequence[str]) -> bytes:
    """A layer tar as Docker 20.10 writes it on overlay2 after ``rm``.

    The kernel makes every whiteout a link to one shared inode, so Docker's tar writer records
    the second and later ones as hard links to the first and then, converting them to ``.wh.``
    files, changes only the type flag: they are regular files that keep a link name.
    """
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, size in created:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = size, 0o100644, 1_700_000_000
            archive.addfile(info, io.BytesIO(b"n" * size))
        first = ""
        for path in deleted:
            head, _, base = path.rpartition("/")
            info = tarfile.TarInfo(f"{head}/.wh.{base}" if head else f".wh.{base}")
            info.mode, info.mtime = 0o600, 1_700_000_000
            info.linkname = first
            first = first or path
            archive.addfile(info)
    return buffer.getvalue()


# -- running dive and auger -------------------------------------------------------------------


def run_dive(
    dive: Path, archive: Path, workdir: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """Run dive headless on ``archive``, isolated from any user or project configuration."""
    workdir.mkdir(parents=True, exist_ok=True)
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "XDG_CONFIG_HOME": str(workdir / ".config"),
        "CI": "true",
    }
    return subprocess.run(
        [str(dive), f"docker-archive://{archive.resolve()}", *args],
        cwd=workdir,
        env=environ,
        capture_output=True,
        text=True,
        timeout=DIVE_TIMEOUT,
        check=False,
    )


def dive_export(dive: Path, archive: Path, workdir: Path) -> dict[str, Any]:
    """dive's ``--json`` export of ``archive``."""
    target = workdir / f"{archive.stem}.dive.json"
    result = run_dive(dive, archive, workdir, "--json", str(target))
    assert result.returncode == 0 and target.is_file(), (
        f"dive failed on {archive} (rc={result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    loaded: dict[str, Any] = json.loads(target.read_text())
    return loaded


def auger_analysis(archive: Path) -> ImageAnalysis:
    """auger's analysis of a ``docker save`` archive."""
    return analyze(f"docker-archive://{archive.resolve()}")


def file_references(export_: Mapping[str, Any]) -> Counter[tuple[str, int, int]]:
    """``fileReference`` as a multiset of (file, count, sizeBytes)."""
    return Counter(
        (ref["file"], ref["count"], ref["sizeBytes"]) for ref in export_["image"]["fileReference"]
    )


def _path_order(files: Sequence[Mapping[str, Any]]) -> list[str]:
    return [str(item["path"]) for item in files]


def compare_exports(dive: Mapping[str, Any], auger: Mapping[str, Any]) -> list[str]:
    """Every difference in dive's keys between dive's export and auger's, one line each."""
    problems: list[str] = []
    dive_layers, auger_layers = dive["layer"], auger["layer"]
    if len(dive_layers) != len(auger_layers):
        problems.append(f"layer count: dive {len(dive_layers)}, auger {len(auger_layers)}")
    for index, (theirs, ours) in enumerate(zip(dive_layers, auger_layers, strict=False)):
        for key in ("index", "id", "digestId", "sizeBytes", "command"):
            if theirs[key] != ours[key]:
                problems.append(f"L{index} {key}: dive {theirs[key]!r}, auger {ours[key]!r}")
        their_files, our_files = theirs["fileList"], ours["fileList"]
        if their_files == our_files:
            continue
        sort_key = json.dumps
        if sorted(their_files, key=sort_key) == sorted(our_files, key=sort_key):
            first = next(
                i for i, (a, b) in enumerate(zip(their_files, our_files, strict=True)) if a != b
            )
            problems.append(
                f"L{index} fileList: same {len(their_files)} items in another order; from item "
                f"{first}: dive {_path_order(their_files[first : first + 6])}, "
                f"auger {_path_order(our_files[first : first + 6])}"
            )
            continue
        missing = [item for item in their_files if item not in our_files]
        extra = [item for item in our_files if item not in their_files]
        problems.append(
            f"L{index} fileList differs: only in dive {missing[:5]}, only in auger {extra[:5]}"
        )
    for key in ("sizeBytes", "inefficientBytes", "efficiencyScore"):
        # dive (Go) writes 1.0 as ``1``: compare as numbers, exactly
        theirs_value, ours_value = dive["image"][key], auger["image"][key]
        if theirs_value != ours_value:
            problems.append(f"image {key}: dive {theirs_value!r}, auger {ours_value!r}")
    their_refs, our_refs = file_references(dive), file_references(auger)
    if their_refs != our_refs:
        problems.append(
            "image fileReference: only in dive "
            f"{sorted((their_refs - our_refs).elements())}, only in auger "
            f"{sorted((our_refs - their_refs).elements())}"
        )
    return problems


# -- CI verdicts ------------------------------------------------------------------------------

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_RULE_LINE = re.compile(r"^\s*(PASS|FAIL|SKIP|WARN|MISCONFIGURED): (\w+)")


@dataclass(frozen=True, slots=True)
class DiveNumbers:
    """The three numbers dive's CI rules compare, as auger computed them."""

    efficiency: float
    wasted_bytes: int
    user_wasted_percent: float

    @classmethod
    def of(cls, analysis: ImageAnalysis) -> DiveNumbers:
        metrics = analysis.dive
        return cls(metrics.efficiency, metrics.wasted_bytes, metrics.user_wasted_percent)


def _ratios_near(value: float) -> list[float]:
    """0, 1, the value and its two float neighbours: those a ratio threshold accepts (0..1)."""
    candidates = {0.0, 1.0}
    if math.isfinite(value):
        candidates |= {math.nextafter(value, -math.inf), value, math.nextafter(value, math.inf)}
    return sorted(item for item in candidates if 0.0 <= item <= 1.0)


def threshold_candidates(numbers: DiveNumbers) -> dict[str, list[str]]:
    """Thresholds at, just below and just above each of auger's values, as dive parses them."""
    wasted = numbers.wasted_bytes
    return {
        "lowestEfficiency": [repr(item) for item in _ratios_near(numbers.efficiency)],
        "highestWastedBytes": [
            str(item) for item in sorted({0, wasted - 1, wasted, wasted + 1}) if item >= 0
        ],
        "highestUserWastedPercent": [
            repr(item) for item in _ratios_near(numbers.user_wasted_percent)
        ],
    }


def predicted_status(rule: str, threshold: str, numbers: DiveNumbers) -> str:
    """``PASS``/``FAIL``/``SKIP`` as dive decides, applied to auger's numbers."""
    if threshold == "disabled":
        return "SKIP"
    if rule == "lowestEfficiency":
        return "FAIL" if float(threshold) > numbers.efficiency else "PASS"
    if rule == "highestWastedBytes":
        return "FAIL" if numbers.wasted_bytes > int(threshold) else "PASS"
    value = numbers.user_wasted_percent
    return "FAIL" if not math.isnan(value) and value > float(threshold) else "PASS"


def dive_statuses(
    dive: Path, archive: Path, workdir: Path, thresholds: Mapping[str, str]
) -> tuple[dict[str, str], subprocess.CompletedProcess[str]]:
    """Run dive's CI check with explicit thresholds; each rule's status and the run."""
    args = [
        "--ci-config",
        str(workdir / "no-such-dive-ci.yaml"),
        *(f"--{rule}={value}" for rule, value in thresholds.items()),
    ]
    result = run_dive(dive, archive, workdir, *args)
    statuses: dict[str, str] = {}
    for line in _ANSI.sub("", result.stdout).splitlines():
        match = _RULE_LINE.match(line)
        if match:
            statuses[match.group(2)] = match.group(1)
    return statuses, result


def verdict_mismatches(dive: Path, archive: Path, workdir: Path, numbers: DiveNumbers) -> list[str]:
    """Run dive once per threshold set and list every rule whose verdict auger mispredicts."""
    candidates = threshold_candidates(numbers)
    runs = max(len(values) for values in candidates.values())
    problems: list[str] = []
    for run in range(runs):
        thresholds = {
            rule: values[run] if run < len(values) else "disabled"
            for rule, values in candidates.items()
        }
        statuses, result = dive_statuses(dive, archive, workdir, thresholds)
        expected_rc = (
            1
            if any(
                predicted_status(rule, value, numbers) == "FAIL"
                for rule, value in thresholds.items()
            )
            else 0
        )
        for rule, value in thresholds.items():
            expected = predicted_status(rule, value, numbers)
            if statuses.get(rule) != expected:
                problems.append(
                    f"{rule}={value}: dive {statuses.get(rule)}, auger's numbers predict "
                    f"{expected} ({numbers})"
                )
        if result.returncode != expected_rc:
            problems.append(
                f"thresholds {thresholds}: dive exited {result.returncode}, expected "
                f"{expected_rc}:\n{_ANSI.sub('', result.stdout)}"
            )
    return problems
