"""The advice catalogue: valid data, path and command rules, churn apart, real engine builds.

Advice is data (src/auger/analysis/advice.yaml). These tests check the shipped file, that
malformed data is refused, that each rule fires on what it names and not on its look-alike,
and that images built by the real Docker Engine get exactly the advice they deserve.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from auger.analysis.advice import (
    ACTIONABLE,
    CHURN,
    CatalogueError,
    catalogue,
    find_advice,
    parse_catalogue,
)
from auger.layers.globs import compile_glob
from auger.model import ImageAnalysis
from auger.pipeline import analyze
from auger.report.markdown_report import format_report
from auger.report.model import build_report
from auger.testing.images import ImageSpec, LayerSpec, TarEntry, file, layer_tar, whiteout
from tests.engine_support import BUSYBOX_PREAMBLE, Engine
from tests.report.support import analyse, write_archive

ROOTFS = LayerSpec(layer_tar([file("bin/sh", 100, 0o755)]), "/bin/sh -c #(nop) ADD file:1 in / ")


def image(tmp_path: Path, *layers: tuple[list[TarEntry], str]) -> ImageAnalysis:
    """Analyse an archive of a small root filesystem plus ``layers`` (entries, created_by)."""
    specs = [ROOTFS, *(LayerSpec(layer_tar(entries), command) for entries, command in layers)]
    return analyse(write_archive(tmp_path, "image.tar", ImageSpec(specs)))


def advice_ids(analysis: ImageAnalysis) -> set[str]:
    return {finding.rule.id for finding in find_advice(analysis)}


# -- the catalogue as shipped ----------------------------------------------------------------------


def raw_catalogue() -> list[dict[str, Any]]:
    text = resources.files("auger.analysis").joinpath("advice.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, list)
    return data


def test_the_catalogue_loads_and_validates() -> None:
    rules = catalogue()
    assert len(rules) == len(raw_catalogue()) > 20
    assert rules == parse_catalogue(raw_catalogue())


def test_every_entry_has_a_title_and_a_fix_and_a_unique_id() -> None:
    rules = catalogue()
    ids = [rule.id for rule in rules]
    assert len(ids) == len(set(ids))
    for rule in rules:
        assert re.fullmatch(r"DL3\d{3}|AUG\d{3}|CHURN", rule.id), rule.id
        assert rule.title.strip() and rule.fix.strip(), rule.id
        assert rule.kind in (ACTIONABLE, CHURN)


def test_every_glob_and_pattern_compiles() -> None:
    for rule in catalogue():
        for glob in rule.final + rule.waste:
            assert glob.startswith(("/", "**/")), (rule.id, glob)
            compile_glob(glob)
        for pattern in rule.command + rule.unless:
            re.compile(pattern)


def test_the_hadolint_rules_the_issue_names_are_there() -> None:
    ids = {rule.id for rule in catalogue()}
    hadolint = {"DL3009", "DL3015", "DL3019", "DL3032", "DL3040", "DL3036", "DL3042"}
    hadolint |= {"DL3060", "DL3059", "DL3010", "DL3046", "DL3067"}
    assert hadolint <= ids


def test_churn_rules_cover_package_manager_metadata() -> None:
    churn = [rule for rule in catalogue() if rule.kind == CHURN]
    assert churn
    globs = [glob for rule in churn for glob in rule.waste]
    for path in ("var/lib/dpkg/status", "var/cache/debconf/templates.dat", "etc/ld.so.cache"):
        assert any(compile_glob(glob).match("/" + path) for glob in globs), path


# -- malformed data is refused --------------------------------------------------------------------

GOOD: dict[str, Any] = {"id": "X001", "title": "a title", "fix": "a fix", "final": ["/opt/**"]}


def test_a_minimal_entry_is_accepted() -> None:
    (rule,) = parse_catalogue([dict(GOOD)])
    assert (rule.id, rule.kind, rule.final) == ("X001", ACTIONABLE, ("/opt/**",))


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ({"X001": GOOD}, "not a list"),
        ("- id: X001", "a string"),
        ([["X001"]], "an entry that is not a mapping"),
        ([{**GOOD, "severity": "high"}], "an unknown key"),
        ([{key: value for key, value in GOOD.items() if key != "id"}], "no id"),
        ([{key: value for key, value in GOOD.items() if key != "title"}], "no title"),
        ([{key: value for key, value in GOOD.items() if key != "fix"}], "no fix"),
        ([{**GOOD, "fix": ""}], "an empty fix"),
        ([{**GOOD, "id": 3009}], "an id that is not a string"),
        ([GOOD, {**GOOD, "title": "again"}], "an id listed twice"),
        ([{**GOOD, "kind": "cosmetic"}], "an unknown kind"),
        ([{**GOOD, "waste_cause": "evaporated"}], "an unknown waste cause"),
        ([{**GOOD, "command": ["apt-get (install"]}], "a command pattern that does not compile"),
        ([{**GOOD, "command": ["x"], "unless": ["[z-a]"]}], "an unless pattern that fails"),
        ([{**GOOD, "final": "/opt/**"}], "final as a string, not a list"),
        ([{**GOOD, "waste": [1, 2]}], "waste globs that are not strings"),
        ([{"id": "X001", "title": "t", "fix": "f"}], "an entry that matches nothing"),
        ([{**GOOD, "final": ["/opt/[z-a]/**"]}], "a glob that does not compile"),
        ([{**GOOD, "repeated_run": "no"}], "repeated_run as a string"),
    ],
)
def test_malformed_data_is_refused(data: object, why: str) -> None:
    with pytest.raises(CatalogueError):
        parse_catalogue(data)
        pytest.fail(f"accepted {why}")


def test_advice_is_added_by_adding_data(tmp_path: Path) -> None:
    rules = parse_catalogue(
        [
            {"id": "X001", "title": "models", "fix": "mount them", "final": ["/opt/models/**"]},
            {"id": "X002", "title": "curl", "fix": "use ADD", "command": [r"curl\s"]},
        ]
    )
    analysis = image(
        tmp_path,
        ([file("opt/models/big.bin", 5000)], "/bin/sh -c curl -O https://x/big.bin"),
    )
    findings = find_advice(analysis, rules)
    assert [(f.rule.id, f.size, f.layers) for f in findings] == [
        ("X001", 5000, (1,)),
        ("X002", 0, (1,)),
    ]


# -- path rules -----------------------------------------------------------------------------------

FINAL_PATHS = {
    "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease": "DL3009",
    "var/cache/apk/APKINDEX.1.tar.gz": "DL3019",
    "var/cache/yum/x86_64/repodata.xml": "DL3032",
    "var/cache/dnf/fedora.solv": "DL3040",
    "var/cache/zypp/raw/repo.xml": "DL3036",
    "root/.cache/pip/http/a/b/c": "DL3042",
    "home/app/.cache/pip/wheels/x.whl": "DL3042",
    "usr/local/share/.cache/yarn/v6/npm-x.tgz": "DL3060",
    "root/.npm/_cacache/index": "AUG001",
    "app/node_modules/typescript/lib/tsc.js": "AUG002",
    "app/__pycache__/main.cpython-311.pyc": "AUG003",
    "usr/lib/python3/dist-packages/x/__pycache__/y.pyc": "AUG003",
    "src/.git/objects/pack/pack-1.pack": "AUG004",
    "root/.cache/go-build/00/abc-d": "AUG005",
    "go/pkg/mod/cache/download/x.zip": "AUG005",
    "root/.cargo/registry/cache/x.crate": "AUG006",
    "tmp/build.log": "AUG007",
    "usr/bin/gcc-12": "AUG008",
    "usr/lib/gcc/x86_64-linux-gnu/12/cc1": "AUG008",
}


@pytest.mark.parametrize(("path", "rule"), sorted(FINAL_PATHS.items()))
def test_a_file_left_in_the_image_gets_its_advice(path: str, rule: str, tmp_path: Path) -> None:
    analysis = image(tmp_path, ([file(path, 700)], "COPY . / # buildkit"))
    findings = find_advice(analysis)
    assert [(f.rule.id, f.size, f.examples) for f in findings] == [(rule, 700, ("/" + path,))]


@pytest.mark.parametrize(
    "path",
    [
        "usr/bin/curl",
        "app/main.py",
        "var/lib/apt/extended_states",
        "app/node_modules/left-pad/index.js",
        "srv/gitlab/config",
        "opt/tmp/x",
        "usr/bin/gcc.txt.d/x",
    ],
)
def test_a_look_alike_gets_no_advice(path: str, tmp_path: Path) -> None:
    assert advice_ids(image(tmp_path, ([file(path, 700)], "COPY . / # buildkit"))) == set()


def test_an_archive_extracted_then_deleted_is_dl3010(tmp_path: Path) -> None:
    analysis = image(
        tmp_path,
        ([file("src/app.tar.gz", 4000)], "COPY app.tar.gz /src/ # buildkit"),
        ([file("src/app/main", 900)], "COPY app /src/app # buildkit"),
        ([whiteout("src/app.tar.gz")], "RUN /bin/sh -c rm /src/app.tar.gz # buildkit"),
    )
    assert advice_ids(analysis) == {"DL3010"}


def test_files_deleted_by_the_next_run_are_dl3059(tmp_path: Path) -> None:
    analysis = image(
        tmp_path,
        ([file("build/out.o", 3000)], "RUN /bin/sh -c make # buildkit"),
        ([whiteout("build")], "RUN /bin/sh -c rm -rf /build # buildkit"),
    )
    findings = {f.rule.id: f for f in find_advice(analysis)}
    assert set(findings) == {"AUG009", "DL3059"}
    assert (findings["DL3059"].size, findings["DL3059"].layers) == (3000, (1,))


def test_files_deleted_by_a_later_copy_are_not_dl3059(tmp_path: Path) -> None:
    analysis = image(
        tmp_path,
        ([file("build/out.o", 3000)], "RUN /bin/sh -c make # buildkit"),
        ([whiteout("build")], "COPY --link . / # buildkit"),
    )
    assert advice_ids(analysis) == {"AUG009"}


def test_a_chmod_only_rewrite_is_aug010(tmp_path: Path) -> None:
    analysis = image(
        tmp_path,
        ([file("app/run.sh", b"#!/bin/sh\necho hi\n", 0o644)], "COPY run.sh /app/ # buildkit"),
        ([file("app/run.sh", b"#!/bin/sh\necho hi\n", 0o755)], "COPY --chmod=755 x / # buildkit"),
    )
    assert advice_ids(analysis) == {"AUG010"}


# -- command rules ---------------------------------------------------------------------------------

COMMANDS: list[tuple[str, str, bool]] = [
    ("DL3015", "/bin/sh -c apt-get update && apt-get install -y curl", True),
    ("DL3015", "RUN /bin/sh -c apt-get -y install curl # buildkit", True),
    ("DL3015", "/bin/sh -c apt-get install -y --no-install-recommends curl", False),
    ("DL3015", "/bin/sh -c apt-get update", False),
    ("DL3019", "/bin/sh -c apk add curl", True),
    ("DL3019", "RUN /bin/sh -c apk add --virtual .deps gcc # buildkit", True),
    ("DL3019", "/bin/sh -c apk add --no-cache curl", False),
    ("DL3019", "/bin/sh -c apk del curl", False),
    ("DL3046", "/bin/sh -c useradd -u 100000 app", True),
    ("DL3046", "RUN /bin/sh -c useradd -m app # buildkit", True),
    ("DL3046", "/bin/sh -c useradd -l -u 100000 app", False),
    ("DL3046", "/bin/sh -c useradd --no-log-init -u 100000 app", False),
    ("DL3067", "COPY --from=build / /", True),
    ("DL3067", "COPY --chown=app --from=build / / # buildkit", True),
    ("DL3067", "COPY --from=build /app /app # buildkit", False),
    ("DL3067", "COPY . / # buildkit", False),
]


@pytest.mark.parametrize(("rule", "command", "fires"), COMMANDS)
def test_command_rules(rule: str, command: str, fires: bool, tmp_path: Path) -> None:
    analysis = image(tmp_path, ([file("etc/stamp", 10)], command))
    findings = find_advice(analysis)
    if fires:
        assert [(f.rule.id, f.layers, f.examples) for f in findings] == [(rule, (1,), (command,))]
    else:
        assert findings == ()


def test_copy_of_a_whole_stage_as_buildkit_records_it_is_dl3067(tmp_path: Path) -> None:
    """BuildKit's history for ``COPY --from=build / /`` is ``COPY / / # buildkit``: the
    ``--from`` flag is never recorded (only --parents, --chown, --chmod and the paths are)."""
    analysis = image(tmp_path, ([file("app/server", 5000)], "COPY / / # buildkit"))
    assert "DL3067" in advice_ids(analysis)


# -- churn is reported apart ----------------------------------------------------------------------


def _churn_image(tmp_path: Path) -> ImageAnalysis:
    """dpkg's status file rewritten by two consecutive RUNs (that install with
    --no-install-recommends, so no command rule fires)."""
    install = "/bin/sh -c apt-get install -y --no-install-recommends {}"
    return image(
        tmp_path,
        ([file("var/lib/dpkg/status", 500), file("usr/bin/a", 10)], install.format("a")),
        ([file("var/lib/dpkg/status", 600), file("usr/bin/b", 10)], install.format("b")),
        ([file("var/lib/dpkg/status", 700), file("usr/bin/c", 10)], install.format("c")),
    )


def test_churn_is_reported_apart(tmp_path: Path) -> None:
    report = build_report(_churn_image(tmp_path))
    assert report.waste == ()
    assert [(g.path, g.size, g.stored_in, g.hidden_by) for g in report.churn] == [
        ("var/lib/dpkg/status", 600, (2,), 3),
        ("var/lib/dpkg/status", 500, (1,), 2),
    ]
    assert all(group.churn and group.advice == ("CHURN",) for group in report.churn)
    assert "CHURN" not in {finding.rule.id for finding in report.findings}
    markdown = format_report(report)
    assert (
        "<summary>Package-manager metadata churn: 1.1 kB (rarely actionable)</summary>" in markdown
    )
    assert "### Wasted space" not in markdown


def test_churn_is_not_actionable_advice(tmp_path: Path) -> None:
    """Consecutive RUNs that only rewrite dpkg's status have nothing to fix."""
    report = build_report(_churn_image(tmp_path))
    assert [(f.rule.id, f.examples) for f in report.findings] == []
    assert "### Advice" not in format_report(report)


