"""auger's own container image, built from the project's ``Dockerfile`` on the real Docker
Engine and gated by auger itself, running in that image.

The ``Dockerfile``'s default base is on a registry these machines cannot reach, so the image is
built on a local one (``ARG BASE``): a ``debootstrap --variant=minbase`` bookworm with Debian's
``python3`` and ``python3-venv``, imported with ``docker import`` (:mod:`tests.debian_support`).
Nothing is fetched during the build either: auger's dependencies and build requirements are
downloaded as wheels for the base's Python beforehand, into the build context
(``PIP_NO_INDEX`` and ``PIP_FIND_LINKS``, as the ``Dockerfile`` describes).
"""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import sys
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker.errors
import pytest

from auger.pipeline import analyze
from auger.testing.images import ImageSpec, LayerSpec, docker_archive, file, layer_tar
from tests.conftest import require
from tests.debian_support import PYTHON, build_rootfs, can_build, import_rootfs, rootfs_tar
from tests.engine_support import Engine
from tests.registry_support import Registry, have_registry_tools

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
VERSION = "9.8.7"
"""The version the image is built as (``--build-arg VERSION``), as a release passes its tag."""
SOCKET = Path("/var/run/docker.sock")
CONTEXT = ("src", "pyproject.toml", "README.md", "LICENSE", "Dockerfile", ".dockerignore")
"""What the build needs of the project (the rest stays out of the build context)."""


def docker_cli(*arguments: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *arguments], capture_output=True, text=True, check=False, timeout=timeout
    )


@pytest.fixture(scope="module")
def python_base(engine: Engine) -> str:
    """The engine tag of the minbase with Debian's python3 (imported once, kept)."""
    if not rootfs_tar(PYTHON).is_file():
        reason = can_build()
        require(reason is None, f"no cached Debian root file system with python3 and {reason}")
    return import_rootfs(build_rootfs(PYTHON), command="python3")


