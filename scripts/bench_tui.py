"""Benchmark the explorer on a generated image of about 200,000 entries.

The archive (written with :mod:`auger.testing.images`) has six layers: a deep tree of
libraries, a directory 20,000 files wide, overwrites of a sixth of the libraries, deletion of a
quarter of them and an opaque directory, an application tree, and a small last layer. The app
runs headless under Pilot; each interaction is timed from the key press until the app is idle
again (the key handled and the screen updated), repeated, and reported as median and maximum.

    python scripts/bench_tui.py [--entries 200000] [--repeat 20]

Targets (issue 5): the first screen within 3 s after the analysis; moving the cursor, expanding
a folder, switching layer and typing in the filter within 100 ms each.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path

from rich.console import RenderableType
from textual._compositor import CompositorUpdate
from textual.screen import Screen

from auger.pipeline import analyze
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    TarEntry,
    directory,
    docker_archive,
    file,
    layer_tar,
    opaque,
    symlink,
    whiteout,
)
from auger.tui.app import AugerApp
from auger.tui.screens.main import MainScreen
from auger.tui.widgets.file_tree import FileTree
from auger.viewmodel.explorer import Explorer

SIZE = (160, 50)


def generate(total: int) -> bytes:
    """Six layers, about ``total`` entries: deep, wide, overwritten, deleted, opaque."""
    unit = total // 20
    base: list[TarEntry] = [directory("usr"), directory("usr/lib")]
    deep: list[str] = []
    for package in range(max(1, unit * 12 // 120)):
        root = f"usr/lib/pkg{package:04d}"
        base.append(directory(root))
        for sub in range(4):
            folder = f"{root}/sub{sub}/inner/deeper"
            base += [directory(f"{root}/sub{sub}"), directory(f"{root}/sub{sub}/inner")]
            base.append(directory(folder))
            for number in range(27):
                name = f"{folder}/f{number:02d}.so"
                deep.append(name)
                base.append(file(name, 32 + (package * 7 + number) % 300))
    wide = [directory("usr/share"), directory("usr/share/wide")]
    wide += [file(f"usr/share/wide/w{i:05d}.txt", 40) for i in range(unit * 2)]
    overwrite = [file(name, 99) for name in deep[::6]]
    packages = max(1, unit * 12 // 120)
    deletes = [whiteout(f"usr/lib/pkg{p:04d}") for p in range(0, packages, 4)]
    deletes += [opaque("usr/share/wide"), file("usr/share/wide/only.txt", 10)]
    app = [directory("opt"), directory("opt/app")]
    for module in range(unit * 5 // 50):
        folder = f"opt/app/mod{module:04d}/src"
        app += [directory(f"opt/app/mod{module:04d}"), directory(folder)]
        app += [file(f"{folder}/x{i:02d}.py", 120) for i in range(48)]
    small = [file("etc/config", 10), symlink("etc/link", "config")]
    layers = [
        LayerSpec(layer_tar(base), "ADD base /"),
        LayerSpec(layer_tar(wide), "COPY wide /usr/share/wide"),
        LayerSpec(layer_tar(overwrite), "RUN update libraries"),
        LayerSpec(layer_tar(deletes), "RUN rm -rf unused packages"),
        LayerSpec(layer_tar(app), "COPY app /opt/app"),
        LayerSpec(layer_tar(small), "RUN configure"),
    ]
    return docker_archive(ImageSpec(layers, tag="bench:latest"))


class Timings:
    """Per interaction: the CPU time the app spent answering it, the wall time until the last
    frame it caused was ready for the terminal, and the wall time under Pilot.

    The app does its work on one thread without waiting on I/O, so the CPU time from the key
    press until Pilot finds the app idle again is the work a user waits for. The frame time is
    what the user sees: from the key press until the screen's last update was rendered to
    terminal output (the headless driver drops that output, so it is rendered here). The Pilot
    wall time also holds Pilot's idle detection, which sleeps in steps (the no-op key row shows
    that floor).
    """

    def __init__(self, app: AugerApp) -> None:
        self.rows: dict[str, list[tuple[float, float, float]]] = {}
        self.frames: list[float] = []
        display = app._display

        def display_and_time(screen: Screen[object], renderable: RenderableType | None) -> None:
            display(screen, renderable)
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)
                self.frames.append(time.perf_counter())

        app._display = display_and_time  # type: ignore[method-assign]

    async def measure(self, label: str, action: Callable[[], Awaitable[None]], times: int) -> None:
        samples = self.rows.setdefault(label, [])
        for _ in range(times):
            self.frames.clear()
            cpu, wall = time.process_time(), time.perf_counter()
            await action()
            cpu, done = time.process_time() - cpu, time.perf_counter()
            frame = max(self.frames, default=math.nan)  # nan: nothing was redrawn
            samples.append((cpu * 1000, (frame - wall) * 1000, (done - wall) * 1000))

    def report(self) -> None:
        head = f"{'interaction':<50}{'n':>4}{'CPU ms median':>15}{'max':>8}"
        print(head + f"{'frame ms median':>17}{'max':>8}{'Pilot ms median':>17}{'max':>8}")
        for label, samples in self.rows.items():
            columns = [[sample[column] for sample in samples] for column in range(3)]
            figures = ""
            for values, width in zip(columns, (15, 17, 17), strict=True):
                drawn = [value for value in values if not math.isnan(value)]
                if drawn:
                    figures += f"{statistics.median(drawn):>{width}.1f}{max(drawn):>8.1f}"
                else:
                    figures += f"{'-':>{width}}{'-':>8}"
            print(f"{label:<50}{len(samples):>4}{figures}")


async def interact(explorer: Explorer, repeat: int, started: float) -> None:
    app = AugerApp(explorer=explorer)
    timings = Timings(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        print(f"first screen: {time.perf_counter() - started:.2f} s after the analysis")
        sizes = explorer.model.sizes
        while explorer.waste is None or not explorer.haystack.ready or not sizes.ready:
            await pilot.pause(0.1)  # the background work after the first screen
        await pilot.pause()
        print(
            "wasted paths grouped, filter and directory sizes readied (in the background) "
            f"{time.perf_counter() - started:.2f} s"
        )
        screen = app.screen
        tree = screen.query_one(FileTree)
        index = explorer.index

        async def press(*keys: str) -> None:
            await pilot.press(*keys)
            await pilot.pause()

        async def goto(path: str) -> None:
            tree.reveal(index.id_of[path])
            await pilot.pause()

        await timings.measure("no-op key (Pilot's own cost)", lambda: press("f12"), repeat)
        await press("down", "down", "down", "down", "down", "tab")  # the top layer, the tree
        await goto("usr/lib/pkg0001/sub0")
        await timings.measure("cursor down (deep tree)", lambda: press("down"), repeat * 3)
        await timings.measure("cursor up (deep tree)", lambda: press("up"), repeat * 3)
        await timings.measure("page down", lambda: press("pagedown"), repeat)
        await goto("usr/lib/pkg0002")
        await timings.measure("expand / collapse a package folder", lambda: press("space"), repeat)
        await goto("usr/lib")
        await timings.measure(
            "expand / collapse usr/lib (1,000 folders)", lambda: press("space"), repeat
        )
        await press("shift+tab")
        await timings.measure("switch layer (up)", lambda: press("up"), 5)
        await timings.measure("switch layer (down)", lambda: press("down"), 5)
        for _ in range(repeat // 5):
            await timings.measure("switch layer (up and down, repeated)", lambda: press("up"), 1)
            await timings.measure("switch layer (up and down, repeated)", lambda: press("down"), 1)
        await press("up", "up", "up", "up", "tab")  # layer 1, where the wide folder is full
        await goto("usr/share/wide")
        await timings.measure(
            "expand / collapse usr/share/wide (20,000 files)", lambda: press("space"), repeat
        )
        await press("space")
        await press("shift+tab")
        await timings.measure("switch layer with 20,000 rows open", lambda: press("down"), 4)
        await press("up", "up", "up", "up", "tab", "space")
        for word in ("pkg0123/sub1", "wide/w0001", "mod00", "f0[0-5]\\.so$", "*.py"):
            await press("ctrl+f")
            for char in word:
                await timings.measure("type a character in the filter", partial(press, char), 1)
            await press("escape")
        await press("ctrl+f")
        await timings.measure("type 'u' (matches 140,000 paths)", lambda: press("u"), 1)
        await press("escape")
    timings.report()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch) / "bench.tar"
        start = time.perf_counter()
        archive.write_bytes(generate(args.entries))
        megabytes = archive.stat().st_size / 1e6
        print(f"generated {megabytes:.0f} MB in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        analysis = analyze(str(archive))
        entries = sum(len(layer.scan.entries) for layer in analysis.image.layers)
        print(f"analysed {entries} entries in {time.perf_counter() - start:.1f} s")
        started = time.perf_counter()
        explorer = Explorer.build(analysis, with_waste=False)  # as the app: waste comes later
        print(f"indexed {len(explorer.index.paths)} paths in {time.perf_counter() - started:.2f} s")
        asyncio.run(interact(explorer, args.repeat, started))


if __name__ == "__main__":
    main()
