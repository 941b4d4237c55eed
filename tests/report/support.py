"""Shared by the report tests: fixed archives, and checks that Markdown is safe to post.

The checks read Markdown the way GitHub's renderer (CommonMark plus GFM tables) does, closely
enough to tell auger's own HTML from HTML that came from a file name or a command: fenced code
blocks and code spans are literal text, a line that starts with ``<`` opens an HTML block that
runs to the next blank line, and a table row is split into cells on unescaped ``|`` before its
inline content is read.
"""

from __future__ import annotations

import itertools
import re
import string
from pathlib import Path
from typing import Any

from auger.model import ImageAnalysis
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    TarEntry,
    directory,
    docker_archive,
    file,
    layer_tar,
    opaque,
    whiteout,
)
from tests.attribution.formats import (
    DebPackage,
    NpmPackage,
    dpkg_list,
    dpkg_list_name,
    dpkg_status,
    npm_lockfile,
    npm_manifest,
)
from tests.support import analyze_reference

# -- fixed archives -------------------------------------------------------------------------------

ROOTFS = LayerSpec(
    layer_tar(
        [
            directory("bin"),
            file("bin/sh", 2000, 0o755),
            directory("etc"),
            file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"),
            file("etc/os-release", b"ID=example\nVERSION_ID=1\n"),
        ]
    ),
    "/bin/sh -c #(nop) ADD file:5d2f1a0c in / ",
)
"""Layer 0 of both fixed images: a tiny root filesystem."""

_APT_ENTRIES = (
    file("var/lib/apt/lists/deb.example.org_dists_stable_main_binary-amd64_Packages", 4000),
    file("var/lib/dpkg/status", 800),
    file("usr/bin/curl", 3000, 0o755),
    file("var/cache/apt/archives/curl_8.0_amd64.deb", 2500),
)
APT = LayerSpec(layer_tar(_APT_ENTRIES), "/bin/sh -c apt-get update && apt-get install -y curl")
"""Layer 1 of both: apt lists left behind (DL3009), no --no-install-recommends (DL3015)."""

BASE_APP = LayerSpec(
    layer_tar([file("app/main.py", 400), file("app/legacy.py", 300), file("etc/motd", 500)]),
    "COPY app /app # buildkit",
)
"""Layer 2 of the base image only."""

HEAD_APP = LayerSpec(
    layer_tar(
        [
            file("app/main.py", 900),
            file("app/.git/HEAD", b"ref: refs/heads/main\n"),
            file("app/.git/objects/pack/pack-1.pack", 1500),
            file("app/__pycache__/main.cpython-311.pyc", 300),
            file("app/build/a.o", 1200),
            file("app/build/b.o", 800),
            file("app/build/sub/c.o", 400),
            file("srv/www/index.html", 700),
            file("srv/www/old.css", 250),
            file("etc/motd", 100),
        ]
    ),
    "COPY app /app # buildkit",
)
"""Layer 2 of the head image: a .git folder, bytecode, a build directory, a web root."""

PIP = LayerSpec(
    layer_tar(
        [
            file("root/.cache/pip/http/1/2/3/abcdef", 2200),
            file("usr/lib/python3/site-packages/requests/__init__.py", 1000),
            file("var/lib/dpkg/status", 900),
            file("tmp/pip-build.log", 350),
        ]
    ),
    "RUN /bin/sh -c pip install requests # buildkit",
    empty_before=1,
)
"""Layer 3 of the head image: a pip cache, a dpkg status rewrite (churn), a /tmp log."""

CLEANUP = LayerSpec(
    layer_tar(
        [
            whiteout("app/build"),
            whiteout("var/cache/apt/archives/curl_8.0_amd64.deb"),
            whiteout("tmp/pip-build.log"),
            file("app/main.py", 900, 0o755),
        ]
    ),
    "RUN /bin/sh -c rm -rf /app/build /var/cache/apt/archives/*.deb /tmp/pip-build.log"
    " && chmod 755 /app/main.py # buildkit",
)
"""Layer 4 of the head image: deletes a directory, a file, the log; a chmod-only rewrite."""

