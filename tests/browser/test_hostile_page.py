"""A page about an image whose file names, command and package are markup, script and
terminal control, opened in chromium: nothing runs, no element or attribute comes from a name,
and every name reads as the text it is, its control characters as visible escapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By

from auger.display import display
from tests.browser.support import console_errors, open_page, script
from tests.report.html.support import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    HOSTILE_COMMAND,
    HOSTILE_FILES,
    HOSTILE_PACKAGE,
    HOSTILE_TAG,
    hostile_image,
)
from tests.report.support import write_archive
from tests.support import run_cli

pytestmark = pytest.mark.browser

ADDED_BY_THE_SCRIPT = {"button", "input"}
"""The elements the page's own script adds: sort buttons and filter boxes."""


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("hostile")
    archive = str(write_archive(directory, "hostile.tar", hostile_image()))
    page = directory / "hostile.html"
    result = run_cli(
        ["report", archive, "--baseline", archive, "--format", "html", "-o", str(page)]
    )
    assert result.code == 0, result.stderr
    return page


@pytest.fixture
def opened(browser: WebDriver, hostile_page: Path) -> WebDriver:
    console_errors(browser)
    open_page(browser, hostile_page)
    return browser


def test_nothing_from_the_image_runs(opened: WebDriver) -> None:
    with pytest.raises(NoAlertPresentException):
        _ = opened.switch_to.alert.text
    assert opened.title == f"auger: {HOSTILE_TAG}"
    assert console_errors(opened) == [], "not even a blocked attempt"
    assert script(opened, "return document.scripts.length") == 2


def test_no_element_or_attribute_comes_from_a_name(opened: WebDriver) -> None:
    tags = script(opened, "return [...document.querySelectorAll('*')].map(e => e.localName)")
    assert set(tags) <= ALLOWED_TAGS | ADDED_BY_THE_SCRIPT
    names = script(
        opened,
        "return [...document.querySelectorAll('*')].flatMap(e => e.getAttributeNames())",
    )
    assert set(names) <= ALLOWED_ATTRIBUTES | {"viewBox", "aria-sort", "placeholder"}
    links = script(
        opened, "return [...document.querySelectorAll('[href]')].map(e => e.getAttribute('href'))"
    )
    assert links and all(link.startswith("#tm") for link in links)


def test_every_name_reads_as_text_with_its_control_characters_visible(opened: WebDriver) -> None:
    size_map = opened.find_element(By.ID, "sizemap").get_attribute("textContent") or ""
    for name in HOSTILE_FILES:
        assert display(name.split("/")[0]) in size_map, name
    escapes = opened.find_elements(By.CSS_SELECTOR, "#sizemap .esc")
    assert {escape.get_attribute("textContent") for escape in escapes} >= {
        "\\x1b", "\\xe9", "\\u2028", "\\u2029", "\\u202e", "\\n",
    }  # fmt: skip
    package = opened.find_element(By.CSS_SELECTOR, "#packages tbody tr")
    cells = [cell.text for cell in package.find_elements(By.TAG_NAME, "td")]
    assert cells[:3] == [display(HOSTILE_PACKAGE.name), "dpkg", HOSTILE_PACKAGE.version]
    assert package.find_elements(By.CSS_SELECTOR, "b, script") == []
    command = opened.find_element(By.CSS_SELECTOR, "#layers tbody tr td:last-child").text
    assert "</script><script>alert(4)</script>" in command
    assert "\\x1b]0;title\\x07" in command
    data = script(opened, "return JSON.parse(document.getElementById('auger-data').textContent)")
    assert data["layers"][0]["command"] == display(HOSTILE_COMMAND.removeprefix("/bin/sh -c "))


def test_the_filter_matches_a_name_as_the_text_it_shows(opened: WebDriver) -> None:
    section = opened.find_element(By.ID, "waste")
    section.find_element(By.CSS_SELECTOR, ".filter input").send_keys("onerror=alert(2)>")
    rows = [row for row in section.find_elements(By.CSS_SELECTOR, "tbody tr") if row.is_displayed()]
    assert [row.find_element(By.TAG_NAME, "td").text for row in rows] == [
        "/<img src=x onerror=alert(2)>.txt"
    ]
