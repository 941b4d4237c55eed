"""The registry source's pure parts: references as the docker CLI reads them, loopback hosts,
``WWW-Authenticate`` challenges, retry delays, and which stored credentials match a registry."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from auger.errors import UsageError
from auger.progress import NullProgress
from auger.sources.interface import Credentials
from auger.sources.registry.auth import parse_challenges
from auger.sources.registry.credentials import find_credentials
from auger.sources.registry.reference import is_loopback, parse_reference
from auger.sources.registry.transport import RetryPolicy

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alpine", ("docker.io", "registry-1.docker.io", "library/alpine", "latest", None)),
        ("alpine:3.20", ("docker.io", "registry-1.docker.io", "library/alpine", "3.20", None)),
        ("team/app:1", ("docker.io", "registry-1.docker.io", "team/app", "1", None)),
        (
            "docker.io/alpine",
            ("docker.io", "registry-1.docker.io", "library/alpine", "latest", None),
        ),
        ("index.docker.io/x/y:z", ("index.docker.io", "registry-1.docker.io", "x/y", "z", None)),
        ("ghcr.io/org/app:v1.2", ("ghcr.io", "ghcr.io", "org/app", "v1.2", None)),
        ("localhost/app", ("localhost", "localhost", "app", "latest", None)),
        ("localhost:5000/a/b/c:t", ("localhost:5000", "localhost:5000", "a/b/c", "t", None)),
        ("127.0.0.1:5000/app:1", ("127.0.0.1:5000", "127.0.0.1:5000", "app", "1", None)),
        (f"quay.io/org/app@{DIGEST}", ("quay.io", "quay.io", "org/app", None, DIGEST)),
        (f"app:1@{DIGEST}", ("docker.io", "registry-1.docker.io", "library/app", "1", DIGEST)),
        ("[::1]:5000/app", ("[::1]:5000", "[::1]:5000", "app", "latest", None)),
    ],
)
def test_references_read_as_the_docker_cli_reads_them(
    text: str, expected: tuple[str, str, str, str | None, str | None]
) -> None:
    registry, api, repository, tag, digest = expected
    parsed = parse_reference(text)
    assert (parsed.registry, parsed.api_host, parsed.repository) == (registry, api, repository)
    assert (parsed.tag, parsed.digest) == (tag, digest)
    assert parsed.selector == (digest or tag)


@pytest.mark.parametrize(
    "text", ["", "App:1", "team/App", "app:bad/tag", "app@sha256:short", "a//b", "app:", ":1"]
)
def test_invalid_references_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_reference(text)
    assert "\n" not in raised.value.message


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("localhost:5000", True),
        ("127.0.0.1:5000", True),
        ("127.1.2.3", True),
        ("[::1]:5000", True),
        ("registry.localhost:80", True),
        ("10.0.0.1:5000", False),
        ("ghcr.io", False),
        ("localhost.example.com", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_challenges_are_parsed_with_quoted_commas() -> None:
    header = (
        'Bearer realm="https://auth.example/token",service="registry.example",'
        'scope="repository:a/b:pull,push", Basic realm="x y"'
    )
    bearer, basic = parse_challenges(header)
    assert bearer.scheme == "bearer"
    assert dict(bearer.params) == {
        "realm": "https://auth.example/token",
        "service": "registry.example",
        "scope": "repository:a/b:pull,push",
    }
    assert (basic.scheme, dict(basic.params)) == ("basic", {"realm": "x y"})
    assert parse_challenges("") == []


def test_retry_delays_double_up_to_the_cap() -> None:
    policy = RetryPolicy(first_delay=0.5, max_delay=3.0)
    assert [policy.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_credentials_keep_their_secret_out_of_repr() -> None:
    assert "hunter2" not in repr(Credentials("bob", "hunter2"))


def auth(user: str, password: str) -> dict[str, str]:
    return {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_docker_hub_credentials_under_every_name_the_cli_uses(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    environ = {"HOME": str(tmp_path / "home"), "DOCKER_CONFIG": str(tmp_path)}
    for key in ("https://index.docker.io/v1/", "docker.io", "index.docker.io"):
        config.write_text(json.dumps({"auths": {key: auth("hub", "pw")}}))
        found = find_credentials(parse_reference("alpine"), environ, NullProgress())
        assert found == Credentials("hub", "pw"), key


def test_the_most_specific_podman_entry_wins(tmp_path: Path) -> None:
    path = tmp_path / "auth.json"
    path.write_text(
        json.dumps(
            {
                "auths": {
                    "quay.io": auth("any", "1"),
                    "quay.io/org": auth("org", "2"),
                    "quay.io/org/app": auth("app", "3"),
                }
            }
        )
    )
    environ = {"HOME": str(tmp_path / "home"), "REGISTRY_AUTH_FILE": str(path)}
    progress = NullProgress()
    assert find_credentials(parse_reference("quay.io/org/app"), environ, progress) == (
        Credentials("app", "3")
    )
    assert find_credentials(parse_reference("quay.io/org/other"), environ, progress) == (
        Credentials("org", "2")
    )
    assert find_credentials(parse_reference("quay.io/else/x"), environ, progress) == (
        Credentials("any", "1")
    )
    assert find_credentials(parse_reference("ghcr.io/org/app"), environ, progress) is None


def test_an_identity_token_is_kept_as_one(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(
        json.dumps({"auths": {"reg.example": {"auth": "", "identitytoken": "refresh-me"}}})
    )
    environ = {"HOME": str(tmp_path / "home"), "DOCKER_CONFIG": str(tmp_path)}
    found = find_credentials(parse_reference("reg.example/app"), environ, NullProgress())
    assert found is not None and found.identity_token and found.secret == "refresh-me"
