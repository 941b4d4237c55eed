"""Which source a reference resolves to, and how ``PATH:REF`` and ``--source`` are read."""

from __future__ import annotations

from pathlib import Path

import pytest

from auger.errors import UsageError
from auger.sources.archive import ArchiveSource, OciDirectorySource, StdinSource
from auger.sources.docker_engine import DockerEngineSource
from auger.sources.interface import ArchiveError, ImageSource
from auger.sources.podman import PodmanSource
from auger.sources.reference import resolve_source
from auger.sources.registry.source import RegistrySource
from auger.testing.images import ImageSpec, LayerSpec, file, layer_tar, oci_layout, write_directory
from tests.support import NO_ENGINE, analyze_reference


def resolve(reference: str, source: str | None = None) -> ImageSource:
    return resolve_source(reference, source, NO_ENGINE)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "image.tar"
    path.write_bytes(b"not read by resolve_source")
    return path


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    image = ImageSpec(layers=[LayerSpec(layer_tar([file("marker", 42)]), "/bin/sh -c x")])
    return write_directory(oci_layout([image], "gzip"), tmp_path / "layout")


def as_archive(source: ImageSource) -> ArchiveSource:
    assert isinstance(source, ArchiveSource), type(source).__name__
    return source


def as_layout(source: ImageSource) -> OciDirectorySource:
    assert isinstance(source, OciDirectorySource), type(source).__name__
    return source


def as_engine(source: ImageSource) -> DockerEngineSource:
    assert isinstance(source, DockerEngineSource), type(source).__name__
    return source


# -- scheme prefixes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "name"),
    [
        ("docker://alpine:3.20", "alpine:3.20"),
        (
            "docker://registry.example.com:5000/team/app:1.2",
            "registry.example.com:5000/team/app:1.2",
        ),
        ("docker://app@sha256:" + "a" * 64, "app@sha256:" + "a" * 64),
    ],
)
def test_docker_prefix(reference: str, name: str) -> None:
    engine = as_engine(resolve(reference))
    assert engine.kind == "docker"
    assert engine.name == name
    assert engine.reference == reference


def test_docker_archive_prefix(archive: Path) -> None:
    source = as_archive(resolve(f"docker-archive://{archive}"))
    assert (source.kind, source.path, source.selector) == ("docker-archive", archive, None)


def test_oci_archive_prefix(archive: Path) -> None:
    source = as_archive(resolve(f"oci-archive://{archive}"))
    assert (source.kind, source.path, source.selector) == ("oci-archive", archive, None)


def test_oci_prefix(layout: Path) -> None:
    source = as_layout(resolve(f"oci://{layout}"))
    assert (source.kind, source.root, source.selector) == ("oci", layout, None)


