"""Benchmark the HTML report of a large image: how long it takes to write, how big the page is,
and how long chromium takes to load and draw it.

A synthetic image of ``--files`` regular files (``auger.testing.synthetic``: a distribution's
directory shape, log-normal sizes, eight layers with a deleted directory and overwrites) is
analysed once; the report is gathered (package attribution included) and rendered as HTML,
each timed in CPU seconds; the page is written to a temporary file and, when Debian's chromium
and chromedriver are installed, loaded ``--repeat`` times in a headless chromium, each load
timed from navigation to the first frame drawn after the load event.

    python scripts/bench_html.py [--files 200000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from auger.analysis.image import analyze_image
from auger.report.html.report import format_report
from auger.report.markdown_report import format_report as format_markdown
from auger.report.model import build_report
from auger.testing.synthetic import synthetic_image


def _cpu(started: float) -> float:
    return time.process_time() - started


def _browser_loads(page: Path, repeat: int) -> list[float] | None:
    """Seconds per load of ``page`` in a headless chromium, or ``None`` without one."""
    binary, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if binary is None or driver_path is None:
        return None
    from selenium import webdriver  # noqa: PLC0415 - only when a browser is there
    from selenium.webdriver.chrome.service import Service  # noqa: PLC0415

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--window-size=1280,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    seconds = []
    try:
        for _ in range(repeat):
            started = time.perf_counter()
            driver.get(page.as_uri())
            driver.execute_async_script(
                "const done = arguments[0];"
                "requestAnimationFrame(() => requestAnimationFrame(() => done()));"
            )
            seconds.append(time.perf_counter() - started)
    finally:
        driver.quit()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    started = time.process_time()
    image = synthetic_image(args.files)
    entries = sum(len(layer.scan.entries) for layer in image.layers)
    analysis = analyze_image(image)
    analysed = _cpu(started)
    started = time.process_time()
    report = build_report(analysis)
    gathered = _cpu(started)
    started = time.process_time()
    html = format_report(report)
    rendered = _cpu(started)
    markdown = format_markdown(report)
    print(f"{entries:,} entries in {len(image.layers)} layers")
    print(f"make the image and analyse it: {analysed:.2f} s CPU")
    print(f"gather the report (waste groups, advice, attribution): {gathered:.2f} s CPU")
    print(f"render the HTML page: {rendered:.2f} s CPU")
    print(f"page: {len(html.encode()):,} bytes; Markdown report: {len(markdown):,} characters")
    with tempfile.TemporaryDirectory() as directory:
        page = Path(directory) / "report.html"
        page.write_text(html, encoding="utf-8")
        loads = _browser_loads(page, args.repeat)
    if loads is None:
        print("chromium or chromedriver is not installed: no load times")
        return
    shown = ", ".join(f"{load:.2f}" for load in loads)
    print(
        f"chromium load to first frame: median {statistics.median(loads):.2f} s, "
        f"best {min(loads):.2f} s ({shown})"
    )


if __name__ == "__main__":
    main()
