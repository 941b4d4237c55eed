"""The Docker Engine source on real images: same analysis as ``docker save``, and overlay facts."""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auger.model import DiffType, EntryKind, ImageAnalysis, WasteCause, WasteItem
from auger.pipeline import analyze
from auger.report.dive_json import export
from auger.sources.docker_engine import unreachable, with_implied_tag
from auger.sources.interface import EngineUnavailableError, ImageNotFoundError
from tests.engine_support import Engine
from tests.oracle.support import (
    CHANGER_LAYER,
    EXPECTED_WASTED,
    IMAGES,
    READDER_LAYER,
    RENAME_WASTED,
    WRITER_LAYER,
    engine_image,
    saved_archive,
)

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def analyses(
    engine: Engine, busybox: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[str, ImageAnalysis, ImageAnalysis]]:
    """Each image: its tag, its analysis through the engine and through a ``docker save`` file."""
    result = {}
    for name in IMAGES:
        tag = engine_image(engine, busybox, tmp_path_factory, name)
        archive = saved_archive(engine, tag, tmp_path_factory)
        result[name] = (tag, analyze(f"docker://{tag}"), analyze(f"docker-archive://{archive}"))
    return result


@pytest.fixture(scope="module")
def overlay(analyses: dict[str, tuple[str, ImageAnalysis, ImageAnalysis]]) -> ImageAnalysis:
    return analyses["overlay"][1]


def _without_origin(document: dict[str, Any]) -> dict[str, Any]:
    """The export minus what names where the image came from."""
    auger = dict(document["auger"])
    auger["image"] = {
        key: value
        for key, value in auger["image"].items()
        if key not in ("reference", "source", "name")
    }
    return {**document, "auger": auger}


@pytest.mark.parametrize("name", sorted(IMAGES))
def test_engine_and_saved_archive_agree(
    name: str, analyses: dict[str, tuple[str, ImageAnalysis, ImageAnalysis]]
) -> None:
    _, live, saved = analyses[name]
    assert live.image.source == "docker"
    assert saved.image.source == "docker-archive"
    assert [layer.size for layer in live.image.layers] == [
        layer.size for layer in saved.image.layers
    ]
    assert [layer.command for layer in live.image.layers] == [
        layer.command for layer in saved.image.layers
    ]
    assert [layer.diff_id for layer in live.image.layers] == [
        layer.diff_id for layer in saved.image.layers
    ]
    assert live.image.layers == saved.image.layers
    assert [layer.changes for layer in live.layers] == [layer.changes for layer in saved.layers]
    assert live.layers == saved.layers
    assert live.final == saved.final
    assert live.waste == saved.waste
    assert (live.size, live.final_size, live.wasted_bytes) == (
        saved.size,
        saved.final_size,
        saved.wasted_bytes,
    )
    assert live.dive == saved.dive
    assert _without_origin(export(live)) == _without_origin(export(saved))


@pytest.mark.parametrize("name", sorted(IMAGES))
def test_layers_match_what_the_engine_says(
    name: str, engine: Engine, analyses: dict[str, tuple[str, ImageAnalysis, ImageAnalysis]]
) -> None:
    tag, live, _ = analyses[name]
    image = engine.client.images.get(tag)
    assert [layer.diff_id for layer in live.image.layers] == image.attrs["RootFS"]["Layers"]
    # these images have no real layer of size 0, so history items of size 0 are empty_layer ones
    real = [item for item in reversed(image.history()) if item["Size"] > 0]
    assert len(real) == len(live.image.layers)
    for layer, item in zip(live.image.layers, real, strict=True):
        assert layer.created_by == item["CreatedBy"]
        if not any(entry.kind is EntryKind.SYMLINK for entry in layer.scan.entries):
            # the engine counts a symlink's target length; tar headers (and dive) count 0
            assert layer.size == item["Size"], layer.index


def _waste(analysis: ImageAnalysis, path: str) -> list[WasteItem]:
    return [item for item in analysis.waste if item.path == path]


def _change(analysis: ImageAnalysis, layer: int, path: str) -> DiffType:
    found = [change.diff for change in analysis.layers[layer].changes if change.path == path]
    assert len(found) == 1, (layer, path, analysis.layers[layer].changes)
    return found[0]


