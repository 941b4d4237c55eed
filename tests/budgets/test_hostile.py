"""Budgets files written to break the gate: numbers that are not numbers, globs that are not
globs, YAML that nests or expands without end, files too large. Each is an error naming file,
line and key (exit 2), reached in bounded time; none switches a rule off."""

from __future__ import annotations

import re
import textwrap
import time
from pathlib import Path

import pytest

from auger.budgets.loader import MAX_FILE_BYTES, MAX_RULES, BudgetsError, parse_budgets
from tests.budgets.support import LEAN, marked_line, run_auger, write_archive

HUGE_HEX = "0x" + "f" * 4000
"""An integer YAML reads (past 4,300 decimal digits) that Python refuses to print."""

HOSTILE: list[tuple[str, str, str, str]] = [
    ("nan size", "image:\n  max_size: .nan   # <-\n", "image.max_size", "not a size"),
    ("inf size", "image:\n  max_size: .inf   # <-\n", "image.max_size", "not a size"),
    ("-inf size", "image:\n  max_size: -.inf   # <-\n", "image.max_size", "not a size"),
    ("nan ratio", "image:\n  max_wasted_percent: .nan   # <-\n", "image.max_wasted_percent", ""),
    (
        "inf ratio above one",
        "image:\n  max_user_wasted_percent: .inf   # <-\n",
        "image.max_user_wasted_percent",
        "not a percentage",
    ),
    ("nan efficiency", "image:\n  min_efficiency: .NaN   # <-\n", "image.min_efficiency", ""),
    ("nan text", "image:\n  min_efficiency: nan   # <-\n", "image.min_efficiency", ""),
    ("inf count", "image:\n  max_layers: .inf   # <-\n", "image.max_layers", "whole number"),
    (
        "nan warn level",
        "image:\n  max_size:\n    fail: 1MB\n    warn: .nan   # <-\n",
        "image.max_size.warn",
        "not a size",
    ),
    (
        "inf growth",
        "growth:\n  max_size_increase_percent: .inf   # <-\n",
        "growth.max_size_increase_percent",
        "",
    ),
    (
        "5,000 digits",
        f"image:\n  max_size: {'9' * 5000}   # <-\n",
        "image.max_size",
        "too many digits",
    ),
    (
        "5,000 digits and a unit",
        f"image:\n  max_size: {'9' * 5000}MB   # <-\n",
        "image.max_size",
        "too large a size",
    ),
    ("past 16 EiB", "image:\n  max_size: 20EiB   # <-\n", "image.max_size", "unknown unit"),
    (
        "past 2^64 bytes",
        "image:\n  max_size: 18446744073709551616   # <-\n",
        "image.max_size",
        "too large a size",
    ),
    ("a huge count", f"image:\n  max_layers: {HUGE_HEX}   # <-\n", "image.max_layers", "too large"),
    (
        "a huge negative count",
        f"image:\n  max_layers: -{HUGE_HEX}   # <-\n",
        "image.max_layers",
        "negative",
    ),
    (
        "a huge key",
        f"image:\n  ? {HUGE_HEX}   # <-\n  : 1\n",
        "image.a number of about 4,816 digits",
        "keys must be text",
    ),
    ("an impossible date", "image:\n  max_layers: 2001-02-30   # <-\n", "image.max_layers", ""),
    (
        "a Python tag",
        "image:\n  max_size: !!python/name:os.system x   # <-\n",
        "image.max_size",
        "constructor",
    ),
    ("bad base64", "image:\n  max_size: !!binary 'a'   # <-\n", "image.max_size", "base64"),
    ("not a boolean", "image:\n  max_size: !!bool 'x'   # <-\n", "image.max_size", "valid bool"),
    (
        "reversed range",
        "paths:\n  - glob: /[z-a]   # <-\n    max_size: 0\n",
        "paths[0].glob",
        "reversed range z-a",
    ),
    (
        "5,000 brackets",
        f"paths:\n  - glob: /{'[' * 5000}   # <-\n    max_size: 0\n",
        "paths[0].glob",
        "unclosed '['",
    ),
    ("unclosed class in ignore", "ignore:\n  - /[[[   # <-\n", "ignore[0]", "unclosed '['"),
    ("an empty name", "ignore:\n  - /var//cache   # <-\n", "ignore[0]", "an empty name"),
    ("a '..' name", "ignore:\n  - /var/../etc/**   # <-\n", "ignore[0]", "'..'"),
]


@pytest.fixture
def lean(tmp_path: Path) -> Path:
    return write_archive(tmp_path / "img", LEAN)


def error_line(stderr: str) -> re.Match[str]:
    lines = stderr.splitlines()
    assert len(lines) <= 2, stderr[:2000]
    match = re.fullmatch(r"auger: error: (?P<file>[^:]+):(?P<line>\d+): (?P<rest>.+)", lines[0])
    assert match is not None, stderr[:2000]
    return match


@pytest.mark.parametrize("case", HOSTILE, ids=[case[0] for case in HOSTILE])
def test_hostile_values_exit_2_naming_file_line_and_key(
    case: tuple[str, str, str, str], lean: Path, tmp_path: Path
) -> None:
    _, body, key, problem = case
    text = "version: 1\n" + body
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text(text, encoding="utf-8")
    result = run_auger(["check", str(lean), "--budgets", str(budgets)])
    assert result.code == 2, result.stderr[:2000]
    assert result.stdout == ""
    match = error_line(result.stderr)
    assert int(match["line"]) == marked_line(text), result.stderr[:2000]
    assert match["rest"].startswith(f"{key}: "), result.stderr[:2000]
    assert problem in match["rest"], result.stderr[:2000]
    assert "infMB" not in result.stderr
    assert len(result.stderr) < 1500