WEB = LayerSpec(
    layer_tar(
        [
            directory("srv/www"),
            opaque("srv/www"),
            file("srv/www/index.html", 650),
            file("etc/os-release", b"ID=example\nVERSION_ID=2\nPRETTY_NAME=Example 2\n"),
        ]
    ),
    "COPY static /srv/www # buildkit",
)
"""Layer 5 of the head image: replaces the web root (opaque) and overwrites a file."""


def base_image() -> ImageSpec:
    """The image a pull request starts from."""
    return ImageSpec([ROOTFS, APT, BASE_APP], tag="example:base")


def head_image() -> ImageSpec:
    """The image the pull request builds: shares layers 0 and 1 with the base."""
    return ImageSpec([ROOTFS, APT, HEAD_APP, PIP, CLEANUP, WEB], tag="example:head")


# -- a rebuild: one layer rebuilt with the same contents, one grown, two swapped, tiny files -------

TOOLS = LayerSpec(
    layer_tar([file("usr/bin/jq", 3000, 0o755), file("usr/bin/yq", 2500, 0o755)]),
    "RUN /bin/sh -c install-tools jq yq # buildkit",
)
CONFIG = LayerSpec(
    layer_tar([file("etc/app/config.yaml", 1500), file("etc/app/logging.yaml", 600)]),
    "COPY config /etc/app # buildkit",
)
TINY = 60
"""How many 9-byte files the build leaves in /tmp (and the next layer deletes one by one)."""
STAMPS = 25
"""How many 9-byte files the rebuilt app layer adds under /app/.stamps."""


def node_app(modules: int, stamps: int = 0) -> LayerSpec:
    """``COPY app /app`` with ``modules`` kB of node_modules and ``stamps`` 9-byte files."""
    return LayerSpec(
        layer_tar(
            [
                file("app/server.js", 1800),
                file("app/package.json", 700),
                *(file(f"app/node_modules/lib{n}/index.js", 1000) for n in range(modules)),
                *(file(f"app/.stamps/s{n:02}", b"stamp-one") for n in range(stamps)),
            ]
        ),
        "COPY app /app # buildkit",
    )


BUILD = LayerSpec(
    layer_tar(
        [
            file("app/dist/bundle.js", 4000),
            *(file(f"tmp/x{n:03}", b"build-tmp") for n in range(TINY)),
        ]
    ),
    "RUN /bin/sh -c npm run build # buildkit",
)
CLEAN = LayerSpec(
    layer_tar([whiteout(f"tmp/x{n:03}") for n in range(TINY)]),
    "",
)
"""A layer with no command at all (history without ``created_by``)."""


def release_image() -> ImageSpec:
    """The release a pull request starts from."""
    return ImageSpec([ROOTFS, APT, TOOLS, CONFIG, node_app(8), BUILD, CLEAN], tag="example:release")


def rebuilt_image() -> ImageSpec:
    """The same Dockerfile built again without cache, with the tools and config steps swapped
    and 12 kB more node_modules (and 25 tiny stamp files): the apt layer has the same contents
    but another mtime."""
    apt_again = LayerSpec(layer_tar(_APT_ENTRIES, mtime=1_800_000_000), APT.created_by)
    return ImageSpec(
        [ROOTFS, apt_again, CONFIG, TOOLS, node_app(20, STAMPS), BUILD, CLEAN],
        tag="example:rebuilt",
    )


_LIBC = DebPackage("libc6", "2.36-9", {"/usr/lib/x86_64-linux-gnu/libc.so.6": 9000})
_BASH = DebPackage(
    "bash", "5.2.15", {"/usr/bin/bash": 4000, "/usr/share/doc/bash/changelog.gz": 600}, "shells"
)
_GCC = DebPackage(
    "gcc-12", "12.2.0", {"/usr/bin/gcc-12": 2000, "/usr/libexec/gcc/cc1": 30000}, "devel"
)
_MAKE = DebPackage(
    "make", "4.3", {"/usr/bin/make": 250, "/usr/share/man/man1/make.1.gz": 70}, "devel"
)
_EXPRESS = NpmPackage("node_modules/express", "4.21.1", {})
_TYPESCRIPT = NpmPackage("node_modules/typescript", "5.6.3", {}, dev=True)


def _debs(packages: list[DebPackage], new: list[DebPackage]) -> list[TarEntry]:
    items = [file("var/lib/dpkg/status", dpkg_status(packages))]
    for package in new:
        items.append(file(dpkg_list_name(package), dpkg_list(package)))
        items += [file(path.lstrip("/"), size) for path, size in package.files.items()]
    return items


