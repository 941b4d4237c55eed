"""Tests that use a real component carry its marker, so ``-m "not engine and not oracle"``
leaves them out (the check itself runs at collection, in ``tests/conftest.py``)."""

from __future__ import annotations

from tests.markers import unmarked_uses


def test_a_test_using_the_engine_without_its_marker_is_named() -> None:
    problems = unmarked_uses(
        [
            ("tests/a.py::test_builds", ["tmp_path", "engine"], []),
            ("tests/a.py::test_marked", ["engine", "busybox"], ["engine"]),
            ("tests/b.py::test_dive", ["dive_binary"], ["engine"]),
            ("tests/b.py::test_both", ["engine", "dive_binary"], ["engine", "oracle"]),
            ("tests/c.py::test_plain", ["tmp_path"], []),
        ]
    )
    assert problems == [
        "tests/a.py::test_builds uses the 'engine' fixture: mark it @pytest.mark.engine",
        "tests/b.py::test_dive uses the 'dive_binary' fixture: mark it @pytest.mark.oracle",
    ]
