"""Every committed snapshot belongs to a test that still exists.

The snapshot plugin finds unused snapshots only when the suite runs in one process; the suite
runs in parallel, so this test does that check: a snapshot whose test was renamed or deleted
is named here instead of lingering.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def defined_tests(module: Path) -> set[str]:
    """The names of the test functions ``module`` defines."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


def orphans(root: Path) -> list[str]:
    """Snapshot files under ``root`` whose module or test function is gone."""
    found = []
    for snapshot in sorted(root.rglob("__snapshots__/*/*")):
        module = snapshot.parent.parent.parent / f"{snapshot.parent.name}.py"
        test = re.sub(r"\[.*$", "", snapshot.stem)
        if not module.is_file() or test not in defined_tests(module):
            found.append(str(snapshot.relative_to(root)))
    return found


def test_every_snapshot_has_its_test() -> None:
    assert list(TESTS.rglob("__snapshots__/*/*.svg")), "no snapshots found: has their home moved?"
    assert orphans(TESTS) == []


def test_an_orphaned_snapshot_is_named(tmp_path: Path) -> None:
    (tmp_path / "tui" / "__snapshots__" / "test_screens").mkdir(parents=True)
    (tmp_path / "tui" / "test_screens.py").write_text("def test_kept():\n    pass\n")
    for name in ("test_kept", "test_kept[wide]", "test_renamed"):
        (tmp_path / "tui" / "__snapshots__" / "test_screens" / f"{name}.svg").write_text("<svg/>")
    (tmp_path / "tui" / "__snapshots__" / "test_gone").mkdir()
    (tmp_path / "tui" / "__snapshots__" / "test_gone" / "test_any.svg").write_text("<svg/>")
    assert orphans(tmp_path) == [
        "tui/__snapshots__/test_gone/test_any.svg",
        "tui/__snapshots__/test_screens/test_renamed.svg",
    ]
