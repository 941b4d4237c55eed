"""``diff_images`` and ``auger diff``: layers paired as a person reads them (same tar, then same
command and place, then the same tar elsewhere), what changed in each per directory, and
per-path changes biggest first, on in-process archives and on images the engine built."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from auger.analysis.diff import ImageDiff, diff_images
from auger.analysis.layer_match import LayerChange
from auger.model import ImageAnalysis
from auger.pipeline import analyze
from auger.report.markdown_report import format_diff
from auger.testing.images import ImageSpec, LayerSpec, file, layer_tar, sha256, whiteout
from tests.engine_support import BUSYBOX_PREAMBLE, Engine
from tests.report.support import analyse, table_rows, write_archive
from tests.support import run_cli

OS = LayerSpec(
    layer_tar([file("bin/sh", 3000, 0o755), file("etc/os-release", b"ID=x\n")]),
    "/bin/sh -c #(nop) ADD file:os in / ",
)
LIBS = LayerSpec(
    layer_tar([file("usr/lib/libc.so", 5000), file("usr/lib/libz.so", 800)]),
    "/bin/sh -c apt-get install -y --no-install-recommends libz",
)
BASE_APP = LayerSpec(
    layer_tar(
        [
            file("app/main.py", 400),
            file("app/old.py", 300),
            file("app/same.txt", b"same"),
            file("app/config.json", 900),
            file("app/swap.txt", b"aaaa"),
        ]
    ),
    "COPY app /app # buildkit",
)
HEAD_APP = LayerSpec(
    layer_tar(
        [
            file("app/main.py", 1400),
            file("app/same.txt", b"same"),
            file("app/config.json", 100),
            file("app/new.py", 2000),
            file("app/swap.txt", b"bbbb"),
        ]
    ),
    "COPY app /app # buildkit",
)
HEAD_EXTRA = LayerSpec(
    layer_tar([file("usr/lib/libz.so", 1000), whiteout("etc/os-release")]),
    "RUN /bin/sh -c upgrade libz && rm /etc/os-release # buildkit",
)


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("diff")
    specs = {
        "base": ImageSpec([OS, LIBS, BASE_APP], tag="app:base"),
        "head": ImageSpec([OS, LIBS, HEAD_APP, HEAD_EXTRA], tag="app:head"),
        "other-os": ImageSpec(
            [LayerSpec(layer_tar([file("bin/sh", 3001)]), "ADD other"), LIBS, BASE_APP],
            tag="app:other",
        ),
        "inserted": ImageSpec([OS, HEAD_EXTRA, LIBS, BASE_APP], tag="app:inserted"),
    }
    return {name: write_archive(directory, f"{name}.tar", spec) for name, spec in specs.items()}


@pytest.fixture(scope="module")
def analyses(archives: dict[str, Path]) -> dict[str, ImageAnalysis]:
    return {name: analyse(path) for name, path in archives.items()}


@pytest.fixture(scope="module")
def diff(analyses: dict[str, ImageAnalysis]) -> ImageDiff:
    return diff_images(analyses["base"], analyses["head"])


def test_shared_base_layers_are_recognised_by_diff_id(
    diff: ImageDiff, analyses: dict[str, ImageAnalysis]
) -> None:
    assert diff.shared == 2
    base, head = analyses["base"].image.layers, analyses["head"].image.layers
    assert [layer.diff_id for layer in base[:2]] == [layer.diff_id for layer in head[:2]]
    assert [layer.diff_id for layer in base[:2]] == [sha256(OS.tar), sha256(LIBS.tar)]


def changes(diff: ImageDiff) -> list[tuple[int | None, int | None, LayerChange]]:
    return [
        (
            layer.pair.base.index if layer.pair.base else None,
            layer.pair.head.index if layer.pair.head else None,
            layer.change,
        )
        for layer in diff.layers
    ]


def test_the_rebuilt_app_layer_pairs_with_its_old_self(diff: ImageDiff) -> None:
    assert changes(diff) == [
        (0, 0, LayerChange.UNCHANGED),
        (1, 1, LayerChange.UNCHANGED),
        (2, 2, LayerChange.CHANGED),
        (None, 3, LayerChange.ADDED),
    ]
    assert diff.removed_layers == ()
    assert [(layer.index, layer.diff_id) for layer in diff.added_layers] == [
        (3, sha256(HEAD_EXTRA.tar))
    ]
    assert [layer.delta for layer in diff.layers] == [0, 0, 1900, 1000]
    assert sum(layer.delta for layer in diff.layers) == diff.size_delta
    assert diff.size_delta == diff.head.size - diff.base.size


def test_a_changed_layer_says_where_its_bytes_went(diff: ImageDiff) -> None:
    app, extra = diff.layers[2], diff.layers[3]
    assert [(r.label, r.delta, r.paths) for r in app.directories] == [("/app", 1900, 5)]
    assert [(r.label, r.delta, r.paths) for r in extra.directories] == [
        ("/usr/lib", 1000, 1),
        ("/etc", 0, 1),
    ]


def test_changed_paths_roll_up_per_directory(diff: ImageDiff) -> None:
    assert [(r.label, r.delta, r.paths) for r in diff.directories] == [
        ("/app", 1900, 4),
        ("/usr/lib", 200, 1),
        ("/etc", -5, 1),
    ]
    assert sum(r.delta for r in diff.directories) == diff.final_delta


def test_path_changes_with_their_deltas_biggest_first(diff: ImageDiff) -> None:
    assert [(c.path, c.kind, c.before, c.after, c.delta) for c in diff.paths] == [
        ("app/new.py", "added", None, 2000, 2000),
        ("app/main.py", "grown", 400, 1400, 1000),
        ("app/config.json", "shrunk", 900, 100, -800),
        ("app/old.py", "removed", 300, None, -300),
        ("usr/lib/libz.so", "grown", 800, 1000, 200),
        ("etc/os-release", "removed", 5, None, -5),
    ]


def test_identical_images_share_every_layer(analyses: dict[str, ImageAnalysis]) -> None:
    same = diff_images(analyses["head"], analyses["head"])
    assert same.shared == 4
    assert (same.removed_layers, same.added_layers, same.paths, same.size_delta) == ((), (), (), 0)
    assert {layer.change for layer in same.layers} == {LayerChange.UNCHANGED}


def test_a_different_first_layer_is_changed_and_the_rest_unchanged(
    analyses: dict[str, ImageAnalysis],
) -> None:
    other = diff_images(analyses["base"], analyses["other-os"])
    assert other.shared == 0
    assert changes(other) == [
        (0, 0, LayerChange.CHANGED),
        (1, 1, LayerChange.UNCHANGED),
        (2, 2, LayerChange.UNCHANGED),
    ]
    assert other.removed_layers == other.added_layers == ()
    assert [(c.path, c.kind, c.delta) for c in other.paths] == [
        ("etc/os-release", "removed", -5),
        ("bin/sh", "grown", 1),
    ]


def test_an_inserted_layer_is_new_and_the_layers_above_it_still_pair(
    analyses: dict[str, ImageAnalysis],
) -> None:
    """The leading run of shared layers stops at the insertion, but the same tars above it
    pair with their old selves: one layer is new, nothing was removed."""
    inserted = diff_images(analyses["base"], analyses["inserted"])
    assert inserted.shared == 1
    assert changes(inserted) == [
        (0, 0, LayerChange.UNCHANGED),
        (None, 1, LayerChange.ADDED),
        (1, 2, LayerChange.UNCHANGED),
        (2, 3, LayerChange.UNCHANGED),
    ]
    assert inserted.removed_layers == ()
    assert [layer.index for layer in inserted.added_layers] == [1]


def test_markdown_diff_tells_each_changed_layer_in_words(diff: ImageDiff) -> None:
    markdown = format_diff(diff)
    assert "2 layers unchanged, 1 changed, 1 new." in markdown
    sentences = [line for line in markdown.splitlines() if line.startswith("- **")]
    assert sentences == [
        "- **layer 2 grew by 1.9 kB**: `/app` +1.9 kB — `COPY app /app # buildkit`",
        "- **layer 3 is new (1.0 kB)**: `/usr/lib` +1.0 kB — "
        "`RUN /bin/sh -c upgrade libz && rm /etc/os-release # buildkit`",
    ]
    layer_rows = [row for row in table_rows(markdown) if len(row) == 6]
    assert [row[3:5] for row in layer_rows] == [
        ["unchanged", "±0 B"],
        ["unchanged", "±0 B"],
        ["grew", "+1.9 kB"],
        ["new", "+1.0 kB"],
        ["", "**+2.9 kB**"],
    ]
    directory_rows = [row for row in table_rows(markdown) if len(row) == 3]
    assert directory_rows == [
        ["`/app`", "4", "+1.9 kB"],
        ["`/usr/lib`", "1", "+200 B"],
        ["`/etc`", "1", "-5 B"],
        ["**total** (the files a container sees)", "6", "**+2.1 kB**"],
    ]
    path_rows = [row for row in table_rows(markdown) if len(row) == 5]
    assert [row[:2] for row in path_rows] == [
        ["`/app/new.py`", "added"],
        ["`/app/main.py`", "grown"],
        ["`/app/config.json`", "shrunk"],
        ["`/app/old.py`", "removed"],
        ["`/usr/lib/libz.so`", "grown"],
        ["`/etc/os-release`", "removed"],
    ]
    assert path_rows[2][2:] == ["900 B", "100 B", "-800 B"]


@pytest.mark.parametrize("output", ["json", "text", "markdown"])
def test_auger_diff_exits_0(output: str, archives: dict[str, Path]) -> None:
    result = run_cli(["diff", str(archives["base"]), str(archives["head"]), "--format", output])
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    if output == "json":
        data = json.loads(result.stdout)
        assert data["sharedLayers"] == 2
        assert [layer["index"] for layer in data["addedLayers"]] == [3]
        assert [
            (layer["baseIndex"], layer["index"], layer["change"], layer["deltaBytes"])
            for layer in data["layers"]
        ] == [
            (0, 0, "unchanged", 0),
            (1, 1, "unchanged", 0),
            (2, 2, "changed", 1900),
            (None, 3, "added", 1000),
        ]
        assert data["layers"][2]["directories"] == [
            {"path": "/app", "deltaBytes": 1900, "paths": 5}
        ]
        assert data["finalSizeDeltaBytes"] == sum(d["deltaBytes"] for d in data["directories"])
        assert data["paths"][0] == {
            "path": "/app/new.py",
            "change": "added",
            "before": None,
            "after": 2000,
            "deltaBytes": 2000,
        }


# -- images the engine built -----------------------------------------------------------------------

FIRST = (
    BUSYBOX_PREAMBLE
    + """\
