"""Every rule against images built here: a lean one passes, a bloated one fails or warns.

Limits written at exactly the measured value pass; one step beyond fails. Every measured value
is computed from the sizes the test wrote (see :mod:`tests.budgets.support`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pytest

from auger.budgets.evaluate import RuleResult, Status, Style, Verdict, evaluate, judge
from auger.budgets.schema import IMAGE_METRICS, Limit
from auger.budgets.units import Size
from auger.model import ImageAnalysis
from auger.report import gate
from auger.testing.images import file
from tests.budgets.support import (
    APP,
    APP_AFTER,
    BASE,
    BLOATED,
    BLOATED_DIVE_WASTE,
    BLOATED_EFFICIENCY,
    BLOATED_FINAL,
    BLOATED_LARGEST_LAYER,
    BLOATED_LAYERS,
    BLOATED_SIZE,
    BLOATED_USER_WASTED,
    BLOATED_WASTE,
    BLOATED_WASTED_PERCENT,
    JUNK,
    LEAN,
    LEAN_SIZE,
    Layers,
    analysis_of,
    budgets_of,
    gzip_total,
    random_file,
    run_auger,
    write_archive,
    write_budgets,
    write_oci,
)
from tests.engine_support import BUSYBOX_PREAMBLE, Engine


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ImageAnalysis]:
    directory = tmp_path_factory.mktemp("images")
    return {
        "lean": analysis_of(write_archive(directory, LEAN, name="lean.tar")),
        "bloated": analysis_of(write_archive(directory, BLOATED, name="bloated.tar")),
    }


def check(analysis: ImageAnalysis, text: str, baseline: ImageAnalysis | None = None) -> Verdict:
    return evaluate(analysis, budgets_of(text), baseline)


def only(verdict: Verdict, rule: str) -> RuleResult:
    found = [result for result in verdict.results if result.rule == rule]
    assert len(found) == 1, verdict.results
    return found[0]


def rule_yaml(section: str, name: str, value: str) -> str:
    return f"version: 1\n{section}:\n  {name}: {value}\n"


@dataclass(frozen=True)
class Case:
    """A rule, a fail level the lean image passes and the bloated one fails, the bloated
    image's exact value, a value one step beyond it, and a warn spec the bloated one warns on."""

    section: str
    name: str
    fail: str
    exact: str
    beyond: str
    warn: str


def _ratio(value: float) -> str:
    return repr(value)


CASES = [
    Case("image", "max_size", "8kB", "10.5kB", str(BLOATED_SIZE - 1), "{fail: 20kB, warn: 8kB}"),
    Case(
        "image",
        "max_layers",
        "2",
        str(BLOATED_LAYERS),
        str(BLOATED_LAYERS - 1),
        "{fail: 9, warn: 2}",
    ),
    Case(
        "image",
        "max_wasted_bytes",
        "1kB",
        "6kB",
        str(BLOATED_WASTE - 1),
        "{fail: 10kB, warn: 1kB}",
    ),
    Case(
        "image",
        "max_wasted_percent",
        "10%",
        _ratio(BLOATED_WASTED_PERCENT),
        _ratio(math.nextafter(BLOATED_WASTED_PERCENT, 0)),
        "{fail: 90%, warn: 10%}",
    ),
    Case(
        "image",
        "min_efficiency",
        "0.9",
        _ratio(BLOATED_EFFICIENCY),
        _ratio(math.nextafter(BLOATED_EFFICIENCY, 1)),
        "{fail: 0.4, warn: 90%}",
    ),
    Case(
        "image",
        "max_user_wasted_percent",
        "50%",
        "100%",
        "99.99%",
        "{fail: 150%, warn: 0.5}",
    ),
    Case(
        "image",
        "max_dive_wasted_bytes",
        "1kB",
        "6.5kB",
        str(BLOATED_DIVE_WASTE - 1),
        "{fail: 1MB, warn: 1KiB}",
    ),
    Case(
        "layers",
        "max_size",
        "5kB",
        "6kB",
        str(BLOATED_LARGEST_LAYER - 1),
        "{fail: 10kB, warn: 5kB}",
    ),
]
IDS = [f"{case.section}.{case.name}" for case in CASES]


