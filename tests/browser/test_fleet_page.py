"""The fleet page (the golden one) in a real chromium: it loads without a console error, its
chart is drawn, and its tables sort and filter."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from tests.browser.support import console_errors, open_page, script

pytestmark = pytest.mark.browser
PAGE = Path(__file__).parents[1] / "fleet" / "golden" / "fleet.html"


def _sizes(table: WebElement) -> list[int]:
    cells = table.find_elements(By.CSS_SELECTOR, "tbody tr:not([hidden]) td:nth-child(2)")
    return [int(cell.get_attribute("data-v") or "-1") for cell in cells if cell.is_displayed()]


def test_the_fleet_page_loads_sorts_and_filters(browser: WebDriver) -> None:
    console_errors(browser)
    open_page(browser, PAGE)
    assert console_errors(browser) == []
    assert script(browser, "return document.documentElement.classList.contains('js')")
    assert browser.title == "auger fleet: 5 images"
    bars = browser.find_elements(By.CSS_SELECTOR, "#fleet-chart svg rect.s")
    assert len(bars) == 5 and bars[0].size["width"] > 0
    tables = browser.find_elements(By.CSS_SELECTOR, "table.data")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".filter input")) == len(tables) >= 4
    table = browser.find_element(By.CSS_SELECTOR, "#shared-layers table")
    size = table.find_elements(By.CSS_SELECTOR, "thead th")[1]
    size.find_element(By.TAG_NAME, "button").click()
    ascending = _sizes(table)
    assert ascending == sorted(ascending) and ascending[0] < ascending[-1]
    size.find_element(By.TAG_NAME, "button").click()
    assert _sizes(table) == ascending[::-1]
    box = browser.find_element(By.CSS_SELECTOR, "#wasters .filter input")
    box.send_keys("worker")
    shown = [
        row.text
        for row in browser.find_elements(By.CSS_SELECTOR, "#wasters tbody tr")
        if row.is_displayed()
    ]
    assert len(shown) == 1 and "fleet/worker.tar" in shown[0]
    assert console_errors(browser) == []
