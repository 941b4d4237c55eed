"""Registries for the registry tests: anonymous, htpasswd and token-auth, and one per test to
break.

Each is a real ``docker-registry`` on loopback (see :mod:`tests.registry_support`), started once
for the tests that share it and pushed to with ``skopeo`` from archives built here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    directory,
    docker_archive,
    file,
    layer_tar,
    whiteout,
)
from tests.conftest import require
from tests.registry_support import Registry, TokenIssuer, have_registry_tools, htpasswd_auth


def small_image(tag: str = "app:1", marker: str = "one") -> ImageSpec:
    """Three layers with an overwrite and a deletion, so waste and history show."""
    return ImageSpec(
        layers=[
            LayerSpec(
                layer_tar([directory("etc"), file("etc/config", 3000), file("etc/old", 700)]),
                "/bin/sh -c #(nop) ADD base",
            ),
            LayerSpec(
                layer_tar([file("etc/config", 1200), file(f"etc/{marker}", 42)]),
                "/bin/sh -c write config",
                empty_before=1,
            ),
            LayerSpec(layer_tar([whiteout("etc/old")]), "/bin/sh -c rm /etc/old"),
        ],
        tag=tag,
    )


@pytest.fixture(scope="session")
def small_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("images") / "small.tar"
    path.write_bytes(docker_archive(small_image()))
    return path


def _start(root: Path, auth: dict[str, object] | None = None) -> Registry:
    require(have_registry_tools(), "docker-registry and skopeo are not installed")
    return Registry(root, auth).start()


@pytest.fixture(scope="session")
def open_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """An anonymous registry."""
    registry = _start(tmp_path_factory.mktemp("open-registry"))
    yield registry
    registry.kill()


@pytest.fixture(scope="session")
def basic_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """A registry with htpasswd (Basic) authentication."""
    root = tmp_path_factory.mktemp("basic-registry")
    registry = _start(root, htpasswd_auth(root))
    yield registry
    registry.kill()


@pytest.fixture(scope="module")
def token_issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TokenIssuer]:
    issuer = TokenIssuer(tmp_path_factory.mktemp("token-issuer"))
    yield issuer
    issuer.close()  # (module-scoped: its thread must not outlive the tests that use it)


@pytest.fixture(scope="module")
def token_registry(
    tmp_path_factory: pytest.TempPathFactory, token_issuer: TokenIssuer
) -> Iterator[Registry]:
    """A registry with ``auth: token``: clients get RS256 tokens from ``token_issuer``."""
    registry = _start(tmp_path_factory.mktemp("token-registry"), token_issuer.auth())
    yield registry
    registry.kill()


@pytest.fixture
def own_registry(tmp_path: Path) -> Iterator[Registry]:
    """An anonymous registry of the test's own, to break."""
    registry = _start(tmp_path / "registry")
    yield registry
    registry.kill()
