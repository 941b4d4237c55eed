"""The page around the sections: its policy names exactly its style and script, the layers get
colours of their own, and the data block holds what it was given."""

from __future__ import annotations

import dataclasses
import itertools
import re
from typing import Any

from auger.report.html.page import Page as PageSpec
from auger.report.html.page import layer_styles, render_page
from tests.report.html.support import Page, digest


def page(**changes: Any) -> str:
    spec = PageSpec("a <title>", "<h1>heading</h1>", "<p id='body'>body</p>", {"n": 1}, (0, 3))
    return render_page(dataclasses.replace(spec, **changes))


def test_the_policy_allows_exactly_the_inline_style_and_script() -> None:
    parsed = Page(page())
    (style,) = parsed.raw["style"]
    _, script = parsed.raw["script"]
    assert f"style-src {digest(style)};" in parsed.policy
    assert f"script-src {digest(script)};" in parsed.policy
    assert parsed.policy.startswith("default-src 'none';")
    assert "unsafe" not in parsed.policy


def test_the_policy_comes_before_anything_it_governs() -> None:
    text = page()
    policy = text.index("Content-Security-Policy")
    assert policy < text.index("<style>") < text.index("<script")


def test_the_title_and_the_data_are_escaped() -> None:
    parsed = Page(page(title="</title><script>x</script>", data={"name": "</script>"}))
    assert parsed.tags["script"] == 2
    assert parsed.data() == {"name": "</script>"}


def test_each_layer_gets_a_hue_and_neighbours_differ() -> None:
    styles = layer_styles(range(40))
    hues = [float(hue) for hue in re.findall(r"\.L\d+\{--h:([\d.]+)\}", styles)]
    assert len(hues) == 40
    assert all(0 <= hue < 360 for hue in hues)
    assert all(abs(a - b) >= 30 for a, b in itertools.pairwise(hues))
    assert layer_styles([3, 3, 1]) == layer_styles([1, 3])
