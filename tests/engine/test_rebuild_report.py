"""A rebuild with a one-line change, reported against the first build: one sentence says what
changed, and nothing else takes a row (the steps that ran again are unchanged, rebuilt)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.engine_support import BUSYBOX_PREAMBLE, Engine
from tests.report.support import table_rows, unfolded_text
from tests.support import run_cli

pytestmark = pytest.mark.engine

DOCKERFILE = (
    BUSYBOX_PREAMBLE
    + """\
RUN mkdir -p /data && echo generated > /data/generated.txt
COPY app /app
"""
)
CONFIG = "name=demo\nlevel=info\nworkers=4\n"


def test_a_one_line_change_reads_as_exactly_that(
    engine: Engine, busybox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = engine.build(
        tmp_path / "first", DOCKERFILE, {"app/config.txt": CONFIG.encode()}, busybox
    )
    changed = CONFIG.replace("level=info", "level=debug").encode()
    second = engine.build(
        tmp_path / "second", DOCKERFILE, {"app/config.txt": changed}, busybox, nocache=True
    )
    monkeypatch.chdir(tmp_path)  # no budgets file here
    result = run_cli(
        ["report", second, "--baseline", first, "--format", "markdown", "--quiet"],
        dict(os.environ),
    )
    assert result.code == 0, result.stderr
    seen = unfolded_text(result.stdout)
    sentences = [line for line in seen.splitlines() if line.startswith("- **")]
    assert len(sentences) == 1, seen
    # the classic builder names a COPY by the digest of what it copies: a new command, same place
    assert sentences[0].startswith("- **layer 3 grew by 1 B**: `/app` +1 B — `#(nop) COPY dir:")
    assert "3 layers unchanged (3 rebuilt with identical contents)." in seen
    assert "### Wasted space" not in seen
    assert "### Advice" not in seen
    assert [row for row in table_rows(seen) if len(row) > 6] == []
    layers = [row for row in table_rows(result.stdout) if len(row) == 6 and row[0].isdigit()]
    assert [row[2] for row in layers] == ["unchanged (rebuilt)"] * 3 + ["+1 B"]
