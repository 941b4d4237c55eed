"""Registry authentication against real registries: htpasswd (Basic) and ``auth: token`` (Bearer,
with an RS256 token service), credentials from --creds, the docker config (auths, credHelpers,
credsStore with a real ``docker-credential-*`` program), Podman's auth files; secrets never shown.
"""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from tests.registry_support import (
    HTPASSWD_PASSWORD,
    HTPASSWD_USER,
    REFRESH_TOKEN,
    TOKEN_PASSWORD,
    TOKEN_USER,
    Registry,
    TokenIssuer,
)
from tests.support import CliResult, run_cli


def clean_environ(home: Path) -> dict[str, str]:
    """No engine, no stored credentials but those a test writes under ``home``."""
    home.mkdir(parents=True, exist_ok=True)
    return {
        "DOCKER_HOST": "unix:///nonexistent/auger-test.sock",
        "HOME": str(home),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }


def auths_entry(user: str, password: str) -> dict[str, str]:
    return {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}


def assert_read(result: CliResult) -> None:
    assert result.code == 0, result.stderr
    assert "3 layers" in result.stdout


def assert_denied(result: CliResult, *secrets: str) -> None:
    assert result.code == 3, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("auger: error: ")]
    assert len(errors) == 1, result.stderr
    for secret in secrets:
        assert secret not in result.stderr
        assert secret not in result.stdout


@pytest.fixture(scope="module")
def basic_image(basic_registry: Registry, small_archive: Path) -> str:
    return basic_registry.push(f"docker-archive:{small_archive}", "private/app:1")


@pytest.fixture(scope="module")
def token_image(token_registry: Registry, small_archive: Path) -> str:
    return token_registry.push(f"docker-archive:{small_archive}", "private/app:1")


def test_basic_auth_without_credentials_is_denied_with_a_hint(
    basic_image: str, tmp_path: Path
) -> None:
    result = run_cli([basic_image], clean_environ(tmp_path))
    assert_denied(result)
    assert "denied access to private/app without credentials" in result.stderr
    assert "docker login" in result.stderr


def test_basic_auth_with_creds(basic_image: str, tmp_path: Path) -> None:
    environ = clean_environ(tmp_path)
    assert_read(run_cli([basic_image, "--creds", f"{HTPASSWD_USER}:{HTPASSWD_PASSWORD}"], environ))
    wrong = "Wr0ng-but-secret"
    result = run_cli([basic_image, "--creds", f"{HTPASSWD_USER}:{wrong}", "--debug"], environ)
    assert_denied(result, wrong, HTPASSWD_PASSWORD)
    assert "with the credentials given" in result.stderr


@pytest.mark.parametrize("where", ["docker-config", "registry-auth-file", "xdg-runtime"])
def test_basic_auth_from_stored_credentials(
    basic_image: str, basic_registry: Registry, tmp_path: Path, where: str
) -> None:
    environ = clean_environ(tmp_path / "home")
    document = {"auths": {basic_registry.host: auths_entry(HTPASSWD_USER, HTPASSWD_PASSWORD)}}
    if where == "docker-config":
        environ["DOCKER_CONFIG"] = str(tmp_path / "docker")
        path = tmp_path / "docker" / "config.json"
        document = {
            "auths": {f"https://{basic_registry.host}/v2/": document["auths"][basic_registry.host]}
        }
    elif where == "registry-auth-file":
        path = tmp_path / "auth.json"
        environ["REGISTRY_AUTH_FILE"] = str(path)
    else:
        environ["XDG_RUNTIME_DIR"] = str(tmp_path / "run")
        path = tmp_path / "run" / "containers" / "auth.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    result = run_cli([basic_image, "--debug"], environ)
    assert_read(result)
    assert HTPASSWD_PASSWORD not in result.stderr