RUN mkdir -p /app && echo one > /app/one && echo old-file > /app/old
ENV MODE=test
"""
)
SECOND = FIRST + "RUN echo extra-bytes > /app/extra && rm /app/old && echo longer-one > /app/one\n"


@pytest.fixture(scope="module")
def engine_pair(
    engine: Engine, busybox: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str]:
    """Two images from the same first stages; the second has one more RUN."""
    first = engine.build(tmp_path_factory.mktemp("first"), FIRST, None, busybox)
    second = engine.build(tmp_path_factory.mktemp("second"), SECOND, None, busybox)
    return first, second


@pytest.mark.engine
def test_engine_images_with_one_more_run_differ_by_that_layer(
    engine_pair: tuple[str, str],
) -> None:
    first, second = (analyze(f"docker://{tag}") for tag in engine_pair)
    diff = diff_images(first, second)
    assert len(first.image.layers) == 3
    assert diff.shared == 3
    assert diff.removed_layers == ()
    assert [layer.index for layer in diff.added_layers] == [3]
    assert "echo extra-bytes > /app/extra" in diff.added_layers[0].created_by
    assert [(c.path, c.kind, c.before, c.after) for c in diff.paths] == [
        ("app/extra", "added", None, 12),
        ("app/old", "removed", 9, None),
        ("app/one", "grown", 4, 11),
    ]


@pytest.mark.engine
def test_auger_diff_of_engine_images_writes_json(engine_pair: tuple[str, str]) -> None:
    first, second = engine_pair
    result = run_cli(["diff", first, second, "--format", "json", "--quiet"], dict(os.environ))
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["sharedLayers"] == 3
    assert data["removedLayers"] == []
    assert [layer["index"] for layer in data["addedLayers"]] == [3]
    assert {change["path"] for change in data["paths"]} == {"/app/extra", "/app/old", "/app/one"}