def test_commands_skip_empty_layer_history(overlay: ImageAnalysis, busybox: Path) -> None:
    layers = overlay.image.layers
    assert len(layers) == 5  # ENV, LABEL and a RUN that changed nothing make no layer
    assert layers[0].command.startswith("#(nop) COPY file:")
    assert layers[0].command.endswith(" in /bin/busybox ")
    assert layers[1].command == "/bin/busybox --install -s /bin"
    assert layers[WRITER_LAYER].command.startswith("mkdir -p /data/opq /data/gone/sub && ")
    assert layers[CHANGER_LAYER].command.startswith("yes i | head -c 600 > /data/over.txt")
    assert layers[READDER_LAYER].command.startswith("yes k | head -c 80 > /data/readd.txt")
    assert all(layer.diff_id and layer.diff_id.startswith("sha256:") for layer in layers)
    assert layers[0].size == busybox.stat().st_size


def test_overwritten_file(overlay: ImageAnalysis) -> None:
    visible = overlay.final["data/over.txt"]
    assert visible.layer == CHANGER_LAYER
    assert visible.entry is not None and visible.entry.size == 600
    assert _waste(overlay, "data/over.txt") == [
        WasteItem("data/over.txt", 1000, WRITER_LAYER, CHANGER_LAYER, WasteCause.OVERWRITTEN)
    ]
    assert _change(overlay, CHANGER_LAYER, "data/over.txt") is DiffType.MODIFIED


def test_chmod_only_change(overlay: ImageAnalysis) -> None:
    visible = overlay.final["data/chmod.bin"]
    assert visible.layer == CHANGER_LAYER
    assert visible.entry is not None and visible.entry.perm == 0o755
    assert _waste(overlay, "data/chmod.bin") == [
        WasteItem(
            "data/chmod.bin", 500, WRITER_LAYER, CHANGER_LAYER, WasteCause.METADATA_ONLY_CHANGE
        )
    ]
    assert _change(overlay, CHANGER_LAYER, "data/chmod.bin") is DiffType.MODIFIED


def test_deleted_file(overlay: ImageAnalysis) -> None:
    assert "data/del.txt" not in overlay.final
    assert _waste(overlay, "data/del.txt") == [
        WasteItem("data/del.txt", 300, WRITER_LAYER, CHANGER_LAYER, WasteCause.DELETED)
    ]
    assert _change(overlay, CHANGER_LAYER, "data/del.txt") is DiffType.REMOVED


def test_directory_replaced_through_an_opaque_marker(overlay: ImageAnalysis) -> None:
    changer = overlay.image.layers[CHANGER_LAYER].scan.entries
    assert any(e.kind is EntryKind.OPAQUE and e.path == "data/opq" for e in changer)
    assert "data/opq/old1" not in overlay.final
    assert "data/opq/old2" not in overlay.final
    assert overlay.final["data/opq/new"].layer == CHANGER_LAYER
    assert overlay.final["data/opq"].layer == CHANGER_LAYER
    for path, size in (("data/opq/old1", 200), ("data/opq/old2", 100)):
        assert _waste(overlay, path) == [
            WasteItem(path, size, WRITER_LAYER, CHANGER_LAYER, WasteCause.REPLACED_BY_OPAQUE)
        ]
        assert _change(overlay, CHANGER_LAYER, path) is DiffType.REMOVED
    assert _change(overlay, CHANGER_LAYER, "data/opq/new") is DiffType.ADDED


def test_deleted_directory(overlay: ImageAnalysis) -> None:
    for path in ("data/gone", "data/gone/sub", "data/gone/sub/x", "data/gone/y"):
        assert path not in overlay.final
        assert _change(overlay, CHANGER_LAYER, path) is DiffType.REMOVED
    for path, size in (("data/gone/sub/x", 400), ("data/gone/y", 50)):
        assert _waste(overlay, path) == [
            WasteItem(path, size, WRITER_LAYER, CHANGER_LAYER, WasteCause.DELETED)
        ]


def test_readded_after_delete(overlay: ImageAnalysis) -> None:
    visible = overlay.final["data/readd.txt"]
    assert visible.layer == READDER_LAYER
    assert visible.entry is not None and visible.entry.size == 80
    assert _waste(overlay, "data/readd.txt") == [
        WasteItem("data/readd.txt", 70, WRITER_LAYER, CHANGER_LAYER, WasteCause.DELETED)
    ]
    assert _change(overlay, CHANGER_LAYER, "data/readd.txt") is DiffType.REMOVED
    assert _change(overlay, READDER_LAYER, "data/readd.txt") is DiffType.ADDED


