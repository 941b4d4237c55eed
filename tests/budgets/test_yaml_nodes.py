"""The iterative composer builds the nodes PyYAML's composer builds, and stops where PyYAML's
would recurse without bound."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from auger.budgets.yaml_nodes import MAX_DEPTH, compose

EXAMPLE = Path(__file__).resolve().parents[2] / "budgets.example.yaml"


def same(ours: Node | None, theirs: Node | None) -> bool:
    """Equal trees: type, tag, value, style and line of every node."""
    if ours is None or theirs is None:
        return ours is theirs
    if type(ours) is not type(theirs) or ours.tag != theirs.tag:
        return False
    if ours.start_mark.line != theirs.start_mark.line:
        return False
    if isinstance(ours, ScalarNode):
        assert isinstance(theirs, ScalarNode)
        return bool(ours.value == theirs.value and ours.style == theirs.style)
    if isinstance(ours, SequenceNode):
        return len(ours.value) == len(theirs.value) and all(
            same(a, b) for a, b in zip(ours.value, theirs.value, strict=True)
        )
    assert isinstance(ours, MappingNode)
    return len(ours.value) == len(theirs.value) and all(
        same(k1, k2) and same(v1, v2)
        for (k1, v1), (k2, v2) in zip(ours.value, theirs.value, strict=True)
    )


def pyyaml(text: str) -> Node | None:
    return yaml.compose(text, Loader=yaml.SafeLoader)


DOCUMENTS = [
    "",
    "# nothing\n",
    "a: 1",
    "version: 1\nimage: {max_size: 1MB, x: [1, 2.5, .nan, ~, null, true, 2001-01-01, 0x1f]}\n",
    "a: &x [1, 2]\nb: *x\nc: &y {k: *x}\nd: [*y, *y]\n",
    "- !!str 12\n- '12'\n- \"x\\ty\"\n- |\n  block\n  text\n- >\n  folded\n- !custom x\n",
    "--- a\n",
    "? [complex, key]\n: value\n",
    EXAMPLE.read_text(encoding="utf-8"),
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_same_nodes_as_pyyaml(text: str) -> None:
    assert same(compose(text), pyyaml(text))


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=12),
)
_data = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(data=_data, flow=st.sampled_from([None, True, False]))
def test_same_nodes_as_pyyaml_for_any_data(data: object, flow: bool | None) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    assert same(compose(text), pyyaml(text))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a: [1", "did not find expected"),
        ("--- a\n--- b\n", "expected a single document"),
        ("a: *x\n", "undefined alias 'x'"),
        ("a: &x [1, *x]\n", "alias inside the collection it names 'x'"),
        ("a: &x 1\nb: &x 2\n", "duplicate anchor 'x'"),
        ("a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "nested more than"),
    ],
)
def test_errors(text: str, problem: str) -> None:
    with pytest.raises(yaml.YAMLError, match=problem):
        compose(text)


@pytest.mark.parametrize("opening", ["[", "{a: "])
def test_deep_nesting_stops_early_whatever_the_depth(opening: str) -> None:
    """A million levels: PyYAML's C composer would crash the process, its Python one run out
    of recursion; this one stops at the limit, having read only that far."""
    closing = "]" if opening == "[" else "}"
    text = "a: " + opening * 1_000_000 + "1" + closing * 1_000_000
    start = time.perf_counter()
    with pytest.raises(yaml.YAMLError, match=f"nested more than {MAX_DEPTH} levels"):
        compose(text)
    assert time.perf_counter() - start < 1


def test_exactly_the_limit_is_allowed() -> None:
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert same(compose(text), pyyaml(text))
