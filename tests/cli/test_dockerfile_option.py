"""``--dockerfile``: a file that cannot be read or parsed is one line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.support import attributed_image, write_archive
from tests.support import one_error, run_cli


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return write_archive(tmp_path, "image.tar", attributed_image())


def test_a_missing_dockerfile(archive: Path, tmp_path: Path) -> None:
    result = run_cli(["report", str(archive), "--dockerfile", str(tmp_path / "nope")])
    error = one_error(result, 2)
    assert "cannot read the Dockerfile" in error and "nope" in error


def test_a_broken_dockerfile_names_its_line(archive: Path, tmp_path: Path) -> None:
    broken = tmp_path / "Dockerfile"
    broken.write_text("FROM a\nRUN <<EOF\necho never ends\n")
    error = one_error(run_cli(["report", str(archive), "--dockerfile", str(broken)]), 2)
    assert "Dockerfile: line 2: heredoc EOF is not terminated" in error


def test_a_dockerfile_that_did_not_build_the_image_is_a_note(archive: Path, tmp_path: Path) -> None:
    other = tmp_path / "Dockerfile"
    other.write_text("FROM alpine\nRUN echo something else\n")
    result = run_cli(["report", str(archive), "--dockerfile", str(other), "--format", "json"])
    assert result.code == 0, result.stderr
    assert '"instruction": null' in result.stdout
    assert "does not match layer 4" in result.stdout


def test_build_args_substitute(archive: Path, tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM debian\nARG DIR=/nope\nRUN x\nWORKDIR $DIR\nCOPY . .\nRUN npm ci\n")
    result = run_cli(
        ["report", str(archive), "--dockerfile", str(dockerfile), "--build-arg", "DIR=/app"]
    )
    assert result.code == 0, result.stderr
    assert "Dockerfile:4" in result.stdout
    error = one_error(
        run_cli(["report", str(archive), "--dockerfile", str(dockerfile), "--build-arg", "=x"]), 2
    )
    assert "expected NAME=VALUE" in error