def test_hard_link_symlink_and_deep_file(overlay: ImageAnalysis) -> None:
    hard, orig = overlay.final["data/hard"].entry, overlay.final["data/orig"].entry
    assert hard is not None and orig is not None
    kinds = {hard.kind, orig.kind}
    assert kinds == {EntryKind.FILE, EntryKind.HARDLINK}  # docker picks which one holds data
    assert hard.size + orig.size == 120  # the content is stored once
    link = overlay.final["data/sym"].entry
    assert link is not None and link.kind is EntryKind.SYMLINK and link.link == "orig"
    deep = overlay.final["data/a/b/c/d/deep.txt"]
    assert deep.layer == READDER_LAYER
    assert deep.entry is not None and deep.entry.size == 33
    for path in ("data/a", "data/a/b", "data/a/b/c", "data/a/b/c/d", "data/a/b/c/d/deep.txt"):
        assert _change(overlay, READDER_LAYER, path) is DiffType.ADDED
    assert not [item for item in overlay.waste if item.stored_in == READDER_LAYER]


def test_wasted_bytes_are_exactly_what_was_deleted_or_overwritten(
    overlay: ImageAnalysis,
) -> None:
    assert overlay.wasted_bytes == EXPECTED_WASTED
    assert sum(item.size for item in overlay.waste) == EXPECTED_WASTED
    assert overlay.waste_by_cause() == {
        WasteCause.OVERWRITTEN: 1000,
        WasteCause.METADATA_ONLY_CHANGE: 500,
        WasteCause.DELETED: 300 + 400 + 50 + 70,
        WasteCause.REPLACED_BY_OPAQUE: 200 + 100,
    }
    assert overlay.layers[WRITER_LAYER].stored_waste == EXPECTED_WASTED
    assert overlay.layers[CHANGER_LAYER].caused_waste == EXPECTED_WASTED
    visible_bytes = sum(
        item.entry.size
        for item in overlay.final.values()
        if item.entry is not None and item.entry.kind is EntryKind.FILE
    )
    assert overlay.final_size == visible_bytes
    assert overlay.size == overlay.final_size + EXPECTED_WASTED


def test_dive_numbers_of_the_overlay_image(overlay: ImageAnalysis) -> None:
    refs = {(ref.path, ref.count, ref.size) for ref in overlay.dive.inefficient_files}
    # every copy counts; whiteouts of files weigh 0; the opaque directory's old children and the
    # deleted directory were seen once each (a directory whiteout weighs its subtree, once)
    assert refs == {
        ("/data/over.txt", 2, 1600),
        ("/data/chmod.bin", 2, 1000),
        ("/data/del.txt", 2, 300),
        ("/data/readd.txt", 3, 150),
    }
    assert overlay.dive.wasted_bytes == 1600 + 1000 + 300 + 150
    user = sum(layer.size for layer in overlay.image.layers[1:])
    assert overlay.dive.user_wasted_percent == overlay.dive.wasted_bytes / user


def test_renamed_file_and_deleted_directory(
    analyses: dict[str, tuple[str, ImageAnalysis, ImageAnalysis]],
) -> None:
    analysis = analyses["rename"][1]
    assert "app/big.bin" not in analysis.final
    assert "app/cache" not in analysis.final
    moved = analysis.final["app/moved.bin"]
    assert moved.layer == 3 and moved.entry is not None and moved.entry.size == 4096
    assert analysis.final["app/conf"].layer == 2
    assert sorted(
        (item.path, item.size, item.stored_in, item.hidden_by, item.cause)
        for item in analysis.waste
    ) == [
        ("app/big.bin", 4096, 2, 3, WasteCause.DELETED),
        ("app/cache/a.tmp", 100, 2, 3, WasteCause.DELETED),
        ("app/cache/b.tmp", 200, 2, 3, WasteCause.DELETED),
    ]
    assert analysis.wasted_bytes == RENAME_WASTED


# -- errors -----------------------------------------------------------------------------------


def test_missing_image(engine: Engine) -> None:
    with pytest.raises(ImageNotFoundError):
        analyze(f"docker://auger-test-missing-{uuid.uuid4().hex[:12]}:latest")


def test_a_missing_name_without_a_tag_is_named_with_latest(engine: Engine) -> None:
    """``docker run NAME`` means NAME:latest; the error says so, as other tags may exist."""
    name = f"auger-test-missing-{uuid.uuid4().hex[:12]}"
    with pytest.raises(ImageNotFoundError) as caught:
        analyze(f"docker://{name}")
    assert caught.value.message == f"image {name}:latest not found in the Docker Engine"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("app", "app:latest"),
        ("registry.local:5000/team/app", "registry.local:5000/team/app:latest"),
        ("app:1.2", "app:1.2"),
        ("registry.local:5000/app:1.2", "registry.local:5000/app:1.2"),
        ("app@sha256:" + "a" * 64, "app@sha256:" + "a" * 64),
        ("716791418af9", "716791418af9"),
        ("sha256:" + "b" * 64, "sha256:" + "b" * 64),
    ],
)
def test_the_implied_tag(name: str, shown: str) -> None:
    assert with_implied_tag(name) == shown


