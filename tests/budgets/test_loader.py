"""``budgets.yaml``: the example loads; every mistake exits 2 with ``FILE:LINE: KEY: problem``."""

from __future__ import annotations

import re
import shutil
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from auger.budgets.loader import MAX_RULES, MAX_SHOWN, BudgetsError, parse_budgets
from auger.budgets.schema import Budgets, Limit, number
from auger.budgets.units import Ratio, Size
from tests.budgets.support import (
    LEAN,
    budgets_of,
    marked_line,
    run_auger,
    write_archive,
    write_budgets,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "budgets.example.yaml"
EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")
EXAMPLE_DATA: dict[str, Any] = yaml.safe_load(EXAMPLE_TEXT)

_FACTORS = {
    "": 1,
    "B": 1,
    "kB": 10**3,
    "KB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "KiB": 2**10,
    "MiB": 2**20,
    "GiB": 2**30,
}


def reference_number(raw: object) -> float:
    """A limit as the documentation defines it, computed without auger's parser."""
    if isinstance(raw, int | float):
        return raw
    assert isinstance(raw, str)
    if raw.endswith("%"):
        return float(Decimal(raw[:-1]) / 100)
    match = re.fullmatch(r"([\d.]+)\s*([A-Za-z]*)", raw)
    assert match is not None, raw
    return int(Decimal(match[1]) * _FACTORS[match[2]])


def line_of(pattern: str, after: int = 0) -> int:
    """The 1-based number of the first example line at or after ``after`` matching ``pattern``."""
    lines = EXAMPLE_TEXT.splitlines()
    for index in range(after, len(lines)):
        if re.search(pattern, lines[index]):
            return index + 1
    raise AssertionError(f"{pattern!r} not in the example")


def _example_rules() -> list[tuple[str, str, object]]:
    rules: list[tuple[str, str, object]] = []
    for section in ("image", "layers", "growth"):
        rules += [(section, name, raw) for name, raw in EXAMPLE_DATA[section].items()]
    rules += [
        ("paths", str(index), rule["max_size"]) for index, rule in enumerate(EXAMPLE_DATA["paths"])
    ]
    return rules


EXAMPLE_RULES = _example_rules()


@pytest.fixture(scope="module")
def example() -> Budgets:
    return parse_budgets(EXAMPLE_TEXT, "budgets.example.yaml")


def test_example_populates_every_section(example: Budgets) -> None:
    assert set(example.image) == set(EXAMPLE_DATA["image"])
    assert len(example.image) == 8
    assert set(example.layers) == {"max_size"}
    assert [rule.glob for rule in example.paths] == [r["glob"] for r in EXAMPLE_DATA["paths"]]
    assert [rule.advice for rule in example.paths] == [r["advice"] for r in EXAMPLE_DATA["paths"]]
    assert example.ignore == tuple(EXAMPLE_DATA["ignore"])
    assert set(example.growth) == set(EXAMPLE_DATA["growth"])
    assert [override.match for override in example.overrides] == ["*-debug:*"]
    override = example.overrides[0]
    assert override.budgets.image["max_size"].fail == Size(10**9, "1GB")
    assert example.source == "budgets.example.yaml"


@pytest.mark.parametrize(
    ("section", "name", "raw"), EXAMPLE_RULES, ids=[f"{s}.{n}" for s, n, _ in EXAMPLE_RULES]
)
def test_example_rule(example: Budgets, section: str, name: str, raw: object) -> None:
    limit: Limit
    if section == "paths":
        limit = example.paths[int(name)].limit
        start = line_of(r"^paths:")
        for _ in range(int(name) + 1):
            start = line_of(r"^\s+max_size:", start)
        line = start
    else:
        limit = getattr(example, section)[name]
        line = line_of(rf"^\s+{name}:", line_of(rf"^{section}:"))
    levels = raw if isinstance(raw, dict) else {"fail": raw}
    assert limit.fail is not None
    assert number(limit.fail) == reference_number(levels["fail"])
    if "warn" in levels:
        assert limit.warn is not None
        assert number(limit.warn) == reference_number(levels["warn"])
        assert str(limit.warn) == str(levels["warn"])
    else:
        assert limit.warn is None
    assert str(limit.fail) == str(levels["fail"])
    assert limit.origin == f"budgets.example.yaml:{line}"


def test_example_validates_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = write_archive(tmp_path / "img", LEAN)
    shutil.copy(EXAMPLE, tmp_path / "budgets.yaml")
    monkeypatch.chdir(tmp_path)
    result = run_auger(["check", str(archive)])
    assert result.code in (0, 1), result.stderr
    assert "budgets.yaml" in result.stdout
    # every image rule of the example is reported once
    assert result.stdout.count("[budgets.yaml:") >= len(EXAMPLE_DATA["image"])


def test_single_values_and_levels() -> None:
    budgets = budgets_of(
        """\
        version: 1
        image:
          max_size: 1.5GiB
          max_layers: {fail: 20, warn: 10}
          min_efficiency: {fail: 0.8, warn: 95%}
          max_user_wasted_percent: {warn: 150%}
        growth:
          max_size_increase_percent: 10%
        """
    )
    assert budgets.image["max_size"] == Limit(Size(3 * 2**29, "1.5GiB"), None, "budgets.yaml:3")
    assert budgets.image["max_layers"] == Limit(20, 10, "budgets.yaml:4")
    assert budgets.image["min_efficiency"].fail == Ratio(0.8, "0.8")
    assert budgets.image["min_efficiency"].warn == Ratio(0.95, "95%")
    assert budgets.image["max_user_wasted_percent"] == Limit(
        None, Ratio(1.5, "150%"), "budgets.yaml:6"
    )
    assert budgets.growth["max_size_increase_percent"].fail == Ratio(0.1, "10%")


# -- invalid files through the CLI: exit 2, FILE:LINE: KEY: problem --------------------------

INVALID: list[tuple[str, str, str, str]] = [
    (
        "unknown key",
        """\
        version: 1
        image:
          max_size: 1MB
          max_sise: 2MB    # <-
        """,
        "image.max_sise",
        "did you mean 'max_size'",
    ),
    (
        "unknown section",
        """\
        version: 1
        imgae:             # <-
          max_size: 1MB
        """,
        "imgae",
        "did you mean 'image'",
    ),
    (
        "unknown key in a path rule",
        """\
        version: 1
        paths:
          - glob: /x/**
            max_size: 0
            advise: no     # <-
        """,
        "paths[0].advise",
        "did you mean 'advice'",
    ),
    (
        "unknown key in an override",
        """\
        version: 1
        overrides:
          - match: "*"
            image:
              max_layrs: 3   # <-
        """,
        "overrides[0].image.max_layrs",
        "did you mean 'max_layers'",
    ),
    (
        "bad unit",
        """\
        version: 1
        image:
          max_size: 5mb    # <-
        """,
        "image.max_size",
        "did you mean MB",
    ),
    (
        "bad unit in a warn level",
        """\
        version: 1
        image:
          max_wasted_bytes:
            fail: 10MB
            warn: 5 megs   # <-
        """,
        "image.max_wasted_bytes.warn",
        "",
    ),
    (
        "ambiguous percentage",
        """\
        version: 1
        image:
          max_wasted_percent: 10    # <-
        """,
        "image.max_wasted_percent",
        "ambiguous",
    ),
    (
        "list where a value is expected",
        """\
        version: 1
        image:
          max_layers: [1, 2]   # <-
        """,
        "image.max_layers",
        "single value",
    ),
    (
        "text where a count is expected",
        """\
        version: 1
        image:
          max_layers: ten   # <-
        """,
        "image.max_layers",
        "whole number",
    ),
    (
        "section that is not a mapping",
        """\
        version: 1
        image: 5   # <-
        """,
        "image",
        "mapping",
    ),
    (
        "paths that are not a list",
        """\
        version: 1
        paths: {glob: /x, max_size: 0}   # <-
        """,
        "paths",
        "list",
    ),
    (
        "warn looser than fail",
        """\
        version: 1
        image:
          max_size: {fail: 1MB, warn: 2MB}   # <-
        """,
        "image.max_size",
        "warn",
    ),
    (
        "warn looser than fail (at least)",
        """\
        version: 1
        image:
          min_efficiency: {fail: 0.9, warn: 80%}   # <-
        """,
        "image.min_efficiency",
        "warn",
    ),
    (
        "missing version",
        """\
        image:   # <-
          max_size: 1MB
        """,
        "version",
        "missing",
    ),
    (
        "wrong version",
        """\
        version: 2   # <-
        image:
          max_size: 1MB
        """,
        "version",
        "unsupported",
    ),
    (
        "boolean version",
        """\
        version: true   # <-
        image:
          max_size: 1MB
        """,
        "version",
        "unsupported",
    ),
    (
        "YAML syntax error",
        """\
        version: 1
        image:
          max_size: 1MB: 2MB   # <-
        """,
        "YAML syntax error",
        "",
    ),
    (
        "path rule without glob",
        """\
        version: 1
        paths:
          - glob: /ok/**
            max_size: 0
          - max_size: 0     # <-
            advice: none
        """,
        "paths[1]",
        "glob",
    ),
    (
        "path rule without max_size",
        """\
        version: 1
        paths:
          - glob: /ok/**     # <-
        """,
        "paths[0]",
        "max_size",
    ),
    (
        "glob not anchored",
        """\
        version: 1
        paths:
          - glob: var/lib/apt/**   # <-
            max_size: 0
        """,
        "paths[0].glob",
        "'/' or '**'",
    ),
    (
        "ignore glob not anchored",
        """\
        version: 1
        ignore:
          - /var/cache/**
          - tmp/*     # <-
        """,
        "ignore[1]",
        "'/' or '**'",
    ),
    (
        "duplicate key",
        """\
        version: 1
        image:
          max_size: 1MB
          max_layers: 3
          max_size: 2MB   # <-
        """,
        "image.max_size",
        "twice",
    ),
    (
        "duplicate section",
        """\
        version: 1
        image:
          max_size: 1MB
        image:            # <-
          max_layers: 3
        """,
        "image",
        "twice",
    ),
    (
        "override without match",
        """\
        version: 1
        overrides:
          - image:        # <-
              max_size: 1GB
        """,
        "overrides[0]",
        "match",
    ),
]


@pytest.fixture
def lean(tmp_path: Path) -> Path:
    return write_archive(tmp_path / "img", LEAN)


def _error_line(stderr: str) -> re.Match[str]:
    first = stderr.splitlines()[0]
    match = re.fullmatch(r"auger: error: (?P<file>[^:]+):(?P<line>\d+): (?P<rest>.+)", first)
    assert match is not None, stderr
    return match


@pytest.mark.parametrize("case", INVALID, ids=[case[0] for case in INVALID])
def test_invalid_budgets_exit_2_naming_file_line_and_key(
    case: tuple[str, str, str, str], lean: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, text, key, problem = case
    write_budgets(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    result = run_auger(["check", str(lean)])
    assert result.code == 2, result
    assert result.stdout == ""
    match = _error_line(result.stderr)
    assert match["file"] == "budgets.yaml"
    assert int(match["line"]) == marked_line(text), result.stderr
    assert match["rest"].startswith(f"{key}: "), result.stderr
    assert problem in match["rest"], result.stderr


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n\n"])
def test_empty_file_exits_2(
    text: str, lean: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "budgets.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    result = run_auger(["check", str(lean)])
    assert result.code == 2
    match = _error_line(result.stderr)
    assert (match["file"], match["line"]) == ("budgets.yaml", "1")
    assert "empty" in match["rest"]


def test_error_cites_the_file_as_given(lean: Path, tmp_path: Path) -> None:
    text = """\
    version: 1
    layers:
      max_size: 12 parsecs   # <-
    """
    (tmp_path / "ci").mkdir()
    target = write_budgets(tmp_path / "ci", text, name="gate.yaml")
    result = run_auger(["check", str(lean), "--budgets", str(target)])
    assert result.code == 2
    match = _error_line(result.stderr)
    assert match["file"] == str(target)
    assert int(match["line"]) == marked_line(text)
    assert match["rest"].startswith("layers.max_size: ")


def test_auger_yaml_errors_name_it(
    lean: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_budgets(tmp_path, "version: 1\nimage:\n  max_layers: -3\n", name=".auger.yaml")
    monkeypatch.chdir(tmp_path)
    result = run_auger(["check", str(lean)])
    assert result.code == 2
    match = _error_line(result.stderr)
    assert (match["file"], match["line"]) == (".auger.yaml", "3")


def test_missing_budgets_file_exits_2(lean: Path, tmp_path: Path) -> None:
    result = run_auger(["check", str(lean), "--budgets", str(tmp_path / "nope.yaml")])
    assert result.code == 2
    assert "nope.yaml" in result.stderr
    assert result.stdout == ""


def test_errors_are_one_line(lean: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_budgets(tmp_path, 'version: 1\nimage:\n  max_size: "1MB\\n2MB"\n')
    monkeypatch.chdir(tmp_path)
    result = run_auger(["check", str(lean)])
    assert result.code == 2
    assert all(line.startswith("auger: ") for line in result.stderr.splitlines())


def test_parse_budgets_raises_budgets_error() -> None:
    with pytest.raises(BudgetsError, match=r"^b\.yaml:3: image\.max_size: "):
        parse_budgets(textwrap.dedent("version: 1\nimage:\n  max_size: 1 MiBs\n"), "b.yaml")


MANY_MISTAKES = """\
version: 2                      # <- version
image:
  max_size: 12 parsecs          # <- image.max_size
  max_layer: 3                  # <- image.max_layer
  min_efficiency: {fail: 0.9, warn: 0.8}   # <- image.min_efficiency
layers:
  max_size: {fail: 1MB, warm: 2MB}         # <- layers.max_size.warm
paths:
  - glob: var/cache/**          # <- paths[0].glob
    max_size: 0
  - advice: nothing else        # <- paths[1] paths[1]
ignore:
  - /ok/**
  - relative/**                 # <- ignore[1]
overrides:
  - image: {max_size: 1GB}      # <- overrides[0]
  - match: "*-debug"
    image: {max_layers: many}   # <- overrides[1].image.max_layers
"""


def marked_problems(text: str) -> list[tuple[int, str]]:
    """The problems ``text`` marks: each line marked ``# <- KEY [KEY...]``, once per key."""
    return [
        (number, key)
        for number, line in enumerate(text.splitlines(), start=1)
        if "# <- " in line
        for key in line.split("# <- ")[1].split()
    ]


def test_every_mistake_in_a_file_is_reported_in_the_order_of_the_file() -> None:
    with pytest.raises(BudgetsError) as raised:
        parse_budgets(MANY_MISTAKES, "b.yaml")
    found = [(problem.line, problem.key) for problem in raised.value.problems]
    assert found == marked_problems(MANY_MISTAKES)
    assert all(problem.file == "b.yaml" for problem in raised.value.problems)
    assert str(raised.value) == str(raised.value.problems[0])
    assert raised.value.more == tuple(str(problem) for problem in raised.value.problems[1:])


def test_a_path_rule_without_glob_and_size_says_both() -> None:
    with pytest.raises(BudgetsError) as raised:
        parse_budgets("version: 1\npaths:\n  - advice: x\n", "b.yaml")
    assert [problem.message for problem in raised.value.problems] == [
        "a path rule needs a glob",
        "a path rule needs max_size (0 forbids the path)",
    ]


def test_the_gate_prints_every_mistake(
    lean: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "budgets.yaml").write_text(MANY_MISTAKES, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_auger(["check", str(lean)])
    assert result.code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert all(line.startswith("auger: error: budgets.yaml:") for line in lines), lines
    assert [int(line.split(":")[3]) for line in lines] == [
        number for number, _ in marked_problems(MANY_MISTAKES)
    ]


def test_a_yaml_syntax_error_stops_the_reading() -> None:
    with pytest.raises(BudgetsError) as raised:
        parse_budgets("version: 1\nimage: [\n  max_size: 1MB\n", "b.yaml")
    assert len(raised.value.problems) == 1
    assert "YAML syntax error" in raised.value.problems[0].message


ANCHORED_MISTAKE = """\
version: 1
paths: &rules
  - glob: /ok/**
    max_size: 1MB
  - glob: no-slash
    max_size: 10 parsecs
overrides:
  - match: "a:*"
    paths: *rules
  - match: "b:*"
    paths: *rules
    image: {max_size: lots}
"""


def test_a_mistake_anchors_share_is_reported_once() -> None:
    with pytest.raises(BudgetsError) as raised:
        parse_budgets(ANCHORED_MISTAKE, "a.yaml")
    found = [(problem.line, problem.key) for problem in raised.value.problems]
    assert found == [
        (5, "paths[1].glob"),
        (6, "paths[1].max_size"),
        (12, "overrides[1].image.max_size"),
    ]


def test_passing_the_rule_limit_stops_with_every_mistake_found_before() -> None:
    many = "".join(f"  - /many/{index}\n" for index in range(MAX_RULES + 1))
    text = f"version: 1\nimage: {{max_size: lots}}\nignore:\n{many}"
    with pytest.raises(BudgetsError) as raised:
        parse_budgets(text, "r.yaml")
    messages = [str(problem) for problem in raised.value.problems]
    assert len(messages) == 2
    assert messages[0].startswith("r.yaml:1: paths: more than 1,000 path rules")
    assert messages[1].startswith("r.yaml:2: image.max_size: 'lots' is not a size")


def test_a_file_with_very_many_mistakes_lists_some_and_counts_the_rest() -> None:
    bad = "".join(f"  - no-slash-{index}\n" for index in range(MAX_SHOWN + 7))
    with pytest.raises(BudgetsError) as raised:
        parse_budgets(f"version: 1\nignore:\n{bad}", "m.yaml")
    assert len(raised.value.problems) == MAX_SHOWN + 7
    assert len(raised.value.more) == MAX_SHOWN
    assert raised.value.more[-1] == "and 7 more problems in the file"
