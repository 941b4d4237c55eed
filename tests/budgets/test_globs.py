"""Path globs over the final filesystem: ``*``, ``**``, ``?``, classes, anchoring; malformed
globs; and matching in time linear in the path, checked against a plain reference matcher."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from auger.layers.globs import GlobError, compile_glob, literal_runs, matcher, matches

# (glob, normalised relative path, expected)
CASES: list[tuple[str, str, bool]] = [
    # * stays within one name
    ("/etc/*", "etc/passwd", True),
    ("/etc/*", "etc/ssl/certs", False),
    ("/etc/*", "etc", False),
    ("/*.log", "app.log", True),
    ("/*.log", "var/app.log", False),
    ("/var/*/cache", "var/lib/cache", True),
    ("/var/*/cache", "var/lib/x/cache", False),
    ("/a*b", "ab", True),
    ("/a*b", "axxb", True),
    ("/a*b", "ax/xb", False),
    ("/a**b", "axyb", True),
    ("/a**b", "ax/yb", False),
    # ** at the end: everything below
    ("/var/lib/apt/lists/**", "var/lib/apt/lists/partial/x", True),
    ("/var/lib/apt/lists/**", "var/lib/apt/lists/lock", True),
    ("/var/lib/apt/lists/**", "var/lib/apt/listsx/lock", False),
    ("/var/lib/apt/lists/**", "var/lib/apt/lock", False),
    ("/**", "any/thing/at/all", True),
    ("**", "x", True),
    # ** at the start: at any depth
    ("**/.git/**", ".git/config", True),
    ("**/.git/**", "src/app/.git/objects/ab/cd", True),
    ("**/.git/**", "src/.gitignore", False),
    ("**/__pycache__/**", "usr/lib/python3/__pycache__/x.pyc", True),
    ("**/x", "x", True),
    ("**/x", "a/b/x", True),
    ("**/x", "ax", False),
    ("**/x", "a/xy", False),
    ("/**/x", "a/x", True),
    # ** in the middle: zero or more directories
    ("/a/**/z", "a/z", True),
    ("/a/**/z", "a/b/z", True),
    ("/a/**/z", "a/b/c/d/z", True),
    ("/a/**/z", "a/bz", False),
    ("/a/**/z", "b/a/z", False),
    ("/a/**/z", "a/b/z/c", False),
    # ? is one character, never a slash
    ("/a?", "ab", True),
    ("/a?", "a", False),
    ("/a?", "abc", False),
    ("/a?b", "a/b", False),
    ("/file-??.txt", "file-01.txt", True),
    # character classes
    ("/file[0-9].txt", "file5.txt", True),
    ("/file[0-9].txt", "filea.txt", False),
    ("/[abc]", "b", True),
    ("/[abc]", "d", False),
    ("/[!abc]", "d", True),
    ("/[!abc]", "a", False),
    ("/x[]]", "x]", True),
    ("/a[[]b", "a[b", True),
    ("/[!]]", "x", True),
    ("/[!]]", "]", False),
    ("/[^a]", "b", True),
    ("/[^a]", "a", False),
    ("/[a-]", "-", True),
    ("/[+-0]", "+", True),
    ("/[+-0]", "0", True),
    ("/a[+-0]b", "a/b", False),
    ("/a[!x]b", "a/b", False),
    ("/a?b", "a/b", False),
    ("/[\\]", "\\", True),
    # anchoring: the whole path, from the root
    ("/etc", "etc", True),
    ("/etc", "etc/passwd", False),
    ("/etc", "x/etc", False),
    ("/etc", "etcetera", False),
    ("/passwd", "etc/passwd", False),
    # regular-expression characters are literal
    ("/a.b", "a.b", True),
    ("/a.b", "axb", False),
    ("/a+b", "a+b", True),
    ("/a+b", "aab", False),
    ("/(x)", "(x)", True),
    ("/$x^", "$x^", True),
    # names with newlines are still one name
    ("/*", "a\nb", True),
    ("/a*", "a\n/b", False),
]


@pytest.mark.parametrize(
    ("glob", "path", "expected"),
    CASES,
    ids=[f"{glob} {'~' if expected else '!~'} {path!r}" for glob, path, expected in CASES],
)
def test_glob(glob: str, path: str, expected: bool) -> None:
    assert matches(glob, path) is expected


def test_trailing_slash_in_glob_is_the_same_glob() -> None:
    assert matches("/etc/", "etc") == matches("/etc", "etc")


MALFORMED = {
    "/a[b": "unclosed '['",
    "/a[/]b": "unclosed '['",
    "/[[[": "unclosed '['",
    "/[!]": "unclosed '['",
    "/[]": "unclosed '['",
    "/" + "[" * 5000: "unclosed '['",
    "/[z-a]": "reversed range z-a",
    "/x/[b-a]*": "reversed range b-a",
    "/a//b": "an empty name",
    "/a/./b": "a '.' name",
    "/a/../b": "a '..' name",
    "/": "an empty name",
}


@pytest.mark.parametrize("glob", list(MALFORMED), ids=[glob[:20] for glob in MALFORMED])
def test_malformed_globs_are_errors(glob: str) -> None:
    with pytest.raises(GlobError, match=MALFORMED[glob].replace("[", "\\[")):
        compile_glob(glob)


def test_thousands_of_brackets_that_close_are_one_class_and_literals() -> None:
    glob = "/" + "[" * 5000 + "]" * 5000
    assert matches(glob, "[" + "]" * 4999)
    assert not matches(glob, "[" * 5000)


# -- linear time ----------------------------------------------------------------------------------

BOUND = 1.0
"""Seconds any one match may take; a backtracking matcher takes minutes (or hours) on these."""

ADVERSARIAL: list[tuple[str, str, bool]] = [
    ("/*a*a*a*a*a*ab", "a" * 250, False),
    ("/*a*a*a*a*a*ab", "a" * 249 + "b", True),
    ("/" + "*a" * 30 + "b", "a" * 250, False),
    ("/*" + "?" * 50 + "*b", "a" * 250, False),
    ("/*[ab]*[ab]*[ab]*[ab]*[ab]*c", "ab" * 125, False),
    ("/**" * 10 + "/x", "/".join(["a"] * 60), False),
    ("/**/a" * 10 + "/x", "/".join(["a"] * 60), False),
    ("/**/a" * 10 + "/x", "/".join(["a"] * 60 + ["x"]), True),
    ("/**/*a*a*a" * 10 + "/y", "/".join(["a" * 250] * 60), False),
    ("/**/*a*a*a*" * 10, "/".join(["a" * 250] * 60) + "b", True),
    ("/**/a/**/a/**/b/**/c", "/".join(["a"] * 3000), False),
]


@pytest.mark.parametrize(
    ("glob", "path", "expected"),
    ADVERSARIAL,
    ids=[f"{len(g)}-char glob, {len(p)}-char path, {e}" for g, p, e in ADVERSARIAL],
)
def test_adversarial_globs_match_in_bounded_time(glob: str, path: str, expected: bool) -> None:
    start = time.perf_counter()
    found = matches(glob, path)
    elapsed = time.perf_counter() - start
    assert elapsed < BOUND, f"{elapsed:.2f} s"
    assert found is expected


def test_matching_time_grows_linearly_with_the_path() -> None:
    """Ten times the path, about ten times the time (not a hundred, not a thousand)."""
    glob = compile_glob("/**/*a*a*a*a*b/**/c")

    def timed(levels: int) -> float:
        path = "/" + "/".join(["a" * 100] * levels)
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            assert glob.match(path) is None
            best = min(best, time.perf_counter() - start)
        return best

    small, large = timed(200), timed(2000)
    assert large < small * 40, (small, large)


# -- against a reference -------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    """One piece of a name's glob: a character, ``?``, ``*`` or a class."""

    kind: str
    chars: str = ""
    negated: bool = False

    def text(self) -> str:
        if self.kind == "char":
            return self.chars
        if self.kind in ("?", "*"):
            return self.kind
        return "[" + ("!" if self.negated else "") + self.chars + "]"

    def accepts(self, char: str) -> bool:
        if self.kind == "?":
            return True
        if self.kind == "char":
            return char == self.chars
        return (char in self.chars) is not self.negated


