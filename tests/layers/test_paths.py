"""Path normalisation: the fast paths give what the component-by-component rule gives."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from auger.layers import paths


def _by_components(name: str) -> tuple[str, bool]:
    """The rule itself: ``.`` and empty components vanish, ``..`` climbs, never above the
    root."""
    parts: list[str] = []
    escaped = False
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            else:
                escaped = True
            continue
        parts.append(part)
    return "/".join(parts), escaped


names = st.lists(
    st.sampled_from(["", ".", "..", "usr", "bin", ".hidden", "a.b", "..x"]), max_size=6
)


@given(names, st.booleans(), st.booleans())
def test_normalize_follows_the_rule(parts: list[str], absolute: bool, slash: bool) -> None:
    name = ("/" if absolute else "") + "/".join(parts) + ("/" if slash else "")
    assert paths.normalize(name) == _by_components(name)


def test_package_database_paths_take_the_fast_path() -> None:
    assert paths.normalize("/usr/share/doc/curl/") == ("usr/share/doc/curl", False)
    assert paths.normalize("/") == ("", False)
    assert paths.normalize("/usr/../../etc") == ("etc", True)
