"""Path normalisation: the fast paths give what the component-by-component rule gives."""

from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from auger.layers import paths


def _by_components(name: str) -> tuple[str, bool]:
    """The rule, from the standard library: resolved as if below a root (which ``..`` cannot
    leave), and escaped when some ``..`` climbs from the root itself."""
    depth, escaped = 0, False
    for part in name.split("/"):
        if part == "..":
            escaped = escaped or depth == 0
            depth = max(depth - 1, 0)
        elif part not in ("", "."):
            depth += 1
    return posixpath.normpath("/" + name).lstrip("/"), escaped


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
