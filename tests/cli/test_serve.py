"""``auger serve``: what it refuses, the command each session runs, where it listens and what
it says when that is beyond this machine. (The explorer in a real browser is in
``tests/browser/test_serve.py``.)"""

from __future__ import annotations

import argparse
import os
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from auger.cli.serve import explore_command, is_loopback, url_host
from tests.report.support import head_image, write_archive
from tests.support import NO_ENGINE, one_error, run_cli

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LocalHost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("example.org", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("host", "shown"),
    [("127.0.0.1", "127.0.0.1"), ("::1", "[::1]"), ("[::1]", "[::1]"), ("localhost", "localhost")],
)
def test_an_ipv6_address_is_bracketed_in_the_url(host: str, shown: str) -> None:
    assert url_host(host) == shown


def test_each_session_runs_this_pythons_explorer_with_every_word_quoted() -> None:
    image = "docker-archive://my image;rm -rf ~ $(id) `id` 'x'.tar"
    args = argparse.Namespace(
        image=image, source="docker-archive", platform="linux/arm64", tls_verify=False
    )
    words = shlex.split(explore_command(args))
    assert words == [
        sys.executable, "-m", "auger", "explore", image, "--source", "docker-archive",
        "--platform", "linux/arm64", "--tls-verify=false",
    ]  # fmt: skip


def test_standard_input_cannot_be_served() -> None:
    message = one_error(run_cli(["serve", "-"]), 2)
    assert "cannot read standard input" in message


def test_a_port_out_of_range_is_refused() -> None:
    assert "--port must be between 1 and 65535" in one_error(
        run_cli(["serve", "image.tar", "--port", "70000"]), 2
    )


def test_a_bad_reference_is_refused_before_serving() -> None:
    assert "unknown image source" in one_error(run_cli(["serve", "nope://image"]), 2)


def test_beyond_loopback_it_warns_and_a_busy_port_is_one_error(tmp_path: Path) -> None:
    archive = write_archive(tmp_path, "head.tar", head_image())
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        completed = subprocess.run(
            [sys.executable, "-m", "auger", "serve", str(archive), "--host", "0.0.0.0",
             "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**os.environ, **NO_ENGINE, "PYTHONPATH": str(SRC)},
        )  # fmt: skip
    assert completed.returncode == 2, completed.stderr
    lines = completed.stderr.splitlines()
    assert lines[0] == (
        f"auger: warning: serving on 0.0.0.0: anyone who can reach port {port} can browse "
        "this image and extract its files onto this machine"
    )
    assert lines[-1].startswith(f"auger: error: auger serve: cannot listen on 0.0.0.0:{port}: ")
    assert "Traceback" not in completed.stderr
