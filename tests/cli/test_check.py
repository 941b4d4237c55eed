"""``auger check`` and ``auger IMAGE`` under CI: exit codes, formats, GitHub Actions mode."""

from __future__ import annotations

import json
import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from auger.testing.images import file, whiteout
from tests.budgets.support import (
    BASE,
    BLOATED,
    BLOATED_SIZE,
    LEAN,
    run_auger,
    write_archive,
    write_budgets,
)

FAILING = "version: 1\nimage:\n  max_size: 8kB\n"
"""The lean image (5000 bytes) passes, the bloated one (10500 bytes) fails."""
WARNING = "version: 1\nimage:\n  max_size: {fail: 20kB, warn: 8kB}\n"
MIXED = """\
version: 1
image:
  max_size: 8kB
  max_layers: {fail: 10, warn: 2}
  max_compressed_size: 1MB
  max_dive_wasted_bytes: 1GB
paths:
  - glob: /base
    max_size: 0
    advice: "build base elsewhere"
"""
"""For the bloated image: max_size FAIL, max_compressed_size SKIP, max_layers WARN,
max_dive_wasted_bytes PASS, paths[0] FAIL."""
MIXED_STATUS = {
    "image.max_size": "fail",
    "image.max_compressed_size": "skip",
    "image.max_layers": "warn",
    "image.max_dive_wasted_bytes": "pass",
    "paths[0]": "fail",
}


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("archives")
    return {
        "lean": write_archive(directory, LEAN, name="lean.tar"),
        "bloated": write_archive(directory, BLOATED, name="bloated.tar"),
    }


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory (the gate reads budgets from it)."""
    directory = tmp_path / "work"
    directory.mkdir()
    monkeypatch.chdir(directory)
    return directory


# -- exit codes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "budgets", "code"),
    [("lean", FAILING, 0), ("bloated", FAILING, 1), ("bloated", WARNING, 0), ("lean", WARNING, 0)],
)
def test_exit_0_and_1(
    image: str, budgets: str, code: int, archives: dict[str, Path], workdir: Path
) -> None:
    write_budgets(workdir, budgets)
    result = run_auger(["check", str(archives[image])])
    assert result.code == code, result
    assert result.stderr == ""
    last = result.stdout.splitlines()[-1]
    expected = {0: ("PASS", "WARN"), 1: ("FAIL",)}[code]
    assert last.startswith(expected)


def test_warnings_do_not_fail(archives: dict[str, Path], workdir: Path) -> None:
    write_budgets(workdir, WARNING)
    result = run_auger(["check", str(archives["bloated"])])
    assert result.code == 0
    assert re.search(r"^\s+WARN\s+image size", result.stdout, re.MULTILINE)
    assert result.stdout.splitlines()[-1] == "WARN: 1 warned"


def test_exit_2_on_invalid_budgets(archives: dict[str, Path], workdir: Path) -> None:
    write_budgets(workdir, "version: 1\nimage:\n  max_size: big\n")
    result = run_auger(["check", str(archives["lean"])])
    assert result.code == 2
    assert result.stderr.startswith("auger: error: budgets.yaml:3: image.max_size: ")
    assert result.stdout == ""


@pytest.mark.parametrize(
    "argv",
    [["check"], ["check", "X", "--format", "xml"], ["check", "X", "--no-such-flag"]],
)
def test_exit_2_on_usage_errors(argv: list[str], workdir: Path) -> None:
    result = run_auger(argv)
    assert result.code == 2
    assert result.stderr.startswith("auger: error: ")


def test_exit_3_when_the_image_cannot_be_read(workdir: Path) -> None:
    write_budgets(workdir, FAILING)
    result = run_auger(["check", str(workdir / "missing.tar")])
    assert result.code == 3
    assert result.stderr.startswith("auger: error: ")
    assert result.stdout == ""
    (workdir / "garbage.tar").write_bytes(b"not a tar at all" * 64)
    assert run_auger(["check", str(workdir / "garbage.tar")]).code == 3


def test_exit_zero_reports_without_failing(archives: dict[str, Path], workdir: Path) -> None:
    write_budgets(workdir, FAILING)
    result = run_auger(["check", str(archives["bloated"]), "--exit-zero"])
    assert result.code == 0
    assert re.search(r"^\s+FAIL\s+image size", result.stdout, re.MULTILINE)
    assert result.stdout.splitlines()[-1].startswith("FAIL")


def test_exit_zero_does_not_hide_configuration_errors(
    archives: dict[str, Path], workdir: Path
) -> None:
    write_budgets(workdir, "version: 1\nimage:\n  max_size: big\n")
    assert run_auger(["check", str(archives["lean"]), "--exit-zero"]).code == 2


def test_text_report_lists_every_rule(archives: dict[str, Path], workdir: Path) -> None:
    write_budgets(workdir, MIXED)
    result = run_auger(["check", str(archives["bloated"])])
    assert result.code == 1
    for title, label in [
        ("image size", "FAIL"),
        ("compressed image size", "SKIP"),
        ("layer count", "WARN"),
        ("wasted bytes (dive)", "PASS"),
        ("files under /base", "FAIL"),
    ]:
        assert re.search(rf"^\s+{label}\s+{re.escape(title)}\s", result.stdout, re.MULTILINE), (
            title,
            result.stdout,
        )
    assert "10.5 kB  at most 8 kB" in result.stdout  # measured in the limit's unit
    assert re.search(r"files under /base +1 file present, none allowed", result.stdout)
    assert "[budgets.yaml:3]" in result.stdout
    assert "advice: build base elsewhere" in result.stdout
    assert result.stdout.splitlines()[-1] == "FAIL: 2 failed, 1 warned, 1 passed, 1 skipped"


# -- auger IMAGE under CI ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["true", "1", "TRUE", "True", "t"])
def test_ci_runs_the_gate(value: str, archives: dict[str, Path], workdir: Path) -> None:
    write_budgets(workdir, FAILING)
    result = run_auger([str(archives["bloated"])], {"CI": value})
    assert result.code == 1
    assert result.stdout.startswith("auger check:")
    assert result.stdout.splitlines()[-1].startswith("FAIL")


@pytest.mark.parametrize("value", ["", "0", "false", "no"])
def test_without_ci_the_summary_is_shown(
    value: str, archives: dict[str, Path], workdir: Path
) -> None:
    write_budgets(workdir, FAILING)
    result = run_auger([str(archives["bloated"])], {"CI": value})
    assert result.code == 0
    assert "auger check:" not in result.stdout
    assert result.stdout.strip()


def test_ci_with_json_only_exports(archives: dict[str, Path], workdir: Path) -> None:
    write_budgets(workdir, FAILING)
    target = workdir / "out.json"
    result = run_auger([str(archives["bloated"]), "--json", str(target)], {"CI": "true"})
    assert result.code == 0
    exported = json.loads(target.read_text())
    assert exported["image"]["sizeBytes"] == BLOATED_SIZE
    assert "auger check" not in result.stdout
    assert "FAIL" not in result.stdout


def test_ci_flag_without_ci_runs_the_gate(archives: dict[str, Path], workdir: Path) -> None:
    write_budgets(workdir, FAILING)
    failed = run_auger([str(archives["bloated"]), "--ci"], {})
    assert failed.code == 1
    assert failed.stdout.startswith("auger check:")
    assert run_auger([str(archives["lean"]), "--ci"], {}).code == 0


def test_ci_gate_takes_the_gate_options(archives: dict[str, Path], workdir: Path) -> None:
    write_budgets(workdir, FAILING)
    result = run_auger([str(archives["bloated"]), "--format", "json", "--exit-zero"], {"CI": "1"})
    assert result.code == 0
    assert json.loads(result.stdout)["verdict"] == "fail"


# -- formats -----------------------------------------------------------------------------------


def test_json_format(archives: dict[str, Path], workdir: Path) -> None:
    write_budgets(workdir, MIXED)
    result = run_auger(["check", str(archives["bloated"]), "--format", "json"])
    assert result.code == 1
    data = json.loads(result.stdout)
    assert isinstance(data["schemaVersion"], int)
    assert data["verdict"] == "fail"
    assert {rule["rule"]: rule["status"] for rule in data["rules"]} == MIXED_STATUS
    assert data["counts"] == {"pass": 1, "warn": 1, "fail": 2, "skip": 1}
    size = next(rule for rule in data["rules"] if rule["rule"] == "image.max_size")
    assert size["measuredValue"] == BLOATED_SIZE
    assert size["failValue"] == 8000
    assert size["origin"] == "budgets.yaml:3"
    assert data["budgets"] == "budgets.yaml"


def test_junit_format(archives: dict[str, Path], workdir: Path) -> None:
    write_budgets(workdir, MIXED)
    result = run_auger(["check", str(archives["bloated"]), "--format", "junit"])
    assert result.code == 1
    root = ET.fromstring(result.stdout)
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    cases = suite.findall("testcase")
    assert len(cases) == len(MIXED_STATUS)
    assert suite.get("tests") == str(len(MIXED_STATUS))
    assert suite.get("failures") == "2"
    assert suite.get("skipped") == "1"
    by_rule = {case.get("name", "").split(":")[0]: case for case in cases}
    assert set(by_rule) == set(MIXED_STATUS)
    for rule, status in MIXED_STATUS.items():
        case = by_rule[rule]
        failures, skips = case.findall("failure"), case.findall("skipped")
        assert len(failures) == (status == "fail"), rule
        assert len(skips) == (status == "skip"), rule
    failure = by_rule["image.max_size"].find("failure")
    assert failure is not None
    assert failure.get("message") == "image size is 10.5 kB, limit at most 8 kB"
    advised = by_rule["paths[0]"].find("failure")
    assert advised is not None
    assert advised.text == (
        "files under /base: 1 file present, none allowed (/base (4.0 kB))\n"
        "advice: build base elsewhere"
    )


def _code_spans_removed(text: str) -> str:
    return re.sub(r"(`+)(.+?)(?<!`)\1(?!`)", "", text)


HOSTILE_TAG = "evil|`x`<script>alert(1)</script>:t*g"
HOSTILE_FILE = "a|<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("hostile")
    return write_archive(
        directory, [[file("base", BASE)], [file(HOSTILE_FILE, 10)]], tag=HOSTILE_TAG
    )


HOSTILE_BUDGETS = """\
version: 1
image:
  max_size: 1kB
