"""Registry authentication: Basic, and the Bearer token flow, driven by ``WWW-Authenticate``.

A request goes out anonymously first. When the registry answers 401, its challenge says what it
wants: ``Basic`` (send the credentials) or ``Bearer realm=...,service=...`` (ask the token
service at ``realm`` for a token for ``repository:REPO:pull``, with the credentials if there
are any, and send that). A token that stops working (expired) is renewed on the next 401.
Credentials are looked up only when a challenge asks for them, and never appear in a message.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from auger.display import display
from auger.sources.interface import Credentials
from auger.sources.registry.errors import (
    RegistryProtocolError,
    RegistryUnauthorizedError,
    RegistryUnreachableError,
)
from auger.sources.registry.reference import is_loopback

_PARAM = re.compile(r'\s*([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*,?')
MAX_TOKEN_RESPONSE = 1 << 20


@dataclass(frozen=True, slots=True)
class Challenge:
    """One challenge of a ``WWW-Authenticate`` header."""

    scheme: str
    """Lower case: ``basic`` or ``bearer``."""
    params: Mapping[str, str]


def parse_challenges(header: str) -> list[Challenge]:
    """Parse ``Scheme k="v", k2=v2, Scheme2 ...`` (RFC 7235), schemes lower-cased."""
    challenges: list[Challenge] = []
    position = 0
    while position < len(header):
        scheme_match = re.compile(r"\s*,?\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)").match(
            header, position
        )
        if scheme_match is None:
            break
        scheme = scheme_match.group(1).lower()
        position = scheme_match.end()
        params: dict[str, str] = {}
        while (match := _PARAM.match(header, position)) is not None and match.end() > position:
            quoted, bare = match.group(2), match.group(3)
            value = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare or ""
            params[match.group(1).lower()] = value
            position = match.end()
        challenges.append(Challenge(scheme, params))
    return challenges


def basic(credentials: Credentials) -> str:
    """The ``Authorization`` value for Basic authentication."""
    pair = f"{credentials.username}:{credentials.secret}".encode()
    return "Basic " + base64.b64encode(pair).decode()


class Authenticator:
    """Answers a registry's challenges for one repository; holds the current token."""

    def __init__(
        self,
        client: httpx.Client,
        host: str,
        repository: str,
        lookup: Callable[[], Credentials | None],
        tls_verify: bool,
    ) -> None:
        self._client = client
        self._host = host
        self._repository = repository
        self._lookup = lookup
        self._looked_up = False
        self._credentials: Credentials | None = None
        self._tls_verify = tls_verify
        self.authorization: str | None = None
        """The ``Authorization`` header to send, once a challenge was answered."""

    @property
    def has_credentials(self) -> bool:
        return self._get_credentials() is not None

    def _get_credentials(self) -> Credentials | None:
        if not self._looked_up:
            self._credentials = self._lookup()
            self._looked_up = True
        return self._credentials

    def answer(self, response: httpx.Response) -> bool:
        """Prepare the answer to a 401; ``False`` when there is nothing new to try."""
        challenges = parse_challenges(response.headers.get("www-authenticate", ""))
        by_scheme = {challenge.scheme: challenge for challenge in challenges}
        if "bearer" in by_scheme:
            self.authorization = "Bearer " + self._token(by_scheme["bearer"])
            return True
        if "basic" in by_scheme:
            credentials = self._get_credentials()
            if credentials is None or credentials.identity_token:
                return False
            header = basic(credentials)
            if header == self.authorization:
                return False
            self.authorization = header
            return True
        return False

    def _token(self, challenge: Challenge) -> str:
        realm = challenge.params.get("realm")
        if not realm:
            raise RegistryProtocolError(f"{self._host} asked for a token but named no realm")
        url = httpx.URL(realm)
        if url.scheme not in ("https", "http"):
            raise RegistryProtocolError(f"{self._host} named a token realm that is not HTTP(S)")
        scopes = [f"repository:{self._repository}:pull"]
        offered = challenge.params.get("scope")
        if offered and offered not in scopes:
            scopes.append(offered)
        query: list[tuple[str, str | int | float | bool | None]] = [("scope", s) for s in scopes]
        if challenge.params.get("service"):
            query.insert(0, ("service", challenge.params["service"]))
        credentials = self._get_credentials()
        plain = url.scheme == "http" and not is_loopback(url.netloc.decode())
        if credentials is not None and plain and self._tls_verify:
            raise RegistryUnauthorizedError(
                f"{self._host}'s token service {url.host} is plain HTTP; "
                "not sending credentials there",
                hint="use --tls-verify=false only if you trust that network",
            )
        try:
            if credentials is not None and credentials.identity_token:
                form = {"grant_type": "refresh_token", "refresh_token": credentials.secret}
                form.update({"client_id": "auger", "scope": " ".join(scopes)})
                if challenge.params.get("service"):
                    form["service"] = challenge.params["service"]
                answer = self._client.post(url, data=form)
            else:
                headers = {"Authorization": basic(credentials)} if credentials else {}
                answer = self._client.get(url, params=query, headers=headers)
        except httpx.TransportError as exc:
            raise RegistryUnreachableError(
                f"cannot reach the token service of {self._host} at {url.host}: "
                f"{type(exc).__name__}"
            ) from exc
        if answer.status_code in (401, 403):
            who = "the credentials" if credentials else "an anonymous token"
            raise RegistryUnauthorizedError(
                f"{self._host}'s token service refused {who} for {self._repository} "
                f"(HTTP {answer.status_code})",
                hint=_login_hint(self._host, credentials is not None),
            )
        if answer.status_code != 200:
            raise RegistryProtocolError(
                f"{self._host}'s token service answered HTTP {answer.status_code}"
            )
        return _token_of(answer, self._host)


def _token_of(answer: httpx.Response, host: str) -> str:
    if len(answer.content) > MAX_TOKEN_RESPONSE:
        raise RegistryProtocolError(f"{host}'s token service answered too much")
    try:
        document: Any = answer.json()
    except ValueError as exc:
        raise RegistryProtocolError(f"{host}'s token service answered something not JSON") from exc
    token = None
    if isinstance(document, Mapping):
        token = document.get("token") or document.get("access_token")
    if not isinstance(token, str) or not token:
        raise RegistryProtocolError(f"{host}'s token service answered no token")
    return token


def _login_hint(host: str, had_credentials: bool) -> str:
    if had_credentials:
        return f"check the credentials (docker login {host}, or --creds USER:PASSWORD)"
    return (
        f"the repository may not exist, or it needs credentials: docker login {host}, "
        "podman login, or --creds USER:PASSWORD"
    )


def unauthorized(host: str, repository: str, had_credentials: bool) -> RegistryUnauthorizedError:
    """The error for a registry that still answers 401 after authentication."""
    what = "with the credentials given" if had_credentials else "without credentials"
    return RegistryUnauthorizedError(
        f"{host} denied access to {display(repository)} {what}",
        hint=_login_hint(host, had_credentials),
    )