ATTRIBUTED_DOCKERFILE = """\
# syntax=docker/dockerfile:1
FROM debian:bookworm-slim
RUN apt-get update \\
    && apt-get install -y gcc-12 make
WORKDIR /app
COPY . .
RUN npm ci
"""
"""The Dockerfile of :func:`attributed_image` (its history is BuildKit's)."""


def attributed_image() -> ImageSpec:
    """An image with dpkg and npm databases, built by :data:`ATTRIBUTED_DOCKERFILE`."""
    base = LayerSpec(
        layer_tar([directory("var/lib/dpkg/info"), *_debs([_LIBC, _BASH], [_LIBC, _BASH])]),
        "/bin/sh -c #(nop) ADD file:9e1f in / ",
    )
    apt = LayerSpec(
        layer_tar(
            [
                file("var/lib/apt/lists/deb.example.org_main_Packages", 8000),
                *_debs([_LIBC, _BASH, _GCC, _MAKE], [_GCC, _MAKE]),
            ]
        ),
        "RUN /bin/sh -c apt-get update     && apt-get install -y gcc-12 make # buildkit",
    )
    workdir = LayerSpec(layer_tar([directory("app")]), "WORKDIR /app")
    app = LayerSpec(
        layer_tar(
            [
                file("app/package.json", b'{"name": "app", "dependencies": {"express": "4"}}'),
                file("app/package-lock.json", npm_lockfile("app", [_EXPRESS, _TYPESCRIPT], {})),
                file("app/server.js", 1200),
            ]
        ),
        "COPY . . # buildkit",
    )
    npm = LayerSpec(
        layer_tar(
            [
                file("app/node_modules/express/package.json", npm_manifest(_EXPRESS)),
                file("app/node_modules/express/index.js", 2500),
                file("app/node_modules/typescript/package.json", npm_manifest(_TYPESCRIPT)),
                file("app/node_modules/typescript/lib/tsc.js", 20000),
                file("root/.npm/_cacache/index-v5/ab/cd", 3000),
            ]
        ),
        "RUN /bin/sh -c npm ci # buildkit",
    )
    return ImageSpec([base, apt, workdir, app, npm], tag="example:attributed")


BUDGETS_YAML = """\
version: 1
image:
  max_size: {fail: 100kB, warn: 20kB}
  max_wasted_percent: 25%
  min_efficiency: 0.5
paths:
  - glob: /var/lib/apt/lists/**
    max_size: 0
    advice: remove apt lists in the same RUN, hadolint DL3009
growth:
  max_size_increase: {fail: 50kB, warn: 5kB}
"""
"""Budgets with a pass, a warning, failures and (without a baseline) a skipped rule."""


# -- hostile names ---------------------------------------------------------------------------------

HOSTILE: dict[str, str] = {
    "script": "<script>alert(1)</script>",
    "img": "<img src=x onerror=alert(1)>",
    "details": "</details><details open>",
    "comment": "<!-- auger-report -->",
    "pipes": "a|b||c",
    "escaped-pipe": "back\\|slash\\",
    "backtick": "tick`name",
    "backtick-runs": "``a```b````c",
    "backtick-edges": "`edge`",
    "bold": "**bold**_under_",
    "link": "[link](http:x)",
    "newline": "new\nline",
    "carriage-return": "carriage\rreturn",
    "terminal-escape": "esc\x1b[31mred\x1b[0m",
    "c1-controls": "csi\x9b31m nel\x85 del\x7f",
    "tab": "tab\there",
    "bidi": "invoice\u202egnp.exe",
    "isolates": "iso\u2066late\u2069 sep\u2028",
    "non-utf8": "bad\udcff\udcfename",
    "entity": "&lt;b&gt; &amp;",
    "long": "L" * 3000,
}
"""Names a file in an image may have (non-UTF-8 bytes travel as surrogate escapes)."""

COMMAND = (
    "/bin/sh -c echo {name} && useradd app\n"
    "  && printf '`id` ``` <img src=x onerror=alert(1)> | x' && rm -rf /build /gone/*"
)
"""A RUN line with a newline, backticks, HTML and a pipe (and ``useradd`` for DL3046)."""


