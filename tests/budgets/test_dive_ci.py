"""dive's ``.dive-ci``, ``--ci-config`` and threshold flags, and where budgets are found."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from auger.budgets.discovery import discover
from auger.budgets.dive_ci import parse_dive_ci, with_flags
from auger.budgets.loader import BudgetsError
from auger.budgets.schema import Budgets, Limit
from auger.budgets.units import Ratio, Size
from tests.budgets.support import (
    BLOATED,
    BLOATED_EFFICIENCY,
    LEAN,
    marked_line,
    run_auger,
    write_archive,
    write_budgets,
)

EFFICIENCY = "min_efficiency"
WASTED = "max_dive_wasted_bytes"
USER_WASTED = "max_user_wasted_percent"


def dive_ci(text: str) -> Budgets:
    return parse_dive_ci(textwrap.dedent(text), ".dive-ci")


def fail_number(budgets: Budgets, rule: str) -> float | int | None:
    """The fail level of an image rule as a number (``None`` when disabled)."""
    value = budgets.image[rule].fail
    if value is None:
        return None
    if isinstance(value, Size):
        return value.bytes
    if isinstance(value, Ratio):
        return value.value
    return value


def assert_defaults(budgets: Budgets, *, except_: tuple[str, ...] = ()) -> None:
    """dive's defaults: efficiency 0.9, user wasted percent 0.1, wasted bytes unchecked."""
    expected = {EFFICIENCY: 0.9, WASTED: None, USER_WASTED: 0.1}
    for rule, value in expected.items():
        if rule not in except_:
            assert fail_number(budgets, rule) == value, rule


def test_three_rules() -> None:
    budgets = dive_ci(
        """\
        rules:
          lowestEfficiency: 0.95
          highestWastedBytes: 20MB
          highestUserWastedPercent: 0.2
        """
    )
    assert fail_number(budgets, EFFICIENCY) == 0.95
    assert fail_number(budgets, WASTED) == 20 * 10**6
    assert fail_number(budgets, USER_WASTED) == 0.2
    assert budgets.image[EFFICIENCY].origin == ".dive-ci:2"
    assert budgets.image[WASTED].origin == ".dive-ci:3"
    assert budgets.source == ".dive-ci"


def test_disabled() -> None:
    budgets = dive_ci(
        """\
        rules:
          lowestEfficiency: disabled
          highestWastedBytes: disabled
          highestUserWastedPercent: disabled
        """
    )
    for rule in (EFFICIENCY, WASTED, USER_WASTED):
        assert budgets.image[rule].fail is None
        assert budgets.image[rule].warn is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.5", 0.5),
        ('"0.5"', 0.5),
        ("'0.5'", 0.5),
        (".5", 0.5),
        ("+0.5", 0.5),
        ("5e-1", 0.5),
        ('"5e-1"', 0.5),
        ("0x1p-1", 0.5),
        ("0", 0.0),
        ("1", 1.0),
        ('"1"', 1.0),
    ],
)
def test_ratio_values_as_dive_accepts_them(value: str, expected: float) -> None:
    budgets = dive_ci(f"rules:\n  lowestEfficiency: {value}\n  highestUserWastedPercent: {value}\n")
    assert fail_number(budgets, EFFICIENCY) == expected
    assert fail_number(budgets, USER_WASTED) == expected


NOT_FINITE = ["NaN", "nan", ".nan", ".NaN", "inf", ".inf", "-.inf", "+Inf", "Infinity", "1e999"]


@pytest.mark.parametrize("rule", ["lowestEfficiency", "highestUserWastedPercent"])
@pytest.mark.parametrize("value", NOT_FINITE)
def test_nan_and_infinities_are_refused_with_file_line_and_key(rule: str, value: str) -> None:
    """dive takes NaN (and so never fails the rule): a gate must fail closed instead."""
    text = f"rules:\n  highestWastedBytes: 1MB\n  {rule}: {value}   # <-\n"
    with pytest.raises(BudgetsError) as raised:
        parse_dive_ci(text, ".dive-ci")
    assert str(raised.value).startswith(f".dive-ci:{marked_line(text)}: rules.{rule}: ")


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity"])
def test_nan_and_infinities_are_refused_as_flags(tmp_path: Path, value: str) -> None:
    archive = write_archive(tmp_path, BLOATED)
    result = run_auger(["check", str(archive), "-q", f"--lowestEfficiency={value}"])
    assert result.code == 2, result.stdout + result.stderr
    assert result.stderr.startswith("auger: error: --lowestEfficiency: "), result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("lowestEfficiency", "LowestEfficiency"),
        ("highestWastedBytes", "highestwastedbytes"),
        ("highestUserWastedPercent", "highestUserWastedPercent"),
    ],
)
def test_a_rule_given_twice_in_any_case_is_an_error(first: str, second: str) -> None:
    text = f"rules:\n  {first}: 0.5\n  {second}: 0.99   # <-\n"
    with pytest.raises(BudgetsError) as raised:
        parse_dive_ci(text, ".dive-ci")
    message = str(raised.value)
    assert message.startswith(f".dive-ci:{marked_line(text)}: rules.{second}: given twice")
    assert "also on line 2" in message


