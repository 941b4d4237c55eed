"""Names from an image are text in the page and in its JSON, whatever they hold."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auger.display import display
from auger.report.html.escape import attribute, script_json, text

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "it's & <b>bold</b>",
    "a|b`c`",
    "\x1b[31mred\x1b[0m",
    "bad\udcff\udcfe.bin",
    "line\u2028separator\u2029paragraph",
    "right\u202eto-left",
    "back\\slash",
    "new\nline\ttab",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_name_as_text_has_no_markup_and_no_control_characters(name: str) -> None:
    for shown in (text(name), attribute(name)):
        without_ours = re.sub(r'<span class="esc">|</span>', "", shown)
        assert "<" not in without_ours
        assert ">" not in without_ours
        assert '"' not in shown.replace('"esc"', "")
        assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\udc80-\udcff]", shown)
        shown.encode("utf-8")  # every byte that was not UTF-8 is now an escape


def test_markup_becomes_entities() -> None:
    assert text("<b>&'\"") == "&lt;b&gt;&amp;&#39;&quot;"
    assert attribute("<b>&'\"") == "&lt;b&gt;&amp;&#39;&quot;"


def test_escapes_are_visible_and_marked_in_element_content() -> None:
    assert attribute("\x1b[31m") == "\\x1b[31m"
    assert text("\x1b[31m") == '<span class="esc">\\x1b</span>[31m'
    assert text("bad\udcff") == 'bad<span class="esc">\\xff</span>'
    assert text("a\u2028b") == 'a<span class="esc">\\u2028</span>b'
    assert text("a\nb") == 'a<span class="esc">\\n</span>b'


def test_a_backslash_is_told_apart_from_an_escape() -> None:
    assert attribute("\\x1b") == "\\\\x1b"
    assert text("\\x1b") == '<span class="esc">\\\\</span>x1b'


def test_plain_names_are_unchanged() -> None:
    assert text("usr/lib/libc.so.6") == "usr/lib/libc.so.6"


def test_embedded_json_cannot_end_its_script_element() -> None:
    value = {"command": "</script><script>alert(1)</script><!-- & \u2028\u2029 é"}
    encoded = script_json(value)
    assert "<" not in encoded
    assert ">" not in encoded
    assert "&" not in encoded
    assert "\u2028" not in encoded
    assert "\u2029" not in encoded
    assert encoded.isascii()
    assert json.loads(encoded) == value


class _Fragment(HTMLParser):
    """What a browser's parser makes of element content: its elements and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text += data


NAMES = st.text(
    st.characters(codec=None, exclude_categories=()) | st.sampled_from("<>&\"'\\`|\x1b\u2028"),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(NAMES)
def test_any_name_parses_as_its_shown_text_and_escape_spans_only(name: str) -> None:
    fragment = _Fragment()
    fragment.feed(f"<p>{text(name)}</p>")
    fragment.close()
    assert fragment.elements[0] == ("p", [])
    assert all(element == ("span", [("class", "esc")]) for element in fragment.elements[1:])
    assert fragment.text == display(name)


@settings(max_examples=300, deadline=None)
@given(NAMES)
def test_any_value_survives_the_script_block_unchanged(name: str) -> None:
    encoded = script_json({"name": name})
    assert re.fullmatch(r"[\x20-\x7e]*", encoded)
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == {"name": name}
