"""Path globs over the final filesystem: ``*``, ``**``, ``?``, classes, anchoring."""

from __future__ import annotations

import pytest

from auger.layers.globs import matches

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
    ("/a[b", "a[b", True),
    ("/a[/]b", "a/b", False),
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