def test_relative_paths_after_a_prefix(
    archive: Path, layout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(archive.parent)
    assert as_archive(resolve("docker-archive://image.tar")).path == Path("image.tar")
    assert as_layout(resolve("oci://layout:latest")).selector == "latest"


# -- bare references -------------------------------------------------------------------------


def test_bare_existing_file_is_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "no-suffix"
    path.write_bytes(b"x")
    source = as_archive(resolve(str(path)))
    assert (source.kind, source.path, source.selector) == ("docker-archive", path, None)


def test_bare_relative_file_is_an_archive(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(archive.parent)
    assert as_archive(resolve("image.tar")).path == Path("image.tar")


def test_bare_relative_oci_directory(layout: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(layout.parent)
    assert as_layout(resolve("layout")).root == Path("layout")


@pytest.mark.parametrize("form", ["absolute", "dot-slash"])
def test_bare_oci_directory_given_as_a_path(
    form: str, layout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(layout.parent)
    reference = str(layout) if form == "absolute" else "./layout"
    source = as_layout(resolve(reference))
    assert source.root.resolve() == layout.resolve()
    assert analyze_reference(reference).size == 42


@pytest.mark.parametrize(
    "reference",
    ["alpine", "alpine:3.20", "library/alpine:latest", "ghcr.io/owner/app:v1", "localhost:5000/x"],
)
def test_bare_name_is_an_engine_image(
    reference: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # nothing here shares the name
    engine = as_engine(resolve(reference))
    assert engine.name == reference


def test_directory_without_index_is_not_a_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "plain").mkdir()
    monkeypatch.chdir(tmp_path)
    assert isinstance(resolve("plain"), DockerEngineSource)


@pytest.mark.parametrize(
    "reference",
    [
        "{root}/missing",
        "{root}/missing.tar",
        "./missing",
        "../missing.tar",
        "~/auger-test-surely-missing.tar",
        "missing.tar",
        "missing.tar.gz",
        "missing.tgz",
        "missing.tar.zst",
    ],
)
def test_missing_paths_are_archives_not_engine_images(
    reference: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = reference.format(root=tmp_path)
    assert isinstance(resolve(text), ArchiveSource)
    with pytest.raises(ArchiveError) as raised:
        analyze_reference(text)
    assert "does not exist" in raised.value.message


# -- PATH:REF ------------------------------------------------------------------------------------


def test_path_with_a_ref(archive: Path, layout: Path) -> None:
    assert as_archive(resolve(f"docker-archive://{archive}:app")).selector == "app"
    assert as_archive(resolve(f"{archive}:app")).selector == "app"
    assert as_archive(resolve(f"oci-archive://{archive}:v1")).selector == "v1"
    source = as_layout(resolve(f"oci://{layout}:stable"))
    assert (source.root, source.selector) == (layout, "stable")


def test_path_with_a_name_and_tag(archive: Path) -> None:
    """``docker-archive://image.tar:name:tag``, as the ambiguity hint itself suggests."""
    source = as_archive(resolve(f"docker-archive://{archive}:app:1.0"))
    assert (source.path, source.selector) == (archive, "app:1.0")


def test_path_with_a_registry_name_and_tag(archive: Path) -> None:
    source = as_archive(resolve(f"docker-archive://{archive}:registry.example:5000/app:1.0"))
    assert (source.path, source.selector) == (archive, "registry.example:5000/app:1.0")


def test_existing_path_containing_a_colon_wins(tmp_path: Path) -> None:
    path = tmp_path / "image:v1.tar"
    path.write_bytes(b"x")
    whole = as_archive(resolve(f"docker-archive://{path}"))
    assert (whole.path, whole.selector) == (path, None)
    split = as_archive(resolve(f"docker-archive://{path}:tag"))
    assert (split.path, split.selector) == (path, "tag")


def test_missing_path_with_a_colon_is_kept_whole(tmp_path: Path) -> None:
    source = as_archive(resolve(f"docker-archive://{tmp_path}/missing.tar:tag"))
    assert (source.path, source.selector) == (tmp_path / "missing.tar:tag", None)


# -- --source ------------------------------------------------------------------------------------


def test_source_option_chooses_the_kind(archive: Path, layout: Path) -> None:
    assert as_archive(resolve(str(archive), "oci-archive")).kind == "oci-archive"
    assert as_archive(resolve(str(archive), "docker-archive")).kind == "docker-archive"
    assert as_layout(resolve(str(layout), "oci")).root == layout
    assert as_engine(resolve("image.tar", "docker")).name == "image.tar"


def test_source_option_agreeing_with_the_prefix(archive: Path) -> None:
    source = resolve(f"docker-archive://{archive}", "docker-archive")
    assert as_archive(source).path == archive


@pytest.mark.parametrize(
    ("reference", "source"),
    [
        ("docker-archive://{archive}", "oci-archive"),
        ("oci://{root}", "docker"),
        ("docker://alpine", "docker-archive"),
        ("oci-archive://{archive}", "oci"),
    ],
)
def test_source_option_contradicting_the_prefix(reference: str, source: str, archive: Path) -> None:
    with pytest.raises(UsageError) as raised:
        resolve(reference.format(archive=archive, root=archive.parent), source)
    assert source in raised.value.message
    assert "\n" not in raised.value.message


@pytest.mark.parametrize("source", ["tarball", "registries", "stdin", ""])
def test_unknown_source_option(source: str, archive: Path) -> None:
    with pytest.raises(UsageError):
        resolve(str(archive), source)


# -- schemes auger does not read ------------------------------------------------------------------


@pytest.mark.parametrize(
    "reference", ["ftp://host/image.tar", "https://example.com/x", "dockr://x"]
)
def test_unknown_scheme(reference: str) -> None:
    with pytest.raises(UsageError) as raised:
        resolve(reference)
    assert reference.partition("://")[0] in raised.value.message
    assert raised.value.hint is not None and "docker-archive://" in raised.value.hint


def test_podman_and_registry_prefixes_choose_their_sources() -> None:
    podman = resolve("podman://localhost/app:1")
    assert isinstance(podman, PodmanSource)
    assert podman.name == "localhost/app:1"
    registry = resolve("registry://registry.example.com:5000/team/app:1")
    assert isinstance(registry, RegistrySource)
    assert (registry.image.api_host, registry.image.repository, registry.image.tag) == (
        "registry.example.com:5000",
        "team/app",
        "1",
    )
    hub = resolve("alpine:3.20", "registry")
    assert isinstance(hub, RegistrySource)
    assert str(hub.image) == "docker.io/library/alpine:3.20"


def test_a_dash_is_standard_input_whatever_the_archive_source() -> None:
    for source in (None, "docker-archive", "oci-archive"):
        assert isinstance(resolve("-", source), StdinSource)
    with pytest.raises(UsageError):
        resolve("-", "registry")


@pytest.mark.parametrize("reference", ["", "docker://", "podman://", "registry://"])
def test_empty_references(reference: str) -> None:
    with pytest.raises(UsageError):
        resolve(reference)


def test_scheme_like_text_inside_a_path_is_not_a_scheme(tmp_path: Path) -> None:
    (tmp_path / "a:" / "b").mkdir(parents=True)
    (tmp_path / "a:" / "b" / "image.tar").write_bytes(b"x")
    source = as_archive(resolve(f"{tmp_path}/a://b/image.tar"))
    assert source.path == tmp_path / "a:" / "b" / "image.tar"