def test_the_constructed_numbers_hold(images: dict[str, ImageAnalysis]) -> None:
    """The premises of the table: the bloated image's numbers as constructed."""
    bloated = images["bloated"]
    assert bloated.size == BLOATED_SIZE == 10500
    assert bloated.wasted_bytes == BLOATED_WASTE
    assert bloated.dive.wasted_bytes == BLOATED_DIVE_WASTE
    assert bloated.dive.efficiency == BLOATED_EFFICIENCY
    assert bloated.dive.user_wasted_percent == BLOATED_USER_WASTED == 1.0
    assert images["lean"].size == LEAN_SIZE


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_lean_passes_bloated_fails(case: Case, images: dict[str, ImageAnalysis]) -> None:
    text = rule_yaml(case.section, case.name, case.fail)
    rule = f"{case.section}.{case.name}"
    lean = check(images["lean"], text)
    bloated = check(images["bloated"], text)
    assert only(lean, rule).status is Status.PASS
    assert lean.status is Status.PASS
    result = only(bloated, rule)
    assert result.status is Status.FAIL
    assert bloated.status is Status.FAIL
    assert result.origin == "budgets.yaml:3"
    direction = "at least" if case.name.startswith("min_") else "at most"
    assert gate.limit(result) == f"{direction} {SHOWN[case.fail]}"


SHOWN = {"8kB": "8 kB", "2": "2", "1kB": "1 kB", "10%": "10 %", "0.9": "90 %", "50%": "50 %"}
SHOWN |= {"5kB": "5 kB"}
"""Each case's fail level as the gate writes it: spaced, and ratios as percentages."""


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_exactly_at_the_limit_passes(case: Case, images: dict[str, ImageAnalysis]) -> None:
    verdict = check(images["bloated"], rule_yaml(case.section, case.name, case.exact))
    assert only(verdict, f"{case.section}.{case.name}").status is Status.PASS


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_one_step_beyond_fails(case: Case, images: dict[str, ImageAnalysis]) -> None:
    verdict = check(images["bloated"], rule_yaml(case.section, case.name, case.beyond))
    assert only(verdict, f"{case.section}.{case.name}").status is Status.FAIL


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_warn_levels_warn(case: Case, images: dict[str, ImageAnalysis]) -> None:
    text = rule_yaml(case.section, case.name, case.warn)
    rule = f"{case.section}.{case.name}"
    bloated = check(images["bloated"], text)
    assert only(bloated, rule).status is Status.WARN
    assert bloated.status is Status.WARN
    assert only(check(images["lean"], text), rule).status is Status.PASS


def test_measured_values(images: dict[str, ImageAnalysis]) -> None:
    verdict = check(
        images["bloated"],
        """\
        version: 1
        image:
          max_size: 1GiB
          max_layers: 100
          max_wasted_bytes: 1GB
          max_wasted_percent: 100%
          min_efficiency: 0
          max_user_wasted_percent: 1000%
          max_dive_wasted_bytes: 1GB
        layers:
          max_size: 1GB
        """,
    )
    measured = {result.rule: result.measured_value for result in verdict.results}
    assert measured == {
        "image.max_size": BLOATED_SIZE,
        "image.max_layers": BLOATED_LAYERS,
        "image.max_wasted_bytes": BLOATED_WASTE,
        "image.max_wasted_percent": BLOATED_WASTED_PERCENT,
        "image.min_efficiency": BLOATED_EFFICIENCY,
        "image.max_user_wasted_percent": BLOATED_USER_WASTED,
        "image.max_dive_wasted_bytes": BLOATED_DIVE_WASTE,
        "layers.max_size": BLOATED_LARGEST_LAYER,
    }
    assert all(result.status is Status.PASS for result in verdict.results)


def test_values_echo_the_units_written(images: dict[str, ImageAnalysis]) -> None:
    verdict = check(
        images["bloated"],
        "version: 1\nimage:\n  max_size: {fail: 1.5GiB, warn: 1 MiB}\n  max_wasted_bytes: 7kB\n",
    )
    size = only(verdict, "image.max_size")
    assert size.style is Style.IEC
    assert gate.limit(size) == "at most 1.5 GiB, warn above 1 MiB"
    assert gate.measured(size) == "0.00001 GiB"  # 10500 bytes in the fail level's unit
    wasted = only(verdict, "image.max_wasted_bytes")
    assert wasted.style is Style.SI
    assert gate.measured(wasted) == "6.0 kB"


