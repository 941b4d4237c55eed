"""A page about an image whose names and commands are markup, script and terminal control:
every one is text, none adds an element or an attribute, and the data block still parses."""

from __future__ import annotations

from pathlib import Path

import pytest

from auger.display import display, one_line
from tests.report.html.support import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    HOSTILE_COMMAND,
    HOSTILE_FILES,
    HOSTILE_TAG,
    Page,
    hostile_image,
)
from tests.report.support import write_archive
from tests.support import run_cli


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_archive(tmp_path_factory.mktemp("hostile"), "hostile.tar", hostile_image())


@pytest.fixture(scope="module")
def page(archive: Path) -> str:
    result = run_cli(["report", str(archive), "--baseline", str(archive), "--format", "html"])
    assert result.code == 0, result.stderr
    return result.stdout


def test_hostile_names_add_no_element_and_no_attribute(page: str) -> None:
    parsed = Page(page)
    assert set(parsed.tags) <= ALLOWED_TAGS
    assert parsed.tags["script"] == 2
    assert parsed.tags["style"] == 1
    assert {name for _, name, _ in parsed.attributes} <= ALLOWED_ATTRIBUTES
    assert not [value for value in parsed.values("href") if not value.startswith("#tm")]


def test_hostile_names_read_as_text_with_escapes_visible(page: str) -> None:
    parsed = Page(page)
    shown = parsed.text("sizemap")
    for name in HOSTILE_FILES:
        first = name.split("/")[0]
        assert display(first) in shown, first
    assert "\\x1b[31mred\\x1b[0m.log" in shown
    assert "caf\\xe9-latin1.txt" in shown
    assert "line\\u2028sep\\u2029para.txt" in shown
    assert "rtl\\u202egnp.exe" in shown
    assert "new\\nline.txt" in shown
    assert page.count('<span class="esc">\\x1b</span>') >= 2
    waste = parsed.rows("waste")
    assert ["/a|b", "2.0 kB", "1", "deleted", "0", "1"] in [row[:6] for row in waste]
    assert any(row[0] == "/<img src=x onerror=alert(2)>.txt" for row in waste)


def test_the_command_is_text_in_the_tables_and_data_in_the_json(page: str) -> None:
    parsed = Page(page)
    command = HOSTILE_COMMAND.removeprefix("/bin/sh -c ")
    layers = parsed.rows("layers")
    assert layers[1][-1] == display(one_line(command))
    assert (
        "</script>"
        not in page.split('<script type="application/json"', 1)[1].split("</script>", 1)[0]
    )
    data = parsed.data()
    assert data["layers"][0]["command"] == display(command)
    assert data["image"] == display(HOSTILE_TAG) == HOSTILE_TAG
    assert data["baseline"]["layers"][0]["command"] == display(command)


def test_the_page_title_is_the_name_as_text(page: str) -> None:
    head = page[: page.index("</head>")]
    assert "<title>auger: hostile&lt;b&gt;:1</title>" in head