def test_rules_given_twice_in_any_case_is_an_error() -> None:
    text = "rules:\n  lowestEfficiency: 0.5\nRules:   # <-\n  lowestEfficiency: 0.9\n"
    with pytest.raises(BudgetsError, match=rf"^\.dive-ci:{marked_line(text)}: Rules: given twice"):
        parse_dive_ci(text, ".dive-ci")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20MB", 20 * 10**6),
        ('"20 MiB"', 20 * 2**20),
        ("20mb", 20 * 10**6),
        ("1000", 1000),
        ('"1000"', 1000),
        ("1,000", 1000),
        ("2.0", 2),
        ("1.5", 1),
        ("1e3", 1000),
        ("1.8e3", 1800),
    ],
)
def test_wasted_bytes_values_as_dive_reads_them(value: str, expected: int) -> None:
    """Unquoted numbers are read as YAML numbers first (``1e3`` is 1000 for dive's YAML)."""
    budgets = dive_ci(f"rules:\n  highestWastedBytes: {value}\n")
    assert fail_number(budgets, WASTED) == expected


def test_keys_are_case_insensitive() -> None:
    budgets = dive_ci(
        """\
        RULES:
          LOWESTEFFICIENCY: 0.5
          highestwastedbytes: 1KB
          HighestUserWastedPercent: 0.3
        """
    )
    assert fail_number(budgets, EFFICIENCY) == 0.5
    assert fail_number(budgets, WASTED) == 1000
    assert fail_number(budgets, USER_WASTED) == 0.3


@pytest.mark.parametrize("text", ["", "\n", "# nothing configured\n"])
def test_empty_file_means_dive_defaults(text: str) -> None:
    budgets = parse_dive_ci(text, ".dive-ci")
    assert_defaults(budgets)
    assert budgets.source == ".dive-ci"


def test_empty_rules_mapping_means_dive_defaults() -> None:
    """``rules:`` with every rule commented out: dive applies its defaults."""
    assert_defaults(dive_ci("rules:\n  # lowestEfficiency: 0.95\n"))


def test_missing_key_keeps_its_default() -> None:
    budgets = dive_ci("rules:\n  highestWastedBytes: 5MB\n")
    assert fail_number(budgets, WASTED) == 5 * 10**6
    assert_defaults(budgets, except_=(WASTED,))
    assert budgets.image[EFFICIENCY].origin == "dive default"


def test_null_value_keeps_its_default() -> None:
    budgets = dive_ci("rules:\n  lowestEfficiency: ~\n  highestUserWastedPercent:\n")
    assert_defaults(budgets)


BAD_VALUES: list[tuple[str, str]] = [
    ("lowestEfficiency", "1.5"),
    ("lowestEfficiency", "-0.1"),
    ("lowestEfficiency", "90%"),
    ("lowestEfficiency", '"90%"'),
    ("lowestEfficiency", ".inf"),
    ("lowestEfficiency", '"Inf"'),
    ("lowestEfficiency", '" 0.5"'),
    ("lowestEfficiency", '"0.5 "'),
    ("lowestEfficiency", '""'),
    ("lowestEfficiency", "off"),
    ("lowestEfficiency", "false"),
    ("lowestEfficiency", "1_0"),
    ("highestUserWastedPercent", "1.5"),
    ("highestUserWastedPercent", "50%"),
    ("highestWastedBytes", "off"),
    ("highestWastedBytes", "Disabled"),
    ("highestWastedBytes", '"disabled "'),
    ("highestWastedBytes", '" 20KB"'),
    ("highestWastedBytes", '"1e3"'),
    ("highestWastedBytes", "2.5.5"),
    ("highestWastedBytes", "100EB"),
    ("highestWastedBytes", "-1"),
    ("highestWastedBytes", "[1, 2]"),
]


@pytest.mark.parametrize(("rule", "value"), BAD_VALUES, ids=[f"{r}={v}" for r, v in BAD_VALUES])
def test_values_dive_rejects_name_file_line_and_key(rule: str, value: str) -> None:
    text = f"# dive rules\nrules:\n  {rule}: {value}   # <-\n"
    with pytest.raises(BudgetsError) as raised:
        parse_dive_ci(text, ".dive-ci")
    assert str(raised.value).startswith(f".dive-ci:{marked_line(text)}: rules.{rule}: ")