def test_measure_and_limit_share_a_unit(images: dict[str, ImageAnalysis]) -> None:
    verdict = check(
        images["bloated"],
        "version: 1\nimage:\n  max_size: 20000\n  max_wasted_bytes: 0.5MB\n"
        "  max_wasted_percent: 0.25\n",
    )
    size = only(verdict, "image.max_size")
    assert (gate.measured(size), gate.limit(size)) == ("10,500 B", "at most 20,000 B")
    wasted = only(verdict, "image.max_wasted_bytes")
    assert (gate.measured(wasted), gate.limit(wasted)) == ("0.01 MB", "at most 0.5 MB")
    percent = only(verdict, "image.max_wasted_percent")
    assert gate.limit(percent) == "at most 25 %"
    assert gate.measured(percent).endswith(" %")


def test_results_keep_numbers_that_reports_render(images: dict[str, ImageAnalysis]) -> None:
    verdict = check(
        images["bloated"],
        "version: 1\nimage:\n  max_layers: 2\n  min_efficiency: {fail: 40%, warn: 0.95}\n",
    )
    layers = only(verdict, "image.max_layers")
    assert (layers.style, layers.measured_value, layers.fail_value) == (Style.COUNT, 3, 2)
    assert (gate.measured(layers), gate.limit(layers)) == ("3", "at most 2")
    efficiency = only(verdict, "image.min_efficiency")
    assert efficiency.style is Style.PERCENT
    assert (efficiency.fail_value, efficiency.warn_value) == (0.4, 0.95)
    assert gate.measured(efficiency) == f"{BLOATED_EFFICIENCY * 100:.2f} %"
    assert gate.limit(efficiency) == "at least 40 %, warn below 95 %"
    disabled = judge("image.max_size", IMAGE_METRICS["max_size"], Limit(None), 2000)
    assert (disabled.status, disabled.fail_value, disabled.style) == (Status.SKIP, None, Style.SI)
    assert (gate.measured(disabled), gate.limit(disabled)) == ("2,000 B", "disabled")
    skipped = judge("image.max_size", IMAGE_METRICS["max_size"], Limit(Size(1024, "1KiB")), None)
    assert (skipped.status, skipped.style) == (Status.SKIP, Style.IEC)
    assert (gate.measured(skipped), gate.limit(skipped)) == ("—", "at most 1 KiB")


def test_layer_rule_names_the_layer(images: dict[str, ImageAnalysis]) -> None:
    result = only(
        check(images["bloated"], rule_yaml("layers", "max_size", "4500")), "layers.max_size"
    )
    assert result.status is Status.FAIL
    assert "layer 1" in result.detail
    assert "layer 0" not in result.detail  # BASE (4000) is within the limit


# -- compressed size ---------------------------------------------------------------------------

SMALL: Layers = [[random_file("a", 3000, 1)]]
LARGE: Layers = [[random_file("a", 3000, 1)], [random_file("b", 6000, 2)]]


def test_compressed_size_of_gzip_layouts(tmp_path: Path) -> None:
    small = analysis_of(f"oci://{write_oci(tmp_path / 'small', SMALL)}")
    large = analysis_of(f"oci://{write_oci(tmp_path / 'large', LARGE)}")
    limit = gzip_total(SMALL)
    assert gzip_total(LARGE) > limit
    text = rule_yaml("image", "max_compressed_size", str(limit))
    at_limit = only(check(small, text), "image.max_compressed_size")
    assert at_limit.status is Status.PASS
    assert at_limit.measured_value == limit
    assert only(check(large, text), "image.max_compressed_size").status is Status.FAIL
    below = rule_yaml("image", "max_compressed_size", str(limit - 1))
    assert only(check(small, below), "image.max_compressed_size").status is Status.FAIL
    warn = rule_yaml("image", "max_compressed_size", f"{{fail: 1MB, warn: {limit}}}")
    assert only(check(large, warn), "image.max_compressed_size").status is Status.WARN


