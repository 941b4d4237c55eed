"""Running work beside the main process: the forked path, the sequential path, and failures."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from auger.analysis import dive
from auger.analysis import image as image_analysis
from auger.analysis.image import PARALLEL_MIN, analyze_image
from auger.layers.scanner import scan_layer
from auger.model import LayerRef
from auger.parallel import beside_in_parts, can_fork, in_parallel, reap_all, reap_exited
from auger.pipeline import analyze
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    directory,
    docker_archive,
    file,
    hardlink,
    layer_tar,
    opaque,
    symlink,
    whiteout,
)

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX-only")


@contextmanager
def another_thread() -> Iterator[None]:
    """Keep a second thread alive, as the explorer's analysis worker does."""
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        yield
    finally:
        release.set()
        thread.join()


def require_fork() -> None:
    if not can_fork():
        pytest.fail("this test needs a second CPU and a single-threaded test process")


def test_the_background_runs_in_a_child_when_it_can() -> None:
    require_fork()
    background, foreground = in_parallel(os.getpid, os.getpid)
    assert foreground == os.getpid()
    assert background != os.getpid()


def test_send_and_receive_carry_the_result_across() -> None:
    require_fork()
    result, _ = in_parallel(
        lambda: {"pid": os.getpid(), "items": frozenset({1, 2})},
        lambda: None,
        send=lambda value: (value["pid"], sorted(value["items"])),
        receive=lambda plain: {"pid": plain[0], "items": frozenset(plain[1]), "received": True},
    )
    assert result["pid"] != os.getpid()
    assert result == {"pid": result["pid"], "items": frozenset({1, 2}), "received": True}


def is_zombie_or_running(pid: int) -> bool:
    """True while ``pid`` exists, reaped or not (a zombie stays until it is reaped)."""
    return Path(f"/proc/{pid}").exists()


def test_a_child_that_sent_its_result_is_reaped_later_not_left_a_zombie() -> None:
    require_fork()
    child, _ = in_parallel(os.getpid, lambda: None)
    assert child != os.getpid()
    deadline = time.monotonic() + 10
    while is_zombie_or_running(child) and time.monotonic() < deadline:
        time.sleep(0.01)
        reap_exited()
    assert not is_zombie_or_running(child), "the child was left a zombie"


def test_children_that_sent_their_result_are_all_reaped_before_the_exit() -> None:
    require_fork()
    children = [in_parallel(os.getpid, lambda: None)[0] for _ in range(3)]
    reap_all()
    assert not [child for child in children if is_zombie_or_running(child)]


