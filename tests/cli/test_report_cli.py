"""``auger report`` and ``auger diff`` on the command line: formats, output files, the JSON
contract, budgets found in the working directory, and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auger.testing.images import oci_layout, tar_of
from tests.report.support import (
    BUDGETS_YAML,
    CLEANUP,
    base_image,
    head_image,
    table_rows,
    write_archive,
)
from tests.support import CliResult, run_cli


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("images")
    oci = directory / "head-oci.tar"
    oci.write_bytes(tar_of(oci_layout([head_image()], compression="gzip")))
    return {
        "base": write_archive(directory, "base.tar", base_image()),
        "head": write_archive(directory, "head.tar", head_image()),
        "oci": oci,
    }


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory (no budgets file unless a test writes one)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def report(images: dict[str, Path], *options: str) -> CliResult:
    return run_cli(["report", str(images["head"]), *options])


def report_json(images: dict[str, Path], *options: str) -> dict[str, Any]:
    result = report(images, "--format", "json", *options)
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


# -- formats and output ---------------------------------------------------------------------------


def test_markdown_to_stdout_by_default(images: dict[str, Path], cwd: Path) -> None:
    result = report(images)
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("<!-- auger-report -->\n## auger: `example:head`\n")
    assert "### Wasted space" in result.stdout
    assert result.stdout == report(images, "--format", "markdown").stdout


def test_output_file(images: dict[str, Path], cwd: Path) -> None:
    target = cwd / "comment.md"
    target.write_text("an older report\n", encoding="utf-8")
    result = report(images, "-o", str(target))
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"auger: wrote {target}\n"
    assert target.read_text(encoding="utf-8") == report(images).stdout
    assert sorted(path.name for path in cwd.iterdir()) == ["comment.md"], "no temporary left"
    quiet = report(images, "--output", str(target), "--format", "json", "--quiet")
    assert (quiet.code, quiet.stdout, quiet.stderr) == (0, "", "")
    assert json.loads(target.read_text(encoding="utf-8"))["schemaVersion"] == 1


def test_an_output_file_that_cannot_be_written_is_a_usage_error(
    images: dict[str, Path], cwd: Path
) -> None:
    result = report(images, "-o", str(cwd / "missing" / "comment.md"))
    assert result.code == 2
    assert result.stderr.startswith("auger: error: cannot write ")


def test_text_format(images: dict[str, Path], cwd: Path) -> None:
    result = report(images, "--format", "text")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("auger report: example:head\n")
    assert "\nAdvice:\n" in result.stdout
    assert "\nLayers:\n" in result.stdout


def test_text_report_shows_the_baseline_delta_in_bytes_and_percent(
    images: dict[str, Path], cwd: Path
) -> None:
    """The headline gives the delta against the baseline in bytes and % (issue 4), as the
    Markdown report does (``+11.0 kB (+81.28%)``)."""
    result = report(images, "--baseline", str(images["base"]), "--format", "text")
    assert result.code == 0, result.stderr
    headline = next(line for line in result.stdout.splitlines() if "vs baseline" in line)
    assert "+11.0 kB" in headline
    assert "81.28" in headline, headline


def test_text_report_shows_what_each_layer_hid(images: dict[str, Path], cwd: Path) -> None:
    """Each layer lists the bytes of earlier layers it hid (issue 4); layer 4 hid 6.2 kB."""
    result = report(images, "--format", "text")
    layers = result.stdout.split("\nLayers:\n", 1)[1].splitlines()
    assert "6.2 kB" in layers[4], layers[4]


# -- the JSON contract ----------------------------------------------------------------------------


def test_json_headline(images: dict[str, Path], cwd: Path) -> None:
    data = report_json(images)
    assert data["schemaVersion"] == 1
    image = data["image"]
    assert image["reference"] == str(images["head"])
    assert image["name"] == "example:head"
    assert image["sizeBytes"] == 24571
    assert image["finalSizeBytes"] == 24571 - 7924
    assert image["wastedBytes"] == 7924
    assert image["wastedPercent"] == pytest.approx(7924 / 24571)
    assert 0 < image["efficiency"] <= 1
    assert image["compressedSizeBytes"] is None, "a docker save archive has no compressed size"
    assert data["baseline"] is None
    assert data["budgets"] is None, "no budgets file in the working directory"


def test_json_baseline_delta(images: dict[str, Path], cwd: Path) -> None:
    data = report_json(images, "--baseline", str(images["base"]))
    assert data["baseline"] == {
        "reference": str(images["base"]),
        "sizeBytes": 13554,
        "sizeDeltaBytes": 24571 - 13554,
        "sizeDeltaRatio": pytest.approx((24571 - 13554) / 13554),
        "removedLayers": [],
    }
    # layer 2 is the baseline's layer 2 grown (the same command at the same place), 3 to 5 new
    assert [layer["deltaBytes"] for layer in data["layers"]] == [0, 0, 4971, 4450, 900, 696]
    assert [layer["baseline"]["change"] for layer in data["layers"]] == [
        "unchanged",
        "unchanged",
        "changed",
        "added",
        "added",
        "added",
    ]


def test_json_layers_have_their_waste_and_full_command(images: dict[str, Path], cwd: Path) -> None:
    layers = report_json(images)["layers"]
    assert [layer["index"] for layer in layers] == list(range(6))
    assert [layer["storedWastedBytes"] for layer in layers] == [24, 3300, 4250, 350, 0, 0]
    assert [layer["causedWastedBytes"] for layer in layers] == [0, 0, 0, 800, 6150, 974]
    assert layers[4]["createdBy"] == CLEANUP.created_by
    assert len(CLEANUP.created_by) > 100, "longer than any shortened command"
    assert all(layer["diffId"].startswith("sha256:") for layer in layers)


def test_json_waste_groups_have_cause_and_advice(images: dict[str, Path], cwd: Path) -> None:
    data = report_json(images)
    waste = {group["path"]: group for group in data["waste"]}
    assert waste["/app/build"] == {
        "path": "/app/build",
        "sizeBytes": 2400,
        "files": 3,
        "cause": "deleted",
        "storedIn": [2],
        "hiddenBy": 4,
        "advice": ["AUG009"],
        "folded": 0,
    }
    assert waste["/srv/www/*"]["cause"] == "replaced-by-opaque"
    assert waste["/app/main.py"]["advice"] == ["AUG010"]
    sizes = [group["sizeBytes"] for group in data["waste"]]
    assert sizes == sorted(sizes, reverse=True)
    assert [group["path"] for group in data["churn"]] == ["/var/lib/dpkg/status"]


def test_json_advice_list(images: dict[str, Path], cwd: Path) -> None:
    advice = {item["id"]: item for item in report_json(images)["advice"]}
    assert set(advice) == {
        "AUG003",
        "AUG004",
        "AUG007",
        "AUG009",
        "AUG010",
        "DL3009",
        "DL3015",
        "DL3042",
        "DL3059",
    }
    assert advice["DL3009"]["sizeBytes"] == 4000
    assert advice["DL3009"]["layers"] == [1]
    assert advice["DL3009"]["fix"]
    assert advice["DL3009"]["examples"] == [
        "/var/lib/apt/lists/deb.example.org_dists_stable_main_binary-amd64_Packages"
    ]


def test_json_budgets_verdict_from_the_working_directory(
    images: dict[str, Path], cwd: Path
) -> None:
    (cwd / "budgets.yaml").write_text(BUDGETS_YAML, encoding="utf-8")
    budgets = report_json(images)["budgets"]
    assert budgets["verdict"] == "fail"
    assert budgets["budgets"] == "budgets.yaml"
    assert {rule["rule"]: rule["status"] for rule in budgets["rules"]} == {
        "image.max_size": "warn",
        "image.max_wasted_percent": "fail",
        "image.min_efficiency": "pass",
        "paths[0]": "fail",
        "growth.max_size_increase": "skip",
    }
    with_baseline = report_json(images, "--baseline", str(images["base"]))["budgets"]
    growth = next(r for r in with_baseline["rules"] if r["rule"] == "growth.max_size_increase")
    assert growth["status"] == "warn"


def test_budgets_from_a_dive_ci_file_or_an_explicit_file(
    images: dict[str, Path], cwd: Path
) -> None:
    (cwd / ".dive-ci").write_text("rules:\n  lowestEfficiency: 0.99\n", encoding="utf-8")
    assert report_json(images)["budgets"]["verdict"] == "fail"
    explicit = cwd / "other.yaml"
    explicit.write_text("version: 1\nimage:\n  max_layers: 40\n", encoding="utf-8")
    budgets = report_json(images, "--budgets", str(explicit))["budgets"]
    assert budgets["verdict"] == "pass"
    assert [rule["rule"] for rule in budgets["rules"]] == ["image.max_layers"]


def test_markdown_shows_the_verdict_only_with_budgets(images: dict[str, Path], cwd: Path) -> None:
    assert "<summary>Budgets</summary>" not in report(images).stdout
    (cwd / "budgets.yaml").write_text(BUDGETS_YAML, encoding="utf-8")
    markdown = report(images).stdout
    assert "❌ FAIL: 2 failed, 1 warned, 1 passed, 1 skipped" in markdown
    assert "<summary>Budgets</summary>" in markdown


def test_compressed_size_when_the_source_knows_it(images: dict[str, Path], cwd: Path) -> None:
    result = run_cli(["report", f"oci-archive://{images['oci']}", "--format", "json"])
    assert result.code == 0, result.stderr
    compressed = json.loads(result.stdout)["image"]["compressedSizeBytes"]
    assert isinstance(compressed, int)
    assert 0 < compressed < 24571
    markdown = run_cli(["report", f"oci-archive://{images['oci']}"]).stdout
    size, shown = table_rows(markdown)[0][:2]
    assert size == "24.6 kB"
    assert shown not in ("", "—"), "the compressed size is in the headline"


# -- exit codes -----------------------------------------------------------------------------------


def one_error(result: CliResult, code: int) -> None:
    assert result.code == code, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("auger: error: "), result.stderr
    assert all(line.startswith("auger: hint: ") for line in lines[1:]), result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "missing.tar"],
        ["report", "docker-archive://missing.tar"],
        ["report", "auger-test-no-such-image:latest"],
        ["diff", "missing.tar", "missing.tar"],
    ],
)
def test_a_missing_image_exits_3(argv: list[str], cwd: Path) -> None:
    one_error(run_cli(argv), 3)


def test_a_missing_baseline_exits_3(images: dict[str, Path], cwd: Path) -> None:
    one_error(report(images, "--baseline", str(cwd / "missing.tar")), 3)
    one_error(run_cli(["diff", str(images["base"]), str(cwd / "missing.tar")]), 3)


@pytest.mark.parametrize(
    "options",
    [
        ["--bogus"],
        ["--format", "pdf"],
        ["--format"],
        ["--baseline"],
        ["-o"],
    ],
)
def test_a_bad_flag_exits_2(options: list[str], images: dict[str, Path], cwd: Path) -> None:
    one_error(report(images, *options), 2)


@pytest.mark.parametrize("argv", [["report"], ["diff", "only-one.tar"], ["diff", "--format", "x"]])
def test_missing_arguments_exit_2(argv: list[str], cwd: Path) -> None:
    one_error(run_cli(argv), 2)


def test_an_invalid_budgets_file_exits_2(images: dict[str, Path], cwd: Path) -> None:
    (cwd / "budgets.yaml").write_text("version: 1\nimage:\n  max_size: lots\n", encoding="utf-8")
    result = report(images)
    one_error(result, 2)
    assert "budgets.yaml" in result.stderr


@pytest.mark.parametrize("command", ["report", "diff"])
def test_help_exits_0(command: str) -> None:
    result = run_cli([command, "--help"])
    assert result.code == 0
    assert f"auger {command}" in result.stdout
    assert "--format" in result.stdout
    assert "--marker" in result.stdout


def test_diff_defaults_to_text_and_exits_0(images: dict[str, Path], cwd: Path) -> None:
    result = run_cli(["diff", str(images["base"]), str(images["head"])])
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("auger diff: example:base -> example:head\n")
    data = run_cli(["diff", str(images["base"]), str(images["head"]), "--format", "json"])
    assert data.code == 0
    parsed = json.loads(data.stdout)
    assert parsed["schemaVersion"] == 1
    assert parsed["sharedLayers"] == 2