def test_compressed_size_is_skipped_for_docker_archives(images: dict[str, ImageAnalysis]) -> None:
    verdict = check(images["bloated"], rule_yaml("image", "max_compressed_size", "1"))
    result = only(verdict, "image.max_compressed_size")
    assert result.status is Status.SKIP
    assert result.measured_value is None
    assert verdict.status is Status.PASS


# -- paths -------------------------------------------------------------------------------------


def paths_yaml(glob: str, max_size: str, advice: str | None = None) -> str:
    text = f'version: 1\npaths:\n  - glob: "{glob}"\n    max_size: {max_size}\n'
    return text + (f'    advice: "{advice}"\n' if advice else "")


def test_path_cap(images: dict[str, ImageAnalysis]) -> None:
    # the bloated image ends with /app at APP_AFTER bytes, the lean one at APP
    text = paths_yaml("/ap*", str(APP_AFTER), advice="keep /app small")
    passed = only(check(images["bloated"], text), "paths[0]")
    assert passed.status is Status.PASS
    assert passed.measured_value == APP_AFTER
    failed = only(check(images["lean"], text), "paths[0]")
    assert failed.status is Status.FAIL
    assert failed.measured_value == APP
    assert "/app" in failed.detail
    assert failed.advice == "keep /app small"
    below = only(check(images["bloated"], paths_yaml("/app", str(APP_AFTER - 1))), "paths[0]")
    assert below.status is Status.FAIL


def test_path_cap_sums_every_match(images: dict[str, ImageAnalysis]) -> None:
    exact = only(check(images["bloated"], paths_yaml("/**", str(BLOATED_FINAL))), "paths[0]")
    assert exact.status is Status.PASS
    assert exact.measured_value == BLOATED_FINAL
    over = only(check(images["bloated"], paths_yaml("/**", str(BLOATED_FINAL - 1))), "paths[0]")
    assert over.status is Status.FAIL


def test_path_warn(images: dict[str, ImageAnalysis]) -> None:
    text = paths_yaml("/app", "{fail: 2kB, warn: 400B}")
    assert only(check(images["bloated"], text), "paths[0]").status is Status.WARN


def test_path_forbid(images: dict[str, ImageAnalysis], tmp_path: Path) -> None:
    text = paths_yaml("/junk", "0", advice="delete junk in the same RUN")
    # the bloated image deleted /junk: nothing remains to forbid
    gone = only(check(images["bloated"], text), "paths[0]")
    assert gone.status is Status.PASS
    kept = analysis_of(write_archive(tmp_path, [[file("base", BASE)], [file("junk", JUNK)]]))
    result = only(check(kept, text), "paths[0]")
    assert result.status is Status.FAIL
    assert "/junk" in result.detail
    assert result.advice == "delete junk in the same RUN"


def test_forbidden_empty_file_fails(tmp_path: Path) -> None:
    empty = analysis_of(write_archive(tmp_path, [[file("base", BASE)], [file("junk", b"")]]))
    result = only(check(empty, paths_yaml("/junk", "0")), "paths[0]")
    assert result.status is Status.FAIL
    assert gate.message(result) == "files under /junk: 1 file present, none allowed (/junk (0 B))"
    assert "/junk" in result.detail


def test_forbidden_empty_file_reports_zero_bytes(tmp_path: Path) -> None:
    """The machine-readable measured value of an empty forbidden file is its size, 0."""
    empty = analysis_of(write_archive(tmp_path, [[file("base", BASE)], [file("junk", b"")]]))
    result = only(check(empty, paths_yaml("/junk", "0")), "paths[0]")
    assert result.measured_value == 0


def test_path_rules_see_the_final_filesystem_only(images: dict[str, ImageAnalysis]) -> None:
    # /junk was stored (JUNK bytes) but deleted: a cap of 0 on it holds
    result = only(check(images["bloated"], paths_yaml("/ju?k", "0")), "paths[0]")
    assert result.status is Status.PASS
    assert result.measured_value == 0


# -- ignore ------------------------------------------------------------------------------------


