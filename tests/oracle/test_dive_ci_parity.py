"""``CI=true dive X`` and ``CI=true auger X`` with the same ``.dive-ci`` agree, rule by rule.

dive 0.13.1 is the oracle: for every image and configuration both run in a working directory
holding the configuration; they must exit alike (pass or fail) and give each of dive's three
rules the same PASS / FAIL / SKIP. Boundary thresholds come from dive's own export of the image.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from auger.testing.images import directory, file, whiteout
from tests.budgets.support import Layers, run_auger, write_archive
from tests.engine_support import BUSYBOX_PREAMBLE
from tests.oracle.support import run_dive

pytestmark = pytest.mark.oracle

DIVE_RULES = ("lowestEfficiency", "highestWastedBytes", "highestUserWastedPercent")
AUGER_RULES = {
    "image.min_efficiency": "lowestEfficiency",
    "image.max_dive_wasted_bytes": "highestWastedBytes",
    "image.max_user_wasted_percent": "highestUserWastedPercent",
}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_RULE_LINE = re.compile(r"^\s*(PASS|FAIL|SKIP|WARN|MISCONFIGURED): (\w+)")

ENGINE_DOCKERFILE = (
    BUSYBOX_PREAMBLE
    + """\
RUN mkdir -p /data && yes a | head -c 3000 > /data/a.bin && yes b | head -c 2000 > /data/b.bin \\
    && yes k | head -c 4000 > /data/keep.bin && mkdir -p /data/tmp && \\
    yes t | head -c 700 > /data/tmp/t1 && yes u | head -c 300 > /data/tmp/t2
