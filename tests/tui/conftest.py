"""Fixtures of the explorer's tests: the sample archive, and CI unset for every test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.viewmodel.support import write_sample


@pytest.fixture(autouse=True)
def no_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """The explorer is what ``auger IMAGE`` opens only when CI is unset: make it so."""
    monkeypatch.delenv("CI", raising=False)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return write_sample(tmp_path)