@pytest.mark.parametrize("glob", ["/junk", "**/junk", "/ju*"])
def test_ignore_removes_waste(glob: str, images: dict[str, ImageAnalysis]) -> None:
    rules = f"image:\n  max_wasted_bytes: {APP}\n  max_wasted_percent: {APP / BLOATED_SIZE!r}\n"
    without = check(images["bloated"], f"version: 1\n{rules}")
    assert only(without, "image.max_wasted_bytes").status is Status.FAIL
    with_ignore = check(images["bloated"], f'version: 1\n{rules}ignore:\n  - "{glob}"\n')
    wasted = only(with_ignore, "image.max_wasted_bytes")
    assert wasted.status is Status.PASS
    assert wasted.measured_value == BLOATED_WASTE - JUNK == APP
    assert only(with_ignore, "image.max_wasted_percent").status is Status.PASS


def test_ignore_matching_nothing_changes_nothing(images: dict[str, ImageAnalysis]) -> None:
    verdict = check(
        images["bloated"],
        "version: 1\nimage:\n  max_wasted_bytes: 1GB\nignore:\n  - /nothing/**\n",
    )
    assert only(verdict, "image.max_wasted_bytes").measured_value == BLOATED_WASTE


def test_ignore_leaves_dives_numbers_alone(images: dict[str, ImageAnalysis]) -> None:
    verdict = check(
        images["bloated"],
        "version: 1\nimage:\n  max_dive_wasted_bytes: 1GB\nignore:\n  - /junk\n",
    )
    assert only(verdict, "image.max_dive_wasted_bytes").measured_value == BLOATED_DIVE_WASTE


# -- growth ------------------------------------------------------------------------------------

GROWTH = BLOATED_SIZE - LEAN_SIZE


@pytest.mark.parametrize(
    ("name", "fail", "exact", "beyond"),
    [
        ("max_size_increase", "5kB", "5.5kB", str(GROWTH - 1)),
        (
            "max_size_increase_percent",
            "100%",
            f"{GROWTH * 100 // LEAN_SIZE}%",
            f"{GROWTH * 100 // LEAN_SIZE - 1}%",
        ),
    ],
)
def test_growth(
    name: str, fail: str, exact: str, beyond: str, images: dict[str, ImageAnalysis]
) -> None:
    lean, bloated = images["lean"], images["bloated"]
    rule = f"growth.{name}"
    assert GROWTH == 5500 and GROWTH * 100 % LEAN_SIZE == 0
    text = rule_yaml("growth", name, fail)
    assert only(check(lean, text, baseline=lean), rule).status is Status.PASS
    assert only(check(bloated, text, baseline=lean), rule).status is Status.FAIL
    # shrinking is never growth
    assert only(check(lean, text, baseline=bloated), rule).status is Status.PASS
    at = only(check(bloated, rule_yaml("growth", name, exact), baseline=lean), rule)
    assert at.status is Status.PASS
    over = only(check(bloated, rule_yaml("growth", name, beyond), baseline=lean), rule)
    assert over.status is Status.FAIL
    warn = rule_yaml("growth", name, f"{{fail: {exact}, warn: {fail}}}")
    assert only(check(bloated, warn, baseline=lean), rule).status is Status.WARN
    skipped = only(check(bloated, text), rule)
    assert skipped.status is Status.SKIP
    assert "baseline" in skipped.detail


def test_growth_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lean = write_archive(tmp_path, LEAN, name="lean.tar")
    bloated = write_archive(tmp_path, BLOATED, name="bloated.tar")
    write_budgets(tmp_path, rule_yaml("growth", "max_size_increase", "5kB"))
    monkeypatch.chdir(tmp_path)
    assert run_auger(["check", str(bloated), "--baseline", str(lean)]).code == 1
    assert run_auger(["check", str(lean), "--baseline", str(lean)]).code == 0
    skipped = run_auger(["check", str(bloated)])
    assert skipped.code == 0
    assert "SKIP" in skipped.stdout


# -- overrides ---------------------------------------------------------------------------------

OVERRIDE = """\
version: 1
image:
  max_size: 8kB
  max_layers: 2
overrides:
  - match: "*-debug:*"
    image:
      max_size: 20kB
    paths:
      - glob: /base
        max_size: 0
"""


