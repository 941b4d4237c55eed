"""Fuzz targets: each takes bytes, runs one part of auger on them, and lets only
:class:`~auger.errors.AugerError` through. Any other exception is a bug: an input that
would end in "internal error".

The targets are shared by the short pass of the test suite (``tests/fuzz/test_fuzz.py``)
and the long one (``scripts/fuzz.py``). Document targets (``manifest.json``, ``index.json``,
an OCI manifest, an image config) put the fuzzed bytes inside an otherwise valid archive or
layout, so that fuzzing reaches the readers behind the tar; digests are recomputed so that
the fuzzed document is the one read.
"""

from __future__ import annotations

import functools
import io
import json
import os
import random
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from auger.analysis import dive
from auger.analysis.advice import find_advice
from auger.analysis.overlay import stack_layers
from auger.analysis.waste_groups import group_waste
from auger.attribution.dockerfile.stages import parse_dockerfile
from auger.budgets.dive_ci import parse_dive_ci, with_flags
from auger.budgets.evaluate import evaluate
from auger.budgets.loader import parse_budgets
from auger.errors import AugerError
from auger.extraction.read import FileHead
from auger.fleet.inputs import deduplicate, read_input
from auger.fleet.jsonl import dumps, parse_lines
from auger.fleet.records import ShardHeader, build_record, error_record
from auger.fleet.summary import summarize
from auger.layers.globs import GlobError, matches
from auger.layers.scanner import scan_layer
from auger.model import ImageAnalysis, LayerRef
from auger.pipeline import AnalyzeOptions, analyze
from auger.report import gate, markdown_report, plain_report
from auger.report.dive_json import format_json
from auger.report.fleet_json import format_fleet_json
from auger.report.fleet_markdown import format_fleet_markdown
from auger.report.fleet_text import format_fleet_text
from auger.report.model import build_report
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    directory,
    docker_archive,
    file,
    hardlink,
    layer_tar,
    oci_layout,
    opaque,
    sha256,
    symlink,
    tar_of,
    whiteout,
)
from auger.viewmodel.file_view import as_text

NO_ENGINE = {"DOCKER_HOST": "unix:///nonexistent/auger-fuzz.sock"}

Target = Callable[[bytes], None]


class InternalError(AssertionError):
    """A target met an exception auger does not raise on purpose."""


def _scratch() -> Path:
    """A private directory for the files a target writes (one per process)."""
    return Path(_scratch_directory())


@functools.cache
def _scratch_directory() -> str:
    return tempfile.mkdtemp(prefix="auger-fuzz-")


def _analyze(reference: str, *, verify: bool = True) -> ImageAnalysis:
    return analyze(reference, AnalyzeOptions(verify=verify), None, NO_ENGINE)


def _verify(data: bytes) -> bool:
    """Whether to check digests and sizes for this input: for half of them, so that the
    verification is fuzzed, and what a mismatch would stop is reached too."""
    return len(data) % 2 == 0


def _render(analysis: ImageAnalysis) -> None:
    """Every output an analysis feeds."""
    format_json(analysis)
    find_advice(analysis)
    group_waste(analysis, ())
    report = build_report(analysis, None, None)
    markdown_report.format_report(report)
    plain_report.format_report_json(report)


# -- the tar scanner and what consumes its entries ---------------------------------------------


def tar_layer(data: bytes) -> None:
    """One layer tar: scanned, then stacked twice (so that it overwrites itself)."""
    scan = scan_layer(io.BytesIO(with_tar_checksums(data)), LayerRef("fuzzed-layer.tar"))
    layers = [scan.entries, scan.entries]
    stack_layers(layers)
    dive.dive_metrics(layers, [scan.size, scan.size])


# -- whole archives and layouts -------------------------------------------------------------------


def _archive(data: bytes, scheme: str, *, verify: bool) -> None:
    path = _scratch() / f"image-{os.getpid()}.tar"
    path.write_bytes(with_tar_checksums(data))
    _render(_analyze(f"{scheme}://{path}", verify=verify))


