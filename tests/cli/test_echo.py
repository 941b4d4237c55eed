"""Huge input echoed in messages is cut to a readable length: a 100,000-character reference,
an archive naming 2,000 images. Every message stays one line of at most about a thousand
characters, keeps its start and its end (where the cause is), and says what was cut."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from auger.clipping import LINE_LIMIT, clip, clip_list, clip_value
from auger.testing.images import ImageSpec, LayerSpec, file, layer_tar, oci_layout, write_directory
from tests.budgets.support import LEAN, write_archive
from tests.support import run_cli

HUGE = "a" * 100_000


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert 1 <= len(lines) <= 2, stderr[:3000]
    assert lines[0].startswith("auger: error: "), lines[0][:300]
    assert all(len(line) < LINE_LIMIT + 100 for line in lines), [len(line) for line in lines]
    return lines[0]


@pytest.mark.parametrize(
    ("reference", "code", "ending"),
    [
        (f"./{HUGE}.tar", 3, "File name too long"),
        (f"docker-archive://{HUGE}", 3, "File name too long"),
        (f"oci://{HUGE}", 3, "File name too long"),
        (f"oci-archive://{HUGE}", 3, "File name too long"),
        (f"ftp://{HUGE}", 2, ""),
        (f"{HUGE}://x", 2, ""),
    ],
    ids=["path", "docker-archive", "oci", "oci-archive", "scheme", "long-scheme"],
)
def test_a_huge_reference_is_clipped(reference: str, code: int, ending: str) -> None:
    result = run_cli(["check", reference, "-q"])
    assert result.code == code, result.stderr[:500]
    line = one_line(result.stderr)
    assert "characters cut]" in line
    assert line.endswith(ending)


def test_a_huge_image_name_is_one_line() -> None:
    """A name for the engine (none is reachable here): the message need not quote it."""
    result = run_cli(["check", HUGE, "-q"])
    assert result.code == 3
    one_line(result.stderr)


def test_a_huge_selector_is_clipped(tmp_path: Path) -> None:
    archive = write_archive(tmp_path, LEAN)
    result = run_cli(["check", f"{archive}:{HUGE}", "-q"])
    assert result.code == 3
    assert "characters cut]" in one_line(result.stderr)


def test_a_docker_archive_naming_2000_images(tmp_path: Path) -> None:
    archive = write_archive(tmp_path, LEAN)
    rewritten = tmp_path / "many.tar"
    with tarfile.open(archive) as source, tarfile.open(rewritten, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member.name == "manifest.json":
                assert data is not None
                entry = json.loads(data.read())[0]
                many = [{**entry, "RepoTags": [f"app-{n}:1"]} for n in range(2000)]
                payload = json.dumps(many).encode()
                member.size = len(payload)
                data = io.BytesIO(payload)
            target.addfile(member, data)
    result = run_cli(["check", str(rewritten), "-q"])
    assert result.code == 2  # which image is meant is for the user to say
    line = one_line(result.stderr)
    assert "holds 2000 images (app-0:1, app-1:1," in line
    assert "and 1,990 more)" in line


def test_an_oci_layout_naming_2000_images(tmp_path: Path) -> None:
    spec = ImageSpec([LayerSpec(layer_tar([file("x", 10)]), "step")], tag="app:1")
    files = oci_layout([spec])
    index = json.loads(files["index.json"])
    entry = index["manifests"][0]
    index["manifests"] = [
        {**entry, "annotations": {"org.opencontainers.image.ref.name": f"v{n:04d}"}}
        for n in range(2000)
    ]
    files["index.json"] = json.dumps(index).encode()
    layout = write_directory(files, tmp_path / "layout")
    result = run_cli(["check", f"oci://{layout}", "-q"])
    assert result.code == 2
    line = one_line(result.stderr)
    assert "holds several images (v0000, v0001," in line
    assert "and 1,990 more)" in line


def test_clip_keeps_both_ends_and_says_how_much_it_cut() -> None:
    assert clip("short") == "short"
    text = "start-" + "x" * 1000 + "-end"
    clipped = clip(text, 100)
    assert clipped.startswith("start-") and clipped.endswith("-end")
    assert "[910 characters cut]" in clipped
    assert len(clipped) < 130
    assert clip_list([str(n) for n in range(12)], 3) == "0, 1, 2 and 9 more"
    assert clip_list(["a" * 300], each=50).count("characters cut") == 1
    assert clip_value(10**5000) == "a number of about 5,000 digits"
    assert clip_value("x" * 500, 40).endswith("x'")