# Values dive 0.13.1 reports as MISCONFIGURED (each checked against dive itself).
DIVE_REJECTS = ['"0x1"', '"0x0"', '"+nan"', '"-nan"', '"\u0660.\u0665"']


@pytest.mark.parametrize("value", DIVE_REJECTS)
def test_ratio_values_dive_rejects_are_errors(value: str) -> None:
    with pytest.raises(BudgetsError, match=r"rules\.lowestEfficiency"):
        dive_ci(f"rules:\n  lowestEfficiency: {value}\n")


def test_unknown_rule_suggests_the_right_one() -> None:
    text = "rules:\n  lowestEfficency: 0.9   # <-\n"
    with pytest.raises(BudgetsError) as raised:
        parse_dive_ci(text, ".dive-ci")
    message = str(raised.value)
    assert message.startswith(f".dive-ci:{marked_line(text)}: rules.lowestEfficency: ")
    assert "did you mean 'lowestEfficiency'" in message


def test_unknown_top_level_key_suggests_rules() -> None:
    text = "rule:   # <-\n  lowestEfficiency: 0.9\n"
    with pytest.raises(BudgetsError) as raised:
        parse_dive_ci(text, ".dive-ci")
    assert str(raised.value).startswith(f".dive-ci:{marked_line(text)}: rule: ")
    assert "did you mean 'rules'" in str(raised.value)


def test_yaml_syntax_error_names_the_line() -> None:
    text = "rules:\n  lowestEfficiency: [0.9   # <-\n"
    with pytest.raises(BudgetsError, match=r"^\.dive-ci:\d+: YAML syntax error"):
        parse_dive_ci(text, ".dive-ci")


# -- flags -------------------------------------------------------------------------------------


def test_flags_override_the_file() -> None:
    budgets = dive_ci("rules:\n  lowestEfficiency: 0.99\n  highestWastedBytes: 1MB\n")
    flagged = with_flags(
        budgets,
        {"lowestEfficiency": "0.9", "highestWastedBytes": None, "highestUserWastedPercent": "0.4"},
    )
    assert fail_number(flagged, EFFICIENCY) == 0.9  # dive's default value, given explicitly
    assert flagged.image[EFFICIENCY].origin == "--lowestEfficiency"
    assert fail_number(flagged, WASTED) == 10**6  # not given: the file's value stays
    assert fail_number(flagged, USER_WASTED) == 0.4


def test_flag_disabled() -> None:
    flagged = with_flags(
        dive_ci("rules:\n  lowestEfficiency: 0.99\n"), {"lowestEfficiency": "disabled"}
    )
    assert flagged.image[EFFICIENCY] == Limit(None, None, "--lowestEfficiency")


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("lowestEfficiency", "90%"),
        ("highestUserWastedPercent", "2"),
        ("highestWastedBytes", "lots"),
    ],
)
def test_bad_flag_values_exit_2(flag: str, value: str, tmp_path: Path) -> None:
    archive = write_archive(tmp_path, LEAN)
    result = run_auger(["check", str(archive), f"--{flag}={value}"])
    assert result.code == 2
    assert re.search(rf"auger: error: --{flag}: ", result.stderr), result.stderr


def test_flags_decide_the_verdict_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = write_archive(tmp_path / "img", BLOATED)
    (tmp_path / ".dive-ci").write_text("rules:\n  lowestEfficiency: 0.99\n")
    monkeypatch.chdir(tmp_path)
    relaxed = [
        f"--lowestEfficiency={BLOATED_EFFICIENCY!r}",
        "--highestUserWastedPercent=disabled",
    ]
    assert run_auger(["check", str(archive)]).code == 1
    assert run_auger(["check", str(archive), *relaxed]).code == 0
    assert run_auger([str(archive), "--ci", *relaxed]).code == 0


