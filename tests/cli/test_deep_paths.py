"""Paths thousands of directories deep: every command and output analyses them (nothing walks
a path recursively), with the numbers known by construction, and dive's numbers as dive
computes them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auger.analysis.diff import diff_images
from auger.budgets.dive_ci import defaults
from auger.budgets.evaluate import Status, evaluate
from auger.cli.parsing import GATE_FORMATS
from auger.model import ImageAnalysis
from auger.report import markdown_report, plain_report
from auger.report.dive_json import export, format_json
from auger.report.github import workflow_commands
from auger.report.model import build_report
from auger.report.text import format_summary
from auger.testing.images import TarEntry, file, hardlink, opaque, whiteout
from auger.viewmodel.explorer import Explorer
from auger.viewmodel.model import Mode, View
from auger.viewmodel.pathfilter import apply_filter
from auger.viewmodel.rows import TreeRows
from tests.budgets.support import write_archive
from tests.oracle.support import auger_analysis, compare_exports, dive_export
from tests.support import analyze_reference, run_cli

DEPTH = 5000


def deep_layers(depth: int, *, delete_all: bool = False) -> list[list[TarEntry]]:
    """Three layers (a fourth deletes everything) on one chain of ``depth`` directories.

    Layer 0 stores ``f`` (10 bytes) and ``g`` (30) at the bottom and ``h`` (5) half way;
    layer 1 rewrites ``f`` (20) and deletes ``g`` and ``h``; layer 2 makes the directory ten
    levels above the bottom opaque, adds ``new`` (7) there and a hard link to it one level
    above the bottom.
    """
    names = [f"d{level}" for level in range(depth)]
    bottom, half, above = "/".join(names), "/".join(names[: depth // 2]), "/".join(names[:-10])
    layers = [
        [file(f"{bottom}/f", 10), file(f"{bottom}/g", 30), file(f"{half}/h", 5)],
        [file(f"{bottom}/f", 20), whiteout(f"{bottom}/g"), whiteout(f"{half}/h")],
        [
            opaque(above),
            file(f"{above}/new", 7),
            hardlink("/".join(names[:-1]) + "/l", f"{above}/new"),
        ],
    ]
    if delete_all:
        layers.append([whiteout("d0")])
    return layers


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("deep")
    return {
        "image": write_archive(directory, deep_layers(DEPTH), name="deep.tar"),
        "emptied": write_archive(directory, deep_layers(DEPTH, delete_all=True), name="gone.tar"),
    }


@pytest.fixture(scope="module")
def analyses(archives: dict[str, Path]) -> dict[str, ImageAnalysis]:
    return {name: analyze_reference(f"docker-archive://{path}") for name, path in archives.items()}


def test_the_numbers_at_depth_5000(analyses: dict[str, ImageAnalysis]) -> None:
    analysis = analyses["image"]
    assert analysis.size == 10 + 30 + 5 + 20 + 7
    assert analysis.final_size == 7  # new, and the link to it counted once
    assert analysis.wasted_bytes == 10 + 30 + 5 + 20
    by_cause = {cause.value: size for cause, size in analysis.waste_by_cause().items() if size}
    assert by_cause == {"overwritten": 10, "deleted": 35, "replaced-by-opaque": 20}
    assert [layer.size for layer in analysis.image.layers] == [45, 20, 7]
    # dive: f twice (10 then 20), g and h each stored then whited out (a file's whiteout
    # weighs nothing), new and the link once
    dive = analysis.dive
    assert dive.efficiency == pytest.approx((10 + 0 + 0 + 7 + 0) / (30 + 30 + 5 + 7 + 0))
    assert dive.wasted_bytes == 30 + 30 + 5
    assert dive.user_wasted_percent == pytest.approx(65 / (20 + 7))
    assert sorted(
        (ref.path.rsplit("/", 1)[1], ref.count, ref.size) for ref in dive.inefficient_files
    ) == [
        ("f", 2, 30),
        ("g", 2, 30),
        ("h", 2, 5),
    ]
    exported = export(analysis)
    assert exported["image"]["inefficientBytes"] == 65
    assert exported["image"]["sizeBytes"] == 72


def test_every_output_at_depth_5000(analyses: dict[str, ImageAnalysis]) -> None:
    """Each format, from the analyses (the commands below go through the same code)."""
    image, emptied = analyses["image"], analyses["emptied"]
    verdict = evaluate(image, defaults())
    assert verdict.status is Status.FAIL  # dive's defaults: efficiency 0.24 is below 0.9
    report = build_report(emptied, image, verdict)
    diff = diff_images(image, emptied)
    outputs = [
        format_summary(image),
        *(render(verdict) for render in GATE_FORMATS.values()),
        "\n".join(workflow_commands(verdict)),
        markdown_report.format_report(report),
        plain_report.format_report_text(report),
        markdown_report.format_diff(diff),
        plain_report.format_diff_text(diff),
    ]
    assert all(outputs)
    for data in (format_json(image), plain_report.format_report_json(report)):
        json.loads(data)
    exported = json.loads(format_json(image))
    assert exported["image"]["inefficientBytes"] == 65
    deepest = max((entry["path"] for entry in exported["auger"]["waste"]), key=len)
    assert deepest.count("/") >= DEPTH
    changes = json.loads(plain_report.format_diff_json(diff))
    assert changes


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["IMAGE", "--json", "OUT"], 0),
        (["check", "IMAGE", "--format", "markdown"], 1),
        (["report", "IMAGE", "--format", "json"], 0),
        (["diff", "IMAGE", "EMPTIED"], 0),
    ],
)
def test_commands_at_depth_5000(
    argv: list[str], code: int, archives: dict[str, Path], tmp_path: Path
) -> None:
    names = {
        "IMAGE": str(archives["image"]),
        "EMPTIED": str(archives["emptied"]),
        "OUT": str(tmp_path / "deep.json"),
    }
    result = run_cli([names.get(word, word) for word in argv] + ["-q"])
    assert result.code == code, result.stderr[:500]
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


def test_the_explorer_model_at_depth_5000(analyses: dict[str, ImageAnalysis]) -> None:
    explorer = Explorer.build(analyses["emptied"])
    deepest = explorer.index.id_of[max(explorer.index.paths, key=len)]
    assert len(explorer.index.ancestors(deepest)) == DEPTH + 1
    for layer in range(4):
        for mode in Mode:
            rows = TreeRows(explorer.model, View(layer=layer, mode=mode))
            rows.expand_all()
            if layer < 3:
                assert rows.reveal(deepest) is not None or mode is Mode.LAYER
    found = apply_filter("/d0/**/new", explorer.haystack, None)
    assert found is not None and len(found.matches) == 1
    rows = TreeRows(explorer.model, View(layer=2, mode=Mode.AGGREGATED, filter=found))
    rows.expand_all()
    assert len(rows.rows) == DEPTH - 10 + 1  # the new file and every directory above it


@pytest.mark.oracle
def test_dive_numbers_on_a_deep_path_equal_dive_s(dive_binary: Path, tmp_path: Path) -> None:
    """dive itself on a chain 600 deep (dive's time grows with the square of the depth)."""
    archive = write_archive(tmp_path, deep_layers(600, delete_all=True))
    problems = compare_exports(
        dive_export(dive_binary, archive, tmp_path), export(auger_analysis(archive))
    )
    assert problems == []