def docker_archive_bytes(data: bytes) -> None:
    """A whole ``docker save`` tarball."""
    _archive(data, "docker-archive", verify=_verify(data))


def oci_archive_bytes(data: bytes) -> None:
    """A whole OCI layout in a tar."""
    _archive(data, "oci-archive", verify=_verify(data))


# -- documents inside valid archives --------------------------------------------------------------


def seed_image() -> ImageSpec:
    """A small image with something of everything: directories, links, whiteouts, opaque
    directories, overwrites, history."""
    return ImageSpec(
        [
            LayerSpec(
                layer_tar(
                    [
                        directory("etc"),
                        file("etc/passwd", b"root:x:0:0\n"),
                        file("var/lib/apt/lists/x", 300),
                        file("usr/lib/lib.so", 1000),
                        symlink("usr/lib/lib.so.1", "lib.so"),
                        hardlink("usr/lib/copy.so", "usr/lib/lib.so"),
                    ]
                ),
                "/bin/sh -c #(nop) ADD file:base in /",
            ),
            LayerSpec(
                layer_tar(
                    [
                        file("etc/passwd", b"root:x:0:0\nuser:x:1:1\n"),
                        whiteout("var/lib/apt/lists/x"),
                        opaque("usr/lib"),
                        file("usr/lib/new.so", 200),
                    ]
                ),
                "/bin/sh -c apt-get install -y x",
                empty_before=1,
            ),
        ],
        tag="fuzz:1",
    )


def _replace_member(archive: bytes, name: str, data: bytes, *, rename: str | None = None) -> bytes:
    import tarfile  # noqa: PLC0415 - only the document targets rebuild archives

    out = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(archive)) as source,
        tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as target,
    ):
        for member in source.getmembers():
            content = source.extractfile(member) if member.isfile() else None
            if member.name == name:
                member.name = rename or name
                member.size = len(data)
                content = io.BytesIO(data)
            target.addfile(member, content)
    return out.getvalue()


@functools.cache
def _legacy_archive() -> bytes:
    return docker_archive(seed_image())


def _legacy_config_name() -> str:
    manifest = json.loads(_member(_legacy_archive(), "manifest.json"))
    return str(manifest[0]["Config"])


def _member(archive: bytes, name: str) -> bytes:
    import tarfile  # noqa: PLC0415

    with tarfile.open(fileobj=io.BytesIO(archive)) as source:
        extracted = source.extractfile(name)
        assert extracted is not None
        return extracted.read()


def manifest_json(data: bytes) -> None:
    """``manifest.json`` of a ``docker save`` tarball (Docker < 25)."""
    archive = _replace_member(_legacy_archive(), "manifest.json", data)
    _archive(archive, "docker-archive", verify=_verify(data))


def docker_config(data: bytes) -> None:
    """The image config of a ``docker save`` tarball (named by its digest, as docker names
    it, and the manifest pointing at that name)."""
    name = sha256(data).removeprefix("sha256:") + ".json"
    manifest = json.loads(_member(_legacy_archive(), "manifest.json"))
    manifest[0]["Config"] = name
    archive = _replace_member(_legacy_archive(), _legacy_config_name(), data, rename=name)
    archive = _replace_member(archive, "manifest.json", json.dumps(manifest).encode())
    _archive(archive, "docker-archive", verify=_verify(data))


@functools.cache
def _layout() -> dict[str, bytes]:
    return oci_layout([seed_image()], "gzip")


def _index_entry(layout: dict[str, bytes]) -> dict[str, object]:
    entry: dict[str, object] = json.loads(layout["index.json"])["manifests"][0]
    return entry


def _blob(data: bytes) -> str:
    return f"blobs/sha256/{sha256(data).removeprefix('sha256:')}"