def hostile_layers(names: list[str]) -> list[LayerSpec]:
    """Layer 0 stores each name four ways; layer 1 overwrites, deletes and keeps them."""
    stored: list[TarEntry] = [directory("build"), directory("gone"), directory("tmp")]
    hiding: list[TarEntry] = [whiteout("build")]
    for name in names:
        stored += [
            file(name, 50),
            file(f"build/{name}", 20),
            file(f"gone/{name}", 30),
            file(f"tmp/{name}", 10),
        ]
        hiding += [file(name, 60), whiteout(f"gone/{name}")]
    command = COMMAND.format(name=" ".join(names))
    return [
        LayerSpec(layer_tar(stored), f"/bin/sh -c #(nop) ADD {names[0][:200]} in /"),
        LayerSpec(layer_tar(hiding), command),
    ]


def write_archive(directory_path: Path, name: str, spec: ImageSpec) -> Path:
    """Write ``spec`` as a ``docker save`` tarball ``name`` in ``directory_path``."""
    path = directory_path / name
    path.write_bytes(docker_archive(spec))
    return path


def analyse(path: Path) -> ImageAnalysis:
    """Analyse an archive with the real pipeline (no engine reachable)."""
    return analyze_reference(str(path))


# -- Markdown safety checks -----------------------------------------------------------------------

AUGER_HTML = re.compile(
    r"<details>|</details>|<summary>[^<>&\n]*</summary>"
    r"|<!-- auger-report(?::[A-Za-z0-9._:/@+-]{1,100})? -->"
)
"""The only HTML lines auger writes itself."""

_FENCE_OPEN = re.compile(r" {0,3}(`{3,})[^`]*")
_PUNCTUATION = set(string.punctuation)
_DELIMITER_ROW = re.compile(r"\|(?:\s*:?-+:?\s*\|)+")
_BIDI = set("\u061c\u200e\u200f\u2028\u2029") | {chr(c) for c in range(0x202A, 0x202F)}
_BIDI |= {chr(c) for c in range(0x2066, 0x206A)}


def _run_length(text: str, position: int) -> int:
    end = position
    while end < len(text) and text[end] == "`":
        end += 1
    return end - position


def inline_html(text: str) -> list[str]:
    """Raw HTML in one run of inline content (code spans and backslash escapes are literal)."""
    found = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "\\" and position + 1 < len(text) and text[position + 1] in _PUNCTUATION:
            position += 2
            continue
        if char == "`":
            run = _run_length(text, position)
            search = position + run
            closing = None
            while (candidate := text.find("`", search)) >= 0:
                length = _run_length(text, candidate)
                if length == run:
                    closing = candidate
                    break
                search = candidate + length
            position = closing + run if closing is not None else position + run
            continue
        if char == "<" and re.match(r"<[A-Za-z/!?]", text[position : position + 2]):
            found.append(text[position : position + 60])
        position += 1
    return found


def separators(row: str) -> list[int]:
    """Positions of the ``|`` that split a table row into cells (not backslash-escaped)."""
    positions = []
    for match in re.finditer(r"(\\*)\|", row):
        if len(match.group(1)) % 2 == 0:
            positions.append(match.end() - 1)
    return positions


def ambiguous_pipes(row: str) -> list[int]:
    """``|`` after an even, non-zero run of backslashes: renderers disagree on those."""
    return [m.end() - 1 for m in re.finditer(r"(\\+)\|", row) if len(m.group(1)) % 2 == 0]


def cells(row: str) -> list[str]:
    """The cells of a table row, split where GFM splits them."""
    cuts = separators(row)
    return [row[start + 1 : end] for start, end in itertools.pairwise(cuts)]