def base_python(base: str) -> str:
    """``3.11``: the base's Python version, for which the wheels are downloaded."""
    done = docker_cli(
        "run", "--rm", base, "python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def download_wheels(target: Path, python: str) -> None:
    """auger's dependencies and build requirements as wheels for the base's Python."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = [*project["build-system"]["requires"], *project["project"]["dependencies"]]
    machine = platform.machine()
    platforms = [f"manylinux_2_{minor}_{machine}" for minor in range(17, 37)]
    platforms += [f"manylinux2014_{machine}", "any"]
    command = [sys.executable, "-m", "pip", "download", "-q", "--dest", str(target)]
    command += ["--only-binary=:all:", "--python-version", python, "--implementation", "cp"]
    for tag in platforms:
        command += ["--platform", tag]
    done = subprocess.run([*command, *wanted], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def image(
    engine: Engine, python_base: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """auger's image, built from the project's Dockerfile on the Python base, offline."""
    context = tmp_path_factory.mktemp("auger-image")
    for name in CONTEXT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, context / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, context / name)
    download_wheels(context / "wheelhouse", base_python(python_base))
    arguments = {
        "BASE": python_base,
        "VERSION": VERSION,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": "/src/wheelhouse",
    }
    tags = [f"auger-test-image-{uuid.uuid4().hex[:12]}:{stage}" for stage in ("build", "final")]
    # the build stage tagged too, so that removing the tags leaves no image behind
    for tag, target in zip(tags, ("build", None), strict=True):
        try:
            engine.client.images.build(
                path=str(context),
                tag=tag,
                target=target,
                buildargs=arguments,
                rm=True,
                forcerm=True,
            )
        except docker.errors.BuildError as error:
            log = "".join(str(item.get("stream", "")) for item in error.build_log)
            raise AssertionError(f"docker build failed: {error}\n{log[-4000:]}") from error
        engine.built.append(tag)
    yield tags[-1]


def run_image(image: str, *arguments: str, options: tuple[str, ...] = ()) -> tuple[int, str, str]:
    done = docker_cli("run", "--rm", *options, image, *arguments)
    return done.returncode, done.stdout, done.stderr


def test_the_image_runs_auger_as_an_unprivileged_user(
    engine: Engine, image: str, python_base: str
) -> None:
    config = engine.client.images.get(image).attrs["Config"]
    assert config["User"] == "10001:10001"
    assert config["Entrypoint"] == ["auger"]
    code, out, err = run_image(image, "--version")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"auger {VERSION}"
    assert lines[1].split()[1].startswith(f"{base_python(python_base)}.")  # the base's Python
    assert not [line for line in lines if "not installed" in line], out
    code, out, err = run_image(image)  # the default command: the usage
    assert code == 0, err
    assert out.startswith("usage: auger IMAGE")


def test_the_final_stage_has_no_compiler_pip_or_build_files(image: str) -> None:
    script = (
        "id -u; for tool in gcc cc c++ g++ clang make pip pip3; do command -v $tool; done; "
        "ls -d /src /opt/auger/lib/python3*/site-packages/pip /root/.cache 2>/dev/null; "
        "touch /home/auger/written && echo home-writable"
    )
    code, out, err = run_image(image, "-c", script, options=("--entrypoint", "/bin/sh"))
    assert code == 0, err
    assert out.split() == ["10001", "home-writable"]


def test_auger_in_its_image_gates_its_image_through_the_socket(
    image: str, python_base: str
) -> None:
    """The dogfood gate: the image's budgets (``image-budgets.yaml``), the base as baseline."""
    require(SOCKET.is_socket(), f"{SOCKET} is not the Docker Engine's socket")
    options = (
        "-v",
        f"{SOCKET}:{SOCKET}",
        "--group-add",
        str(SOCKET.stat().st_gid),
        "-v",
        f"{ROOT / 'image-budgets.yaml'}:/budgets.yaml:ro",
    )
    command = ["check", image, "--budgets", "/budgets.yaml", "--baseline", python_base]
    code, out, err = run_image(image, *command, "--format", "json", "-o", "-", options=options)
    assert code == 0, out + err
    verdict = json.loads(out)
    rules = {rule["rule"]: rule for rule in verdict["rules"]}
    assert verdict["verdict"] == "pass", out
    assert rules["image.max_wasted_bytes"]["measuredValue"] == 0
    added = rules["growth.max_size_increase"]["measuredValue"]
    assert 10_000_000 < added < 120_000_000  # auger and its dependencies, no more
    assert all(rules[f"paths[{n}]"]["status"] == "pass" for n in range(7))
    # the same verdict as auger outside the image finds
    ours = analyze(f"docker://{image}").size - analyze(f"docker://{python_base}").size
    assert added == ours


def test_a_socket_the_images_user_may_not_use_is_explained(image: str) -> None:
    require(SOCKET.is_socket(), f"{SOCKET} is not the Docker Engine's socket")
    require(SOCKET.stat().st_mode & 0o006 == 0, f"{SOCKET} is open to every user")
    code, out, err = run_image(image, "check", image, options=("-v", f"{SOCKET}:{SOCKET}"))
    assert code == 3, out + err
    lines = err.splitlines()
    assert lines[0].startswith("auger: error: permission denied on the Docker Engine socket")
    assert lines[1].startswith("auger: hint: let the container's user use the mounted socket")
    assert "--group-add" in lines[1]


def test_auger_in_its_image_reads_a_registry_without_the_socket(image: str, tmp_path: Path) -> None:
    require(have_registry_tools(), "docker-registry and skopeo are not installed")
    archive = tmp_path / "small.tar"
    layers = [
        LayerSpec(layer_tar([file("etc/config", 3000)])),
        LayerSpec(layer_tar([file("a", 42)])),
    ]
    archive.write_bytes(docker_archive(ImageSpec(layers=layers, tag="app:1")))
    registry = Registry(tmp_path / "registry").start()
    try:
        reference = registry.push(f"docker-archive:{archive}", "app:1")
        code, out, err = run_image(
            image, "report", reference, "--format", "json", options=("--network", "host")
        )
    finally:
        registry.kill()
    assert code == 0, err
    report = json.loads(out)
    assert report["image"]["sizeBytes"] == analyze(f"docker-archive://{archive}").size
