"""The report page in a real chromium: it loads without a console error, the size map drills
in and back, the tables sort and filter, and without a script every table and the size map
still read."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from tests.browser.support import (
    breadcrumb,
    console_errors,
    drawn,
    open_page,
    script,
    visible_view,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", ["report", "baseline", "diff"])
def test_the_page_loads_without_a_console_error(
    browser: WebDriver, pages: dict[str, Path], name: str
) -> None:
    console_errors(browser)
    open_page(browser, pages[name])
    assert console_errors(browser) == []
    assert script(browser, "return document.documentElement.classList.contains('js')")
    assert visible_view(browser).get_attribute("id") == "tm0"
    assert len(browser.find_elements(By.CSS_SELECTOR, ".filter input")) == len(
        browser.find_elements(By.CSS_SELECTOR, "table.data")
    )


def test_the_policy_blocks_any_script_and_style_the_page_does_not_name(
    browser: WebDriver, pages: dict[str, Path], tmp_path: Path
) -> None:
    tampered = (
        pages["report"]
        .read_text(encoding="utf-8")
        .replace(
            "<main>",
            "<main><script>document.title = 'ran'</script>"
            "<style>body { display: none }</style>"
            "<p id='styled' style='display: none'>styled</p>",
            1,
        )
    )
    page = tmp_path / "tampered.html"
    page.write_text(tampered, encoding="utf-8")
    console_errors(browser)
    open_page(browser, page)
    assert browser.title == "auger: example:head"
    assert browser.find_element(By.TAG_NAME, "body").is_displayed()
    assert browser.find_element(By.ID, "styled").is_displayed()
    errors = console_errors(browser)
    assert len(errors) == 3, errors
    assert all("Content Security Policy" in error for error in errors), errors


def directory_box(view: WebElement) -> tuple[WebElement, str]:
    """The largest directory drawn in ``view`` that opens a view of its own, and its name."""
    for link in view.find_elements(By.CSS_SELECTOR, "svg a.fr, svg a.d"):
        name = link.find_element(By.TAG_NAME, "text").text
        target = link.get_dom_attribute("href") or ""
        if name and "#tm" in target:
            return link, name
    raise AssertionError("no directory to open")


def click_open(driver: WebDriver, link: WebElement) -> None:
    """Click a directory's rectangle where nothing is drawn over it: a frame's name strip (its
    children are drawn inside it), or the middle of a directory drawn whole."""
    rect = link.find_element(By.TAG_NAME, "rect")
    script(driver, "arguments[0].scrollIntoView({block: 'center'})", rect)
    actions = ActionChains(driver)
    if "fr" in (link.get_dom_attribute("class") or "").split():
        width, height = rect.size["width"], rect.size["height"]
        actions.move_to_element_with_offset(rect, int(-width / 2 + 6), int(-height / 2 + 6))
    else:
        actions.move_to_element(rect)
    actions.click().perform()


def test_a_click_on_a_directory_opens_it_and_the_breadcrumb_leads_back(
    browser: WebDriver, pages: dict[str, Path]
) -> None:
    open_page(browser, pages["report"])
    root = visible_view(browser)
    assert breadcrumb(root) == ["/"]
    link, name = directory_box(root)
    target = (link.get_dom_attribute("href") or "").rsplit("#", 1)[1]
    click_open(browser, link)
    drawn(browser)
    opened = visible_view(browser)
    assert opened.get_attribute("id") == target != "tm0"
    assert breadcrumb(opened) == ["/", name]
    assert script(browser, "return location.hash") == f"#{target}"
    opened.find_element(By.CSS_SELECTOR, "nav.crumbs a").click()
    drawn(browser)
    assert visible_view(browser).get_attribute("id") == "tm0"
    browser.back()
    drawn(browser)
    assert visible_view(browser).get_attribute("id") == target
    assert console_errors(browser) == []


def shown_rows(table: WebElement) -> list[WebElement]:
    return [row for row in table.find_elements(By.CSS_SELECTOR, "tbody tr") if row.is_displayed()]


def column(table: WebElement, index: int, attribute: str | None = None) -> list[str]:
    cells = [row.find_elements(By.TAG_NAME, "td")[index] for row in shown_rows(table)]
    if attribute is None:
        return [cell.text for cell in cells]
    return [cell.get_attribute(attribute) or "" for cell in cells]


def test_a_heading_sorts_its_table_by_number_then_the_other_way(
    browser: WebDriver, pages: dict[str, Path]
) -> None:
    open_page(browser, pages["report"])
    table = browser.find_element(By.CSS_SELECTOR, "#waste table")
    size = table.find_elements(By.CSS_SELECTOR, "thead th")[1]
    assert size.text.startswith("size")
    size.find_element(By.TAG_NAME, "button").click()
    ascending = [int(value) for value in column(table, 1, "data-v")]
    assert ascending == sorted(ascending) and ascending[0] < ascending[-1]
    assert size.get_attribute("aria-sort") == "ascending"
    size.find_element(By.TAG_NAME, "button").click()
    assert [int(value) for value in column(table, 1, "data-v")] == ascending[::-1]
    assert size.get_attribute("aria-sort") == "descending"


def test_a_heading_sorts_a_text_column_alphabetically(
    browser: WebDriver, pages: dict[str, Path]
) -> None:
    open_page(browser, pages["report"])
    table = browser.find_element(By.CSS_SELECTOR, "#waste table")
    before = column(table, 0)
    table.find_element(By.CSS_SELECTOR, "thead th button").click()
    after = column(table, 0)
    assert after == sorted(before, key=str.lower) != before


def test_the_filter_keeps_the_rows_that_match(browser: WebDriver, pages: dict[str, Path]) -> None:
    open_page(browser, pages["report"])
    section = browser.find_element(By.ID, "waste")
    table = section.find_element(By.TAG_NAME, "table")
    every = len(shown_rows(table))
    box = section.find_element(By.CSS_SELECTOR, ".filter input")
    box.send_keys("APT")
    kept = column(table, 0)
    assert kept and len(kept) < every
    assert all("apt" in path.lower() for path in kept)
    counter = section.find_element(By.CSS_SELECTOR, ".filter .muted")
    assert counter.text == f"{len(kept)} of {every} rows"
    box.send_keys("-no-such-path")
    assert shown_rows(table) == []
    box.clear()
    box.send_keys(" ")
    assert len(shown_rows(table)) == every


def test_without_a_script_the_tables_and_the_size_map_still_read(
    browser_without_script: WebDriver, pages: dict[str, Path]
) -> None:
    driver = browser_without_script
    driver.get(pages["report"].as_uri())
    assert not script_ran(driver)
    tables = driver.find_elements(By.CSS_SELECTOR, "section > table.data")
    owners = [table.find_element(By.XPATH, "..").get_attribute("id") for table in tables]
    assert owners == ["advice", "waste", "layers"]
    assert all(shown_rows(table) for table in tables)
    assert driver.find_elements(By.CSS_SELECTOR, ".filter") == []
    root = visible_view(driver)
    assert root.get_attribute("id") == "tm0"
    link, name = directory_box(root)
    click_open(driver, link)
    opened = visible_view(driver)
    assert opened.get_attribute("id") != "tm0"
    assert breadcrumb(opened) == ["/", name]


def script_ran(driver: WebDriver) -> bool:
    """Whether the page's script marked the document (read through the style it gets)."""
    return "js" in (driver.find_element(By.TAG_NAME, "html").get_attribute("class") or "")


def luminance(color: str) -> float:
    """The relative brightness (0 to 1) of a computed ``rgb(r, g, b)`` colour."""
    red, green, blue = (int(part) for part in color[color.index("(") + 1 : -1].split(",")[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


def test_the_page_follows_the_systems_dark_setting_and_prints_light(
    browser: WebDriver, pages: dict[str, Path]
) -> None:
    def colours() -> tuple[float, float]:
        body = browser.find_element(By.TAG_NAME, "body")
        return luminance(body.value_of_css_property("background-color")), luminance(
            body.value_of_css_property("color")
        )

    try:
        browser.execute_cdp_cmd(
            "Emulation.setEmulatedMedia",
            {"features": [{"name": "prefers-color-scheme", "value": "light"}]},
        )
        open_page(browser, pages["report"])
        background, text = colours()
        assert background > 0.9 and text < 0.3
        browser.execute_cdp_cmd(
            "Emulation.setEmulatedMedia",
            {"features": [{"name": "prefers-color-scheme", "value": "dark"}]},
        )
        background, text = colours()
        assert background < 0.1 and text > 0.8
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        background, text = colours()
        assert background > 0.9 and text < 0.1
        assert not browser.find_element(By.CSS_SELECTOR, ".filter").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": []})
