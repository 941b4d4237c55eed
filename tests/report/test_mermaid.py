"""The layer charts of the Markdown report: Mermaid ``xychart-beta`` blocks with the sizes,
the waste drawn over them, the baseline on the same scale, and nothing from the image."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auger.analysis.diff import diff_images
from auger.analysis.image import analyze_image
from auger.model import ImageAnalysis
from auger.report.markdown_report import LIMIT, format_diff, format_report
from auger.report.mermaid import layer_chart, layer_charts
from auger.report.model import build_report
from auger.testing.synthetic import synthetic_image
from tests.report.html.support import hostile_image
from tests.report.support import analyse, base_image, head_image, write_archive


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ImageAnalysis]:
    directory = tmp_path_factory.mktemp("charts")
    return {
        "base": analyse(write_archive(directory, "base.tar", base_image())),
        "head": analyse(write_archive(directory, "head.tar", head_image())),
        "hostile": analyse(write_archive(directory, "hostile.tar", hostile_image())),
    }


def series(block: list[str]) -> list[list[float]]:
    return [
        [float(value) for value in line.split("[", 1)[1].rstrip("]").split(", ")]
        for line in block
        if line.strip().startswith("bar ")
    ]


def test_the_chart_shows_each_layer_size_and_the_waste_it_stored(
    images: dict[str, ImageAnalysis],
) -> None:
    head = images["head"]
    block = layer_chart(head, "title", largest=max(layer.size for layer in head.image.layers))
    assert block[0] == "```mermaid" and block[-1] == "```"
    assert "xychart-beta" in block
    assert '    x-axis "layer" [0, 1, 2, 3, 4, 5]' in block
    assert '    y-axis "size (kB)" 0 --> 10.8' in block
    sizes, wasted = series(block)
    assert sizes == [round(layer.size / 1000, 2) for layer in head.image.layers]
    assert wasted == [round(layer.stored_waste / 1000, 2) for layer in head.layers]
    assert all(waste <= size for waste, size in zip(wasted, sizes, strict=True))


def test_the_baseline_is_drawn_on_the_same_scale(images: dict[str, ImageAnalysis]) -> None:
    lines = layer_charts(images["base"], images["head"])
    axes = [line for line in lines if "y-axis" in line]
    assert len(axes) == 2 and axes[0] == axes[1]
    titles = [line.strip() for line in lines if line.strip().startswith("title")]
    assert titles == [
        'title "Layer sizes and waste: this build"',
        'title "Layer sizes and waste: the baseline"',
    ]


def test_units_follow_the_largest_layer() -> None:
    analysis = analyze_image(synthetic_image(2000, seed=5))
    block = layer_chart(analysis, "t", largest=2_500_000_000)
    assert '    y-axis "size (GB)" 0 --> 2.62' in block


def test_no_name_from_the_image_reaches_the_chart(images: dict[str, ImageAnalysis]) -> None:
    text = "\n".join(layer_charts(images["hostile"], images["hostile"]))
    blocks = re.findall(r"```mermaid\n(.*?)\n```", text, re.DOTALL)
    assert len(blocks) == 2
    allowed = re.compile(r'[\w\s\[\],.:"{}#%\->()]*')
    for block in blocks:
        assert allowed.fullmatch(block), block
        assert "alert" not in block and "<" not in block


def test_the_report_with_charts_stays_under_the_comment_limit(tmp_path: Path) -> None:
    analysis = analyze_image(synthetic_image(20_000, seed=9))
    text = format_report(build_report(analysis, analysis))
    assert len(text) <= LIMIT
    assert text.count("```mermaid") == 2


def test_a_report_cut_inside_a_chart_closes_its_fence(images: dict[str, ImageAnalysis]) -> None:
    report = build_report(images["head"], images["base"])
    whole = format_report(report)
    inside = whole.index("    bar [") + 10
    for limit in range(inside - 5, inside + 400, 7):
        text = format_report(report, limit=limit)
        fences = [line for line in text.splitlines() if line.startswith("```")]
        assert len(fences) % 2 == 0, (limit, text)
        assert "more lines left out" in text


def test_the_diff_charts_the_head_then_the_base_on_one_scale(
    images: dict[str, ImageAnalysis],
) -> None:
    text = format_diff(diff_images(images["base"], images["head"]))
    blocks = re.findall(r"```mermaid\n(.*?)\n```", text, re.DOTALL)
    titles = re.findall(r'title "Layer sizes and waste: (.*)"', text)
    assert titles == ["the head image", "the base image"]
    head, base = (series(block.splitlines()) for block in blocks)
    assert len(head[0]) == len(images["head"].image.layers)
    assert len(base[0]) == len(images["base"].image.layers)
    assert len({line for block in blocks for line in block.splitlines() if "y-axis" in line}) == 1
