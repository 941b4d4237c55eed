"""``podman://`` against a real Podman (vfs storage in a temporary directory): through its API
socket, found as Podman's clients find it, and through a ``podman image save`` pipe when there is
no socket; ``podman save | auger -``; a missing image or socket is exit 3."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from auger.cache.store import LayerCache
from auger.pipeline import AnalyzeOptions, analyze
from auger.progress import Progress
from auger.sources import podman as podman_source
from auger.testing.images import docker_archive
from tests.conftest import require
from tests.podman_support import Podman, have_podman
from tests.registry.conftest import small_image
from tests.support import NO_ENGINE, analyze_reference, fingerprint, run_cli

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture(scope="module")
def podman_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("podman-image") / "image.tar"
    path.write_bytes(docker_archive(small_image("podapp:1")))
    return path


@pytest.fixture(scope="module")
def podman(podman_archive: Path) -> Iterator[Podman]:
    require(have_podman(), "podman is not installed")
    # A short root of its own: Podman refuses a runroot longer than 50 characters, which a
    # pytest temporary directory (per xdist worker) can be.
    with tempfile.TemporaryDirectory(prefix="auger-podman-") as root:
        store = Podman(Path(root)).setup()
        store.load(podman_archive)
        store.serve()
        try:
            yield store
        finally:
            store.stop()


@pytest.fixture
def no_rootful_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(podman_source, "ROOTFUL_SOCKET", tmp_path / "absent" / "podman.sock")


def environ_for(podman: Podman, **more: str) -> dict[str, str]:
    return {**NO_ENGINE, **podman.environ, "PATH": os.environ.get("PATH", "/usr/bin"), **more}


@pytest.mark.usefixtures("no_rootful_socket")
@pytest.mark.parametrize("found_by", ["CONTAINER_HOST", "XDG_RUNTIME_DIR"])
def test_through_the_api_socket(podman: Podman, podman_archive: Path, found_by: str) -> None:
    value = f"unix://{podman.socket}" if found_by == "CONTAINER_HOST" else str(podman.root / "run")
    environ = environ_for(podman, **{found_by: value}, PATH="/nonexistent")  # no save pipe
    result = run_cli(["podman://podapp:1"], environ)
    assert result.code == 0, result.stderr
    assert "(podman, linux/amd64)" in result.stdout
    expected = run_cli([str(podman_archive)])
    assert result.stdout.splitlines()[1:] == expected.stdout.splitlines()[1:]


@pytest.mark.usefixtures("no_rootful_socket")
def test_same_analysis_as_the_archive_with_history_from_the_config(
    podman: Podman, podman_archive: Path
) -> None:
    environ = environ_for(podman, CONTAINER_HOST=f"unix://{podman.socket}")
    analysis = analyze("podapp:1", AnalyzeOptions(source="podman"), None, environ)
    assert analysis.image.source == "podman"
    assert [layer.command for layer in analysis.image.layers] == [
        "#(nop) ADD base",
        "write config",
        "rm /etc/old",
    ]
    assert fingerprint(analysis) == fingerprint(analyze_reference(str(podman_archive)))


@pytest.mark.usefixtures("no_rootful_socket")
def test_without_a_socket_podman_image_save_is_piped(
    podman: Podman, podman_archive: Path, tmp_path: Path
) -> None:
    wrapper_dir = tmp_path / "bin"
    wrapper_dir.mkdir()
    calls = tmp_path / "calls"
    wrapper = wrapper_dir / "podman"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> "{calls}"\nexec /usr/bin/podman "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    environ = environ_for(podman, XDG_RUNTIME_DIR=str(tmp_path / "empty-run"))
    environ["PATH"] = f"{wrapper_dir}:{environ['PATH']}"
    result = run_cli(["podman://podapp:1"], environ)
    assert result.code == 0, result.stderr
    assert calls.read_text().split() == ["image", "save", "--format", "docker-archive", "podapp:1"]
    expected = run_cli([str(podman_archive)])
    assert result.stdout.splitlines()[1:] == expected.stdout.splitlines()[1:]
    missing = run_cli(["podman://no-such-image:1"], environ)
    assert missing.code == 3
    assert "auger: error: image no-such-image:1 not found in Podman" in missing.stderr
    assert missing.stdout == ""


@pytest.mark.usefixtures("no_rootful_socket")
def test_an_image_podman_does_not_have_is_exit_3(podman: Podman) -> None:
    environ = environ_for(podman, CONTAINER_HOST=f"unix://{podman.socket}")
    result = run_cli(["podman://no-such-image"], environ)
    assert result.code == 3
    assert result.stderr.startswith("auger: error: image no-such-image:latest not found in Podman")
    assert "podman images" in result.stderr


@pytest.mark.usefixtures("no_rootful_socket")
def test_no_socket_is_exit_3_with_a_hint(tmp_path: Path) -> None:
    named = run_cli(
        ["podman://app:1"], {**NO_ENGINE, "CONTAINER_HOST": f"unix://{tmp_path}/gone.sock"}
    )
    assert named.code == 3
    assert "cannot reach Podman's socket" in named.stderr
    assert "CONTAINER_HOST" in named.stderr
    nothing = run_cli(
        ["podman://app:1"], {**NO_ENGINE, "PATH": "/nonexistent", "XDG_RUNTIME_DIR": str(tmp_path)}
    )
    assert nothing.code == 3
    assert "no Podman socket" in nothing.stderr
    assert "podman system service" in nothing.stderr


@pytest.mark.parametrize("layout", ["docker-archive", "oci-archive"])
def test_podman_save_piped_into_standard_input(
    podman: Podman, podman_archive: Path, layout: str
) -> None:
    command = ["podman", "--root", str(podman.root / "graph"), "--runroot"]
    command += [str(podman.root / "runroot"), "--storage-driver", "vfs"]
    command += ["save", "--format", layout, "podapp:1"]
    environ = {**os.environ, **NO_ENGINE, **podman.environ, "PYTHONPATH": str(SRC)}
    environ.pop("CI", None)
    with subprocess.Popen(command, stdout=subprocess.PIPE, env=environ) as save:
        assert save.stdout is not None
        result = subprocess.run(
            [sys.executable, "-m", "auger", "-"],
            stdin=save.stdout,
            capture_output=True,
            text=True,
            env=environ,
            timeout=120,
            check=False,
        )
        save.stdout.close()
    assert save.returncode == 0
    assert result.returncode == 0, result.stderr
    expected = run_cli([str(podman_archive)])
    assert "size 4.9 kB" in result.stdout.splitlines()[1]  # (an OCI archive adds compressed size)
    assert result.stdout.splitlines()[2:] == expected.stdout.splitlines()[2:]


class _Phases(Progress):
    def __init__(self) -> None:
        self.phases: list[str] = []

    def phase(self, text: str) -> None:
        self.phases.append(text)


@pytest.mark.usefixtures("no_rootful_socket")
def test_a_second_read_through_the_socket_saves_nothing(podman: Podman, tmp_path: Path) -> None:
    environ = environ_for(podman, CONTAINER_HOST=f"unix://{podman.socket}")
    results, phases = [], []
    for _ in ("cold", "warm"):
        options = AnalyzeOptions(source="podman", cache=LayerCache(tmp_path / "cache"))
        progress = _Phases()
        results.append(analyze("podapp:1", options, progress, environ))
        phases.append(progress.phases)
    assert any(phase.startswith("saving podapp:1") for phase in phases[0])
    assert not any(phase.startswith("saving") for phase in phases[1]), phases[1]
    assert "reading podapp:1 from the layer cache" in phases[1]
    assert fingerprint(results[1]) == fingerprint(results[0])
    assert results[1].image == results[0].image