def group_members(group: int) -> list[int]:
    """The processes whose process group is ``group``."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # gone meanwhile
                continue
            if int(stat.rpartition(")")[2].split()[2]) == group:
                members.append(int(entry.name))
    return members


def test_the_command_leaves_no_process_of_its_group_behind(tmp_path: Path) -> None:
    """Whoever waits on auger's process group finds nothing left once auger has exited."""
    require_fork()
    archive = tmp_path / "image.tar"
    layers = [  # enough entries for the analysis to fork
        LayerSpec(
            layer_tar([directory("d"), *[file(f"d/{n}", b"x") for n in range(PARALLEL_MIN)]])
        ),
        LayerSpec(layer_tar([file("d/1", b"changed"), whiteout("d/2")])),
    ]
    archive.write_bytes(docker_archive(ImageSpec(layers)))
    environ = {**os.environ, "CI": "true", "AUGER_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(3):
        process = subprocess.Popen(
            [sys.executable, "-m", "auger", str(archive), "--json", str(tmp_path / "out.json")],
            env=environ,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, errors = process.communicate(timeout=120)
        assert process.returncode == 0, errors
        assert group_members(process.pid) == []


def test_with_another_thread_alive_both_run_here() -> None:
    with another_thread():
        assert not can_fork()
        background, foreground = in_parallel(
            os.getpid, os.getpid, send=lambda _: pytest.fail("no child, nothing to send")
        )
    assert background == foreground == os.getpid()


def test_a_failing_child_is_replaced_by_a_run_here() -> None:
    require_fork()
    calls: list[int] = []

    def background() -> str:
        calls.append(os.getpid())  # only the parent's list is seen here
        if os.getpid() == parent:
            return "here"
        raise RuntimeError("the child fails")

    parent = os.getpid()
    assert in_parallel(background, lambda: 1) == ("here", 1)
    assert calls == [parent]


def test_an_unsendable_result_falls_back_to_a_run_here() -> None:
    require_fork()
    result, _ = in_parallel(lambda: {os.getpid(), object()}, lambda: None)
    assert os.getpid() in result


def test_errors_of_the_background_are_raised_as_a_sequential_run_would() -> None:
    require_fork()

    def broken() -> int:
        raise ValueError("broken input")

    with pytest.raises(ValueError, match="broken input"):
        in_parallel(broken, lambda: None)


def test_a_failing_foreground_stops_and_reaps_the_child() -> None:
    require_fork()
    started: list[int] = []

    def background() -> int:
        threading.Event().wait(30)  # would outlive the test if not stopped
        return 0

    def foreground() -> None:
        started.append(1)
        raise KeyError("foreground")

    began = time.monotonic()
    with pytest.raises(KeyError):
        in_parallel(background, foreground)
    assert started == [1]
    assert time.monotonic() - began < 10  # the child was killed, not waited for


def test_parts_arrive_while_the_foreground_runs_and_the_rest_after_it() -> None:
    require_fork()
    (go_on_reader, go_on) = os.pipe()

    def background(send: Callable[[Any], None]) -> None:
        send(("first", os.getpid()))
        os.read(go_on_reader, 1)  # until the foreground has seen the first part
        send(["second", b"bytes", 3])

    def foreground(arrived: Callable[[], list[Any]]) -> list[Any]:
        taken: list[Any] = []
        deadline = time.monotonic() + 30
        while not taken and time.monotonic() < deadline:
            taken += arrived()
        os.write(go_on, b"x")
        return taken

    try:
        rest, finished, taken = beside_in_parts(
            background, foreground, room=1 << 16, wanted=lambda _: True
        )
    finally:
        os.close(go_on_reader)
        os.close(go_on)
    assert [part[0] for part in taken] == ["first"]
    assert taken[0][1] != os.getpid()  # made in the child
    assert rest == [["second", b"bytes", 3]]
    assert finished


def test_parts_sent_before_a_child_failed_stand() -> None:
    require_fork()

    def background(send: Callable[[Any], None]) -> None:
        send(1)
        send(2)
        raise RuntimeError("the child fails")

    rest, finished, _ = beside_in_parts(
        background, lambda _: None, room=1 << 16, wanted=lambda _: True
    )
    assert (rest, finished) == ([1, 2], False)


def test_a_part_without_room_is_not_sent_nor_any_after_it() -> None:
    require_fork()

    def background(send: Callable[[Any], None]) -> None:
        send(b"small")
        send(bytes(5000))
        send(b"small again")

    rest, finished, _ = beside_in_parts(background, lambda _: 1, room=1000, wanted=bool)
    assert (rest, finished) == ([b"small"], True)


def test_parts_not_wanted_stop_the_child() -> None:
    require_fork()

    def background(send: Callable[[Any], None]) -> None:
        threading.Event().wait(30)  # would outlive the test if not stopped
        send(1)

    began = time.monotonic()
    rest, finished, result = beside_in_parts(
        background, lambda _: "enough", room=1 << 16, wanted=lambda _: False
    )
    assert (rest, finished, result) == ([], False, "enough")
    assert time.monotonic() - began < 10


def mixed_layers() -> list[bytes]:
    return [
        layer_tar(
            [
                directory("etc"),
                file("etc/a", b"one"),
                file("etc/b", b"two" * 50),
                hardlink("etc/c", "etc/b"),
                file("usr/lib/deep/x", b"implicit parents"),
                directory("var/cache"),
                file("var/cache/blob", bytes(5000)),
            ]
        ),
        layer_tar(
            [
                file("etc/a", b"one, changed"),
                file("etc/a", b"one, changed again"),  # duplicate entry: last wins
                whiteout("etc/b"),
                symlink("etc/s", "a"),
                opaque("var/cache"),
                file("var/cache/new", b"n"),
            ]
        ),
        layer_tar([whiteout("usr/lib"), file("etc/b", b"back")]),
    ]


def test_dive_metrics_survive_the_trip_as_plain_data() -> None:
    layers = [
        scan_layer(io.BytesIO(data), LayerRef("layer.tar")).entries for data in mixed_layers()
    ]
    metrics = dive.dive_metrics(layers, [100, 200, 300])
    assert any(-1 in positions for positions in metrics.file_lists)  # implicit directories
    rebuilt = dive.from_plain(dive.to_plain(metrics))
    assert rebuilt == metrics
    assert all(
        a is b
        for entries, before, after in zip(
            layers, metrics.file_lists, rebuilt.file_lists, strict=True
        )
        for a, b in zip(dive.listed(entries, before), dive.listed(entries, after), strict=True)
    )


def test_analysis_is_the_same_with_and_without_a_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_fork()
    monkeypatch.setattr(image_analysis, "PARALLEL_MIN", 0)
    archive = tmp_path / "image.tar"
    archive.write_bytes(
        docker_archive(
            ImageSpec([LayerSpec(data, f"RUN step {i}") for i, data in enumerate(mixed_layers())])
        )
    )
    forked = analyze(f"docker-archive://{archive}")
    with another_thread():
        sequential = analyze(f"docker-archive://{archive}")
    assert forked.dive == sequential.dive
    assert forked == sequential
    assert analyze_image(forked.image) == forked
    monkeypatch.setattr(image_analysis, "PARALLEL_MIN", 1 << 60)
    assert analyze_image(forked.image) == forked