def test_ci_config_flag_and_dive_ci_errors_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = write_archive(tmp_path / "img", LEAN)
    text = "rules:\n  lowestEfficiency: 90%   # <-\n"
    (tmp_path / "my-ci.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    result = run_auger(["check", str(archive), "--ci-config", "my-ci.yaml"])
    assert result.code == 2
    assert result.stderr.startswith(
        f"auger: error: my-ci.yaml:{marked_line(text)}: rules.lowestEfficiency: "
    )
    (tmp_path / ".dive-ci").write_text(text)
    result = run_auger(["check", str(archive)])
    assert result.code == 2
    assert result.stderr.startswith(
        f"auger: error: .dive-ci:{marked_line(text)}: rules.lowestEfficiency: "
    )


# -- discovery -------------------------------------------------------------------------------

BUDGETS_TEXT = "version: 1\nimage:\n  max_layers: {layers}\n"


def _setup(directory: Path, files: dict[str, int]) -> None:
    """Write each named file; budgets files cap layers at the given number, dive files set
    lowestEfficiency to it divided by 100."""
    for name, value in files.items():
        if name.endswith(".dive-ci") or name.startswith("dive"):
            (directory / name).write_text(f"rules:\n  lowestEfficiency: {value / 100}\n")
        else:
            (directory / name).write_text(BUDGETS_TEXT.format(layers=value))


DISCOVERY: list[tuple[dict[str, int], str | None, str | None, str]] = [
    ({}, None, None, "dive defaults"),
    ({".dive-ci": 50}, None, None, ".dive-ci"),
    ({".auger.yaml": 2, ".dive-ci": 50}, None, None, ".auger.yaml"),
    ({"budgets.yaml": 1, ".auger.yaml": 2, ".dive-ci": 50}, None, None, "budgets.yaml"),
    ({"budgets.yaml": 1, "other.yaml": 3}, "other.yaml", None, "other.yaml"),
    ({"other.yaml": 3, ".dive-ci": 50}, "other.yaml", None, "other.yaml"),
    ({".dive-ci": 50, "dive-other.yaml": 40}, None, "dive-other.yaml", "dive-other.yaml"),
    ({"dive-other.yaml": 40}, None, "dive-other.yaml", "dive-other.yaml"),
]


@pytest.mark.parametrize(
    "case", DISCOVERY, ids=[f"{sorted(c[0])}-{c[1]}-{c[2]}" for c in DISCOVERY]
)
def test_discovery_order(
    case: tuple[dict[str, int], str | None, str | None, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files, budgets_flag, ci_flag, expected_source = case
    _setup(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    budgets = discover(
        Path.cwd(),
        Path(budgets_flag) if budgets_flag else None,
        Path(ci_flag) if ci_flag else None,
    )
    assert budgets.source == expected_source
    if expected_source == "dive defaults":
        assert_defaults(budgets)
    elif expected_source in (".dive-ci", "dive-other.yaml"):
        assert fail_number(budgets, EFFICIENCY) == files[expected_source] / 100
        assert "max_layers" not in budgets.image
    else:
        assert fail_number(budgets, "max_layers") == files[expected_source]
        # a budgets file replaces dive's defaults entirely
        assert EFFICIENCY not in budgets.image


def test_budgets_file_rules_are_not_replaced_by_dive_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """budgets.yaml comes before --ci-config: a rule the budgets file sets keeps its value."""
    write_budgets(tmp_path, "version: 1\nimage:\n  min_efficiency: 0.1\n")
    (tmp_path / "dive.yaml").write_text("rules:\n  highestWastedBytes: disabled\n")
    monkeypatch.chdir(tmp_path)
    budgets = discover(Path.cwd(), None, Path("dive.yaml"))
    assert fail_number(budgets, EFFICIENCY) == 0.1


def test_flags_apply_over_a_budgets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_budgets(tmp_path, "version: 1\nimage:\n  min_efficiency: 0.99\n  max_layers: 3\n")
    monkeypatch.chdir(tmp_path)
    budgets = discover(Path.cwd(), dive_flags={"lowestEfficiency": "0.1"})
    assert fail_number(budgets, EFFICIENCY) == 0.1
    assert fail_number(budgets, "max_layers") == 3
    assert budgets.source == "budgets.yaml"


def test_discovery_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = write_archive(tmp_path / "img", BLOATED)
    monkeypatch.chdir(tmp_path)
    # dive's defaults fail the bloated image (efficiency below 0.9)
    assert BLOATED_EFFICIENCY < 0.9
    defaults = run_auger(["check", str(archive)])
    assert defaults.code == 1
    assert "dive defaults" in defaults.stdout
    # a .dive-ci that tolerates it passes
    (tmp_path / ".dive-ci").write_text(
        "rules:\n  lowestEfficiency: 0.1\n  highestUserWastedPercent: disabled\n"
    )
    assert run_auger(["check", str(archive)]).code == 0
    # a budgets file takes over from .dive-ci
    write_budgets(tmp_path, "version: 1\nimage:\n  max_layers: 1\n", name=".auger.yaml")
    result = run_auger(["check", str(archive)])
    assert result.code == 1
    assert ".auger.yaml" in result.stdout
    # --budgets takes over from the working directory's files
    write_budgets(tmp_path, "version: 1\nimage:\n  max_layers: 10\n", name="ok.yaml")
    assert run_auger(["check", str(archive), "--budgets", "ok.yaml"]).code == 0
