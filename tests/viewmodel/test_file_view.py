"""The file viewer reads one file's bytes from the layer the view shows it from, stops reading
the image there, and shows text safe for a terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from auger.cache.store import LayerCache
from auger.extraction.read import read_head
from auger.model import Entry
from auger.pipeline import AnalyzeOptions, analyze
from auger.progress import Progress
from auger.sources.interface import ReadOptions
from auger.sources.reference import resolve_source
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    compress,
    directory,
    docker_archive,
    file,
    layer_tar,
    symlink,
)
from auger.viewmodel.explorer import ImageRef
from auger.viewmodel.file_view import FileText, locate, read_text
from auger.viewmodel.model import Mode, View
from tests.support import NO_ENGINE
from tests.viewmodel.support import load_explorer


def view_text(archive: Path, path: str, view: View, limit: int = 1 << 20) -> FileText | str:
    explorer = load_explorer(archive)
    image = ImageRef(str(archive), environ=NO_ENGINE)
    return read_text(image, explorer, explorer.index.id_of[path], view, limit)


def test_each_layer_shows_the_version_it_stored(sample: Path) -> None:
    first = view_text(sample, "etc/passwd", View(layer=0))
    second = view_text(sample, "etc/passwd", View(layer=3))
    assert isinstance(first, FileText) and isinstance(second, FileText)
    assert (first.layer, first.lines) == (0, ("root:x:0:0::/root:/bin/sh",))
    assert second.layer == 1
    assert second.lines[-1] == "app:x:1000:1000::/app:/bin/sh"
    assert second.note == ""


@pytest.mark.parametrize(
    ("path", "view", "reason"),
    [
        ("etc", View(layer=0), "/etc is a directory"),
        ("usr/lib/libfoo.so.1", View(layer=1), "/usr/lib/libfoo.so.1 is a symbolic link"),
        ("var/cache/apt/pkg.deb", View(layer=2, mode=Mode.LAYER), "is removed in this layer"),
        ("app/main.py", View(layer=1), "/app/main.py is not in this layer"),
    ],
)
def test_says_why_there_is_no_text(sample: Path, path: str, view: View, reason: str) -> None:
    explorer = load_explorer(sample)
    found = locate(explorer, explorer.index.id_of[path], view)
    assert isinstance(found, str)
    assert reason in found


def image_of(tmp_path: Path, contents: bytes) -> Path:
    """One layer holding ``d/f``."""
    layers = [LayerSpec(layer_tar([directory("d"), file("d/f", contents)]), "one")]
    archive = tmp_path / "image.tar"
    archive.write_bytes(docker_archive(ImageSpec(layers=layers)))
    return archive


def test_terminal_escapes_are_shown_not_obeyed(tmp_path: Path) -> None:
    archive = image_of(tmp_path, b"plain\n\x1b]0;owned\x07\x1b[31mred\x1b[0m\n\tindented\r\n")
    text = view_text(archive, "d/f", View(layer=0))
    assert isinstance(text, FileText)
    assert "\x1b" not in "".join(text.lines) and "\x07" not in "".join(text.lines)
    assert text.lines[0] == "plain"
    assert "red" in text.lines[1] and "\\x1b" in text.lines[1]
    assert text.lines[2] == "    indented"


def test_a_binary_file_is_not_shown(tmp_path: Path) -> None:
    text = view_text(image_of(tmp_path, b"\x7fELF\x00\x01\x02" * 100), "d/f", View(layer=0))
    assert isinstance(text, FileText)
    assert text.lines == ()
    assert text.note == "binary file (700 B): not shown"


def test_a_large_file_is_cut_at_a_line(tmp_path: Path) -> None:
    body = b"".join(b"line %04d\n" % number for number in range(1000))
    text = view_text(image_of(tmp_path, body), "d/f", View(layer=0), limit=105)
    assert isinstance(text, FileText)
    assert text.lines == tuple(f"line {number:04d}" for number in range(10))
    assert text.note == "showing the first 105 B of 10.0 kB"


def test_an_empty_file_says_so(tmp_path: Path) -> None:
    text = view_text(image_of(tmp_path, b""), "d/f", View(layer=0))
    assert isinstance(text, FileText)
    assert (text.lines, text.note) == ((), "empty file")


class _Counting(Progress):
    def __init__(self) -> None:
        self.read = 0

    def bytes_read(self, count: int) -> None:
        self.read += count


def test_a_cached_layer_is_read_from_its_blob(tmp_path: Path) -> None:
    """With every layer in the layer cache, the file still comes from the image's blob (a cached
    scan has no contents)."""
    archive = tmp_path / "image.tar"
    spec = ImageSpec(layers=[LayerSpec(layer_tar([file("a.txt", b"hello\n")]), "one")])
    archive.write_bytes(docker_archive(spec))
    cache = LayerCache(tmp_path / "cache")
    options = AnalyzeOptions(cache=cache)
    analyze(str(archive), options, None, NO_ENGINE)  # fills the cache
    analysis = analyze(str(archive), options, None, NO_ENGINE)
    entry: Entry = next(e for e in analysis.image.layers[0].scan.entries if e.path == "a.txt")
    head = read_head(
        resolve_source(str(archive), None, NO_ENGINE),
        options.read_options(),
        layers=analysis.image.layers,
        layer=0,
        entry=entry,
        limit=1000,
    )
    assert head.data == b"hello\n"


@pytest.mark.parametrize("compression", ["none", "gzip"])
def test_reading_stops_at_the_file(tmp_path: Path, compression: str) -> None:
    """A 4 MiB layer above the file's layer is never read."""
    small = layer_tar([file("a.txt", b"hello\n")])
    big = layer_tar([file("big", 4 << 20), symlink("link", "a.txt")])
    archive = tmp_path / "image.tar"
    spec = ImageSpec(layers=[LayerSpec(small, "one"), LayerSpec(big, "two")])
    archive.write_bytes(compress(docker_archive(spec), compression))
    analysis = analyze(str(archive), None, None, NO_ENGINE)
    entry: Entry = next(e for e in analysis.image.layers[0].scan.entries if e.path == "a.txt")
    counting = _Counting()
    source = resolve_source(str(archive), None, NO_ENGINE)
    head = read_head(
        source,
        ReadOptions(),
        layers=analysis.image.layers,
        layer=0,
        entry=entry,
        limit=1000,
        progress=counting,
    )
    assert (head.data, head.size, head.truncated) == (b"hello\n", 6, False)
    assert 0 < counting.read < 64 * 1024


def test_a_rewritten_file_is_read_from_the_layer_that_rewrote_it(sample: Path) -> None:
    explorer = load_explorer(sample)
    found = locate(explorer, explorer.index.id_of["etc/hosts"], View(layer=3))
    assert not isinstance(found, str)
    assert found[0] == 2
