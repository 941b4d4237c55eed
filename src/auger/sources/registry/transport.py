"""HTTP to one registry: the scheme, authentication, retries with backoff, readable errors.

TLS is verified by default, against the system's certificate authorities (or
``SSL_CERT_FILE`` / ``SSL_CERT_DIR``, as OpenSSL reads them). Loopback registries are treated as
Docker treats them (insecure: HTTPS without verification, else plain HTTP), and so is every
registry with ``--tls-verify=false``. Connection errors, 429 and 5xx answers are retried with
exponential backoff, honouring ``Retry-After``; a 401 is answered once per request (see
:mod:`auger.sources.registry.auth`).
"""

from __future__ import annotations

import email.utils
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from auger.display import display
from auger.sources.interface import Credentials
from auger.sources.registry.auth import Authenticator, unauthorized
from auger.sources.registry.errors import (
    RegistryProtocolError,
    RegistryRateLimitedError,
    RegistryTlsError,
    RegistryUnreachableError,
)
from auger.sources.registry.reference import RegistryReference, is_loopback
from auger.version import version

TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often, and how patiently, a failed request is tried again."""

    attempts: int = 5
    """Tries in all, the first included."""
    first_delay: float = 0.5
    """Seconds before the second try; each later delay doubles it."""
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    """A ``Retry-After`` longer than this ends the retries at once."""
    first_contact_attempts: int = 2
    """Tries of the very first request (a registry that never answered is likely not there)."""

    def delay(self, attempt: int) -> float:
        """Seconds to wait before try ``attempt + 1`` (``attempt`` counts from 1)."""
        return float(min(self.max_delay, self.first_delay * 2 ** (attempt - 1)))


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def trusted_authorities(environ: Mapping[str, str]) -> ssl.SSLContext:
    """The certificate authorities to verify registries against: the system's, or those
    ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` name."""
    cafile, capath = environ.get("SSL_CERT_FILE") or None, environ.get("SSL_CERT_DIR") or None
    try:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    except (OSError, ssl.SSLError) as exc:
        raise RegistryTlsError(
            f"cannot load the certificate authorities of SSL_CERT_FILE or SSL_CERT_DIR "
            f"({cafile or capath}): {_reason(exc)}"
        ) from exc


def _is_tls_failure(error: BaseException) -> bool:
    current: BaseException | None = error
    while current is not None:
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        current = current.__cause__ or current.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(error)


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text and text[0] else type(error).__name__


class RegistryClient:
    """Requests to one registry for one repository."""

    def __init__(
        self,
        reference: RegistryReference,
        lookup: Callable[[], Credentials | None],
        *,
        tls_verify: bool = True,
        retry: RetryPolicy | None = None,
        environ: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.reference = reference
        self.host = reference.api_host
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._insecure = not tls_verify or is_loopback(self.host)
        self._schemes = ["https", "http"] if self._insecure else ["https"]
        self._http = httpx.Client(
            verify=False if self._insecure else trusted_authorities(environ or {}),
            timeout=TIMEOUT,
            follow_redirects=True,
            # identity: a blob is hashed as stored, so no one may re-encode it on the way
            headers={"User-Agent": f"auger/{version()}", "Accept-Encoding": "identity"},
            limits=httpx.Limits(max_connections=16, max_keepalive_connections=8),
        )
        self.auth = Authenticator(
            self._http, self.host, reference.repository, lookup, tls_verify=tls_verify
        )
        self._base: str | None = None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def base(self) -> str:
        """``scheme://host``, found by the first request."""
        if self._base is None:
            self._connect()
        assert self._base is not None
        return self._base

    def _connect(self) -> None:
        """Find the scheme that answers ``/v2/`` (retried as a first contact)."""
        last: BaseException | None = None
        for attempt in range(1, self.retry.first_contact_attempts + 1):
            for scheme in self._schemes:
                try:
                    response = self._http.get(f"{scheme}://{self.host}/v2/")
                except httpx.TransportError as exc:
                    if not self._insecure and _is_tls_failure(exc):
                        raise self._tls_error(exc) from exc
                    last = exc
                    continue
                response.close()
                if response.status_code == 401:
                    self.auth.answer(response)  # fetch the token now, as the docker CLI does
                if response.status_code == 404:
                    raise RegistryProtocolError(
                        f"{self.host} does not serve the registry API (/v2/ answered 404)"
                    )
                self._base = f"{scheme}://{self.host}"
                return
            if attempt < self.retry.first_contact_attempts:
                self._sleep(self.retry.delay(attempt))
        assert last is not None
        raise RegistryUnreachableError(
            f"cannot reach the registry {self.host}: {_reason(last)}",
            hint="check the registry's name and port and the network; a registry without "
            "TLS needs --tls-verify=false"
            if not self._insecure
            else "check that the registry is running and listening on that port",
        ) from last

    def _tls_error(self, error: BaseException) -> RegistryTlsError:
        return RegistryTlsError(
            f"TLS verification failed for {self.host}: {_reason(error)}",
            hint="install the registry's CA certificate (SSL_CERT_FILE), or, for a registry "
            "you trust, --tls-verify=false",
        )

    def request(
        self,
        path: str,
        headers: Mapping[str, str] | None = None,
        *,
        stream: bool = False,
        what: str = "",
    ) -> httpx.Response:
        """GET ``path`` (below ``/v2/``) with retries and authentication.

        Returns any answer but 401, 429 and 5xx (the caller reads 200, 206, 404...).
        """
        url = f"{self.base}/v2/{path}"
        renewed = False
        attempt = 0
        while True:
            attempt += 1
            sent = dict(headers or {})
            if self.auth.authorization:
                sent["Authorization"] = self.auth.authorization
            request = self._http.build_request("GET", url, headers=sent)
            try:
                response = self._http.send(request, stream=stream)
            except httpx.TransportError as exc:
                if not self._insecure and _is_tls_failure(exc):
                    raise self._tls_error(exc) from exc
                if attempt >= self.retry.attempts:
                    raise self.lost(exc, what) from exc
                self._sleep(self.retry.delay(attempt))
                continue
            status = response.status_code
            if status == 401:
                response.close()
                if not renewed and self.auth.answer(response):
                    renewed = True
                    attempt -= 1
                    continue
                raise unauthorized(self.host, self.reference.repository, self.auth.has_credentials)
            if status == 429 or status >= 500:
                response.close()
                wait = _retry_after(response)
                if attempt >= self.retry.attempts or (
                    wait is not None and wait > self.retry.max_retry_after
                ):
                    raise self._gave_up(status, attempt, wait)
                self._sleep(wait if wait is not None else self.retry.delay(attempt))
                continue
            return response

    def _gave_up(self, status: int, attempts: int, wait: float | None) -> Exception:
        if status == 429:
            later = f"; it asks to wait {wait:.0f} s" if wait else ""
            return RegistryRateLimitedError(
                f"{self.host} rate-limited the pull (HTTP 429, {attempts} tries){later}",
                hint="try again later, or log in (docker login) for a higher limit",
            )
        return RegistryUnreachableError(
            f"{self.host} kept failing (HTTP {status}, {attempts} tries)",
            hint="the registry has a problem; try again later",
        )

    def lost(self, error: BaseException, what: str) -> RegistryUnreachableError:
        """The error for a connection that broke and did not come back."""
        during = f" while reading {what}" if what else ""
        return RegistryUnreachableError(
            f"lost the connection to the registry {self.host}{during} "
            f"({self.retry.attempts} tries): {_reason(error)}",
            hint="check that the registry is up and the network stable, then try again",
        )


def error_code(response: httpx.Response) -> str | None:
    """The first ``errors[].code`` of a registry's error body (``MANIFEST_UNKNOWN``...)."""
    try:
        body: Any = response.json()
    except (ValueError, httpx.ResponseNotRead):
        return None
    errors = body.get("errors") if isinstance(body, Mapping) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        code = errors[0].get("code")
        return code if isinstance(code, str) else None
    return None


def describe_status(response: httpx.Response, what: str) -> str:
    """``what`` and the registry's answer, for an unexpected status."""
    code = error_code(response)
    detail = f" {display(code)}" if code else ""
    return f"{what}: the registry answered HTTP {response.status_code}{detail}"