def test_override_by_reference_glob(tmp_path: Path) -> None:
    plain = analysis_of(write_archive(tmp_path, BLOATED, tag="app:1", name="plain.tar"))
    debug = analysis_of(write_archive(tmp_path, BLOATED, tag="app-debug:1", name="debug.tar"))
    plain_verdict = check(plain, OVERRIDE)
    assert only(plain_verdict, "image.max_size").status is Status.FAIL
    assert [r.rule for r in plain_verdict.results if r.rule.startswith("paths")] == []
    debug_verdict = check(debug, OVERRIDE)
    assert only(debug_verdict, "image.max_size").status is Status.PASS
    # rules the override does not name stay; its path rules are added
    assert only(debug_verdict, "image.max_layers").status is Status.FAIL
    assert only(debug_verdict, "paths[0]").status is Status.FAIL


def test_verdict_summary(images: dict[str, ImageAnalysis]) -> None:
    verdict = check(
        images["bloated"],
        """\
        version: 1
        image:
          max_size: 1kB
          max_layers: {fail: 10, warn: 1}
          max_compressed_size: 1MB
          max_dive_wasted_bytes: 1GB
        """,
    )
    assert [r.status for r in verdict.results] == [
        Status.FAIL,
        Status.SKIP,
        Status.WARN,
        Status.PASS,
    ]
    assert verdict.status is Status.FAIL
    assert verdict.summary() == "FAIL: 1 failed, 1 warned, 1 passed, 1 skipped"


# -- engine-built images -----------------------------------------------------------------------

APT_LISTS = 5000
SCRATCH = 3000
ENGINE_BAD = (
    BUSYBOX_PREAMBLE
    + f"""\
RUN mkdir -p /var/lib/apt/lists /tmp && yes x | head -c {APT_LISTS} > /var/lib/apt/lists/pkgs \\
    && yes y | head -c {SCRATCH} > /tmp/scratch
RUN rm /tmp/scratch
"""
)
"""Leaves apt lists behind and deletes a file a layer after writing it (SCRATCH bytes wasted)."""
ENGINE_GOOD = (
    BUSYBOX_PREAMBLE
    + f"""\
RUN mkdir -p /var/lib/apt/lists /tmp && yes x | head -c {APT_LISTS} > /var/lib/apt/lists/pkgs \\
    && yes y | head -c {SCRATCH} > /tmp/scratch && rm -rf /var/lib/apt/lists/* /tmp/scratch
"""
)
"""Cleans up in the same RUN: nothing left, nothing wasted."""
ENGINE_BUDGETS = f"""\
version: 1
image:
  max_wasted_bytes: {SCRATCH - 1}
paths:
  - glob: /var/lib/apt/lists/**
    max_size: 0
growth:
  max_size_increase: {APT_LISTS + SCRATCH - 1}
"""


@pytest.mark.engine
def test_engine_images_pass_and_fail(
    engine: Engine, busybox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = engine.build(tmp_path / "good", ENGINE_GOOD, busybox=busybox)
    bad = engine.build(tmp_path / "bad", ENGINE_BAD, busybox=busybox)
    write_budgets(tmp_path, ENGINE_BUDGETS)
    monkeypatch.chdir(tmp_path)
    passed = run_auger(["check", good, "--format", "json"], engine=True)
    assert passed.code == 0, passed.stderr
    failed = run_auger(["check", bad, "--baseline", good, "--format", "json"], engine=True)
    assert failed.code == 1, failed.stderr
    statuses = {rule["rule"]: rule for rule in json.loads(failed.stdout)["rules"]}
    assert statuses["image.max_wasted_bytes"]["status"] == "fail"
    assert statuses["image.max_wasted_bytes"]["measuredValue"] >= SCRATCH
    assert statuses["paths[0]"]["status"] == "fail"
    assert statuses["paths[0]"]["measuredValue"] == APT_LISTS
    assert statuses["growth.max_size_increase"]["status"] == "fail"
    assert statuses["growth.max_size_increase"]["measuredValue"] >= APT_LISTS + SCRATCH
    good_statuses = {rule["rule"]: rule["status"] for rule in json.loads(passed.stdout)["rules"]}
    assert good_statuses == {
        "image.max_wasted_bytes": "pass",
        "paths[0]": "pass",
        "growth.max_size_increase": "skip",
    }
