"""Registry credentials, found where the docker CLI, Podman and skopeo keep them.

The files are read in this order, and the first that knows the registry wins:
``REGISTRY_AUTH_FILE``; the docker CLI's ``$DOCKER_CONFIG/config.json`` (default
``~/.docker/config.json``); Podman's ``$XDG_RUNTIME_DIR/containers/auth.json`` and
``~/.config/containers/auth.json``. In each, ``credHelpers`` (per registry) comes before
``credsStore`` (the default helper), which comes before ``auths``; a helper is run as the docker
CLI runs it: ``docker-credential-NAME get`` with the server on standard input. Secrets are kept
out of every ``repr`` and message.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auger.display import display
from auger.progress import Progress
from auger.sources.interface import Credentials
from auger.sources.registry.reference import HUB, RegistryReference

HUB_SERVER = "https://index.docker.io/v1/"
"""The name the docker CLI stores Docker Hub's credentials under."""
_HUB_NAMES = frozenset({HUB, "index.docker.io", "registry-1.docker.io"})
HELPER_TIMEOUT = 30


@dataclass(frozen=True, slots=True)
class _AuthFile:
    path: Path
    document: Mapping[str, Any] = field(repr=False)


def _normal_key(key: str) -> str:
    """An ``auths`` key as ``host[/path]``: scheme, ``/v1/``/``/v2/`` and slashes dropped."""
    for scheme in ("https://", "http://"):
        key = key.removeprefix(scheme)
    key = key.rstrip("/")
    for suffix in ("/v1", "/v2"):
        key = key.removesuffix(suffix)
    host, slash, rest = key.partition("/")
    host = HUB if host in _HUB_NAMES else host
    return f"{host}{slash}{rest}"


def _scopes(reference: RegistryReference) -> list[str]:
    """``host/a/b``, ``host/a``, ``host``: the most specific match first (as Podman matches)."""
    host = HUB if reference.is_hub else reference.registry
    parts = reference.repository.split("/")
    return [f"{host}/{'/'.join(parts[:n])}" for n in range(len(parts), 0, -1)] + [host]


def auth_files(environ: Mapping[str, str]) -> Iterator[Path]:
    """The credential files to look in, in order."""
    home = Path(environ.get("HOME") or Path.home())
    if environ.get("REGISTRY_AUTH_FILE"):
        yield Path(environ["REGISTRY_AUTH_FILE"])
    docker_config = environ.get("DOCKER_CONFIG")
    yield (Path(docker_config) if docker_config else home / ".docker") / "config.json"
    if environ.get("XDG_RUNTIME_DIR"):
        yield Path(environ["XDG_RUNTIME_DIR"]) / "containers" / "auth.json"
    yield home / ".config" / "containers" / "auth.json"


def _load(path: Path, progress: Progress) -> _AuthFile | None:
    try:
        document = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        progress.warning(f"ignoring credentials file {path}: {type(exc).__name__}")
        return None
    return _AuthFile(path, document) if isinstance(document, Mapping) else None


def _from_auths(entry: object) -> Credentials | None:
    if not isinstance(entry, Mapping):
        return None
    username = entry.get("username") if isinstance(entry.get("username"), str) else ""
    password = entry.get("password") if isinstance(entry.get("password"), str) else ""
    encoded = entry.get("auth")
    if isinstance(encoded, str) and encoded:
        try:
            username, _, password = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
    token = entry.get("identitytoken")
    if isinstance(token, str) and token:
        return Credentials(str(username) or "<token>", token, identity_token=True)
    if username and password:
        return Credentials(str(username), str(password))
    return None


def run_helper(helper: str, server: str, environ: Mapping[str, str]) -> Credentials | None:
    """Ask ``docker-credential-HELPER`` for the credentials of ``server``."""
    program = shutil.which(f"docker-credential-{helper}", path=environ.get("PATH", os.defpath))
    if program is None:
        return None
    try:
        done = subprocess.run(
            [program, "get"],
            input=server.encode(),
            capture_output=True,
            timeout=HELPER_TIMEOUT,
            env=dict(environ),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    try:
        answer = json.loads(done.stdout)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(answer, Mapping):
        return None
    username, secret = answer.get("Username"), answer.get("Secret")
    if not isinstance(username, str) or not isinstance(secret, str) or not secret:
        return None
    if username == "<token>":
        return Credentials(username, secret, identity_token=True)
    return Credentials(username, secret)


def _helper_server(reference: RegistryReference) -> str:
    return HUB_SERVER if reference.is_hub else reference.registry


def _from_file(
    auth: _AuthFile, reference: RegistryReference, environ: Mapping[str, str], progress: Progress
) -> Credentials | None:
    scopes = _scopes(reference)
    helpers = auth.document.get("credHelpers")
    if isinstance(helpers, Mapping):
        named = {_normal_key(key): value for key, value in helpers.items() if isinstance(key, str)}
        for scope in scopes:
            helper = named.get(scope)
            if isinstance(helper, str) and helper:
                return _ask(helper, _helper_server(reference), environ, progress, auth.path)
    store = auth.document.get("credsStore")
    auths = auth.document.get("auths")
    entries = (
        {_normal_key(key): (key, value) for key, value in auths.items() if isinstance(key, str)}
        if isinstance(auths, Mapping)
        else {}
    )
    if isinstance(store, str) and store:
        server = next((entries[s][0] for s in scopes if s in entries), None)
        found = _ask(store, server or _helper_server(reference), environ, progress, auth.path)
        if found is not None:
            return found
    for scope in scopes:
        if scope in entries:
            return _from_auths(entries[scope][1])
    return None


def _ask(
    helper: str, server: str, environ: Mapping[str, str], progress: Progress, where: Path
) -> Credentials | None:
    if shutil.which(f"docker-credential-{helper}", path=environ.get("PATH", os.defpath)) is None:
        progress.warning(
            f"credential helper docker-credential-{display(helper)} (named in {where}) "
            "is not on PATH; trying without it"
        )
        return None
    return run_helper(helper, server, environ)


def find_credentials(
    reference: RegistryReference, environ: Mapping[str, str], progress: Progress
) -> Credentials | None:
    """The stored credentials for ``reference``'s registry, or ``None``."""
    for path in auth_files(environ):
        auth = _load(path, progress)
        if auth is None:
            continue
        found = _from_file(auth, reference, environ, progress)
        if found is not None:
            return found
    return None
