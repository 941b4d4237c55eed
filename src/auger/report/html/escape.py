"""Names from an image made inert in HTML and in JSON embedded in a page.

A name may hold ``<script>``, quotes, ``&``, terminal escapes, bidirectional overrides, line
separators or bytes that are not UTF-8. :func:`text` and :func:`attribute` render it as text:
markup characters become entities, and each character :func:`auger.display.display` escapes
(control characters, invisible direction marks, non-UTF-8 bytes, and the backslash itself)
shows as its escape (``\\x1b``, ``\\n``, ``\\xff``, ``\\\\``), which :func:`text` also marks
so that it stands out from the name. :func:`script_json` writes JSON that cannot end the
``<script>`` element holding it.
"""

from __future__ import annotations

import json
import re

from auger.display import display

_ESCAPE = re.compile(r"\\(?:[\\nrt]|x[0-9a-f]{2}|u[0-9a-f]{4})")
"""An escape as :func:`auger.display.display` writes it (it doubles every backslash, so each
backslash left in its output starts one)."""

_JSON_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def attribute(name: str) -> str:
    """``name`` as text for an attribute value in double quotes, a ``<title>`` or an
    ``<option>``: escapes visible, markup characters as entities."""
    shown = display(name)
    return (
        shown.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def text(name: str) -> str:
    """``name`` as element content: like :func:`attribute`, each escape wrapped in
    ``<span class="esc">`` so the page shows it apart from the name's own characters."""
    return _ESCAPE.sub(lambda match: f'<span class="esc">{match.group()}</span>', attribute(name))


def script_json(value: object) -> str:
    """``value`` as JSON to embed in ``<script type="application/json">``: ``<``, ``>`` and
    ``&`` written as ``\\u`` escapes (so no ``</script>`` or ``<!--`` can appear), and every
    character beyond ASCII too (U+2028 and U+2029 among them)."""
    encoded = json.dumps(value, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return re.sub("[<>&]", lambda match: _JSON_UNSAFE[match.group()], encoded)
