"""The fleet page: the golden page parsed as a browser would, and hostile references in the
chart and the tables shown as text."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from auger.fleet.records import (
    ErrorRecord,
    ImageRecord,
    LayerFacts,
    RuleFacts,
    VerdictFacts,
    WasteFacts,
)
from auger.fleet.summary import FleetLayer, summarize
from auger.report.html.fleet import ImageBytes, format_fleet_html, image_bytes, share_chart

GOLDEN = Path(__file__).parent / "golden" / "fleet.html"
HOSTILE = "reg.example/\x1b[31m<script>alert(1)</script>|`**x**`\u2028<b>&amp;"


class Elements(HTMLParser):
    """The start tags of a document, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def tags(document: str) -> list[str]:
    parser = Elements()
    parser.feed(document)
    return parser.tags


def test_the_golden_page_has_its_sections_and_only_its_own_scripts() -> None:
    page = GOLDEN.read_text()
    found = tags(page)
    assert found.count("script") == 2  # the data block and the page's own script
    assert found.count("style") == 1 and "b" not in found
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    for section in ("fleet-chart", "shared-layers", "wasters", "savings", "budgets", "unreadable"):
        assert f'<section id="{section}">' in page, section
    assert "fleet/we|rd`&lt;b&gt;x`&amp;.tar" in page
    assert "http://" not in page and "https://" not in page


def test_images_split_into_shared_and_own_bytes_largest_first() -> None:
    layers = [
        FleetLayer("sha256:base", 100, None, 2, ("a", "b"), "FROM scratch"),
        FleetLayer("sha256:a", 50, None, 1, ("a",), "COPY a"),
        FleetLayer("sha256:b", 7, None, 1, ("b",), "COPY b"),
    ]
    assert image_bytes(layers) == [ImageBytes("a", 100, 50), ImageBytes("b", 100, 7)]


def test_a_hostile_reference_in_the_chart_is_text() -> None:
    drawn = share_chart([ImageBytes(HOSTILE, 10, 5), ImageBytes("plain", 1, 1)])
    assert tags(drawn).count("g") == 2 and "script" not in tags(drawn)
    assert "b" not in tags(drawn)
    assert "\x1b" not in drawn and "\u2028" not in drawn
    assert "\\x1b" in drawn and "&lt;script&gt;" in drawn and "&amp;amp;" in drawn


def _record(reference: str, command: str, waste: str) -> ImageRecord:
    layers = (
        LayerFacts("sha256:base", 100, None, None, "FROM scratch"),
        LayerFacts(f"sha256:{len(reference)}", 50, None, None, command),
    )
    facts = (WasteFacts(waste, 10, 1, "deleted", 2, ()),)
    rule = RuleFacts("max_size", HOSTILE, "fail", 150.0, "si", HOSTILE)
    verdict = VerdictFacts("fail", "1 failed", (rule,))
    return ImageRecord(
        reference, (reference,), None, None, "archive", None, 150, None, 140, 10, 0.066, 0.93,
        layers, facts, (), verdict,
    )  # fmt: skip


def test_hostile_references_commands_and_paths_in_every_table_are_text() -> None:
    records = [_record(HOSTILE, HOSTILE, HOSTILE), _record("plain", "RUN true", "/tmp/x")]
    errors = [ErrorRecord(HOSTILE + "-gone", (HOSTILE + "-gone",), HOSTILE, None, 3)]
    page = format_fleet_html(summarize([*records, *errors]))
    found = tags(page)
    assert found.count("script") == 2 and "b" not in found
    assert "\x1b" not in page and "\u2028" not in page
    body = page.partition("<main>")[2].partition("</main>")[0]
    shown = body.count('reg.example/<span class="esc">\\x1b</span>[31m&lt;script&gt;')
    assert shown >= 6  # chart, layers, wasters, budgets (image, rule, limit), unreadable
    assert "|`**x**`" in body  # Markdown means nothing in HTML: shown as written
