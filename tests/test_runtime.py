"""The process-level machinery: the collector is paused, frozen and tuned as promised and always
given back, and the exit without teardown loses no output and runs no cleanup."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import threading
import weakref
from collections.abc import Iterator

import pytest

from auger import runtime


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    """Give the test process its collector back as it was, frozen objects included."""
    enabled, threshold = gc.isenabled(), gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)
    if enabled:
        gc.enable()
    else:
        gc.disable()


class Held:
    """An object a weak reference can watch."""


def test_the_collector_is_paused_inside_and_running_again_after() -> None:
    gc.enable()
    with runtime.cycle_collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_runs_again_when_the_block_fails() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), runtime.cycle_collection_paused(freeze_after=True):
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_paused_collector_stays_paused_and_nothing_is_frozen() -> None:
    gc.unfreeze()
    gc.disable()
    with runtime.cycle_collection_paused(freeze_after=True):
        pass
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0


FREEZE = """\
import gc, json
from auger import runtime

class Held:
    pass

with runtime.cycle_collection_paused():
    kept = [Held() for _ in range(1000)]
unasked = gc.get_freeze_count()
with runtime.cycle_collection_paused(freeze_after=True):
    kept += [Held() for _ in range(1000)]
print(json.dumps([unasked, gc.get_freeze_count(), gc.isenabled()]))
"""


def test_what_the_block_built_is_frozen_when_asked_and_alone() -> None:
    """In a fresh interpreter, where no other thread runs."""
    completed = subprocess.run(
        [sys.executable, "-c", FREEZE], capture_output=True, text=True, timeout=60, check=True
    )
    unasked, frozen, enabled = json.loads(completed.stdout)
    assert unasked == 0, "nothing is frozen unless asked"
    assert frozen >= 2000
    assert enabled


def test_nothing_is_frozen_while_another_thread_runs() -> None:
    gc.unfreeze()
    gc.enable()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with runtime.cycle_collection_paused(freeze_after=True):
            pass
    finally:
        stop.set()
        other.join()
    assert gc.get_freeze_count() == 0


def test_freezing_and_rare_full_collections() -> None:
    gc.unfreeze()
    runtime.freeze_heap()
    assert gc.get_freeze_count() > 0
    first, second, _ = gc.get_threshold()
    runtime.make_full_collections_rare()
    assert gc.get_threshold() == (first, second, runtime.FULL_COLLECTIONS_EVERY)


def test_keeping_until_exit_holds_nothing_when_main_runs_in_process() -> None:
    value = Held()
    watch = weakref.ref(value)
    runtime.keep_until_exit(value)
    del value
    assert watch() is None, "in-process callers free what they analysed, as usual"


PROGRAM = """\
import atexit, sys
from auger import runtime

class Loud:
    def __del__(self):
        sys.stdout.write("freed\\n")

def entry():
    atexit.register(lambda: sys.stdout.write("atexit ran\\n"))
    runtime.keep_until_exit(Loud())
    sys.stdout.write("out " * 5000 + "\\n")  # buffered: only the flush writes it
    sys.stderr.write("err\\n")
    return 7

runtime.run_then_exit_without_teardown(entry)
sys.stdout.write("after the exit\\n")
"""


def test_the_exit_without_teardown_flushes_output_and_runs_no_cleanup() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 7
    assert completed.stdout == "out " * 5000 + "\n", "no destructor, atexit or later line"
    assert completed.stderr == "err\n"


_BLOCKS_FREED_IN_A_THREAD = """
import sys, threading
from auger.runtime import return_large_blocks_at_once
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096
if sys.argv[1] == "fixed":
    return_large_blocks_at_once()
freed = []
def work():  # as a scanning thread does: a large buffer, then many middling ones
    large = b"x" * (16 << 20)
    del large
    blocks, kept = [], []
    for _ in range(8):
        blocks.append(b"x" * (1 << 20))
        kept.append(b"k" * 2000)  # long-lived, between the blocks
    before = rss()
    del blocks
    freed.append((before - rss()) >> 20)
thread = threading.Thread(target=work)
thread.start()
thread.join()
print(freed[0])
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator only")
def test_large_blocks_freed_in_a_thread_go_back_to_the_system() -> None:
    def freed_mib(mode: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", _BLOCKS_FREED_IN_A_THREAD, mode],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(done.stdout)

    assert freed_mib("fixed") >= 6  # of the 8 MiB freed
    assert freed_mib("default") < 3  # what the fix is for: glibc keeps them otherwise