# -- images built by the real engine --------------------------------------------------------------

DIRTY = (
    BUSYBOX_PREAMBLE
    + """\
RUN mkdir -p /build/obj && echo object-a > /build/obj/a.o && echo object-b > /build/b.o
COPY repo /src/repo
RUN mkdir -p /var/lib/apt/lists && echo 'Package: x' > /var/lib/apt/lists/example_Packages
RUN mkdir -p /root/.cache/pip/http && echo wheel-bytes > /root/.cache/pip/http/abc
RUN mkdir -p /app/__pycache__ && echo bytecode > /app/__pycache__/main.cpython-311.pyc
RUN rm -rf /build
"""
)
"""Layers 2..7: a build directory, a repository with .git, apt lists, a pip cache,
bytecode, and the build directory deleted in a later (not the next) RUN."""

CLEAN = (
    BUSYBOX_PREAMBLE
    + """\
RUN mkdir -p /opt/obj && echo object-a > /opt/obj/a.o && echo object-b > /opt/b.o
COPY repo /src/repo
RUN mkdir -p /var/lib/app && echo 'Package: curl' > /var/lib/app/packages
RUN mkdir -p /root/.config && echo settings > /root/.config/tool.conf
RUN mkdir -p /app && echo 'print(1)' > /app/main.py
RUN echo done > /opt/done
"""
)
"""The same shape without any of those: no command rule can fire either (no apt-get, apk,
useradd or COPY --from)."""

