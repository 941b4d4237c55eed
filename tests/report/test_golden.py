"""Golden files: ``auger report`` and ``auger diff`` in every format, byte for byte.

The archives are fixed (tests/report/support.py), so the output is too. To accept a change in
the output, run ``AUGER_UPDATE_GOLDEN=1 pytest tests/report/test_golden.py`` and review the diff
of tests/report/golden/ like any other change. Without the variable a difference fails with a
unified diff. The last tests read the committed golden files themselves and check what they
say, so regenerating them cannot quietly bless a wrong report.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from auger import __version__
from tests.report.html.support import Page, digest
from tests.report.support import (
    ATTRIBUTED_DOCKERFILE,
    BUDGETS_YAML,
    TINY,
    attributed_image,
    base_image,
    fold_problems,
    head_image,
    raw_html,
    rebuilt_image,
    release_image,
    table_problems,
    table_rows,
    unfolded_text,
    write_archive,
)
from tests.support import run_cli

GOLDEN = Path(__file__).parent / "golden"
UPDATE = "AUGER_UPDATE_GOLDEN"

REPORT = ["report", "head.tar"]
BASELINE = ["report", "head.tar", "--baseline", "base.tar"]
DIFF = ["diff", "base.tar", "head.tar"]
REBUILT = ["report", "rebuilt.tar", "--baseline", "release.tar"]
REBUILT_DIFF = ["diff", "release.tar", "rebuilt.tar"]
ATTRIBUTED = ["report", "attributed.tar", "--dockerfile", "ci/Dockerfile"]

CASES: dict[str, list[str]] = {
    "report.md": [*REPORT, "--format", "markdown"],
    "report.json": [*REPORT, "--format", "json"],
    "report.txt": [*REPORT, "--format", "text"],
    "report-baseline.md": [*BASELINE, "--format", "markdown"],
    "report-baseline.json": [*BASELINE, "--format", "json"],
    "report-baseline.txt": [*BASELINE, "--format", "text"],
    "diff.md": [*DIFF, "--format", "markdown"],
    "diff.json": [*DIFF, "--format", "json"],
    "diff.txt": [*DIFF, "--format", "text"],
    "rebuilt-report.md": [*REBUILT, "--format", "markdown"],
    "rebuilt-report.txt": [*REBUILT, "--format", "text"],
    "rebuilt-diff.md": [*REBUILT_DIFF, "--format", "markdown"],
    "rebuilt-diff.json": [*REBUILT_DIFF, "--format", "json"],
    "rebuilt-diff.txt": [*REBUILT_DIFF, "--format", "text"],
    "report.html": [*REPORT, "--format", "html"],
    "report-baseline.html": [*BASELINE, "--format", "html"],
    "diff.html": [*DIFF, "--format", "html"],
    "report.sarif": [*REPORT, "--format", "sarif"],
    "report-codequality.json": [*REPORT, "--format", "codequality"],
    "report-attribution.md": [*ATTRIBUTED, "--format", "markdown"],
    "report-attribution.json": [*ATTRIBUTED, "--format", "json"],
    "report-attribution.txt": [*ATTRIBUTED, "--format", "text"],
    "report-attribution.html": [*ATTRIBUTED, "--format", "html"],
}
"""Golden file name -> the command line that produces it (run in the working directory)."""

VERSION = re.compile(rf'(?<="version": ")({re.escape(__version__)})(?=",\n)')
"""auger's own version in an output (SARIF names the tool's): the golden file says
``VERSION`` instead, so that a new release changes no golden file."""


def check_golden(path: Path, actual: str) -> None:
    """Compare ``actual`` with the golden file byte for byte (or rewrite it when asked)."""
    data = actual.encode("utf-8")
    if os.environ.get(UPDATE) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return
    if not path.is_file():
        pytest.fail(f"{path} is missing: generate it with {UPDATE}=1 and review it")
    expected = path.read_bytes()
    if expected == data:
        return
    diff = "".join(
        difflib.unified_diff(
            expected.decode("utf-8", "replace").splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"{path.name} (golden)",
            tofile=f"{path.name} (actual)",
        )
    )
    pytest.fail(
        f"output differs from {path}; if the change is intended, rerun with {UPDATE}=1 "
        f"and review the golden files\n{diff or '(differs only in bytes not shown)'}"
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory with the two fixed archives and a budgets file."""
    directory = tmp_path_factory.mktemp("golden")
    write_archive(directory, "base.tar", base_image())
    write_archive(directory, "head.tar", head_image())
    write_archive(directory, "release.tar", release_image())
    write_archive(directory, "rebuilt.tar", rebuilt_image())
    write_archive(directory, "attributed.tar", attributed_image())
    (directory / "ci").mkdir()
    (directory / "ci" / "Dockerfile").write_text(ATTRIBUTED_DOCKERFILE, encoding="utf-8")
    (directory / "budgets.yaml").write_text(BUDGETS_YAML, encoding="utf-8")
    return directory


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_matches_the_golden_file(
    name: str, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(workdir)
    result = run_cli(CASES[name])
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    check_golden(GOLDEN / name, VERSION.sub("VERSION", result.stdout))


def test_output_is_deterministic(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workdir)
    first = run_cli(CASES["report-baseline.json"]).stdout
    assert run_cli(CASES["report-baseline.json"]).stdout == first


def test_a_difference_fails_with_a_unified_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(UPDATE, raising=False)
    golden = tmp_path / "example.txt"
    golden.write_bytes(b"same\nold line\n")
    check_golden(golden, "same\nold line\n")
    with pytest.raises(pytest.fail.Exception) as failure:
        check_golden(golden, "same\nnew line\n")
    message = str(failure.value)
    assert "-old line" in message
    assert "+new line" in message
    assert UPDATE in message
    assert golden.read_bytes() == b"same\nold line\n", "a failing comparison must not rewrite"


def test_a_missing_golden_file_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(UPDATE, raising=False)
    with pytest.raises(pytest.fail.Exception, match="missing"):
        check_golden(tmp_path / "absent.md", "text\n")
    assert not (tmp_path / "absent.md").exists()


# -- what the committed golden files say ----------------------------------------------------------


def golden(name: str) -> str:
    path = GOLDEN / name
    assert path.is_file(), f"{path} is not committed"
    return path.read_text(encoding="utf-8")


def golden_json(name: str) -> Any:
    return json.loads(golden(name))


def test_every_case_has_a_committed_golden_file() -> None:
    assert sorted(path.name for path in GOLDEN.iterdir()) == sorted(CASES)


@pytest.mark.parametrize(
    "name", ["report.md", "report-baseline.md", "diff.md", "report-attribution.md"]
)
def test_golden_markdown_is_well_formed(name: str) -> None:
    text = golden(name)
    assert text.startswith("<!-- auger-report -->\n")
    assert raw_html(text) == []
    assert table_problems(text) == []
    assert fold_problems(text) == []


def test_golden_markdown_report() -> None:
    text = golden("report.md")
    assert "## auger: `example:head`" in text
    assert "| 24.6 kB | — | — | 7.9 kB (32.25 %) |" in text
    assert "❌ FAIL: 2 failed, 1 warned, 1 passed, 1 skipped" in text
    advice = [line.split("**")[1] for line in text.splitlines() if line.startswith("- **")]
    assert advice[:9] == [
        "AUG009",
        "DL3009",
        "DL3042",
        "AUG004",
        "AUG010",
        "AUG007",
        "DL3059",
        "AUG003",
        "DL3015",
    ]
    rows = table_rows(text)
    waste = {row[0]: row[1:] for row in rows if len(row) == 7}
    assert waste["`/app/build`"] == ["2.4 kB", "3", "deleted", "2", "4", "AUG009"]
    assert waste["`/srv/www/*`"] == ["950 B", "2", "replaced-by-opaque", "2", "5", "—"]
    assert waste["`/var/lib/dpkg/status`"] == ["800 B", "1", "overwritten", "1", "3", "CHURN"]
    assert "Package-manager metadata churn: 800 B (rarely actionable)" in text
    layers = [row for row in rows if len(row) == 6 and row[0].isdigit()]
    assert [row[0] for row in layers] == ["0", "1", "2", "3", "4", "5"]
    assert layers[4][3:5] == ["0 B", "6.2 kB"], "layer 4 stored no waste and hid 6.2 kB"
    assert "rm -rf /app/build /var/cache/apt/archives/*.deb /tmp/pip-build.log" in text


def test_golden_markdown_report_against_a_baseline() -> None:
    text = golden("report-baseline.md")
    assert "| 24.6 kB | — | +11.0 kB (+81.28%) |" in text
    layers = [row for row in table_rows(text) if len(row) == 6 and row[0].isdigit()]
    assert [row[2] for row in layers] == [
        "unchanged",
        "unchanged",
        "+5.0 kB",
        "new, +4.5 kB",
        "new, +900 B",
        "new, +696 B",
    ]
    assert "- **layer 2 grew by 5.0 kB**: `/app/build` +2.4 kB, `/app/.git` +1.5 kB" in text
    assert "❌ FAIL: 2 failed, 2 warned, 1 passed" in text


def test_golden_json_report() -> None:
    data = golden_json("report.json")
    assert data["schemaVersion"] == 1
    assert data["image"]["sizeBytes"] == 24571
    assert data["image"]["wastedBytes"] == 7924
    assert data["image"]["compressedSizeBytes"] is None
    assert data["baseline"] is None
    assert [layer["causedWastedBytes"] for layer in data["layers"]] == [0, 0, 0, 800, 6150, 974]
    assert [layer["storedWastedBytes"] for layer in data["layers"]] == [24, 3300, 4250, 350, 0, 0]
    assert data["layers"][4]["createdBy"].endswith("&& chmod 755 /app/main.py # buildkit")
    groups = {group["path"]: group for group in data["waste"]}
    assert groups["/app/build"]["files"] == 3
    assert groups["/app/build"]["advice"] == ["AUG009"]
    assert [group["path"] for group in data["churn"]] == ["/var/lib/dpkg/status"]
    assert data["budgets"]["verdict"] == "fail"


def test_golden_json_report_against_a_baseline() -> None:
    data = golden_json("report-baseline.json")
    assert data["baseline"] == {
        "reference": "base.tar",
        "sizeBytes": 13554,
        "sizeDeltaBytes": 11017,
        "sizeDeltaRatio": 11017 / 13554,
        "removedLayers": [],
    }
    assert [layer["baseline"]["index"] for layer in data["layers"]] == [0, 1, 2, None, None, None]
    assert [layer["deltaBytes"] for layer in data["layers"]] == [0, 0, 4971, 4450, 900, 696]
    assert [layer["sharedWithBaseline"] for layer in data["layers"]] == [True, True] + [False] * 4
    growth = [rule for rule in data["budgets"]["rules"] if rule["rule"].startswith("growth.")]
    assert [rule["status"] for rule in growth] == ["warn"]


def test_golden_text_report() -> None:
    text = golden("report-baseline.txt")
    assert text.startswith("auger report: example:head\n")
    assert "vs baseline example:base: +11.0 kB" in text
    assert "budgets: FAIL: 2 failed, 2 warned, 1 passed" in text


@pytest.mark.parametrize("name", ["report.txt", "diff.txt"])
def test_golden_text_shows_where_a_command_was_cut(name: str) -> None:
    """Layer 4's command is longer than the 70 columns a text report gives it: it ends in
    ``…`` so a reader knows there is more (the full command is in the JSON and Markdown)."""
    line = next(line for line in golden(name).splitlines() if "rm -rf /app/build" in line)
    command = line[line.index("RUN ") :]
    assert len(command) == 70
    assert command.endswith("/tmp/p…")


def test_golden_diff() -> None:
    data = golden_json("diff.json")
    assert data["sharedLayers"] == 2
    assert data["removedLayers"] == []
    assert [layer["index"] for layer in data["addedLayers"]] == [3, 4, 5]
    assert [(layer["baseIndex"], layer["change"]) for layer in data["layers"]] == [
        (0, "unchanged"),
        (1, "unchanged"),
        (2, "changed"),
        (None, "added"),
        (None, "added"),
        (None, "added"),
    ]
    assert sum(layer["deltaBytes"] for layer in data["layers"]) == data["sizeDeltaBytes"]
    changes = {change["path"]: (change["change"], change["deltaBytes"]) for change in data["paths"]}
    assert changes["/app/main.py"] == ("grown", 500)
    assert changes["/etc/motd"] == ("shrunk", -400)
    assert changes["/app/legacy.py"] == ("removed", -300)
    assert changes["/root/.cache/pip/http/1/2/3/abcdef"] == ("added", 2200)
    assert "/usr/bin/curl" not in changes
    deltas = [abs(change["deltaBytes"]) for change in data["paths"]]
    assert deltas == sorted(deltas, reverse=True)
    markdown = golden("diff.md")
    assert "(+11.0 kB, +81.28%): 2 layers unchanged, 1 changed, 3 new." in markdown
    assert "| `/etc/motd` | shrunk | 500 B | 100 B | -400 B |" in markdown
    text = golden("diff.txt")
    assert "  size 13.6 kB -> 24.6 kB (+11.0 kB): 2 layers unchanged, 1 changed, 3 new\n" in text
    assert "  layer 2 grew by 5.0 kB: /app/build +2.4 kB, /app/.git +1.5 kB," in text


# -- a rebuild: rebuilt with the same contents, reordered, grown, many tiny files -----------------


def test_golden_rebuild_report_says_only_what_changed() -> None:
    """A PR comment on a rebuild: one sentence for the one grown layer, every other layer
    unchanged (the one rebuilt with the same contents too), the 60 tiny /tmp files one row."""
    text = golden("rebuilt-report.md")
    seen = unfolded_text(text)
    sentences = [line for line in seen.splitlines() if line.startswith("- **layer")]
    assert sentences == [
        "- **layer 4 grew by 12.2 kB**: `/app/node_modules` +12.0 kB, `/app/.stamps` +225 B — "
        "`COPY app /app # buildkit`"
    ]
    assert "6 layers unchanged (1 rebuilt with identical contents)." in seen
    waste = [row for row in table_rows(seen) if len(row) == 7]
    assert waste == [["`/tmp/` (60 small paths)", "540 B", "60", "deleted", "5", "6", "AUG007"]]
    assert f"{TINY} paths under 472 B are folded into their directories." in seen
    layers = [row for row in table_rows(text) if len(row) == 6 and row[0].isdigit()]
    assert [row[2] for row in layers] == [
        "unchanged",
        "unchanged (rebuilt)",
        "unchanged",
        "unchanged",
        "+12.2 kB",
        "unchanged",
        "unchanged",
    ]
    assert layers[6][5] == "(no command)"
    assert "``" not in text.replace("```", "")


def test_golden_rebuild_diff_pairs_layers_as_a_person_would() -> None:
    markdown = golden("rebuilt-diff.md")
    assert (
        "(+12.2 kB, +34.93%): 4 layers unchanged, 1 moved, 1 rebuilt with identical contents, "
        "1 changed." in markdown
    )
    assert [line for line in markdown.splitlines() if line.startswith("- **")] == [
        "- **layer 4 grew by 12.2 kB**: `/app/node_modules` +12.0 kB, `/app/.stamps` +225 B — "
        "`COPY app /app # buildkit`"
    ]
    assert "| `/app/.stamps/` (25 small paths) | added | — | — | +225 B |" in markdown
    assert "25 paths with smaller changes are folded into their directories." in markdown
    data = golden_json("rebuilt-diff.json")
    assert [(layer["baseIndex"], layer["index"], layer["change"]) for layer in data["layers"]] == [
        (0, 0, "unchanged"),
        (1, 1, "unchanged (rebuilt)"),
        (3, 2, "moved"),
        (2, 3, "unchanged"),
        (4, 4, "changed"),
        (5, 5, "unchanged"),
        (6, 6, "unchanged"),
    ]
    assert data["removedLayers"] == data["addedLayers"] == []
    assert len(data["paths"]) == 37, "JSON keeps every path, unfolded"
    text = golden("rebuilt-diff.txt")
    assert "  layer 4 grew by 12.2 kB: /app/node_modules +12.0 kB, /app/.stamps +225 B\n" in text
    assert "    added        +225 B  /app/.stamps/ (25 small paths)\n" in text


@pytest.mark.parametrize(
    "name", ["report.html", "report-baseline.html", "diff.html", "report-attribution.html"]
)
def test_golden_html_is_one_locked_down_file(name: str) -> None:
    text = golden(name)
    page = Page(text)
    (style,) = page.raw["style"]
    data, script = page.raw["script"]
    assert page.policy == (
        f"default-src 'none'; style-src {digest(style)}; script-src {digest(script)}; "
        "base-uri 'none'; form-action 'none'"
    )
    assert json.loads(data)["kind"] == ("diff" if name.startswith("diff") else "report")
    assert [value for tag, name_, value in page.attributes if name_ == "type"] == [
        "application/json"
    ]
    assert not [attribute for _, attribute, _ in page.attributes if attribute.startswith("on")]
    assert "style" not in {attribute for _, attribute, _ in page.attributes}
    assert not {"img", "iframe", "link", "object", "embed", "form", "base"} & set(page.tags)
    links = page.values("href")
    assert links and all(link.startswith("#tm") for link in links), "no link leaves the page"
    assert "http://" not in text.replace("http://www.w3.org", "")
    assert "https://" not in text
    assert "@font-face" not in style and "url(" not in style


def test_golden_html_report() -> None:
    page = Page(golden("report.html"))
    assert page.text("auger-data") and page.data()["size"] == 24571
    assert [layer["stored_waste"] for layer in page.data()["layers"]] == [24, 3300, 4250, 350, 0, 0]
    assert page.count("tr", within="waste") == 1 + 7
    rows = page.rows("waste")
    assert ["/app/build", "2.4 kB", "3", "deleted", "2", "4", "AUG009"] in rows
    assert ["/var/lib/dpkg/status", "800 B", "1", "overwritten", "1", "3", "CHURN"] in rows
    assert page.count("tr", within="layers") == 1 + 6
    assert "rm -rf /app/build /var/cache/apt/archives/*.deb" in page.text("layers")
    assert page.count("tr", within="advice") == 1 + 9
    assert page.count("tr", within="budgets") == 1 + 5
    assert page.count("svg", within="layer-chart") == 1
    assert page.count("section", within="sizemap") >= 5, "the root and a view per directory"
    assert "FAIL" in page.text("budgets")


def test_golden_html_report_against_a_baseline() -> None:
    page = Page(golden("report-baseline.html"))
    assert page.data()["baseline"]["size"] == 13554
    assert page.count("svg", within="layer-chart") == 2
    assert [row[2] for row in page.rows("layers")][1:] == [
        "shared",
        "shared",
        "+5.0 kB",  # the same COPY at the same place: grown, not replaced
        "+4.5 kB",
        "+900 B",
        "+696 B",
    ]


def test_golden_html_diff() -> None:
    page = Page(golden("diff.html"))
    assert page.data()["shared"] == 2
    assert page.count("tr", within="changed-layers") == 1 + 4
    _, grown, *new = page.rows("changed-layers")
    assert grown[:5] == ["grew", "2", "1.2 kB", "6.2 kB", "+5.0 kB"]
    assert grown[5].startswith("/app/build +2.4 kB, /app/.git +1.5 kB")
    assert [row[0] for row in new] == ["new", "new", "new"]
    assert page.rows("changed-directories")[1:3] == [
        ["/var/cache", "-2.5 kB", "1"],
        ["/root/.cache", "+2.2 kB", "1"],
    ]
    assert page.count("tr", within="changed-paths") == 1 + 12
    assert ["/etc/motd", "shrunk", "500 B", "100 B", "-400 B"] in page.rows("changed-paths")


def test_golden_sarif() -> None:
    log = golden_json("report.sarif")
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["tool"]["driver"]["version"] == "VERSION"
    assert run["automationDetails"]["id"] == "auger/example/"
    results = [(result["ruleId"], result["level"]) for result in run["results"]]
    assert results[:4] == [
        ("budget/image.max_wasted_percent", "error"),
        ("budget/paths", "error"),
        ("budget/image.max_size", "warning"),
        ("AUG009", "warning"),
    ]
    assert ("DL3015", "note") in results, "advice with no bytes to save is a note"


def test_golden_code_quality() -> None:
    issues = golden_json("report-codequality.json")
    first = issues[0]
    assert first["check_name"] == "auger:budget/image.max_wasted_percent"
    assert first["description"] == "wasted percent is 32.25 %, limit at most 25 %"
    assert first["location"] == {"path": "budgets.yaml", "lines": {"begin": 4}}
    assert [issue["severity"] for issue in issues[:3]] == ["major", "major", "minor"]


def test_golden_attribution_json() -> None:
    data = golden_json("report-attribution.json")
    packages = data["packages"]
    assert [(p["manager"], p["name"], p["size_bytes"], p["layer"], p["dev"]) for p in packages] == [
        ("dpkg", "gcc-12", 32000, 1, False),
        ("npm", "typescript", packages[1]["size_bytes"], 4, True),
        ("dpkg", "libc6", 9000, 0, False),
        ("dpkg", "bash", 4600, 0, False),
        ("npm", "express", packages[4]["size_bytes"], 4, False),
        ("dpkg", "make", 320, 1, False),
    ]
    assert packages[1]["size_bytes"] > 20000  # the package's files and its package.json
    sizes = [p["size_bytes"] for p in packages]
    assert sizes == sorted(sizes, reverse=True)
    assert [layer["instruction"] for layer in data["layers"]] == [
        {"file": "ci/Dockerfile", "line": 2, "text": "FROM debian:bookworm-slim"},
        {
            "file": "ci/Dockerfile",
            "line": 3,
            "text": "RUN apt-get update && apt-get install -y gcc-12 make",
        },
        {"file": "ci/Dockerfile", "line": 5, "text": "WORKDIR /app"},
        {"file": "ci/Dockerfile", "line": 6, "text": "COPY . ."},
        {"file": "ci/Dockerfile", "line": 7, "text": "RUN npm ci"},
    ]
    advice = {item["id"]: item for item in data["advice"]}
    assert all("saves_bytes" in item for item in data["advice"])
    assert advice["AUG008"]["packages"] == ["gcc-12", "make"]
    assert advice["AUG008"]["saves_bytes"] == 32320
    assert advice["AUG002"]["packages"] == ["typescript"]
    assert advice["DL3009"]["instruction"]["line"] == 3
    assert advice["DL3015"]["saves_bytes"] is None
    groups = {group["id"]: group for group in data["groups"]}
    assert groups["build-toolchain"]["saves_bytes"] == 32320
    assert groups["dev-dependencies"]["packages"] == ["typescript"]


def test_golden_attribution_markdown() -> None:
    text = golden("report-attribution.md")
    assert "a multi-stage build would save 32.3 kB" in text
    assert "*(saves 8.0 kB; ci/Dockerfile:3)*" in text
    layers = [row for row in table_rows(text) if len(row) == 7 and row[0].isdigit()]
    assert [row[5] for row in layers] == [f"`ci/Dockerfile:{line}`" for line in (2, 3, 5, 6, 7)]


def test_golden_html_report_names_packages_groups_and_dockerfile_lines() -> None:
    page = Page(golden("report-attribution.html"))
    packages = page.rows("packages")
    assert packages[0] == [
        "package", "manager", "version", "size", "wasted", "files", "installed by layer", "flags",
    ]  # fmt: skip
    assert ["gcc-12", "dpkg", "12.2.0", "32.0 kB", "0 B", "2", "1", ""] in packages
    assert ["typescript", "npm", "5.6.3", "20.1 kB", "0 B", "2", "4", "dev"] in packages
    assert "Files in no package: 14.6 kB." in page.text("packages")
    groups = {row[0]: row for row in page.rows("groups")[1:]}
    assert groups["build toolchain in the final image"][1:4] == [
        "32.3 kB",
        "gcc-12, make",
        "32.3 kB",
    ]
    advice = {row[0]: row for row in page.rows("advice")[1:]}
    assert advice["AUG008"][3] == "32.3 kB"
    assert advice["AUG008"][6:8] == [
        "gcc-12, make",
        "ci/Dockerfile:3 RUN apt-get update && apt-get install -y gcc-12 make",
    ]
    layers = page.rows("layers")
    assert "vs baseline" not in layers[0]
    assert layers[5][-1] == "ci/Dockerfile:7 RUN npm ci"
