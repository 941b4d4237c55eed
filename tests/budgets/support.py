"""Images with numbers known by construction, and helpers to run the gate on them.

``LEAN`` wastes nothing; ``BLOATED`` overwrites and deletes files, so every rule has a value
to check. Every expected number below is computed from the sizes written into the layers
(dive's formulas: efficiency is the sum of each path's smallest copy over the sum of all its
copies, a whiteout of a file counting 0; wasted bytes sum every copy of a path seen twice or
more; user wasted percent divides that by the size of every layer but the first).
"""

from __future__ import annotations

import io
import os
import random
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from auger.budgets.loader import parse_budgets
from auger.budgets.schema import Budgets
from auger.cli.console import Console
from auger.cli.main import main
from auger.model import ImageAnalysis
from auger.pipeline import AnalyzeOptions, analyze
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    TarEntry,
    compress,
    docker_archive,
    file,
    layer_tar,
    oci_layout,
    whiteout,
    write_directory,
)

NO_ENGINE = {"DOCKER_HOST": "unix:///nonexistent/auger-budget-test.sock"}
"""An environment in which no Docker Engine is reached by accident."""

Layers = Sequence[Sequence[TarEntry]]

BASE = 4000
"""``/base`` in layer 0 of both images."""
APP = 1000
"""``/app`` as layer 1 writes it."""
JUNK = 5000
"""``/junk``: written by BLOATED's layer 1, deleted by its layer 2."""
APP_AFTER = 500
"""``/app`` as BLOATED's layer 2 rewrites it."""

LEAN: Layers = [[file("base", BASE)], [file("app", APP)]]
LEAN_SIZE = BASE + APP

BLOATED: Layers = [
    [file("base", BASE)],
    [file("app", APP), file("junk", JUNK)],
    [file("app", APP_AFTER), whiteout("junk")],
]
BLOATED_LAYER_SIZES = (BASE, APP + JUNK, APP_AFTER)
BLOATED_SIZE = sum(BLOATED_LAYER_SIZES)
BLOATED_LAYERS = len(BLOATED_LAYER_SIZES)
BLOATED_LARGEST_LAYER = max(BLOATED_LAYER_SIZES)
BLOATED_FINAL = BASE + APP_AFTER
BLOATED_WASTE = APP + JUNK
"""auger's waste: the first ``/app`` (overwritten) and ``/junk`` (deleted)."""
BLOATED_WASTED_PERCENT = BLOATED_WASTE / BLOATED_SIZE
BLOATED_DIVE_WASTE = (APP + APP_AFTER) + (JUNK + 0)
"""dive counts every copy of a path seen in two layers; a whiteout of a file counts 0."""
BLOATED_EFFICIENCY = (BASE + APP_AFTER + 0) / (BASE + (APP + APP_AFTER) + (JUNK + 0))
BLOATED_USER_WASTED = BLOATED_DIVE_WASTE / (BLOATED_SIZE - BASE)


def random_file(name: str, size: int, seed: int) -> TarEntry:
    """A file of ``size`` incompressible bytes (so gzip sizes differ between images)."""
    return file(name, random.Random(seed).randbytes(size))


def write_archive(
    directory: Path, layers: Layers, tag: str = "app:1", name: str = "image.tar"
) -> Path:
    """A ``docker save`` archive (Docker < 25 layout) holding ``layers``."""
    directory.mkdir(parents=True, exist_ok=True)
    specs = [
        LayerSpec(layer_tar(entries), f"/bin/sh -c step {index}")
        for index, entries in enumerate(layers)
    ]
    target = directory / name
    target.write_bytes(docker_archive(ImageSpec(layers=specs, tag=tag)))
    return target


def write_oci(directory: Path, layers: Layers, tag: str = "app:1") -> Path:
    """An OCI layout directory with gzip-compressed layers."""
    specs = [LayerSpec(layer_tar(entries), f"step {index}") for index, entries in enumerate(layers)]
    return write_directory(oci_layout([ImageSpec(layers=specs, tag=tag)], "gzip"), directory)


def gzip_total(layers: Layers) -> int:
    """The sum of the gzip blob sizes :func:`write_oci` stores for ``layers``."""
    return sum(len(compress(layer_tar(entries), "gzip")) for entries in layers)


def analysis_of(reference: str | Path) -> ImageAnalysis:
    """auger's analysis of an archive path or a reference, with no engine reachable."""
    text = str(reference)
    if isinstance(reference, Path):
        text = f"docker-archive://{reference.resolve()}"
    return analyze(text, AnalyzeOptions(), None, NO_ENGINE)


def budgets_of(text: str, name: str = "budgets.yaml") -> Budgets:
    """Parse a budgets file's text (dedented)."""
    return parse_budgets(textwrap.dedent(text), name)


@dataclass(frozen=True, slots=True)
class Run:
    """What an in-process ``auger`` run returned and wrote."""

    code: int
    stdout: str
    stderr: str


def run_auger(
    argv: Sequence[str], environ: Mapping[str, str] | None = None, *, engine: bool = False
) -> Run:
    """Run ``auger ARGV`` in-process (``environ`` added to an engine-less environment, or to
    this process's Docker variables with ``engine``)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    if engine:
        base = {key: value for key, value in os.environ.items() if key.startswith("DOCKER_")}
        base["HOME"] = os.environ.get("HOME", "/root")
    else:
        base = dict(NO_ENGINE)
    console = Console(stdout, stderr, {**base, **(environ or {})})
    code = main(list(argv), console)
    return Run(int(code), stdout.getvalue(), stderr.getvalue())


def marked_line(text: str, marker: str = "# <-") -> int:
    """The 1-based number of the line of ``text`` that carries ``marker``."""
    lines = textwrap.dedent(text).splitlines()
    found = [index + 1 for index, line in enumerate(lines) if marker in line]
    assert len(found) == 1, f"expected one {marker!r} line in:\n{text}"
    return found[0]


def write_budgets(directory: Path, text: str, name: str = "budgets.yaml") -> Path:
    """Write a budgets file (dedented) and return its path."""
    target = directory / name
    target.write_text(textwrap.dedent(text), encoding="utf-8")
    return target
