"""Read an HTML page the way a browser's parser splits it: elements, attributes, text, the
contents of ``<script>`` and ``<style>``, and the text under each element with an id."""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from html.parser import HTMLParser
from typing import Any

from auger.testing.images import ImageSpec, LayerSpec, file, layer_tar, whiteout
from tests.attribution.formats import DebPackage, dpkg_list, dpkg_list_name, dpkg_status

VOID = {"meta", "link", "br", "hr", "img", "input", "source", "wbr", "area", "base", "col"}


class Page(HTMLParser):
    """An HTML document, parsed."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.attributes: list[tuple[str, str, str]] = []
        """(tag, attribute, value) of every element."""
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        """The contents of each ``<script>`` and ``<style>``, as written."""
        self.texts: dict[str, list[str]] = {}
        self.counts: dict[str, Counter[str]] = {}
        self.tables: dict[str, list[list[str]]] = {}
        """The rows (each a list of its cells' text) of the tables under each id."""
        self._open: list[tuple[str, str | None]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        owners = [ident for _, ident in self._open if ident is not None]
        if tag == "tr":
            for owner in owners:
                self.tables.setdefault(owner, []).append([])
        elif tag in ("td", "th"):
            for owner in owners:
                self.tables[owner][-1].append("")
        if tag not in VOID:
            self._open.append((tag, dict(attrs).get("id")))
            if tag in self.raw:
                self.raw[tag].append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        for _, ident in self._open:
            if ident is not None:
                self.counts.setdefault(ident, Counter())[tag] += 1
        for name, value in attrs:
            self.attributes.append((tag, name, value or ""))
        ident = dict(attrs).get("id")
        if ident is not None:
            self.texts[ident] = []

    def handle_endtag(self, tag: str) -> None:
        for position in range(len(self._open) - 1, -1, -1):
            if self._open[position][0] == tag:
                del self._open[position:]
                return

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1][0] in self.raw:
            self.raw[self._open[-1][0]][-1] += data
        if any(tag in ("td", "th") for tag, _ in self._open):
            for _, ident in self._open:
                if ident is not None:
                    self.tables[ident][-1][-1] += data
        for _, ident in self._open:
            if ident is not None:
                self.texts[ident].append(data)

    def text(self, ident: str) -> str:
        """The text under the element ``id``."""
        return "".join(self.texts[ident])

    def rows(self, ident: str) -> list[list[str]]:
        """The rows of the tables under the element ``id``, headings first."""
        return self.tables.get(ident, [])

    def count(self, tag: str, within: str) -> int:
        return self.counts.get(within, Counter())[tag]

    def values(self, attribute: str) -> list[str]:
        return [value for _, name, value in self.attributes if name == attribute]

    @property
    def policy(self) -> str:
        (found,) = [
            value
            for tag, name, value in self.attributes
            if tag == "meta" and name == "content" and "default-src" in value
        ]
        return found

    def data(self) -> Any:
        """The page's JSON data block."""
        return json.loads(self.text("auger-data"))


def digest(source: str) -> str:
    """A CSP source expression for inline content."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


# -- an image whose names and commands try to be markup, script or terminal control -------------

HOSTILE_FILES = {
    "<img src=x onerror=alert(2)>.txt": 3000,
    "<script>alert(1)</script>": 2800,  # the "/" makes a directory "<script>alert(1)<"
    "a|b": 2000,
    "`whoami`.sh": 1500,
    "\x1b[31mred\x1b[0m.log": 1200,
    "caf\udce9-latin1.txt": 1000,  # the byte 0xe9, which is not UTF-8 on its own
    "quote\"and'apos&amp;.txt": 900,
    "line\u2028sep\u2029para.txt": 800,
    "rtl\u202egnp.exe": 700,
    "</title><style>*{color:red}</style>": 650,
    "<!--comment-->": 600,
    "new\nline.txt": 500,
}
"""Name -> size of the files of the hostile image's first layer."""

HOSTILE_PACKAGE = DebPackage(
    "evil<b>&amp;\x1b[31m", "1.0<script>alert(6)<", {"/opt/evil/payload.bin": 400}
)
"""A package whose name and version are markup and a terminal escape, listed by dpkg."""

HOSTILE_COMMAND = (
    "/bin/sh -c echo '</script><script>alert(4)</script>' \u2028"
    " <img src=x onerror=alert(5)> `id` | tee \x1b]0;title\x07 && true"
)
HOSTILE_TAG = "hostile<b>:1"


def hostile_image() -> ImageSpec:
    """Two layers: the hostile files and package, then one that overwrites one of the files
    and deletes another (so hostile names are wasted paths too)."""
    package = [
        file("var/lib/dpkg/status", dpkg_status([HOSTILE_PACKAGE])),
        file(dpkg_list_name(HOSTILE_PACKAGE), dpkg_list(HOSTILE_PACKAGE)),
        file("opt/evil/payload.bin", 400),
    ]
    first = layer_tar([*(file(name, size) for name, size in HOSTILE_FILES.items()), *package])
    second = layer_tar([file("<img src=x onerror=alert(2)>.txt", 10), whiteout("a|b")])
    return ImageSpec(
        [LayerSpec(first, HOSTILE_COMMAND), LayerSpec(second, "/bin/sh -c rm 'a|b'")],
        tag=HOSTILE_TAG,
    )


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "code",
    "span", "b", "main", "ul", "li", "div", "section", "nav", "a", "svg", "g", "rect", "text",
    "line", "figure", "table", "thead", "tbody", "tr", "th", "td", "footer", "script",
}  # fmt: skip
"""Every element auger's pages use."""

ALLOWED_ATTRIBUTES = {
    "lang", "charset", "http-equiv", "content", "name", "class", "id", "href", "viewbox",
    "role", "aria-label", "aria-current", "x", "y", "width", "height", "x1", "x2", "y1", "y2",
    "data-v", "type", "scope",
}  # fmt: skip
"""Every attribute auger's pages use (as the parser reports them, in lower case)."""
