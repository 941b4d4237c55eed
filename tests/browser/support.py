"""Debian's chromium, driven by selenium through Debian's chromedriver: start it headless,
open a page, read what its console said, wait for a frame to be drawn.

:func:`start_chromium` fails in CI and skips elsewhere when either program is missing (as
``tests/conftest.py``'s components do). Nothing is downloaded: both binaries are named by path,
so selenium's own driver manager never runs.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from tests.conftest import require

CHROMIUM = ("chromium", "chromium-browser")
CHROMEDRIVER = "chromedriver"


def _found(names: tuple[str, ...]) -> str | None:
    return next((path for name in names if (path := shutil.which(name))), None)


def start_chromium(*, javascript: bool = True, performance_log: bool = False) -> WebDriver:
    """A headless chromium with a window of 1280 by 900 pixels; with ``performance_log``, its
    network events (WebSocket frames among them) can be read with ``get_log("performance")``."""
    binary, driver = _found(CHROMIUM), _found((CHROMEDRIVER,))
    require(binary is not None, "chromium (Debian's chromium) is not installed")
    require(driver is not None, "chromedriver (Debian's chromium-driver) is not installed")
    assert binary is not None and driver is not None
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",  # the tests may run as root, in a container
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--no-first-run",
        "--disable-background-networking",
    ):
        options.add_argument(argument)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    logs = {"browser": "ALL"} | ({"performance": "ALL"} if performance_log else {})
    options.set_capability("goog:loggingPrefs", logs)
    return webdriver.Chrome(service=Service(driver), options=options)


def log(driver: WebDriver, kind: str) -> list[dict[str, Any]]:
    """The entries of chromium's ``kind`` log (``browser``: the console; ``performance``: the
    DevTools events) since the last read."""
    entries: list[dict[str, Any]] = driver.get_log(kind)  # type: ignore[no-untyped-call]
    return entries


def console_errors(driver: WebDriver) -> list[str]:
    """The console's errors since the last call (a blocked script or style is one)."""
    return [entry["message"] for entry in log(driver, "browser") if entry["level"] == "SEVERE"]


def open_page(driver: WebDriver, page: Path) -> None:
    """Load ``page``, wait until a frame after the load has been drawn, and clear the console
    of anything an earlier page left."""
    driver.get(page.as_uri())
    drawn(driver)


def drawn(driver: WebDriver) -> None:
    """Return once the browser has drawn a frame after everything queued so far."""
    driver.execute_async_script(
        "const done = arguments[0];"
        "requestAnimationFrame(() => requestAnimationFrame(() => done()));"
    )


def timed_load(driver: WebDriver, page: Path) -> float:
    """Seconds from navigating to ``page`` to the first frame drawn after its load event."""
    started = time.perf_counter()
    open_page(driver, page)
    return time.perf_counter() - started


def visible_view(driver: WebDriver) -> WebElement:
    """The size map's view that is showing."""
    (view,) = [
        view for view in driver.find_elements(By.CSS_SELECTOR, ".tm-view") if view.is_displayed()
    ]
    return view


def breadcrumb(view: WebElement) -> list[str]:
    """The names of the breadcrumb's steps, the current directory last."""
    return [step.text for step in view.find_elements(By.CSS_SELECTOR, "nav.crumbs a, nav.crumbs b")]


def script(driver: WebDriver, source: str, *args: Any) -> Any:
    """Run ``source`` in the page and return its value."""
    return driver.execute_script(source, *args)