paths:
  - glob: "/a|<img*"
    max_size: 0
    advice: "<b>never</b> | ever"
"""


def test_markdown_format_escapes_hostile_names(hostile: Path, workdir: Path) -> None:
    write_budgets(workdir, HOSTILE_BUDGETS)
    result = run_auger(["check", str(hostile), "--format", "markdown"])
    assert result.code == 1
    markdown = result.stdout
    rows = [line for line in markdown.splitlines() if line.startswith("|")]
    assert len(rows) == 2 + 2  # header, separator, one row per rule
    for row in rows:
        assert len(re.findall(r"(?<!\\)\|", row)) == 6, row  # 5 cells, no stray pipe
    assert "<script" not in _code_spans_removed(markdown)
    assert "<img" not in _code_spans_removed(markdown)
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<script" not in html
    assert "<img" not in html
    assert "<b>" not in html
    assert html.count("<tr>") == 3
    assert html.count("<table>") == 1


def test_markdown_puts_paths_and_globs_in_code_so_no_one_is_mentioned(
    tmp_path: Path, workdir: Path
) -> None:
    """Once posted, a file named ``@org/team`` in plain text would ping that team."""
    names = ["@org/team", "@org/other", "@someone", "x/@org/team"]
    archive = write_archive(tmp_path, [[file("base", BASE)], [file(name, 5) for name in names]])
    write_budgets(workdir, "version: 1\npaths:\n  - glob: /@*/**\n    max_size: 0\n")
    result = run_auger(["check", str(archive), "--format", "markdown"])
    assert result.code == 1
    outside_code = _code_spans_removed(result.stdout)
    assert "@" not in outside_code, outside_code
    assert "`/@org/team`" in result.stdout
    assert "`/@someone`" in result.stdout
    assert "| 3 files present |" in result.stdout  # /@org/team, /@org/other, /@someone only
    assert "files under `/@*/**`" in result.stdout


def test_markdown_heading_shows_the_tag_verbatim(hostile: Path, workdir: Path) -> None:
    """The image name in the heading (a code span) reads exactly as the tag."""
    write_budgets(workdir, HOSTILE_BUDGETS)
    result = run_auger(["check", str(hostile), "--format", "markdown"])
    html = MarkdownIt("commonmark").enable("table").render(result.stdout)
    heading = re.search(r"<h3>.*?<code>(.*?)</code>", html)
    assert heading is not None, html
    shown = heading[1].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert shown == HOSTILE_TAG


def test_output_file(archives: dict[str, Path], workdir: Path) -> None:
    write_budgets(workdir, MIXED)
    report = workdir / "report.json"
    result = run_auger(["check", str(archives["bloated"]), "--format", "json", "-o", str(report)])
    assert result.code == 1
    data = json.loads(report.read_text())
    assert {rule["rule"]: rule["status"] for rule in data["rules"]} == MIXED_STATUS
    assert result.stdout.splitlines()[-1].startswith("FAIL")  # the text verdict for the log
    junit = workdir / "junit.xml"
    assert (
        run_auger(["check", str(archives["bloated"]), "--format", "junit", "-o", str(junit)]).code
        == 1
    )
    assert len(list(ET.parse(junit).getroot().iter("testcase"))) == len(MIXED_STATUS)
    text = workdir / "report.txt"
    result = run_auger(["check", str(archives["bloated"]), "-o", str(text)])
    assert text.read_text().splitlines()[-1].startswith("FAIL")


# -- GitHub Actions ----------------------------------------------------------------------------

_ANNOTATION = re.compile(r"::(?P<kind>error|warning) (?P<props>[^:]*)::(?P<message>.*)")


def _unescape(text: str) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


def parse_annotation(line: str) -> tuple[str, dict[str, str], str]:
    """A well-formed workflow command line: its kind, decoded properties, decoded message."""
    match = _ANNOTATION.fullmatch(line)
    assert match is not None, line
    assert "\r" not in line and "\n" not in line
    assert re.fullmatch(r"(?:[^%]|%25|%0A|%0D)*", match["message"]), line
    props: dict[str, str] = {}
    for item in match["props"].split(","):
        key, sep, value = item.partition("=")
        assert sep, line
        assert re.fullmatch(r"(?:[^%:,]|%25|%0A|%0D|%3A|%2C)*", value), line
        props[key] = _unescape(value)
    return match["kind"], props, _unescape(match["message"])


SPECIAL_NAMES = ["100%,a:b", "x\ny"]
"""File names (and so globs) that need escaping in workflow commands."""


def _many_failing_rules(extra: str = "") -> str:
    globs = [
        "/base",
        "/bas?",
        "/b*",
        "/[b]ase",
        "**/base",
        "/b[a]se",
        "/ba*",
        "/*se",
        "/b?se",
        "/**",
        "/100%,a:b",
        "/x\\ny",
    ]
    rules = "".join(f'  - glob: "{glob}"\n    max_size: 0\n' for glob in globs)
    return f"version: 1\nimage:\n  max_layers: {{fail: 10, warn: 1}}\n{extra}paths:\n{rules}"


@pytest.fixture(scope="module")
def special(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("special")
    return write_archive(
        directory,
        [
            [file("base", BASE), file("old", 100)],
            [file(name, 7) for name in SPECIAL_NAMES],
            [whiteout("old")],
        ],
    )


def test_github_annotations(special: Path, workdir: Path) -> None:
    text = _many_failing_rules()
    name = "gate,v1:ci.yaml"
    write_budgets(workdir, text, name=name)
    summary = workdir / "summary.md"
    result = run_auger(
        ["check", str(special), "--budgets", name, "--format", "json"],
        {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.code == 1
    data = json.loads(result.stdout)  # stdout holds the data only
    failed = [rule for rule in data["rules"] if rule["status"] == "fail"]
    assert len(failed) == 12
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("::") for line in lines), result.stderr
    assert len(lines) == 10
    annotations = [parse_annotation(line) for line in lines]
    assert {kind for kind, _, _ in annotations} == {"error"}  # failures first
    max_size_lines = [
        number
        for number, line in enumerate(textwrap.dedent(text).splitlines(), 1)
        if "max_size: 0" in line
    ]
    titles = []
    for index, (_, props, message) in enumerate(annotations):
        assert props["file"] == name
        assert int(props["line"]) == max_size_lines[index]
        titles.append(props["title"])
        assert re.search(r": \d+ files? present, none allowed", message), message
    assert titles[0] == "auger budget: files under /base"


def test_github_annotations_escape_percent_newline_colon_comma(
    special: Path, workdir: Path
) -> None:
    text = """\
    version: 1
    image:
      max_wasted_percent: {fail: 100%, warn: 0%}
    paths:
      - glob: "/100%,a:b"
        max_size: 0
        advice: "100% sure: no, really"
      - glob: "/x\\ny"
        max_size: 0
    """
    write_budgets(workdir, text)
    result = run_auger(["check", str(special)], {"GITHUB_ACTIONS": "true"})
    assert result.code == 1
    commands = [line for line in result.stderr.splitlines() if line.startswith("::")]
    annotations = [parse_annotation(line) for line in commands]
    kinds = [kind for kind, _, _ in annotations]
    assert kinds == ["error", "error", "warning"]
    titles = [props["title"] for _, props, _ in annotations]
    assert titles[0] == "auger budget: files under /100%,a:b"
    assert titles[1] == "auger budget: files under /x\\ny"  # shown escaped, on one line
    assert "100% sure: no, really" in annotations[0][2]
    assert "%" in annotations[2][2]  # a percentage, escaped in the raw line
    assert [props["line"] for _, props, _ in annotations] == ["6", "9", "3"]


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@pytest.mark.parametrize("output", ["text", "json", "junit", "markdown", "github"])
def test_control_characters_in_a_glob_stay_escaped(
    output: str, tmp_path: Path, workdir: Path
) -> None:
    """A glob holding a terminal escape (budgets files come with pull requests) never reaches
    a log, a terminal or an XML parser raw."""
    name = "esc\x1b[31mred"
    archive = write_archive(tmp_path, [[file("base", BASE)], [file(name, 5)]])
    # [[] is a literal '[' in a glob
    write_budgets(workdir, 'version: 1\npaths:\n  - glob: "/esc\\e[[]31mred"\n    max_size: 0\n')
    if output == "github":
        result = run_auger(["check", str(archive)], {"GITHUB_ACTIONS": "true"})
        written = result.stderr
        assert written.startswith("::error ")
    else:
        result = run_auger(["check", str(archive), "--format", output])
        written = result.stdout
    assert result.code == 1
    assert not CONTROL.search(written), repr(written)
    if output == "junit":
        ET.fromstring(written)
    if output == "json":
        assert json.loads(written)["rules"][0]["status"] == "fail"


def test_detail_names_are_escaped_once(tmp_path: Path, workdir: Path) -> None:
    """A file name with a control character is shown with one escape, as auger shows names."""
    archive = write_archive(tmp_path, [[file("base", BASE)], [file("bell\x07", 5)]])
    write_budgets(workdir, "version: 1\npaths:\n  - glob: /bell*\n    max_size: 0\n")
    result = run_auger(["check", str(archive)])
    assert result.code == 1
    assert "        /bell\\x07 (5 B)\n" in result.stdout, result.stdout


def test_github_step_summary_is_appended(archives: dict[str, Path], workdir: Path) -> None:
    write_budgets(workdir, MIXED)
    summary = workdir / "summary.md"
    summary.write_text("# an earlier step\n")
    environ = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    first = run_auger(["check", str(archives["bloated"])], environ)
    assert first.code == 1
    after_one = summary.read_text()
    assert after_one.startswith("# an earlier step\n")
    assert after_one.count("### auger budgets") == 1
    assert "| rule |" in after_one
    second = run_auger(["check", str(archives["lean"])], environ)
    assert second.code == 1  # /base is forbidden in both
    after_two = summary.read_text()
    assert after_two.startswith(after_one)
    assert after_two.count("### auger budgets") == 2
    # the text report still goes to stdout, the annotations to stderr
    assert second.stdout.startswith("auger check:")
    assert all(line.startswith("::") for line in second.stderr.splitlines())


def test_no_github_mode_without_github_actions(archives: dict[str, Path], workdir: Path) -> None:
    write_budgets(workdir, MIXED)
    summary = workdir / "summary.md"
    result = run_auger(["check", str(archives["bloated"])], {"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.code == 1
    assert not summary.exists()
    assert "::" not in result.stderr


def test_github_mode_in_ci_gate(archives: dict[str, Path], workdir: Path) -> None:
    write_budgets(workdir, MIXED)
    summary = workdir / "summary.md"
    environ = {"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    result = run_auger([str(archives["bloated"]), "--format", "junit"], environ)
    assert result.code == 1
    ET.fromstring(result.stdout)
    assert summary.read_text().count("### auger budgets") == 1
    kinds = [parse_annotation(line)[0] for line in result.stderr.splitlines()]
    assert kinds == ["error", "error", "warning"]