def _with_manifest(layout: dict[str, bytes], manifest: bytes) -> dict[str, bytes]:
    entry = {**_index_entry(layout), "digest": sha256(manifest), "size": len(manifest)}
    index = {"schemaVersion": 2, "manifests": [entry]}
    return {**layout, _blob(manifest): manifest, "index.json": json.dumps(index).encode()}


def index_json(data: bytes) -> None:
    """``index.json`` of an OCI layout."""
    _archive(tar_of({**_layout(), "index.json": data}), "oci-archive", verify=_verify(data))


def oci_manifest(data: bytes) -> None:
    """The image manifest of an OCI layout (the index points at it by its digest)."""
    _archive(tar_of(_with_manifest(_layout(), data)), "oci-archive", verify=_verify(data))


def _seed_manifest() -> bytes:
    layout = _layout()
    digest = str(_index_entry(layout)["digest"])
    return layout[_blob_name(digest)]


def _blob_name(digest: str) -> str:
    return f"blobs/sha256/{digest.removeprefix('sha256:')}"


def oci_config(data: bytes) -> None:
    """The image config of an OCI layout (the manifest points at it by its digest)."""
    manifest = json.loads(_seed_manifest())
    manifest["config"] = {**manifest["config"], "digest": sha256(data), "size": len(data)}
    encoded = json.dumps(manifest).encode()
    layout = {**_with_manifest(_layout(), encoded), _blob(data): data}
    _archive(tar_of(layout), "oci-archive", verify=_verify(data))


# -- configuration files -------------------------------------------------------------------------


@functools.cache
def _analysis() -> ImageAnalysis:
    path = _scratch() / "seed.tar"
    path.write_bytes(_legacy_archive())
    return _analyze(f"docker-archive://{path}")


def _text(data: bytes) -> str:
    """The text a configuration file holds (read_config refuses bytes that are not UTF-8
    before any parsing: those are replaced here, so that every input is parsed)."""
    return data.decode("utf-8", "replace")


def budgets_file(data: bytes) -> None:
    """A budgets file: parsed, evaluated against a small image, rendered in every format."""
    budgets = parse_budgets(_text(data), "budgets.yaml")
    verdict = evaluate(_analysis(), budgets, _analysis())
    for render in (gate.format_text, gate.format_json, gate.format_junit, gate.format_markdown):
        render(verdict)


def dive_ci_file(data: bytes) -> None:
    """A ``.dive-ci`` file, then dive's flags over it, evaluated."""
    budgets = with_flags(parse_dive_ci(_text(data), ".dive-ci"), {"highestWastedBytes": "1MB"})
    gate.format_text(evaluate(_analysis(), budgets))


def glob_text(data: bytes) -> None:
    """A path glob (the first line) against paths (the other lines)."""
    text = data.decode("utf-8", "surrogateescape")
    glob, _, rest = text.partition("\n")
    try:
        for path in rest.split("\n")[:50]:
            matches(glob, path)
    except GlobError:
        return


_SHOWN_UNSAFE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\udc80-\udcff]"
)
"""What no line of the file viewer may hold: terminal controls, bidirectional overrides, line
separators, lone surrogates (tabs are expanded before)."""


