"""The engine is found as the docker CLI finds it: DOCKER_HOST, then the active context."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auger.pipeline import analyze
from auger.report.dive_json import export
from auger.sources.interface import EngineUnavailableError
from tests.engine_support import Engine

pytestmark = pytest.mark.engine


def _context(config: Path, name: str, host: str) -> None:
    meta = config / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    meta.mkdir(parents=True)
    endpoint = {"Host": host, "SkipTLSVerify": False}
    data = {"Name": name, "Metadata": {}, "Endpoints": {"docker": endpoint}}
    (meta / "meta.json").write_text(json.dumps(data))


@pytest.fixture
def image(engine: Engine, tmp_path: Path) -> str:
    return engine.build(tmp_path / "ctx", "FROM scratch\nCOPY a /a\n", {"a": b"context test\n"})


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "docker-config"
    directory.mkdir()
    _context(directory, "works", "unix:///var/run/docker.sock")
    _context(directory, "broken", f"unix://{tmp_path}/no-engine.sock")
    monkeypatch.setenv("DOCKER_CONFIG", str(directory))
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    return directory


def test_current_context_from_the_config_is_used(image: str, config: Path) -> None:
    (config / "config.json").write_text(json.dumps({"currentContext": "broken"}))
    with pytest.raises(EngineUnavailableError, match="docker context 'broken'"):
        analyze(f"docker://{image}", environ={"DOCKER_CONFIG": str(config)})
    (config / "config.json").write_text(json.dumps({"currentContext": "works"}))
    analysis = analyze(f"docker://{image}", environ={"DOCKER_CONFIG": str(config)})
    assert "a" in analysis.final


def test_docker_context_variable_wins_over_the_config(image: str, config: Path) -> None:
    (config / "config.json").write_text(json.dumps({"currentContext": "broken"}))
    environ = {"DOCKER_CONFIG": str(config), "DOCKER_CONTEXT": "works"}
    assert "a" in analyze(f"docker://{image}", environ=environ).final


def test_docker_host_wins_over_contexts(image: str, config: Path, tmp_path: Path) -> None:
    environ = {"DOCKER_CONTEXT": "works", "DOCKER_HOST": f"unix://{tmp_path}/none.sock"}
    with pytest.raises(EngineUnavailableError, match=r"none\.sock"):
        analyze(f"docker://{image}", environ=environ)


def test_a_context_that_does_not_exist_is_an_error(image: str, config: Path) -> None:
    with pytest.raises(EngineUnavailableError, match="'missing' does not exist"):
        analyze(f"docker://{image}", environ={"DOCKER_CONTEXT": "missing"})


def test_the_sdk_and_the_socket_read_the_same_image(image: str, config: Path) -> None:
    """The default context is read on its socket directly; a named one through the SDK."""
    environ = {"DOCKER_CONFIG": str(config)}
    direct = export(analyze(f"docker://{image}", environ=environ))
    (config / "config.json").write_text(json.dumps({"currentContext": "works"}))
    through_the_sdk = export(analyze(f"docker://{image}", environ=environ))
    assert through_the_sdk == direct


def test_an_image_from_the_default_socket_loads_no_sdk(image: str, tmp_path: Path) -> None:
    """The SDK (requests, urllib3) costs 100 ms and 16 MiB to import: the socket needs none."""
    probe = (
        "import sys; from auger.pipeline import analyze; "
        f"analysis = analyze('docker://{image}'); "
        "print('a' in analysis.final, sorted(m for m in ('docker', 'requests', 'urllib3', 'ssl')"
        " if m in sys.modules))"
    )
    environ = {key: value for key, value in os.environ.items() if not key.startswith("DOCKER_")}
    environ["DOCKER_CONFIG"] = str(tmp_path)  # no config: the default context
    completed = subprocess.run(
        [sys.executable, "-c", probe], env=environ, capture_output=True, text=True, check=True
    )
    assert completed.stdout == "True []\n"
