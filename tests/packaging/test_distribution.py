"""auger as a release builds it: the sdist and the wheel from a tagged clone, checked with
``twine check``, the version taken from the release tag, and the wheel installed with ``pipx``.

The release workflow (``.github/workflows/release.yml``) does the same on GitHub before it
publishes; it cannot run here, so this is where its steps are tried.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from email.parser import Parser as HeaderParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RELEASE = "9.8.7"


def run(
    command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=600, cwd=cwd, env=env
    )
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel of a clone tagged ``v9.8.7`` and, as the action's major tag,
    ``v9`` (which must not become the version)."""
    work = tmp_path_factory.mktemp("release")
    clone = work / "auger"
    run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)])
    run(["git", "-C", str(clone), "tag", f"v{RELEASE}"])
    run(["git", "-C", str(clone), "tag", "v9"])
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SETUPTOOLS_SCM")}
    run([sys.executable, "-m", "build", "--outdir", str(work / "dist"), str(clone)], env=environ)
    return work / "dist"


def test_the_version_is_the_release_tags_and_twine_accepts_both(dists: Path) -> None:
    names = sorted(path.name for path in dists.iterdir())
    assert names == [f"auger-{RELEASE}-py3-none-any.whl", f"auger-{RELEASE}.tar.gz"]
    checked = run([sys.executable, "-m", "twine", "check", "--strict", *map(str, dists.iterdir())])
    assert checked.stdout.count("PASSED") == 2, checked.stdout


def test_the_wheel_metadata_names_the_license_and_the_project(dists: Path) -> None:
    with zipfile.ZipFile(dists / f"auger-{RELEASE}-py3-none-any.whl") as wheel:
        names = wheel.namelist()
        metadata = wheel.read(f"auger-{RELEASE}.dist-info/METADATA").decode()
    headers = HeaderParser().parsestr(metadata)
    assert headers["License-Expression"] == "MIT"
    assert f"auger-{RELEASE}.dist-info/licenses/LICENSE" in names
    urls = dict(value.split(", ", 1) for value in headers.get_all("Project-URL") or [])
    assert {"Homepage", "Changelog", "Issues", "Source"} <= set(urls)
    requires = headers.get_all("Requires-Dist") or []
    assert any(r.startswith("textual") and "<9" in r for r in requires), requires
    assert "Programming Language :: Python :: 3 :: Only" in (headers.get_all("Classifier") or [])
    assert not [name for name in names if name.startswith("tests/")]


def test_pipx_installs_the_wheel_and_auger_runs(dists: Path, tmp_path: Path) -> None:
    environ = {
        **os.environ,
        "PIPX_HOME": str(tmp_path / "pipx"),
        "PIPX_BIN_DIR": str(tmp_path / "bin"),
        "PIPX_MAN_DIR": str(tmp_path / "man"),
        "PIPX_DEFAULT_PYTHON": sys.executable,
        "PYTHONPATH": "",  # the installed auger runs, not the source tree's
    }
    wheel = dists / f"auger-{RELEASE}-py3-none-any.whl"
    run([sys.executable, "-m", "pipx", "install", str(wheel)], env=environ)
    auger = tmp_path / "bin" / "auger"
    version = run([str(auger), "--version"], cwd=tmp_path, env=environ)
    assert version.stdout.splitlines()[0] == f"auger {RELEASE}"
    demo = run([str(auger), "demo", "--json", "-"], cwd=tmp_path, env={**environ, "CI": "true"})
    assert json.loads(demo.stdout)["image"]
    completion = run([str(auger), "--print-completion", "bash"], cwd=tmp_path, env=environ)
    assert "complete" in completion.stdout
