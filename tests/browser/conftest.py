"""The browser the tests drive, one per worker, and the report pages they open.

A test that takes ``browser`` or ``browser_without_script`` carries the ``browser`` marker
(``tests/markers.py``): it fails in CI without Debian's chromium and chromedriver.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver

from tests.browser.support import start_chromium
from tests.report.support import base_image, head_image, write_archive
from tests.support import run_cli


@pytest.fixture(scope="session")
def browser() -> Iterator[WebDriver]:
    """A headless chromium with its scripts on."""
    driver = start_chromium()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def browser_without_script() -> Iterator[WebDriver]:
    """A headless chromium that runs no script, as a locked-down mail client would show a
    page."""
    driver = start_chromium(javascript=False)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fixed images' HTML pages, written by the command line: ``report``, ``baseline``
    (the report against a baseline) and ``diff``."""
    directory = tmp_path_factory.mktemp("pages")
    base = str(write_archive(directory, "base.tar", base_image()))
    head = str(write_archive(directory, "head.tar", head_image()))
    commands = {
        "report": ["report", head],
        "baseline": ["report", head, "--baseline", base],
        "diff": ["diff", base, head],
    }
    written = {}
    for name, command in commands.items():
        path = directory / f"{name}.html"
        result = run_cli([*command, "--format", "html", "-o", str(path)])
        assert result.code in (0, 1), result.stderr
        written[name] = path
    return written
