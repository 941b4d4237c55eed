"""``auger serve`` in a real chromium: the server comes up on loopback, the page connects, and
the explorer's first screen (its layers and the image's details) reaches the page's terminal.

The terminal draws on a canvas, so the test reads what the page received: the WebSocket frames
chromium logged, which carry the explorer's screen as terminal output.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By

from tests.browser.support import log, script, start_chromium
from tests.report.support import head_image, write_archive
from tests.support import NO_ENGINE

pytestmark = pytest.mark.browser

SRC = Path(__file__).resolve().parents[2] / "src"
STARTUP = 60.0
"""Seconds the server and then the explorer may take to come up on a busy machine."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(port: int, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"auger serve did not listen on port {port}")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """``auger serve`` of the fixed head image, in its own process group; its URL."""
    archive = write_archive(tmp_path, "head.tar", head_image())
    port = free_port()
    environ = {**os.environ, **NO_ENGINE, "PYTHONPATH": str(SRC)}
    environ.pop("CI", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "auger", "serve", str(archive), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=environ,
        start_new_session=True,  # the explorers it starts go with it
    )
    try:
        wait_for_port(port, server)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        if server.stderr is not None:
            server.stderr.close()


@pytest.fixture
def logging_browser() -> Iterator[WebDriver]:
    driver = start_chromium(performance_log=True)
    try:
        yield driver
    finally:
        driver.quit()


def received(driver: WebDriver) -> bytes:
    """What the page's WebSockets received since the last call."""
    data = b""
    for entry in log(driver, "performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] != "Network.webSocketFrameReceived":
            continue
        frame = message["params"]["response"]
        payload = frame["payloadData"]
        data += base64.b64decode(payload) if frame["opcode"] == 2 else payload.encode()
    return data


def test_the_explorers_first_screen_appears_in_the_page(
    served: str, logging_browser: WebDriver
) -> None:
    driver = logging_browser
    driver.get(served)
    screen = b""
    deadline = time.monotonic() + STARTUP
    wanted = (b"Layers", b"Image details", b"example:head", b"#(nop) ADD file:5d2f1a0c")
    while time.monotonic() < deadline and not all(word in screen for word in wanted):
        screen += received(driver)
        time.sleep(0.5)
    missing = [word for word in wanted if word not in screen]
    assert not missing, (missing, screen[-2000:])
    assert "-first-byte" in script(driver, "return document.body.className")
    assert driver.find_elements(By.CSS_SELECTOR, ".textual-terminal canvas")
