"""The GitHub workflows, auger's own and the examples people copy, use other repositories'
actions pinned by commit, each with the version it stands for in a comment: a tag can be moved
to other code, a commit cannot. auger's own action (``OWNER/auger@v1``) and local actions are
referred to as they are released."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github").glob("*/*.yml"))
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", re.MULTILINE)
PINNED = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}")


def test_there_are_workflows_to_check() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"ci.yml", "release.yml", "auger-report.yml"} <= names


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_every_other_repositorys_action_is_pinned_by_commit(workflow: Path) -> None:
    loose = []
    for action, rest in USES.findall(workflow.read_text(encoding="utf-8")):
        if action.startswith("./") or action.split("@")[0].endswith("/auger"):
            continue
        if not PINNED.fullmatch(action) or not re.match(r"\s+#\s*v\d", rest):
            loose.append(f"{action}{rest}")
    assert not loose, f"{workflow.name}: not pinned by commit with a version comment: {loose}"