RUN yes c | head -c 1000 > /data/a.bin && rm /data/b.bin && rm -rf /data/tmp
RUN yes d | head -c 500 > /data/new.bin
"""
)
"""Overwrites ``a.bin``, deletes ``b.bin`` and the directory ``tmp``, then adds a file."""

IN_PROCESS: dict[str, Layers] = {
    # dive's wasted bytes: app 1000 + 300, junk 748 + 0 = 2048 (exactly 2KiB)
    "iec-2048": [
        [file("base", 4000), file("junk", 748)],
        [file("app", 1000), file("blob", 9000)],
        [file("app", 300), whiteout("junk")],
    ],
    # dive's wasted bytes: conf 1000 + 1000 = 2000 (exactly 2kB)
    "si-2000": [
        [file("base", 3000), file("conf", b"x" * 1000)],
        [file("conf", b"y" * 1000), file("data", 6000)],
    ],
    "clean": [[file("base", 3000)], [file("app", 2000)]],
    # a deleted directory, then a file in its place: dive sizes the whiteout by the subtree
    # it hides (study, section 3)
    "dir-delete": [
        [directory("d"), file("d/x", 700), file("d/y", 300), file("base", 2000)],
        [whiteout("d"), file("new", 1000)],
        [file("d", 1)],
    ],
}
IMAGES = [pytest.param("engine", marks=pytest.mark.engine), *IN_PROCESS]
"""The engine-built image (its tests carry the ``engine`` marker) and the in-process ones."""


@dataclass(frozen=True)
class Numbers:
    """dive's three CI numbers for an image, from dive's own ``--json`` export."""

    efficiency: float
    wasted: int
    user_wasted: float


@dataclass(frozen=True)
class OracleImage:
    archive: Path
    numbers: Numbers


def dive_numbers(dive: Path, archive: Path, workdir: Path) -> Numbers:
    target = workdir / "export.json"
    completed = run_dive(dive, archive, workdir, "--json", str(target))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    data = json.loads(target.read_text())
    wasted = int(data["image"]["inefficientBytes"])
    user_size = sum(int(layer["sizeBytes"]) for layer in data["layer"][1:])
    user_wasted = wasted / user_size if user_size else math.nan
    return Numbers(float(data["image"]["efficiencyScore"]), wasted, user_wasted)


@pytest.fixture(scope="module")
def oracle_images(
    request: pytest.FixtureRequest,
    dive_binary: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[str], OracleImage]]:
    """Build (once) and describe an image by name."""
    cache: dict[str, OracleImage] = {}

    def get(name: str) -> OracleImage:
        if name not in cache:
            directory_ = tmp_path_factory.mktemp(f"oracle-{name}")
            if name == "engine":
                engine = request.getfixturevalue("engine")
                busybox = request.getfixturevalue("busybox")
                tag = engine.build(directory_ / "context", ENGINE_DOCKERFILE, busybox=busybox)
                archive = engine.save(tag, directory_ / "image.tar")
            else:
                archive = write_archive(directory_, IN_PROCESS[name], tag=f"{name}:1")
            cache[name] = OracleImage(archive, dive_numbers(dive_binary, archive, directory_))
        return cache[name]

    yield get


def _ratio_or_disabled(value: float) -> str:
    return repr(value) if 0 <= value <= 1 else "disabled"


def at_boundary(numbers: Numbers) -> str:
    return (
        "rules:\n"
        f"  lowestEfficiency: {_ratio_or_disabled(numbers.efficiency)}\n"
        f"  highestWastedBytes: {numbers.wasted}\n"
        f"  highestUserWastedPercent: {_ratio_or_disabled(numbers.user_wasted)}\n"
    )


def beyond_boundary(numbers: Numbers) -> str:
    return (
        "rules:\n"
        f"  lowestEfficiency: {_ratio_or_disabled(math.nextafter(numbers.efficiency, 2))}\n"
        f"  highestWastedBytes: {max(numbers.wasted - 1, 0)}\n"
        "  highestUserWastedPercent: "
        f"{_ratio_or_disabled(math.nextafter(numbers.user_wasted, -1))}\n"
    )


CONFIGS: dict[str, Callable[[Numbers], str | None]] = {
    "defaults": lambda _: None,
    "empty-file": lambda _: "",
    "strict": lambda _: (
        "rules:\n  lowestEfficiency: 0.99\n  highestWastedBytes: 1\n"
        "  highestUserWastedPercent: 0.01\n"
    ),
    "lenient": lambda _: (
        "rules:\n  lowestEfficiency: 0.01\n  highestWastedBytes: 1GB\n"
        "  highestUserWastedPercent: 1\n"
    ),
    "disabled": lambda _: (
        "rules:\n  lowestEfficiency: disabled\n  highestWastedBytes: disabled\n"
        "  highestUserWastedPercent: disabled\n"
    ),
    "only-wasted-bytes": lambda _: "rules:\n  highestWastedBytes: 1KB\n",
    "si-2KB": lambda _: (
        "rules:\n  lowestEfficiency: disabled\n  highestWastedBytes: 2KB\n"
        "  highestUserWastedPercent: disabled\n"
    ),
    "iec-2KiB": lambda _: (
        "rules:\n  lowestEfficiency: disabled\n  highestWastedBytes: 2KiB\n"
        "  highestUserWastedPercent: disabled\n"
    ),
    "humanize-2k-spaced": lambda _: 'rules:\n  highestWastedBytes: "2 kb"\n',
    "humanize-1.9KB": lambda _: 'rules:\n  highestWastedBytes: "1.9KB"\n',
    "quoted": lambda _: (
        'rules:\n  lowestEfficiency: "0.85"\n  highestWastedBytes: "2.5KB"\n'
        '  highestUserWastedPercent: "0.25"\n'
    ),
    "upper-case-keys": lambda _: (
        "RULES:\n  LOWESTEFFICIENCY: 0.5\n  HIGHESTUSERWASTEDPERCENT: 0.15\n"
    ),
    "at-boundary": at_boundary,
    "beyond-boundary": beyond_boundary,
}


def dive_verdict(completed: subprocess.CompletedProcess[str]) -> dict[str, str]:
    statuses: dict[str, str] = {}
    for line in _ANSI.sub("", completed.stdout).splitlines():
        match = _RULE_LINE.match(line)
        if match:
            statuses[match[2]] = match[1]
    return statuses


def compare(
    image: OracleImage, workdir: Path, config: str | None, flags: list[str], dive: Path
) -> None:
    """Run both in ``workdir`` (holding ``config`` as .dive-ci) and compare."""
    workdir.mkdir(parents=True, exist_ok=True)
    if config is not None:
        (workdir / ".dive-ci").write_text(config)
    theirs = run_dive(dive, image.archive, workdir, *flags)
    expected = dive_verdict(theirs)
    described = f"config:\n{config}\nflags: {flags}\nnumbers: {image.numbers}\n"
    assert set(expected) == set(DIVE_RULES), described + theirs.stdout
    assert theirs.returncode in (0, 1), theirs.stdout + theirs.stderr

    old = Path.cwd()
    os.chdir(workdir)
    try:
        text = run_auger([str(image.archive), *flags], {"CI": "true"})
        report = run_auger([str(image.archive), *flags, "--format", "json"], {"CI": "true"})
    finally:
        os.chdir(old)
    assert text.code == theirs.returncode, described + text.stdout + text.stderr
    assert report.code == theirs.returncode, described + report.stderr
    ours = {
        AUGER_RULES[rule["rule"]]: rule["status"].upper()
        for rule in json.loads(report.stdout)["rules"]
        if rule["rule"] in AUGER_RULES
    }
    for rule in set(DIVE_RULES) - set(ours):  # a disabled rule has no result: dive skips it
        ours[rule] = "SKIP"
    assert ours == expected, described + _ANSI.sub("", theirs.stdout) + text.stdout
    verdict = "FAIL" if theirs.returncode else "PASS"
    assert text.stdout.splitlines()[-1].startswith(verdict), text.stdout


@pytest.mark.parametrize("config", list(CONFIGS))
@pytest.mark.parametrize("image", IMAGES)
def test_dive_ci_parity(
    image: str,
    config: str,
    oracle_images: Callable[[str], OracleImage],
    dive_binary: Path,
    tmp_path: Path,
) -> None:
    built = oracle_images(image)
    compare(built, tmp_path, CONFIGS[config](built.numbers), [], dive_binary)


def _flags_at_boundary(numbers: Numbers) -> list[str]:
    return [
        f"--lowestEfficiency={_ratio_or_disabled(numbers.efficiency)}",
        f"--highestWastedBytes={numbers.wasted}",
        f"--highestUserWastedPercent={_ratio_or_disabled(numbers.user_wasted)}",
    ]


FLAG_CASES: dict[str, tuple[str | None, Callable[[Numbers], list[str]]]] = {
    "flags-only": (
        None,
        lambda _: [
            "--lowestEfficiency=0.5",
            "--highestWastedBytes=2KB",
            "--highestUserWastedPercent=0.2",
        ],
    ),
    "flags-over-strict-file": (
        CONFIGS["strict"](Numbers(0, 0, 0)),
        lambda _: ["--lowestEfficiency=0.1", "--highestUserWastedPercent=disabled"],
    ),
    "default-value-flag-over-file": (
        "rules:\n  lowestEfficiency: 0.01\n  highestUserWastedPercent: 0.99\n",
        lambda _: ["--lowestEfficiency=0.9", "--highestUserWastedPercent=0.1"],
    ),
    "flags-at-boundary": (None, _flags_at_boundary),
    "iec-flag": (None, lambda _: ["--highestWastedBytes=2KiB"]),
}


@pytest.mark.parametrize("case", list(FLAG_CASES))
@pytest.mark.parametrize("image", IMAGES)
def test_dive_flag_parity(
    image: str,
    case: str,
    oracle_images: Callable[[str], OracleImage],
    dive_binary: Path,
    tmp_path: Path,
) -> None:
    built = oracle_images(image)
    config, flags = FLAG_CASES[case]
    compare(built, tmp_path, config, flags(built.numbers), dive_binary)


def test_images_cover_both_verdicts(
    oracle_images: Callable[[str], OracleImage], dive_binary: Path
) -> None:
    """The image set exercises dive's defaults both ways, and both exact-unit boundaries."""
    numbers = {name: oracle_images(name).numbers for name in IN_PROCESS}
    assert numbers["clean"].efficiency == 1.0 and numbers["clean"].wasted == 0
    assert numbers["iec-2048"].efficiency < 0.9  # fails dive's default
    assert numbers["iec-2048"].wasted == 2048
    assert numbers["si-2000"].wasted == 2000
    assert numbers["dir-delete"].wasted == 700 + 300 + 1


YAML_EDGE_CASES = {
    "rules-all-commented-out": "rules:\n  # lowestEfficiency: 0.95\n",
    "unquoted-exponent": "rules:\n  highestWastedBytes: 1e3\n",
}


@pytest.mark.parametrize("config", list(YAML_EDGE_CASES))
def test_dive_ci_yaml_edge_case_parity(
    config: str,
    oracle_images: Callable[[str], OracleImage],
    dive_binary: Path,
    tmp_path: Path,
) -> None:
    """Files dive reads without complaint: an empty ``rules:`` (dive's defaults) and an
    unquoted YAML number in exponent form (``1e3`` is 1000 to dive's YAML 1.2 reader)."""
    compare(oracle_images("iec-2048"), tmp_path, YAML_EDGE_CASES[config], [], dive_binary)
