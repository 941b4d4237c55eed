"""Under GitHub Actions, advice and failed layer budgets are annotated on Dockerfile lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from auger.cli.dockerfile import dockerfile_of_build
from tests.cli.test_check import parse_annotation
from tests.report.support import ATTRIBUTED_DOCKERFILE, attributed_image, write_archive
from tests.support import NO_ENGINE, run_cli

BUDGETS = "version: 1\nlayers:\n  max_size: {fail: 30kB, warn: 20kB}\n"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_archive(tmp_path, "image.tar", attributed_image())
    (tmp_path / "Dockerfile").write_text(ATTRIBUTED_DOCKERFILE, encoding="utf-8")
    (tmp_path / "budgets.yaml").write_text(BUDGETS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def annotated(argv: list[str]) -> list[tuple[str, dict[str, str], str]]:
    result = run_cli(argv, {**NO_ENGINE, "GITHUB_ACTIONS": "true"})
    assert result.code in (0, 1), result.stderr
    return [parse_annotation(line) for line in result.stderr.splitlines() if line.startswith("::")]


def test_layer_budget_and_advice_land_on_their_lines(workdir: Path) -> None:
    found = annotated(["check", "image.tar", "--dockerfile", "Dockerfile"])
    where = [
        (kind, props.get("file"), props.get("line"), props["title"]) for kind, props, _ in found
    ]
    assert where == [
        ("error", "Dockerfile", "3", "auger budget: largest layer"),  # layer 1, 41.7 kB
        ("warning", "Dockerfile", "7", "auger budget: largest layer"),  # layer 4, 25.6 kB
        ("warning", "Dockerfile", "3", "AUG008"),
        ("warning", "Dockerfile", "7", "AUG002"),
        ("warning", "Dockerfile", "3", "DL3009"),
        ("warning", "Dockerfile", "7", "AUG001"),
        ("warning", "Dockerfile", "2", "AUG011"),
        ("warning", "Dockerfile", "3", "DL3015"),
    ]
    messages = {props["title"]: message for _, props, message in found}
    assert messages["AUG008"].startswith("a build toolchain in the final stage (32.3 kB")
    assert "saves 32.3 kB" in messages["AUG008"]
    assert "packages: gcc-12, make" in messages["AUG008"]
    assert "layer 1 is 41.7 kB" in found[0][2]


def test_without_a_dockerfile_only_the_budgets(workdir: Path) -> None:
    found = annotated(["check", "image.tar"])
    assert [props["title"] for _, props, _ in found] == ["auger budget: largest layer"]
    assert found[0][1]["file"] == "budgets.yaml"


def test_the_main_command_under_ci_takes_the_dockerfile(workdir: Path) -> None:
    result = run_cli(
        ["image.tar", "--ci", "--dockerfile", "Dockerfile"], {**NO_ENGINE, "GITHUB_ACTIONS": "true"}
    )
    assert result.code == 1
    assert "::warning file=Dockerfile,line=3,title=DL3009::" in result.stderr


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["."], ("Dockerfile", [])),
        (["-t", "x:1", "ctx"], ("ctx/Dockerfile", [])),
        (["-f", "ci/Containerfile", "-t", "x", "."], ("ci/Containerfile", [])),
        (["--file=build.Dockerfile", "."], ("build.Dockerfile", [])),
        (["-fother", "."], ("other", [])),
        (
            ["--build-arg", "A=1", "--build-arg=B=2", "--no-cache", "ctx"],
            ("ctx/Dockerfile", ["A=1", "B=2"]),
        ),
        (["-q", "--pull", "--target", "final", "ctx"], ("ctx/Dockerfile", [])),
        (["-"], (None, [])),
        (["-f", "-", "."], (None, [])),
        (["https://github.com/example/app.git"], (None, [])),
        ([], (None, [])),
    ],
)
def test_the_dockerfile_of_a_docker_build_command(
    argv: list[str], expected: tuple[str | None, list[str]]
) -> None:
    assert dockerfile_of_build(argv) == expected
