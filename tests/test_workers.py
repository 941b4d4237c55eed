"""How many pytest-xdist workers ``-n auto`` starts (the hook in ``tests/conftest.py``)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import pytest

from tests.conftest import MAX_WORKERS, pytest_xdist_auto_num_workers

ArgsSource = pytest.Config.ArgsSource


def workers(source: pytest.Config.ArgsSource) -> int | None:
    return pytest_xdist_auto_num_workers(cast(pytest.Config, SimpleNamespace(args_source=source)))


def test_the_whole_suite_runs_on_every_cpu_up_to_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS", raising=False)
    count = workers(ArgsSource.TESTPATHS)
    assert count is not None
    assert 1 <= count <= MAX_WORKERS


def test_named_tests_run_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS", raising=False)
    assert workers(ArgsSource.ARGS) == 0


def test_xdist_s_own_variable_decides_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", "3")
    assert workers(ArgsSource.TESTPATHS) is None
    assert workers(ArgsSource.ARGS) is None
