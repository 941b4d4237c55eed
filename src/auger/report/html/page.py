"""One self-contained HTML document: the page's style and script inline, and a
Content-Security-Policy that lets only those two run.

The policy allows nothing by default (no network, no frames, no forms, no images) and names
the stylesheet and the script by their SHA-256, so no other ``<style>``, ``<script>``, inline
handler or ``style`` attribute can take effect, whatever a name in the page says. The page's
body comes in as HTML its callers built from escaped names; its numbers for other programs
come in as a value written into a ``<script type="application/json">`` data block.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from auger.report.html.escape import attribute, script_json

_GOLDEN_ANGLE = 137.508


@dataclass(frozen=True, slots=True)
class Page:
    """What a page shows."""

    title: str
    """The page's title, unescaped."""
    heading: str
    """The page's header, as HTML."""
    body: str
    """The sections, as HTML."""
    data: object
    """The numbers behind the page, for other programs (``#auger-data``)."""
    layers: Iterable[int] = ()
    """The layers whose colours the page uses."""


def _asset(name: str) -> str:
    return (resources.files("auger.report.html") / name).read_text(encoding="utf-8")


def layer_styles(layers: Iterable[int]) -> str:
    """A hue per layer (``.L3{--h:52.5}``), spread by the golden angle so neighbours differ."""
    return "".join(
        f".L{layer}{{--h:{(layer * _GOLDEN_ANGLE) % 360:.1f}}}" for layer in sorted(set(layers))
    )


def _digest(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def policy(style: str, script: str) -> str:
    """The Content-Security-Policy of a page with exactly this style and script."""
    return (
        f"default-src 'none'; style-src {_digest(style)}; script-src {_digest(script)}; "
        "base-uri 'none'; form-action 'none'"
    )


def render_page(page: Page) -> str:
    """The whole document."""
    style = _asset("page.css") + layer_styles(page.layers) + "\n"
    script = _asset("page.js")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy(style, script)}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        '<meta name="generator" content="auger">\n'
        f"<title>{attribute(page.title)}</title>\n"
        f"<style>{style}</style>\n</head>\n<body>\n"
        f"<header>{page.heading}</header>\n<main>\n{page.body}\n</main>\n"
        "<footer>Made by auger. Sizes in SI units (1 MB = 1,000,000 bytes); names shown "
        "as text, with control characters and bytes that are not UTF-8 as escapes.</footer>\n"
        f'<script type="application/json" id="auger-data">{script_json(page.data)}</script>\n'
        f"<script>{script}</script>\n</body>\n</html>\n"
    )
