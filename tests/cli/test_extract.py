"""``auger extract IMAGE PATH -o DIR`` on archives built in-process."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from auger.testing.images import ImageSpec, docker_archive, oci_layout, write_directory
from tests.extraction.support import (
    LAYOUTS,
    assert_confined,
    files_under,
    layered_spec,
    write_hostile_image,
    write_image,
)
from tests.support import diagnostics_only, one_error, run_cli


@pytest.mark.parametrize("layout", LAYOUTS)
def test_extracts_a_directory_of_the_final_filesystem(tmp_path: Path, layout: str) -> None:
    reference = write_image(tmp_path, layout, layered_spec())
    result = run_cli(["extract", reference, "/app/", "-o", str(tmp_path / "out")])
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"auger: /app: 3 entries written to {tmp_path / 'out'}\n"
    assert files_under(tmp_path / "out") == {"app", "app/a", "app/b"}
    assert (tmp_path / "out" / "app" / "a").read_bytes() == b"two"


def test_extracts_one_file_quietly(tmp_path: Path) -> None:
    reference = write_image(tmp_path, "legacy", layered_spec())
    result = run_cli(["extract", reference, "app/a", "-o", str(tmp_path / "out"), "-q"])
    assert (result.code, result.stdout, result.stderr) == (0, "", "")
    assert files_under(tmp_path / "out") == {"a"}
    assert (tmp_path / "out" / "a").read_bytes() == b"two"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_hostile_image_writes_nothing_outside_the_directory(tmp_path: Path, layout: str) -> None:
    reference, outside = write_hostile_image(tmp_path, layout)
    target = tmp_path / "target"
    before = files_under(tmp_path)
    result = run_cli(["extract", reference, "/", "-o", str(target), "-q"])
    assert result.code == 0, result.stderr
    after = files_under(tmp_path)
    assert {path for path in after - before if not path.startswith("target")} == set()
    diagnostics_only(result.stderr)
    lines = result.stderr.splitlines()
    assert all(line.startswith(("auger: note: ", "auger: warning: ")) for line in lines)
    notes = [line.removeprefix("auger: note: ") for line in lines]
    assert_confined(target, outside, "\n".join(notes))
    assert stat.S_IMODE((target / "sgid").stat().st_mode) == 0o775


def test_a_path_not_in_the_image_is_one_line_and_exit_2(tmp_path: Path) -> None:
    reference = write_image(tmp_path, "oci", layered_spec())
    result = run_cli(["extract", reference, "/app/gone", "-o", str(tmp_path / "out")])
    assert one_error(result, 2) == "auger: error: /app/gone is not in the image"
    assert not (tmp_path / "out").exists()


def test_an_unreadable_image_exits_3(tmp_path: Path) -> None:
    missing = tmp_path / "missing.tar"
    result = run_cli(["extract", str(missing), "/app", "-o", str(tmp_path / "out")])
    assert one_error(result, 3) == f"auger: error: {missing} does not exist"
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(docker_archive(layered_spec())[:3000])
    result = run_cli(["extract", str(truncated), "/app", "-o", str(tmp_path / "out")])
    one_error(result, 3)
    assert not (tmp_path / "out").exists()


def test_an_output_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    reference = write_image(tmp_path, "oci", layered_spec())
    (tmp_path / "taken").write_text("a file")
    result = run_cli(["extract", reference, "/app", "-o", str(tmp_path / "taken")])
    message = one_error(result, 2)
    assert message == f"auger: error: cannot write to {tmp_path / 'taken'}: File exists"


def test_output_is_required(tmp_path: Path) -> None:
    result = run_cli(["extract", str(tmp_path / "image.tar"), "/app"])
    assert "the following arguments are required: -o/--output" in one_error(result, 2)


def test_platform_picks_the_image_to_extract_from(tmp_path: Path) -> None:
    amd64 = layered_spec()
    arm64 = ImageSpec(layers=layered_spec(b"arm").layers, architecture="arm64", variant="v8")
    root = write_directory(oci_layout([amd64, arm64]), tmp_path / "layout")
    out = str(tmp_path / "out")
    platform = ["--platform", "linux/arm64/v8"]
    result = run_cli(["extract", f"oci://{root}", "/app/a", "-o", out, "-q", *platform])
    assert result.code == 0, result.stderr
    assert (tmp_path / "out" / "a").read_bytes() == b"arm"