def test_nested_flow_collections_stop_at_a_bounded_depth(lean: Path, tmp_path: Path) -> None:
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text("version: 1\nimage: " + "[" * 200_000 + "]" * 200_000 + "\n")
    start = time.perf_counter()
    result = run_auger(["check", str(lean), "--budgets", str(budgets)])
    assert time.perf_counter() - start < 2
    assert result.code == 2
    match = error_line(result.stderr)
    assert match["line"] == "2"
    assert "nested more than 64 levels deep" in match["rest"]


def test_a_file_past_the_size_limit_is_refused_unread(lean: Path, tmp_path: Path) -> None:
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text("version: 1\n" + "#" * MAX_FILE_BYTES + "\n")
    result = run_auger(["check", str(lean), "--budgets", str(budgets)])
    assert result.code == 2
    assert result.stderr.startswith(f"auger: error: {budgets}: larger than 1 MiB")


def anchored(rules: int, overrides: int) -> str:
    """One list of path rules, reused through an anchor by every override."""
    lines = ["version: 1", "paths: &shared"]
    lines += [f"  - {{glob: /usr/lib/x{n}/**, max_size: 1MB}}" for n in range(rules)]
    lines.append("overrides:")
    for n in range(overrides):
        lines += [f"  - match: 'registry.example.com/team/app-{n}*'", "    paths: *shared"]
    return "\n".join(lines) + "\n"


def test_anchors_that_expand_past_the_rule_limit_are_refused_quickly(
    lean: Path, tmp_path: Path
) -> None:
    """143 KB that anchors expand to 200,000 rules: an error at the override that crosses
    the limit, in well under two seconds."""
    text = anchored(100, 2000)
    assert len(text) > 135_000
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text(text)
    start = time.process_time()
    result = run_auger(["check", str(lean), "--budgets", str(budgets)])
    assert time.process_time() - start < 2
    assert result.code == 2
    match = error_line(result.stderr)
    crossing = MAX_RULES // 100 - 1  # the top level holds 100 rules, each override 100 more
    assert match["rest"].startswith(f"overrides[{crossing}]: more than {MAX_RULES:,} path rules")
    assert int(match["line"]) == text.splitlines().index("overrides:") + 2 + 2 * crossing


def test_a_rule_shared_through_anchors_is_evaluated_and_shown_once(
    lean: Path, tmp_path: Path
) -> None:
    text = anchored(5, 150)
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text(text)
    result = run_auger(["check", str(lean), "--budgets", str(budgets)])
    assert result.code == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "bytes under" in line]
    assert len(rows) == 5
    assert result.stdout.splitlines()[-1] == "PASS: 5 passed"


def test_a_megabyte_of_budgets_checks_in_under_two_seconds(lean: Path, tmp_path: Path) -> None:
    """Just under 1 MB of distinct overrides, every one of which applies."""
    lines = ["version: 1", "overrides:"]
    size = 0
    count = 0
    while size < 950_000:
        item = [
            f"  - match: '*{count % 100}*'",
            f"    image: {{max_size: {count + 10}GB, max_layers: 200}}",
            f"    ignore: [/tmp/x{count}/**]" if count < MAX_RULES else "",
        ]
        lines += [line for line in item if line]
        size += sum(len(line) + 1 for line in item)
        count += 1
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text("\n".join(lines) + "\n")
    assert budgets.stat().st_size < 1_000_000
    start = time.process_time()
    result = run_auger(["check", str(lean), "--budgets", str(budgets)])
    elapsed = time.process_time() - start
    assert result.code == 0, result.stderr
    assert elapsed < 2, f"{elapsed:.2f} s"


def test_dive_ci_files_are_bounded_as_well(lean: Path, tmp_path: Path) -> None:
    deep = tmp_path / "deep.dive-ci"
    deep.write_text("rules: " + "{a: " * 100_000 + "1" + "}" * 100_000 + "\n")
    big = tmp_path / "big.dive-ci"
    big.write_text("rules:\n  lowestEfficiency: 0.9\n" + "#" * MAX_FILE_BYTES)
    for config, problem in [(deep, "nested more than 64"), (big, "larger than 1 MiB")]:
        result = run_auger(["check", str(lean), "--ci-config", str(config)])
        assert result.code == 2, result.stderr
        assert problem in result.stderr


def test_parse_errors_are_budgets_errors_for_any_scalar() -> None:
    """Every tag PyYAML's safe loader knows, given text it cannot read."""
    for tag in ("int", "float", "bool", "null", "timestamp", "binary", "set", "omap", "str"):
        text = textwrap.dedent(f"version: 1\nimage:\n  max_size: !!{tag} 'x-1-%'\n")
        with pytest.raises(BudgetsError, match=r"^budgets\.yaml:3: image\.max_size: "):
            parse_budgets(text, "budgets.yaml")


def test_an_adversarial_override_match_against_a_long_reference_is_quick(tmp_path: Path) -> None:
    """Override globs match the image's reference, which the command line gives."""
    archive = write_archive(tmp_path / "img", LEAN, tag="a" * 250 + ":1")
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text(
        "version: 1\noverrides:\n"
        + "".join(f"  - match: '{'*a' * n}b'\n    image: {{max_size: 1}}\n" for n in range(1, 30))
    )
    start = time.perf_counter()
    result = run_auger(["check", str(archive), "--budgets", str(budgets), "-q"])
    assert time.perf_counter() - start < 5
    assert result.code == 0, result.stderr  # no override matches: no rules at all
