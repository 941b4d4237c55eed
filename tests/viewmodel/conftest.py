"""Fixtures of the view model's tests: the sample archive."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.viewmodel.support import write_sample


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return write_sample(tmp_path)