Name = tuple[Token, ...] | None
"""A name's tokens, or ``None`` for ``**``."""


def parse(glob: str) -> list[Name]:
    """The reference's reading of the globs this module generates."""
    names: list[Name] = []
    for part in glob.strip("/").split("/"):
        if part == "**":
            names.append(None)
            continue
        tokens = []
        position = 0
        while position < len(part):
            char = part[position]
            if char == "[":
                end = part.index("]", position + 2)
                body = part[position + 1 : end]
                negated = body.startswith("!")
                tokens.append(Token("class", body.removeprefix("!"), negated))
                position = end + 1
                continue
            tokens.append(Token(char if char in "?*" else "char", "" if char in "?*" else char))
            position += 1
        names.append(tuple(tokens))
    return names


def name_matches(tokens: tuple[Token, ...], name: str) -> bool:
    @functools.cache
    def at(t: int, n: int) -> bool:
        if t == len(tokens):
            return n == len(name)
        if tokens[t].kind == "*":
            return at(t + 1, n) or (n < len(name) and at(t, n + 1))
        return n < len(name) and tokens[t].accepts(name[n]) and at(t + 1, n + 1)

    return at(0, 0)


def reference(names: list[Name], segments: list[str]) -> bool:
    """Every way of matching, tried (memoised): slow, plainly right."""

    @functools.cache
    def at(g: int, s: int) -> bool:
        if g == len(names):
            return s == len(segments)
        item = names[g]
        if item is None:
            return at(g + 1, s) or (s < len(segments) and at(g, s + 1))
        return s < len(segments) and name_matches(item, segments[s]) and at(g + 1, s + 1)

    return at(0, 0)


_token = st.one_of(
    st.sampled_from("ab.").map(lambda char: Token("char", char)),
    st.just(Token("?")),
    st.just(Token("*")),
    st.builds(
        Token,
        st.just("class"),
        st.sampled_from(["a", "b", "ab", "a-", "-b"]),
        st.booleans(),
    ),
)
_name = st.lists(_token, min_size=1, max_size=5).map(tuple)
_glob = st.lists(st.one_of(_name, st.just(None)), min_size=1, max_size=5)
_path = st.lists(st.text("ab.-", min_size=1, max_size=6), min_size=1, max_size=6)


def render(names: list[Name]) -> str:
    return "/" + "/".join(
        "**" if item is None else "".join(t.text() for t in item) for item in names
    )


@settings(max_examples=400, deadline=None)
@given(names=_glob, segments=_path)
def test_globs_agree_with_the_reference(names: list[Name], segments: list[str]) -> None:
    glob = render(names)
    assume(all(part not in (".", "..") for part in glob.split("/")))  # not names a glob may have
    path = "/".join(segments)
    expected = reference(parse(glob), segments)
    assert matches(glob, path) is expected, (glob, path)
    assert matcher(glob)(path) is expected, (glob, path)
    if expected:
        assert all(run in path for run in literal_runs(glob)), (glob, path)
