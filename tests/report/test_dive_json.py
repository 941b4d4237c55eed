"""The ``--json`` text is exactly the export's dict rendered by the json module."""

from __future__ import annotations

import json
from pathlib import Path

from auger.pipeline import analyze
from auger.report import dive_json
from auger.report.dive_json import export, format_json
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    TarEntry,
    directory,
    docker_archive,
    file,
    hardlink,
    layer_tar,
    opaque,
    symlink,
    whiteout,
)
from tests.support import run_cli


def varied_image() -> ImageSpec:
    """Modes, owners, links, markers, implicit parents and names that need escaping."""
    first = [
        directory("etc"),
        file("etc/plain", b"a"),
        file("etc/setuid", b"b", mode=0o4755),
        file("etc/sticky-setgid", b"c", mode=0o3775),
        file("etc/owned", b"d", uid=1000),
        symlink("etc/link", "plain"),
        hardlink("etc/hard", "etc/plain"),
        TarEntry("dev/fifo", "fifo", mode=0o600),
        TarEntry("dev/tty", "char", mode=0o620, gid=5),
        file('odd/quote" and \\ back', b"e"),
        file("odd/\x1b[31mred\x1b[0m", b"f"),
        file("odd/<b>*md*</b>|pipe", b"g"),
        file("odd/non-utf8-\udcff\udcfe", b"h"),
        file("odd/ünïcödé ✓", b"i"),
        symlink("odd/link-\udcff", "target-\udcfe"),
    ]
    second = [
        file("etc/plain", b"changed"),
        whiteout("etc/owned"),
        opaque("odd"),
        file("odd/new", b"j"),
        directory("empty"),
    ]
    return ImageSpec(
        [LayerSpec(layer_tar(first), "ADD base"), LayerSpec(layer_tar(second), "RUN x")]
    )


def test_format_json_is_the_export_dumped(tmp_path: Path) -> None:
    archive = tmp_path / "varied.tar"
    archive.write_bytes(docker_archive(varied_image()))
    analysis = analyze(f"docker-archive://{archive}")
    text = format_json(analysis)
    expected = export(analysis)
    assert text == json.dumps(expected, ensure_ascii=False, separators=(",", ":")) + "\n"
    files = [item for layer in json.loads(text)["layer"] for item in layer["fileList"]]
    assert {item["fileMode"] & 0o777 for item in files} >= {0o755, 0o775, 0o600, 0o620}
    assert any(item["path"] == "" for item in files)  # implicit directories are listed too
    assert any("\ufffd" in item["path"] for item in files)  # invalid bytes as dive writes them


def test_the_export_written_in_pieces_is_the_whole_text(tmp_path: Path) -> None:
    """Long file lists come in several pieces; written by the CLI, they join into the text."""
    count = 2 * dive_json.LIST_BATCH + 7
    spec = ImageSpec(
        [
            LayerSpec(layer_tar([file(f"many/{n:05}", b"x") for n in range(count)]), "ADD a"),
            LayerSpec(layer_tar([file("many/00001", b"yy"), whiteout("many/00002")]), "RUN b"),
        ]
    )
    archive = tmp_path / "many.tar"
    archive.write_bytes(docker_archive(spec))
    analysis = analyze(f"docker-archive://{archive}")
    pieces = list(dive_json.json_pieces(analysis))
    assert len(pieces) >= 8  # the first layer's list alone is three pieces
    expected = json.dumps(export(analysis), ensure_ascii=False, separators=(",", ":")) + "\n"
    assert "".join(pieces) == expected
    output = tmp_path / "out.json"
    result = run_cli([f"docker-archive://{archive}", "--json", str(output), "-q"])
    assert result.code == 0, result.stderr
    assert output.read_text(encoding="utf-8") == expected
    assert len(json.loads(expected)["layer"][0]["fileList"]) == count + 1  # and "many"
