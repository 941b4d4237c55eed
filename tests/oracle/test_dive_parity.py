"""auger's dive-compatible export and numbers against dive 0.13.1 itself, on the same archives."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auger.report.dive_json import export
from auger.testing.images import (
    TarEntry,
    directory,
    file,
    hardlink,
    layer_tar,
    opaque,
    symlink,
    whiteout,
)
from tests.engine_support import Engine
from tests.oracle.support import (
    IMAGES,
    DiveNumbers,
    LayerContent,
    auger_analysis,
    compare_exports,
    describe_layers,
    dive_export,
    docker_whiteout_layer,
    engine_image,
    saved_archive,
    verdict_mismatches,
    write_archive,
)

pytestmark = pytest.mark.oracle

LAYOUTS = ("legacy", "oci")


@dataclass(frozen=True)
class Case:
    """Layer stacks to write as an archive; layer ``i`` holds ``layers[i]`` in tar order."""

    name: str
    layers: list[LayerContent]
    history: bool = True
    empty_before: tuple[int, ...] = field(default=())


LONG = "L" * 120
"""A name long enough to need PAX path records."""


def _deep_tree() -> list[LayerContent]:
    chain = [f"t/{'/'.join(f'l{level}' for level in range(1, depth + 1))}" for depth in range(13)]
    base: list[TarEntry] = []
    for depth, path in enumerate(chain):
        base += [directory(path), file(f"{path}/f{depth}", depth + 1)]
    wide = [file(f"w/n{index:02d}", 6) for index in range(30)]
    return [
        [*base, directory("w"), *wide],
        [whiteout(chain[4]), *(file(f"w/n{index:02d}", 6) for index in range(30))],
        [file(chain[4], 1), file(f"{chain[12]}/again", 2)],
    ]


CASES = [
    Case(
        "overwrites-across-layers",
        [
            [directory("a"), file("a/f", 100), file("z/file", 50)],
            [file("a/f", 30), file("z/file", 50)],
            [directory("a"), file("a/f", b"x" * 7), file("a/g", 3)],
        ],
    ),
    Case(
        "whiteout-of-a-file",
        [
            [directory("d"), file("d/big", 1000), file("d/keep", 5)],
            [whiteout("d/big"), file("other", 3)],
        ],
    ),
    Case(
        "whiteout-of-a-nested-directory",
        [
            [
                directory("d"),
                file("d/x", 100),
                directory("d/sub"),
                file("d/sub/y", 30),
                directory("d/sub/deeper"),
                file("d/sub/deeper/z", 7),
            ],
            [directory("d"), file("d/z", 5)],
            [whiteout("d"), file("keep", 2)],
            [file("d", 1)],
        ],
    ),
    Case(
        "whiteout-of-directories-declared-late-or-implicitly",
        [
            [file("d/x", 100), file("d/sub/y", 30), directory("e"), file("e/x", 9)],
            [directory("d"), file("d/y", 30), file("e/z", 4)],
            [whiteout("d"), whiteout("e")],
            [file("d", 1), file("e", 1)],
        ],
    ),
    Case(
        "opaque-directories",
        [
            [
                directory("d"),
                file("d/old", 10),
                directory("d/sub"),
                file("d/sub/deep", 20),
                directory("e"),
                file("e/keep", 4),
            ],
            [directory("d"), opaque("d"), file("d/new", 5)],
            [opaque("e")],
            [whiteout("d"), file("e/keep", 4)],
            [file("d", 1)],
        ],
    ),
    Case(
        "whiteout-of-a-path-missing-below",
        [
            [directory("a"), file("a/keep", 10), file("z/file", 50)],
            [file("A/file", 9), whiteout("a/missing"), file("z/file", 50)],
            [file("z/file", 50), whiteout("nothing/here")],
            [file("a/missing", 30)],
        ],
    ),
    Case(
        "duplicate-entries-in-one-layer",
        [
            [
                file("f", 100, mode=0o600),
                file("f", 30),
                file("g", 1),
                directory("d"),
                file("d/x", 2),
                file("d", 5),
                file("e", 3),
                directory("e"),
            ],
            [file("f", 20), file("f", 20), file("d/x", 2), directory("e")],
        ],
    ),
    Case(
        "entries-without-parent-directories",
        [
            [file("p/q/r/file", 10), file("p/top", 4)],
            [file("p/q/other", 5), whiteout("p/q/r")],
            [file("p/q/r", 1), file("p/top", 4)],
        ],
    ),
    Case(
        "hard-links",
        [
            [
                directory("h"),
                file("h/orig", 64),
                hardlink("h/link", "h/orig"),
                hardlink("h/second", "h/orig"),
            ],
            [file("h/orig", b"y" * 64)],
            [whiteout("h/link"), file("h/new", 8), hardlink("h/again", "h/new")],
        ],
    ),
    Case(
        "symlinks",
        [
            [
                directory("s"),
                file("s/target", 10),
                symlink("s/link", "target"),
                symlink("s/abs", "/s/target"),
            ],
            [symlink("s/link", "other"), file("s/other", 6)],
            [whiteout("s/link"), symlink("s/dangling", "nowhere")],
        ],
    ),
    Case(
        "layer-0-whiteout",
        [
            [whiteout("a"), file("a", 10), file("b", 5)],
            [file("a", 10), file("c", 3)],
        ],
    ),
    Case(
        "layer-0-whiteout-of-nothing",
        [[whiteout("zz"), file("a", 10)], [file("a", 10)]],
    ),
    Case(
        "empty-layers",
        [[file("a", 10), directory("d")], [], [file("a", 4)], []],
    ),
    Case("one-layer", [[directory("d"), file("d/x", 10), file("y", 20)]]),
    Case("one-layer-with-duplicates", [[file("y", 20), file("y", 20), file("z", 1)]]),
    Case("deep-and-wide-trees", _deep_tree()),
    Case(
        "long-names",
        [
            [directory(f"{LONG}/{LONG}"), file(f"{LONG}/{LONG}/{LONG}", 7)],
            [file(f"{LONG}/{LONG}/{LONG}", 9), whiteout(f"{LONG}/{LONG}")],
            [file(f"{LONG}/{LONG}", 1)],
        ],
    ),
    Case(
        "path-spellings",
        [
            [
                file("./dot/a", 6),
                file("/abs/b", 10),
                file("x//y/./z", 4),
                file("p/../q", 8),
                directory("trailing"),
                file("abs/b", 10),
            ],
            [file("dot/a", 6), file("/x/y/z", 4), whiteout("/abs/b"), file("./q", 8)],
        ],
    ),
    Case(
        "odd-names",
        [
            [
                file("bad\udcff\udcfename", 3),
                file("new\nline", 4),
                file("<tag>&amp", 2),
                file("caf\u00e9", 5),
                file("~tilde", 1),
                file("lat1\udce9", 4),
            ],
            [
                file("bad\udcff\udcfename", 3),
                file("new\nline", 4),
                file("caf\u00e9", 5),
                file("lat1\ufffd", 4),
            ],
        ],
    ),
    Case(
        "special-modes-devices-and-owners",
        [
            [
                directory("tmp", mode=0o1777),
                file("tmp/x", 2),
                file("suid", 3, mode=0o4755),
                file("sgid", 3, mode=0o2755),
                TarEntry("dev/null", "char", mode=0o666),
                TarEntry("fifo", "fifo", mode=0o644),
                file("owned", 5, uid=1000),
            ],
            [file("owned", 5, uid=0), file("suid", 3, mode=0o755), whiteout("tmp")],
            [file("tmp", 1)],
        ],
    ),
    Case(
        "docker-whiteouts-that-keep-a-link-name",
        [
            docker_whiteout_layer([("data/del.txt", 300), ("data/gone", 50), ("data/x", 7)], []),
            docker_whiteout_layer([], ["data/del.txt", "data/gone", "data/x"]),
        ],
    ),
    Case(
        "no-history",
        [[file("a", 10)], [file("a", 3), file("b", 1)]],
        history=False,
    ),
    Case(
        "empty-layer-history-entries",
        [[file("a", 10)], [file("a", 3)], [file("b", 1)]],
        empty_before=(2, 0, 1),
    ),
    Case(
        "sibling-names-that-are-prefixes",
        [
            [
                directory("bin"),
                file("bin/ar", 1),
                file("bin/arch", 2),
                file("bin/arp", 3),
                file("bin/[", 4),
                file("bin/[[", 5),
            ],
            [file("bin/ar", 6), file("bin/arch", 7)],
        ],
    ),
    Case(
        "prefix-sibling-before-a-missing-whiteout",
        [
            [file("d", 10), directory("d-x")],
            [file("d", 10), whiteout("d-x/missing")],
        ],
    ),
]

VERDICT_CASES = (
    "overwrites-across-layers",
    "whiteout-of-a-nested-directory",
    "whiteout-of-a-path-missing-below",
    "layer-0-whiteout",
    "empty-layers",
    "one-layer",
    "prefix-sibling-before-a-missing-whiteout",
)


def _case_archive(case: Case, layout: str, directory_: Path) -> Path:
    return write_archive(
        directory_, case.layers, layout, history=case.history, empty_before=case.empty_before
    )


def _parity_problems(dive_binary: Path, archive: Path, workdir: Path) -> list[str]:
    theirs = dive_export(dive_binary, archive, workdir)
    ours = export(auger_analysis(archive))
    return compare_exports(theirs, ours)


# -- engine-built images ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine_archives(
    engine: Engine, busybox: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """``docker save`` files of the engine-built images, by name."""
    return {
        name: saved_archive(
            engine, engine_image(engine, busybox, tmp_path_factory, name), tmp_path_factory
        )
        for name in IMAGES
    }


@pytest.mark.engine
@pytest.mark.parametrize("name", sorted(IMAGES))
def test_engine_image_matches_dive(
    name: str, engine_archives: dict[str, Path], dive_binary: Path, tmp_path: Path
) -> None:
    problems = _parity_problems(dive_binary, engine_archives[name], tmp_path)
    assert problems == [], "\n".join(problems)


@pytest.mark.engine
@pytest.mark.parametrize("name", sorted(IMAGES))
def test_engine_image_ci_verdicts_match_dive(
    name: str, engine_archives: dict[str, Path], dive_binary: Path, tmp_path: Path
) -> None:
    archive = engine_archives[name]
    numbers = DiveNumbers.of(auger_analysis(archive))
    problems = verdict_mismatches(dive_binary, archive, tmp_path, numbers)
    assert problems == [], "\n".join(problems)


# -- generated archives -----------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_generated_archive_matches_dive(
    case: Case, layout: str, dive_binary: Path, tmp_path: Path
) -> None:
    archive = _case_archive(case, layout, tmp_path)
    problems = _parity_problems(dive_binary, archive, tmp_path)
    assert problems == [], f"{case.name} ({layout}):\n{describe_layers(case.layers)}\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize("name", VERDICT_CASES)
def test_generated_archive_ci_verdicts_match_dive(
    name: str, dive_binary: Path, tmp_path: Path
) -> None:
    case = next(case for case in CASES if case.name == name)
    archive = _case_archive(case, "legacy", tmp_path)
    numbers = DiveNumbers.of(auger_analysis(archive))
    problems = verdict_mismatches(dive_binary, archive, tmp_path, numbers)
    assert problems == [], f"{name}:\n{describe_layers(case.layers)}\n" + "\n".join(problems)


# -- random layer stacks ----------------------------------------------------------------------

ALPHABETS = {
    "prefix-free": ("a", "b", "c"),
    "with-prefixes": ("a", "ab", "a-b", "b"),
}
"""Small name sets so that paths collide; the second has names that are prefixes of others."""

_SIZES = st.sampled_from([0, 1, 2, 3, 5, 8, 13, 100])


@st.composite
def _paths(draw: st.DrawFn, names: tuple[str, ...]) -> str:
    depth = draw(st.integers(1, 3))
    return "/".join(draw(st.sampled_from(names)) for _ in range(depth))


@st.composite
def _layer(draw: st.DrawFn, names: tuple[str, ...]) -> list[TarEntry]:
    entries: list[TarEntry] = []
    for _ in range(draw(st.integers(0, 7))):
        path = draw(_paths(names))
        kind = draw(
            st.sampled_from(
                ["file", "file", "file", "dir", "dir", "symlink", "hardlink", "whiteout", "opaque"]
            )
        )
        if kind == "file":
            size = draw(_SIZES)
            fill = draw(st.sampled_from(b"xyz"))
            mode = draw(st.sampled_from([0o644, 0o755]))
            owner = draw(st.sampled_from([0, 0, 1000]))
            entries.append(file(path, bytes([fill]) * size, mode=mode, uid=owner))
        elif kind == "dir":
            entries.append(directory(path))
        elif kind == "symlink":
            entries.append(symlink(path, draw(_paths(names))))
        elif kind == "hardlink":
            targets = [entry.name for entry in entries if entry.kind == "file"]
            if targets:
                entries.append(hardlink(path, draw(st.sampled_from(targets))))
        elif kind == "whiteout":
            entries.append(whiteout(path))
        else:
            entries.append(opaque(path))
    return entries


@st.composite
def _stacks(draw: st.DrawFn, names: tuple[str, ...]) -> tuple[list[list[TarEntry]], str]:
    layers = draw(st.lists(_layer(names), min_size=1, max_size=5))
    layout = draw(st.sampled_from(LAYOUTS))
    tars = [layer_tar(entries) for entries in layers]
    repeated = any(
        first == second and first != layer_tar([])
        for first, second in itertools.combinations(tars, 2)
    )
    if repeated:
        # the legacy writer links a repeated layer to its first copy, as docker save does, and
        # dive reads such a link as an empty layer (a dive quirk, not an overlay question)
        layout = "oci"
    return layers, layout


_counter = itertools.count()


@pytest.mark.parametrize("alphabet", sorted(ALPHABETS))
def test_random_layer_stacks_match_dive(
    alphabet: str, dive_binary: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    names = ALPHABETS[alphabet]
    workdir = tmp_path_factory.mktemp(f"random-{alphabet}")

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(_stacks(names))
    def check(stack: tuple[list[list[TarEntry]], str]) -> None:
        layers, layout = stack
        here = workdir / f"case-{next(_counter)}"
        here.mkdir()
        archive = write_archive(here, layers, layout)
        problems = _parity_problems(dive_binary, archive, here)
        assert problems == [], f"{layout}:\n{describe_layers(layers)}\n" + "\n".join(problems)

    check()