def test_unreachable_engine() -> None:
    with pytest.raises(EngineUnavailableError) as caught:
        analyze("docker://anything:latest", environ={"DOCKER_HOST": "unix:///nonexistent.sock"})
    assert "nonexistent.sock" in caught.value.message


@pytest.mark.parametrize(
    ("environ", "advice"),
    [({}, "add your user to the 'docker' group"), ({"AUGER_CONTAINER_IMAGE": "1"}, "--group-add")],
)
def test_a_denied_socket_gets_the_hint_that_fits_where_auger_runs(
    environ: dict[str, str], advice: str
) -> None:
    error = unreachable(PermissionError(errno.EACCES, "Permission denied"), environ)
    assert error.message.startswith("permission denied on the Docker Engine socket")
    assert error.hint is not None
    assert advice in error.hint


_PROBE = """
import errno, json, socket, sys
from auger.pipeline import analyze
from auger.sources.interface import EngineUnavailableError

host, home = sys.argv[1], sys.argv[2]
raw = socket.socket(socket.AF_UNIX)
try:
    raw.connect(host.removeprefix("unix://"))
    raw_errno = 0
except OSError as error:
    raw_errno = error.errno
finally:
    raw.close()
report = {"uid": __import__("os").geteuid(), "raw_errno": raw_errno}
try:
    analyze("docker://anything:latest", environ={"DOCKER_HOST": host, "HOME": home})
except EngineUnavailableError as error:
    report.update(type="EngineUnavailableError", message=error.message, hint=error.hint)
except Exception as error:
    report.update(type=type(error).__name__, message=str(error))
else:
    report.update(type=None)
print(json.dumps(report))
"""


@pytest.fixture
def forbidden_socket() -> Iterator[Path]:
    """A listening unix socket with mode 000, in a directory anyone may enter."""
    directory = Path(tempfile.mkdtemp(prefix="auger-sock-"))
    directory.chmod(0o755)
    path = directory / "docker.sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        server.listen(1)
        path.chmod(0o000)
        yield path
    finally:
        server.close()
        shutil.rmtree(directory, ignore_errors=True)


_PACKAGES = ("auger", "docker", "requests", "urllib3", "certifi", "idna", "charset_normalizer")


def _readable_copy(target: Path) -> str:
    """Copy auger and the packages it needs to reach the engine into ``target``.

    The interpreter's own site-packages may sit where ``nobody`` cannot read (a pyenv under
    ``/root``), so the unprivileged probe imports these copies instead.
    """
    for name in _PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        location = Path(next(iter(spec.submodule_search_locations)))
        shutil.copytree(location, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        for helper in location.parent.glob("*__mypyc*"):  # compiled helpers beside a package
            shutil.copy2(helper, target / helper.name)
    for path in [target, *target.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return str(target)


def _unprivileged(scratch: Path) -> tuple[list[str], dict[str, Any], dict[str, str]]:
    """How to run this package's Python as a user who is not root.

    Root ignores file modes, so as root the probe drops to ``nobody``, with a readable copy of
    the packages it needs on ``PYTHONPATH``. This interpreter may itself be out of nobody's
    reach; then a system Python of the same version runs the probe.
    """
    if os.geteuid() != 0:
        return [sys.executable], {}, {}
    environ = {"PYTHONPATH": _readable_copy(scratch / "site")}
    drop: dict[str, Any] = {"user": 65534, "group": 65534, "extra_groups": []}
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (
        sys.executable,
        f"/usr/bin/python{version}",
        f"/usr/local/bin/python{version}",
    ):
        try:
            check = subprocess.run(
                [candidate, "-c", "import auger.pipeline, docker"],
                cwd="/",
                env={"PATH": "/usr/bin:/bin", "HOME": "/", **environ},
                capture_output=True,
                timeout=60,
                check=False,
                **drop,
            )
        except OSError:
            continue
        if check.returncode == 0:
            return [candidate], drop, environ
    pytest.fail(f"no Python {version} that user nobody may run can import auger and docker")


def test_permission_denied_on_the_socket(forbidden_socket: Path) -> None:
    """As a user who may not open the socket, the error says permission denied."""
    home = forbidden_socket.parent
    interpreter, drop, environ = _unprivileged(home)
    completed = subprocess.run(
        [*interpreter, "-c", _PROBE, f"unix://{forbidden_socket}", str(home)],
        cwd=home,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), **environ},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **drop,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["uid"] != 0
    assert report["raw_errno"] == errno.EACCES  # the situation is real, not simulated
    assert report["type"] == "EngineUnavailableError", report
    assert "permission denied" in report["message"].lower(), report
