"""The engine source and the layer cache, on the real Docker Engine: once an image has been
read, reading it again needs no ``docker save``, and an image built on it costs its new layers."""

from __future__ import annotations

from pathlib import Path

import pytest

from auger.cache.scanning import digesting_scanner
from auger.cache.store import DOCUMENTS, LayerCache
from auger.layers.scanner import scan_layer
from auger.model import Image, LayerRef, LayerScan, Readable
from auger.pipeline import AnalyzeOptions, analyze
from auger.progress import Progress
from auger.sources.interface import ReadOptions
from auger.sources.reference import resolve_source
from tests.engine_support import BUSYBOX_PREAMBLE, Engine
from tests.oracle.support import engine_image
from tests.support import fingerprint, run_cli

pytestmark = pytest.mark.engine


class Phases(Progress):
    def __init__(self) -> None:
        self.phases: list[str] = []
        self.bytes = 0

    def phase(self, text: str) -> None:
        self.phases.append(text)

    def bytes_read(self, count: int) -> None:
        self.bytes += count


def saved(progress: Phases) -> bool:
    return any(phase.startswith("saving ") for phase in progress.phases)


def test_a_second_read_saves_nothing(
    engine: Engine, busybox: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    tag = engine_image(engine, busybox, tmp_path_factory, "overlay")
    options = AnalyzeOptions(cache=LayerCache(tmp_path / "cache"))
    cold, warm, again = Phases(), Phases(), Phases()
    first = analyze(f"docker://{tag}", options, cold)
    second = analyze(f"docker://{tag}", options, warm)
    options = AnalyzeOptions(cache=LayerCache(tmp_path / "cache"))  # as a new process
    third = analyze(f"docker://{tag}", options, again)
    assert saved(cold)
    assert cold.bytes > 0
    for progress in (warm, again):
        assert not saved(progress), progress.phases
        assert progress.bytes == 0  # the save stream was never opened
        assert f"reading {tag} from the layer cache" in progress.phases
    plain = analyze(f"docker://{tag}")
    for analysis in (first, second, third):
        assert fingerprint(analysis) == fingerprint(plain)
        assert analysis.image == plain.image


def test_a_damaged_or_foreign_record_means_a_save(
    engine: Engine, busybox: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    tag = engine_image(engine, busybox, tmp_path_factory, "overlay")
    environ_cache = tmp_path / "cache"
    analyze(f"docker://{tag}", AnalyzeOptions(cache=LayerCache(environ_cache)))
    image_id = str(engine.client.images.get(tag).id)
    record = environ_cache / DOCUMENTS / ("docker-image-" + image_id.replace(":", "-"))
    cache = LayerCache(environ_cache)
    kept = cache.get_document(record.name)
    assert kept is not None
    cache.put_document(record.name, kept.replace(b"/bin/sh -c", b"/bin/sh -C"))  # another config
    progress = Phases()
    analysis = analyze(f"docker://{tag}", AnalyzeOptions(cache=LayerCache(environ_cache)), progress)
    assert saved(progress)
    assert fingerprint(analysis) == fingerprint(analyze(f"docker://{tag}"))


def test_images_built_on_a_read_one_scan_only_their_new_layers(
    engine: Engine, busybox: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """A streamed save names the layers of an engine before Docker 25 by IDs that say nothing
    of their contents; auger remembers which layer each name held. The top layer of an image
    gets another name once it is a lower layer of another image, so it may be scanned once
    more the first time it is seen so; after that, only new layers are scanned."""
    base = engine_image(engine, busybox, tmp_path_factory, "overlay")
    heads = [
        engine.build(tmp_path / name, f"FROM {base}\nCOPY {name} /{name}\n", {name: b"new"})
        for name in ("one.txt", "two.txt")
    ]
    cache = LayerCache(tmp_path / "cache")
    scanned: list[str] = []

    def counting(stream: Readable, ref: LayerRef) -> LayerScan:
        result = scan_layer(stream, ref)
        scanned.append(result.entries[-1].path if result.entries else "")
        return result

    def read(reference: str) -> Image:
        source = resolve_source(reference, None, {})
        options = ReadOptions(cache=cache, documents=cache)
        return source.read(digesting_scanner(counting, cache), options, Phases())

    layers = len(read(f"docker://{base}").layers)
    assert len(scanned) == layers
    for head in heads:
        scanned.clear()
        cache = LayerCache(tmp_path / "cache")  # a new process: nothing in memory
        image = read(f"docker://{head}")
        assert len(image.layers) == layers + 1
        new = image.layers[-1].scan.entries[-1].path
        assert new in scanned
        assert len(scanned) <= (2 if head == heads[0] else 1), scanned


def test_the_cli_diff_of_an_image_and_its_next_build(
    engine: Engine, busybox: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    base = engine_image(engine, busybox, tmp_path_factory, "rename")
    head = engine.build(
        tmp_path / "context", f"{BUSYBOX_PREAMBLE}RUN echo changed > /etc/x\n", busybox=busybox
    )
    environ = {"AUGER_CACHE_DIR": str(tmp_path / "cache")}
    first = run_cli(["diff", f"docker://{base}", f"docker://{head}"], environ)
    second = run_cli(["diff", f"docker://{base}", f"docker://{head}"], environ)
    plain = run_cli(["diff", f"docker://{base}", f"docker://{head}", "--no-cache"], environ)
    assert first.code == second.code == plain.code == 0, first.stderr
    assert first.stdout == second.stdout == plain.stdout
