"""``auger whatif``: changes simulated on an image's layers, before and after."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.report.support import attributed_image, write_archive
from tests.support import one_error, run_cli


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(write_archive(tmp_path_factory.mktemp("whatif"), "image.tar", attributed_image()))


def whatif(*argv: str) -> dict[str, object]:
    result = run_cli(["whatif", *argv, "--format", "json"])
    assert result.code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_dropping_the_apt_lists(archive: str) -> None:
    data = whatif(archive, "--drop", "/var/lib/apt/lists/**")
    assert data["saves_bytes"] == 8000
    assert data["changes"] == ["drop /var/lib/apt/lists/**"]
    before, after = data["before"], data["after"]
    assert isinstance(before, dict) and isinstance(after, dict)
    assert before["sizeBytes"] - after["sizeBytes"] == 8000
    assert after["layers"] == before["layers"] == 5


def test_without_packages_and_squash(archive: str) -> None:
    data = whatif(archive, "--without-package", "gcc-12", "--without-package", "typescript")
    assert isinstance(data["saves_bytes"], int) and data["saves_bytes"] > 32000 + 20000
    squashed = whatif(archive, "--squash", "2-4")
    after = squashed["after"]
    assert isinstance(after, dict) and after["layers"] == 3


def test_applying_advice_saves_what_the_report_says(archive: str) -> None:
    report = run_cli(["report", archive, "--format", "json"])
    advice = {item["id"]: item["saves_bytes"] for item in json.loads(report.stdout)["advice"]}
    for advice_id in ("AUG008", "AUG002", "DL3009", "AUG001", "AUG011"):
        assert whatif(archive, "--apply-advice", advice_id)["saves_bytes"] == advice[advice_id]


def test_the_text_table(archive: str) -> None:
    result = run_cli(["whatif", archive, "--apply-advice", "dl3009", "--squash", "3-4"])
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1:3] == ["  squash layers 3-4", "  apply advice DL3009"]
    header = lines[3].split()
    assert header == ["before", "after", "change"]
    assert lines[4].startswith("  size ")
    assert lines[4].rstrip().endswith("-8.0 kB")
    assert lines[-2].split()[-3:] == ["5", "4", "-1"]
    assert lines[-1] == "saves 8.0 kB"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "needs a change"),
        (["--squash", "3"], "expected A-B"),
        (["--squash", "3-9"], "the image has 5"),
        (["--without-package", "nope"], "no package nope in the image"),
        (["--apply-advice", "DL9999"], "gives no such advice for this image (it gives: AUG001"),
    ],
)
def test_bad_changes_are_usage_errors(archive: str, argv: list[str], message: str) -> None:
    assert message in one_error(run_cli(["whatif", archive, *argv]), 2)


def test_advice_with_nothing_to_simulate_says_so(archive: str) -> None:
    result = run_cli(["whatif", archive, "--apply-advice", "DL3015", "-q"])
    assert result.code == 0
    assert "DL3015 changes no file auger can see" in result.stderr
    assert result.stdout.splitlines()[-1] == "saves 0 B"


def test_whatif_of_an_unreadable_image(tmp_path: Path) -> None:
    one_error(run_cli(["whatif", str(tmp_path / "missing.tar"), "--drop", "/x"]), 3)