def raw_html(markdown: str) -> list[str]:
    """Every piece of HTML a renderer would pass through, other than auger's own lines."""
    problems: list[str] = []
    fence: int | None = None
    html_block = False
    lines = markdown.split("\n")
    for number, line in enumerate(lines, 1):
        if fence is not None:
            if re.fullmatch(rf" {{0,3}}`{{{fence},}}\s*", line):
                fence = None
            continue
        if html_block:
            if not line.strip():
                html_block = False
            elif not AUGER_HTML.fullmatch(line):
                problems.append(f"line {number} (inside an HTML block): {line[:80]!r}")
            continue
        opener = _FENCE_OPEN.fullmatch(line)
        if opener:
            fence = len(opener.group(1))
            continue
        if re.match(r" {0,3}<", line):
            if AUGER_HTML.fullmatch(line):
                html_block = not line.startswith("<!--")
            else:
                problems.append(f"line {number} (starts an HTML block): {line[:80]!r}")
            continue
        parts = cells(line) if line.startswith("|") else [line]
        problems.extend(
            f"line {number}: {found!r}" for part in parts for found in inline_html(part)
        )
    if fence is not None:
        problems.append("a code fence is never closed")
    return problems


def control_characters(text: str) -> list[str]:
    """C0 and C1 control characters (except newline), bidi controls and lone surrogates."""
    found = []
    for index, char in enumerate(text):
        code = ord(char)
        if (
            (code < 0x20 and char != "\n")
            or 0x7F <= code <= 0x9F
            or char in _BIDI
            or 0xD800 <= code <= 0xDFFF
        ):
            found.append(f"{char!r} at {index}: {text[max(0, index - 30) : index + 10]!r}")
    return found


def table_problems(markdown: str) -> list[str]:
    """Table rows whose number of cell separators differs from their header's."""
    problems: list[str] = []
    lines = markdown.split("\n")
    index = 0
    while index < len(lines) - 1:
        header, delimiter = lines[index], lines[index + 1]
        if not (header.startswith("|") and _DELIMITER_ROW.fullmatch(delimiter)):
            index += 1
            continue
        expected = len(separators(header))
        if len(separators(delimiter)) != expected:
            problems.append(f"line {index + 2}: delimiter row does not match the header")
        index += 2
        while index < len(lines) and lines[index].startswith("|"):
            row = lines[index]
            if len(separators(row)) != expected:
                problems.append(
                    f"line {index + 1}: {len(separators(row))} separators, "
                    f"header has {expected}: {row[:120]!r}"
                )
            if ambiguous_pipes(row):
                problems.append(f"line {index + 1}: ambiguous escaped pipe: {row[:120]!r}")
            index += 1
    return problems


def table_rows(markdown: str) -> list[list[str]]:
    """Every table row (headers and delimiter rows excluded), as stripped cells."""
    rows = []
    lines = markdown.split("\n")
    in_table = False
    for index, line in enumerate(lines):
        if (
            line.startswith("|")
            and index + 1 < len(lines)
            and _DELIMITER_ROW.fullmatch(lines[index + 1])
        ):
            in_table = True
            continue
        if in_table and _DELIMITER_ROW.fullmatch(line):
            continue
        if in_table and line.startswith("|"):
            rows.append([cell.strip() for cell in cells(line)])
            continue
        in_table = False
    return rows


def fold_problems(markdown: str) -> list[str]:
    """``<details>`` folds that are not closed, closed twice, or have no summary."""
    problems = []
    depth = 0
    lines = markdown.split("\n")
    for number, line in enumerate(lines, 1):
        if line == "<details>":
            depth += 1
            if number >= len(lines) or not lines[number].startswith("<summary>"):
                problems.append(f"line {number}: <details> without a <summary>")
        elif line == "</details>":
            depth -= 1
            if depth < 0:
                problems.append(f"line {number}: </details> without <details>")
                depth = 0
    if depth:
        problems.append(f"{depth} <details> never closed")
    return problems


def unfolded_text(markdown: str) -> str:
    """The text a reader sees without opening any fold."""
    shown = []
    depth = 0
    for line in markdown.split("\n"):
        if line == "<details>":
            depth += 1
        elif line == "</details>":
            depth = max(0, depth - 1)
        elif depth == 0:
            shown.append(line)
    return "\n".join(shown)


def unescape_code(span: str) -> str:
    """The text an inline code span in a table cell shows (its fence and ``\\|`` undone)."""
    inner = span.strip("`")
    if inner.startswith(" ") and inner.endswith(" ") and inner.strip(" "):
        inner = inner[1:-1]
    return inner.replace("\\|", "|")


CODE_QUALITY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1, "pattern": "^[^/]"},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}
"""What GitLab requires of each issue of a Code Quality report (its documentation's table)."""