REPO = {"repo/README.md": b"hello\n"}
GIT = {"repo/.git/HEAD": b"ref: refs/heads/main\n", "repo/.git/config": b"[core]\n"}


@pytest.fixture(scope="module")
def built(
    engine: Engine, busybox: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, ImageAnalysis]:
    """The dirty and the clean image, built by the engine and read back through it."""
    dirty = engine.build(tmp_path_factory.mktemp("dirty"), DIRTY, {**REPO, **GIT}, busybox)
    clean = engine.build(tmp_path_factory.mktemp("clean"), CLEAN, REPO, busybox)
    return {"dirty": analyze(f"docker://{dirty}"), "clean": analyze(f"docker://{clean}")}


@pytest.mark.engine
def test_an_engine_built_image_gets_exactly_its_advice(built: dict[str, ImageAnalysis]) -> None:
    findings = {finding.rule.id: finding for finding in find_advice(built["dirty"])}
    assert set(findings) == {"DL3009", "DL3042", "AUG003", "AUG004", "AUG009"}
    assert findings["AUG009"].layers == (2,)
    assert sorted(findings["AUG009"].examples) == ["/build/b.o", "/build/obj/a.o"]
    assert findings["AUG004"].layers == (3,)
    assert findings["DL3009"].layers == (4,)
    assert findings["DL3042"].layers == (5,)
    assert findings["AUG003"].layers == (6,)


@pytest.mark.engine
def test_an_engine_built_report_shows_the_advice(built: dict[str, ImageAnalysis]) -> None:
    report = build_report(built["dirty"])
    assert [(g.path, g.files, g.cause.value, g.advice) for g in report.waste] == [
        ("build", 2, "deleted", ("AUG009",))
    ]
    markdown = format_report(report)
    for rule in ("DL3009", "DL3042", "AUG003", "AUG004", "AUG009"):
        assert f"- **{rule}** " in markdown


@pytest.mark.engine
def test_a_clean_engine_built_image_gets_no_advice(built: dict[str, ImageAnalysis]) -> None:
    assert find_advice(built["clean"]) == ()
    report = build_report(built["clean"])
    assert (report.findings, report.waste, report.churn) == ((), (), ())
    assert "### Advice" not in format_report(report)