def file_view_text(data: bytes) -> None:
    """A file's bytes as the explorer's file viewer shows them, whole and cut short."""
    for limit in (len(data), len(data) // 2, 7):
        shown = as_text("/f", 0, FileHead(data[:limit], len(data)))
        for line in shown.lines:
            if _SHOWN_UNSAFE.search(line) or "\t" in line:
                raise ValueError(f"the viewer would print {line!r}")


# -- package databases and Dockerfiles (attribution) --------------------------------------------

_OWNED = {
    "bin/bash": 1200,
    "usr/lib/python3/site-packages/pkg/__init__.py": 40,
    "app/node_modules/left-pad/index.js": 30,
    "usr/lib64/libz.so.1": 90,
}
"""Files that the seed databases own, present in the fuzzed images."""

DATABASES = {
    "dpkg-status": "var/lib/dpkg/status",
    "dpkg-list": "var/lib/dpkg/info/bash.list",
    "apk-installed": "lib/apk/db/installed",
    "rpm-sqlite": "var/lib/rpm/rpmdb.sqlite",
    "python-record": "usr/lib/python3/site-packages/pkg-1.0.dist-info/RECORD",
    "npm-lockfile": "app/package-lock.json",
    "npm-manifest": "app/node_modules/left-pad/package.json",
}
"""Target name -> the database file whose contents the fuzzed bytes are."""


def _database_image(path: str, data: bytes) -> ImageSpec:
    """An image whose first layer holds the owned files and the seed databases, with
    ``path`` holding ``data``; a second layer overwrites and deletes some owned files."""
    files = {**_seed_databases(), path: data}
    entries = [file(name, size) for name, size in _OWNED.items()]
    entries += [file(name, contents) for name, contents in sorted(files.items())]
    return ImageSpec(
        [
            LayerSpec(layer_tar(entries), "/bin/sh -c #(nop) ADD file:base in /"),
            LayerSpec(
                layer_tar([file("bin/bash", 1300), whiteout("usr/lib64/libz.so.1")]),
                "/bin/sh -c apt-get install -y bash",
            ),
        ],
        tag="fuzz-packages:1",
    )


def _database_target(path: str) -> Target:
    def target(data: bytes) -> None:
        archive = _scratch() / f"packages-{os.getpid()}.tar"
        archive.write_bytes(docker_archive(_database_image(path, data)))
        _render(_analyze(f"docker-archive://{archive}"))

    target.__doc__ = f"``/{path}`` in an image: captured, read, attributed and reported."
    return target


@functools.cache
def _seed_databases() -> dict[str, bytes]:
    """Valid databases of every format, owning the files of :data:`_OWNED`."""
    from tests.attribution import formats  # noqa: PLC0415 - only these targets need them

    bash = formats.DebPackage("bash", "5.2", {"/bin/bash": 1200}, "shells")
    dist = formats.PythonDist("pkg", "1.0", {"pkg/__init__.py": 40})
    pad = formats.NpmPackage("node_modules/left-pad", "1.3.0", {"index.js": 30}, dev=True)
    zlib_rpm = formats.RpmPackage("zlib", "1.2.13", "3.el9", {"/usr/lib64/libz.so.1": 90})
    apk = formats.ApkPackage("busybox", "1.36", {"bin/bash": 1200})
    info = "usr/lib/python3/site-packages/pkg-1.0.dist-info"
    with tempfile.TemporaryDirectory() as scratch:
        rpmdb = formats.rpmdb_sqlite(Path(scratch), [zlib_rpm])
    manifest = {"name": "app", "devDependencies": {"left-pad": "1"}}
    return {
        DATABASES["dpkg-status"]: formats.dpkg_status([bash]),
        DATABASES["dpkg-list"]: formats.dpkg_list(bash),
        DATABASES["apk-installed"]: formats.apk_installed([apk]),
        DATABASES["rpm-sqlite"]: rpmdb,
        DATABASES["python-record"]: formats.record(dist, {}),
        f"{info}/METADATA": formats.metadata(dist),
        DATABASES["npm-lockfile"]: formats.npm_lockfile("app", [pad], {}),
        "app/package.json": json.dumps(manifest).encode(),
        DATABASES["npm-manifest"]: formats.npm_manifest(pad),
    }


_SEED_DOCKERFILE = b"""# syntax=docker/dockerfile:1
ARG VERSION=1
FROM scratch AS build
COPY . /src
FROM base:${VERSION}
ENV LISTS=/var/lib/apt/lists
RUN <<EOF
apt-get install -y x
EOF
WORKDIR /app
RUN apt-get install -y \\
    x
"""


def dockerfile_text(data: bytes) -> None:
    """A Dockerfile: parsed, mapped onto a small image's layers, and shown in the reports."""
    dockerfile = parse_dockerfile(_text(data), {"VERSION": "1"})
    report = build_report(_analysis(), None, None, dockerfile, "Dockerfile")
    markdown_report.format_report(report)
    plain_report.format_report_json(report)


def fleet_records(data: bytes) -> None:
    """A shard's records file (JSON lines), merged into a summary rendered in every format."""
    lines = parse_lines(iter(_text(data).splitlines()), "shard.jsonl")
    records = [item for item in lines if not isinstance(item, ShardHeader)]
    summary = summarize(records, expected=("missing.tar",))
    for render in (format_fleet_text, format_fleet_markdown, format_fleet_json):
        render(summary)


def fleet_list(data: bytes) -> None:
    """A ``--from`` input: references one a line, or ``kubectl`` JSON."""
    deduplicate(read_input(_text(data), "--from images.txt"))


def _seed_records() -> bytes:
    header = ShardHeader(0, 2, "sha256:" + "0" * 64, ("img.tar", "missing.tar"))
    record = build_record(_analysis(), "img.tar", ["img:1"], None)
    error = error_record("gone.tar", [], "gone.tar does not exist", "check the path", 3)
    return "".join(dumps(item) for item in (header, record, error)).encode()


def _seed_pods() -> bytes:
    digest = "sha256:" + "ab" * 32
    pod = {
        "kind": "Pod",
        "spec": {
            "initContainers": [{"name": "i", "image": "init:1"}],
            "containers": [{"name": "app", "image": "ghcr.io/o/app:2"}],
        },
        "status": {
            "containerStatuses": [
                {"name": "app", "imageID": f"docker-pullable://ghcr.io/o/app@{digest}"}
            ]
        },
    }
    return json.dumps({"kind": "List", "items": [pod, pod]}).encode()


TARGETS: dict[str, Target] = {
    "tar": tar_layer,
    "docker-archive": docker_archive_bytes,
    "oci-archive": oci_archive_bytes,
    "manifest-json": manifest_json,
    "docker-config": docker_config,
    "index-json": index_json,
    "oci-manifest": oci_manifest,
    "oci-config": oci_config,
    "budgets": budgets_file,
    "dive-ci": dive_ci_file,
    "glob": glob_text,
    "file-view": file_view_text,
    "dockerfile": dockerfile_text,
    **{name: _database_target(path) for name, path in DATABASES.items()},
    "fleet-records": fleet_records,
    "fleet-list": fleet_list,
}
"""Target name (and corpus directory) -> target."""


_YAML_WORDS = [
    b"&a ",
    b"*a",
    b"<<: ",
    b"!!int ",
    b"!!float ",
    b"!!bool ",
    b"!!timestamp ",
    b"!!binary ",
    b"!!python/name:os.system ",
    b"? ",
    b": ",
    b"\n  - ",
    b"\n    ",
    b"[",
    b"]",
    b"{",
    b"}",
    b".nan",
    b".inf",
    b"-.inf",
    b"0x" + b"f" * 40,
    b"9" * 60,
    b"1e999",
    b"%",
    b"MiB",
    b"---\n",
    b"'",
    b'"',
    b"#",
    b"|\n",
    b"~",
    b"null",
    b"2001-02-30",
    b"1:2:3",
]
_TAR_WORDS = [
    b".wh.",
    b".wh..wh..opq",
    b"/",
    b"../",
    b"./",
    b"//",
    b"././@LongLink",
    b"ustar\x0000",
    b"ustar  \x00",
    b"PaxHeader",
    b"path=",
    b"linkpath=",
    b"size=",
    b"\n",
    b"77777777777",
    b"\x80\x00\x00\x00\xff\xff\xff\xff",
    b"\xff" * 8,
    b"0000644\x00",
    b"\x1f\x8b\x08",
    b"(\xb5/\xfd",
]
_JSON_WORDS = [
    b"{",
    b"}",
    b"[",
    b"]",
    b'"',
    b":",
    b",",
    b"null",
    b"true",
    b"-1",
    b"1e999",
    b"\\u0000",
    b'"sha256:',
    b'"../',
    b'"Layers"',
    b'"Config"',
    b'"RepoTags"',
    b'"manifests"',
    b'"layers"',
    b'"mediaType"',
    b'"digest"',
    b'"size"',
    b'"diff_ids"',
    b'"history"',
    b'"empty_layer"',
    b'"platform"',
    b'"annotations"',
    b'"application/vnd.oci.image.index.v1+json"',
    b'"application/vnd.oci.image.layer.v1.tar+zstd"',
    b"9" * 400,
]
_DOCKERFILE_WORDS = [
    b"FROM ",
    b" AS ",
    b"RUN ",
    b"COPY ",
    b"ADD ",
    b"WORKDIR ",
    b"ARG ",
    b"ENV ",
    b"SHELL ",
    b"ONBUILD ",
    b"# syntax=docker/dockerfile:1\n",
    b"# escape=`\n",
    b"\\\n",
    b"`\n",
    b"<<EOF\n",
    b"<<-EOF\n",
    b"EOF\n",
    b"${VERSION}",
    b"${X:-default}",
    b"$",
    b'["sh", "-c", "x"]',
    b"--mount=type=cache,target=/x ",
    b"--from=0 ",
    b"|1 VERSION=1 ",
]
_DATABASE_WORDS = [
    b"\n\n",
    b"\n ",
    b"Package: ",
    b"Status: ",
    b"Installed-Size: ",
    b"P:",
    b"F:",
    b"R:",
    b"/",
    b"../",
    b",",
    b"sha256=",
    b"SQLite format 3\x00",
    b"\x00\x00\x00\x08",
    b"\x8e\xad\xe8\x01",
    b"\xff\xff\xff\xff",
    *_JSON_WORDS[:12],
    b'"dev"',
    b'"node_modules/',
    b'"packages"',
    b'"lockfileVersion"',
]
DICTIONARY: dict[str, list[bytes]] = {
    "tar": _TAR_WORDS,
    "docker-archive": _TAR_WORDS + _JSON_WORDS,
    "oci-archive": _TAR_WORDS + _JSON_WORDS,
    "manifest-json": _JSON_WORDS,
    "docker-config": _JSON_WORDS,
    "index-json": _JSON_WORDS,
    "oci-manifest": _JSON_WORDS,
    "oci-config": _JSON_WORDS,
    "budgets": [*_YAML_WORDS, b"glob: ", b"/**/", b"[z-a]", b"[!", b"*a*a*a*a*b", b"overrides:"],
    "dive-ci": [*_YAML_WORDS, b"rules:", b"lowestEfficiency: ", b"LowestEfficiency: ", b"nan"],
    "glob": [b"**", b"*", b"?", b"[", b"]", b"[!", b"-", b"/", b"\n", b"\\", b"."],
    "file-view": [
        b"\x1b[",
        b"\x1b]0;",
        b"\x07",
        b"\x9b",
        b"\xc2\x9b",
        b"\xe2\x80\xae",
        b"\xe2\x81\xa6",
        b"\xe2\x80\xa8",
        b"\xed\xb2\x80",
        b"\xf0\x9f\x98\x80",
        b"\r",
        b"\t",
        b"\x00",
        b"\n",
    ],
    "dockerfile": _DOCKERFILE_WORDS,
    **dict.fromkeys(DATABASES, _DATABASE_WORDS),
    "fleet-records": [*_JSON_WORDS, b'"kind":"image"', b'"kind":"error"', b'"schema_version":9'],
    "fleet-list": [*_JSON_WORDS, b"#", b"@sha256:", b'"containers":', b'"imageID":', b"\n"],
}
"""Tokens worth inserting into each target's input (libFuzzer's -dict, the mutator's words)."""


_WORD = re.compile(rb"[\w.%+-]+")


def mutate(data: bytes, rng: random.Random, words: Sequence[bytes]) -> bytes:
    """A few random edits of ``data``: bits flipped, bytes set, tokens inserted or put in
    place of a word (a value in a text file), runs deleted, duplicated or moved, the end cut
    off."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        where = rng.randrange(len(out) + 1)
        choice = rng.randrange(10)
        if choice >= 8 and words:  # a word (letters, digits, . % - _) replaced by a token
            words_at = [match.span() for match in _WORD.finditer(out)]
            if words_at:
                start, end = rng.choice(words_at)
                out[start:end] = rng.choice(words)
        elif choice == 0 and out:
            out[min(where, len(out) - 1)] ^= 1 << rng.randrange(8)
        elif choice == 1 and out:
            out[min(where, len(out) - 1)] = rng.choice([0, 0xFF, 0x7F, 0x80, ord("0"), ord("7")])
        elif choice in (2, 3) and words:
            out[where:where] = rng.choice(words)
        elif choice == 4:
            del out[where : where + rng.randint(1, 64)]
        elif choice == 5:
            start = rng.randrange(len(out) + 1)
            out[where:where] = out[start : start + rng.randint(1, 512)]
        elif choice == 6:
            del out[where:]
        else:
            out[where:where] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(out)


def run(target: Target, data: bytes) -> bool:
    """Run ``target`` on ``data``: True if it went through, False if it ended in an
    :class:`AugerError` (which is how bad input is meant to end); anything else raises
    :class:`InternalError`."""
    try:
        target(data)
    except AugerError:
        return False
    except Exception as error:
        raise InternalError(f"{type(error).__name__}: {error}") from error
    return True


def with_tar_checksums(data: bytes) -> bytes:
    """``data`` with the checksum of every block that looks like a tar header (at any
    multiple of 512, layers inside archives included) made right, so that a mutation reaches
    what the header says rather than stopping at its checksum."""
    out = bytearray(data)
    for start in range(0, len(out) - 511, 512):
        block = out[start : start + 512]
        if block[257:262] != b"ustar":
            continue
        block[148:156] = b" " * 8
        out[start + 148 : start + 156] = b"%06o\0 " % (sum(block) & 0o777777)
    return bytes(out)


def seeds() -> dict[str, list[bytes]]:
    """Valid inputs for every target, to start mutating from (the corpus's first files)."""
    layout = _layout()
    layer = seed_image().layers[1].tar
    return {
        "tar": [seed_image().layers[0].tar, layer],
        "docker-archive": [_legacy_archive(), docker_archive(seed_image(), layout="oci")],
        "oci-archive": [tar_of(layout)],
        "manifest-json": [_member(_legacy_archive(), "manifest.json")],
        "docker-config": [_member(_legacy_archive(), _legacy_config_name())],
        "index-json": [layout["index.json"]],
        "oci-manifest": [_seed_manifest()],
        "oci-config": [layout[_blob_name(json.loads(_seed_manifest())["config"]["digest"])]],
        "budgets": [
            (Path(__file__).resolve().parents[2] / "budgets.example.yaml").read_bytes(),
            b"version: 1\npaths: &p\n  - {glob: /etc/*, max_size: 1kB}\n"
            b"overrides:\n  - {match: '*', paths: *p, image: {max_size: {fail: 1MB, warn: 1kB}}}\n",
        ],
        "dive-ci": [
            b"rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20MB\n"
            b"  highestUserWastedPercent: 0.20\n"
        ],
        "glob": [b"/usr/**/lib[0-9]*.so\nusr/lib/lib1.so\nusr/lib/x/lib.so\n"],
        "file-view": [
            b'#!/bin/sh\nset -eu\n\techo "caf\xc3\xa9" \xe2\x80\xae\x1b[2J\r\n',
            b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)),
        ],
        "dockerfile": [_SEED_DOCKERFILE],
        **{name: [_seed_databases()[path]] for name, path in DATABASES.items()},
        "fleet-records": [_seed_records()],
        "fleet-list": [
            b"# images\napp:1  # the app\nregistry://r/app@sha256:" + b"ab" * 32 + b"\n",
            _seed_pods(),
        ],
    }