def credential_helper(bin_dir: Path, name: str, user: str, secret: str, log: Path) -> None:
    """A ``docker-credential-NAME`` program that answers ``get`` as the real helpers do."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    program = bin_dir / f"docker-credential-{name}"
    program.write_text(
        "#!/bin/sh\n"
        f'[ "$1" = get ] || exit 1\n'
        "read -r server\n"
        f'echo "$server" >> "{log}"\n'
        f'printf \'{{"ServerURL":"%s","Username":"{user}","Secret":"{secret}"}}\' "$server"\n'
    )
    program.chmod(program.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.mark.parametrize("key", ["credHelpers", "credsStore"])
def test_a_credential_helper_on_path(
    basic_image: str, basic_registry: Registry, tmp_path: Path, key: str
) -> None:
    environ = clean_environ(tmp_path / "home")
    log = tmp_path / "helper.log"
    credential_helper(tmp_path / "bin", "augertest", HTPASSWD_USER, HTPASSWD_PASSWORD, log)
    environ["PATH"] = f"{tmp_path / 'bin'}:{environ['PATH']}"
    environ["DOCKER_CONFIG"] = str(tmp_path / "docker")
    (tmp_path / "docker").mkdir()
    config = (
        {"credHelpers": {basic_registry.host: "augertest"}}
        if key == "credHelpers"
        else {"credsStore": "augertest", "auths": {basic_registry.host: {}}}
    )
    (tmp_path / "docker" / "config.json").write_text(json.dumps(config))
    result = run_cli([basic_image, "--debug"], environ)
    assert_read(result)
    assert log.read_text().split() == [basic_registry.host]
    assert HTPASSWD_PASSWORD not in result.stderr


def test_a_missing_credential_helper_is_said_and_skipped(basic_image: str, tmp_path: Path) -> None:
    environ = clean_environ(tmp_path / "home")
    environ["DOCKER_CONFIG"] = str(tmp_path / "docker")
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "config.json").write_text(json.dumps({"credsStore": "nosuchhelper"}))
    result = run_cli([basic_image], environ)
    assert_denied(result)
    assert "docker-credential-nosuchhelper" in result.stderr


def test_the_token_flow_with_credentials(
    token_image: str, token_issuer: TokenIssuer, tmp_path: Path
) -> None:
    before = len(token_issuer.requests)
    result = run_cli(
        [token_image, "--creds", f"{TOKEN_USER}:{TOKEN_PASSWORD}"], clean_environ(tmp_path)
    )
    assert_read(result)
    asked = token_issuer.requests[before:]
    assert asked, "no token was requested"
    assert asked[0]["service"] == [TokenIssuer.service]
    assert "repository:private/app:pull" in asked[0]["scope"]


def test_an_expired_token_is_renewed_on_401(
    token_image: str, token_issuer: TokenIssuer, tmp_path: Path
) -> None:
    before = len(token_issuer.requests)
    token_issuer.expired_first = 1
    result = run_cli(
        [token_image, "--creds", f"{TOKEN_USER}:{TOKEN_PASSWORD}"], clean_environ(tmp_path)
    )
    assert_read(result)
    assert len(token_issuer.requests) - before == 2


def test_the_token_service_refusing_exits_3(token_image: str, tmp_path: Path) -> None:
    result = run_cli([token_image], clean_environ(tmp_path))
    assert_denied(result)
    assert "token service refused an anonymous token" in result.stderr
    wrong = "N0t-the-Token-pa55"
    result = run_cli(
        [token_image, "--creds", f"{TOKEN_USER}:{wrong}", "--debug"], clean_environ(tmp_path)
    )
    assert_denied(result, wrong)
    assert "refused the credentials" in result.stderr


def test_creds_without_a_password_is_a_usage_error(basic_image: str, tmp_path: Path) -> None:
    result = run_cli([basic_image, "--creds", "alice"], clean_environ(tmp_path))
    assert result.code == 2
    assert "USER:PASSWORD" in result.stderr


def test_an_identity_token_from_the_docker_config(
    token_image: str, token_registry: Registry, token_issuer: TokenIssuer, tmp_path: Path
) -> None:
    environ = clean_environ(tmp_path / "home")
    environ["DOCKER_CONFIG"] = str(tmp_path / "docker")
    (tmp_path / "docker").mkdir()
    entry = {"auth": base64.b64encode(b"bob:").decode(), "identitytoken": REFRESH_TOKEN}
    config = {"auths": {token_registry.host: entry}}
    (tmp_path / "docker" / "config.json").write_text(json.dumps(config))
    before = len(token_issuer.requests)
    result = run_cli([token_image, "--debug"], environ)
    assert_read(result)
    grants = [form for form in token_issuer.requests[before:] if "grant_type" in form]
    assert grants and grants[0]["grant_type"] == ["refresh_token"]
    assert REFRESH_TOKEN not in result.stderr
