"""Golden files: the fleet summary in every format, byte for byte, for a fixed fleet of
uncompressed archives with budgets, a missing image and a file name full of Markdown and HTML.

To accept a change, run ``AUGER_UPDATE_GOLDEN=1 pytest tests/fleet/test_fleet_golden.py`` and
review the diff of tests/fleet/golden/. The last test reads the committed Markdown itself, so
regenerating it cannot quietly bless a report that breaks its tables or lets markup through.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from auger.testing.images import docker_archive
from tests.fleet.support import fleet_specs
from tests.report.test_golden import check_golden
from tests.support import NO_ENGINE, run_cli

GOLDEN = Path(__file__).parent / "golden"
HOSTILE = "fleet/we|rd`<b>x`&.tar"
BUDGETS = "version: 1\nimage:\n  max_size: {fail: 60kB, warn: 40kB}\n  max_wasted_bytes: 1kB\n"
FORMATS = {"fleet.txt": "text", "fleet.md": "markdown", "fleet.json": "json"}


@pytest.fixture(scope="module")
def fleet_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("golden-fleet")
    specs = fleet_specs()
    (root / "fleet").mkdir()
    for name in ("api", "worker", "web", "lone"):  # uncompressed: no zlib version shows
        (root / "fleet" / f"{name}.tar").write_bytes(docker_archive(specs[name]))
    (root / HOSTILE).write_bytes(docker_archive(specs["cron"]))
    (root / "budgets.yaml").write_text(BUDGETS)
    return root


def summary(directory: Path, output: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(directory)
    references = sorted(
        str(path.relative_to(directory)) for path in (directory / "fleet").iterdir()
    )
    references = [f"oci-archive://{r}" if r.endswith(".oci.tar") else r for r in references]
    result = run_cli(
        ["fleet", *references, "fleet/missing.tar", "--budgets=budgets.yaml", f"--format={output}"],
        {**NO_ENGINE, "AUGER_CACHE_DIR": str(directory / "cache")},
    )
    assert result.code == 3, result.stderr  # the missing image
    return result.stdout


@pytest.mark.parametrize("name", list(FORMATS))
def test_the_summary_matches_its_golden_file(
    name: str, fleet_directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_golden(GOLDEN / name, summary(fleet_directory, FORMATS[name], monkeypatch))


def test_the_golden_markdown_keeps_its_tables_and_lets_no_markup_through() -> None:
    text = (GOLDEN / "fleet.md").read_text()
    assert text.startswith("<!-- auger-fleet -->\n## auger fleet: 5 images\n")
    tokens = MarkdownIt("gfm-like").parse(text)
    html = [t.content for t in tokens if t.type in ("html_block", "html_inline")]
    assert html == ["<!-- auger-fleet -->\n"]  # the marker a workflow finds its comment by
    inline = [t for t in tokens if t.type == "inline"]
    assert not any(child.type == "html_inline" for t in inline for child in t.children or [])
    rows = [t for t in tokens if t.type == "tr_open"]
    headers = {t.content for t in inline if t.map is not None}
    assert rows and "Shared bases" in headers and "Unreadable images" in headers
    hostile = [line for line in text.splitlines() if "we\\|rd" in line]
    assert len(hostile) >= 2, "the hostile name is shown, escaped, in the tables"
    assert all("<b>" not in line and "&lt;b&gt;" in line for line in hostile)
    for table in tables(text):
        pipes = {len(re.findall(r"(?<!\\)\|", line)) for line in table}
        assert len(pipes) == 1, table  # no name adds or removes a column


def tables(text: str) -> list[list[str]]:
    """The lines of each Markdown table."""
    found: list[list[str]] = []
    previous = False
    for line in text.splitlines():
        in_table = line.startswith("|")
        if in_table and not previous:
            found.append([])
        if in_table:
            found[-1].append(line)
        previous = in_table
    return found
