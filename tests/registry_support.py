"""A real registry for the tests: Debian's ``docker-registry`` on a free loopback port.

:class:`Registry` writes the registry's config (storage in a temporary directory, access log on,
optionally htpasswd or token authentication), starts it, waits until ``/v2/`` answers, pushes
images with ``skopeo copy`` and reads the access log to tell which blobs were fetched.
:class:`TokenIssuer` is the small RS256 token service a registry with ``auth: token`` sends
clients to (pyjwt and cryptography), as Docker Hub's or GHCR's would.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import http.server
import ipaddress
import json
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bcrypt
import httpx
import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

REGISTRY = "/usr/bin/docker-registry"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def outward_address() -> str | None:
    """An IPv4 address of this machine that is not loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 9))  # routes only: no packet is sent
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def self_signed(root: Path, address: str) -> tuple[Path, Path]:
    """A certificate for ``address`` signed by its own key (no authority trusts it)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, address)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    root.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = root / "registry.crt", root / "registry.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def have_registry_tools() -> bool:
    return Path(REGISTRY).is_file() and shutil.which("skopeo") is not None


@dataclass
class Registry:
    """A running docker-registry and what it was configured with."""

    root: Path
    auth: Mapping[str, Any] | None = None
    address: str = "127.0.0.1"
    tls: tuple[Path, Path] | None = None
    """A certificate and its key: serve HTTPS."""
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> str:
        return f"{self.address}:{self.port}"

    @property
    def log(self) -> Path:
        return self.root / "registry.log"

    @property
    def storage(self) -> Path:
        return self.root / "storage"

    def _config(self) -> Path:
        config: dict[str, Any] = {
            "version": 0.1,
            "log": {"level": "info", "accesslog": {"disabled": False}},
            "storage": {
                "filesystem": {"rootdirectory": str(self.storage)},
                "delete": {"enabled": True},
            },
            "http": {"addr": self.host, "secret": "auger-tests"},
        }
        if self.tls:
            config["http"]["tls"] = {"certificate": str(self.tls[0]), "key": str(self.tls[1])}
        if self.auth:
            config["auth"] = dict(self.auth)
        path = self.root / "config.yml"
        path.write_text(json.dumps(config))  # JSON is YAML
        return path

    def start(self) -> Registry:
        self.root.mkdir(parents=True, exist_ok=True)
        config = self._config()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [REGISTRY, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.address, self.port), timeout=0.5) as probe:
                    probe.sendall(b"GET /v2/ HTTP/1.0\r\n\r\n")
                    if probe.recv(16).startswith(b"HTTP/"):
                        return self
            except OSError:
                time.sleep(0.05)
            if self.process.poll() is not None:
                break
        raise AssertionError(f"docker-registry did not start:\n{self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def push(self, source: str, name: str, *, every_platform: bool = False) -> str:
        """``skopeo copy SOURCE docker://HOST/NAME``; returns ``registry://HOST/NAME``."""
        command = ["skopeo", "copy", "-q", "--dest-tls-verify=false"]
        if self.auth and "htpasswd" in self.auth:
            command.append(f"--dest-creds={HTPASSWD_USER}:{HTPASSWD_PASSWORD}")
        if self.auth and "token" in self.auth:
            command.append(f"--dest-creds={TOKEN_USER}:{TOKEN_PASSWORD}")
        if every_platform:
            command.append("--all")
        command += [source, f"docker://{self.host}/{name}"]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
        assert done.returncode == 0, done.stderr
        return f"registry://{self.host}/{name}"

    def blob_path(self, digest: str) -> Path:
        algorithm, _, encoded = digest.partition(":")
        return (
            self.storage / "docker/registry/v2/blobs" / algorithm / encoded[:2] / encoded / "data"
        )

    def requests(self) -> list[tuple[str, str, int]]:
        """(method, path, status) of every request in the access log so far."""
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            match = re.search(r'"(GET|HEAD|PUT|POST|PATCH|DELETE) (\S+) HTTP/[\d.]+" (\d+)', line)
            if match:
                found.append((match[1], match[2], int(match[3])))
        return found

    def blob_fetches(self, repository: str) -> list[tuple[str, int]]:
        """(digest, status) of every GET of a blob of ``repository``."""
        prefix = f"/v2/{repository}/blobs/"
        return [
            (path.removeprefix(prefix), status)
            for method, path, status in self.requests()
            if method == "GET" and path.startswith(prefix)
        ]


HTPASSWD_USER = "alice"
HTPASSWD_PASSWORD = "s3cret-Basic-pa55"
TOKEN_USER = "bob"
TOKEN_PASSWORD = "s3cret-Token-pa55"
REFRESH_TOKEN = "s3cret-refresh-t0ken"
"""An identity token (what docker login stores for OAuth registries) the issuer accepts."""


def htpasswd_auth(root: Path) -> dict[str, Any]:
    """An ``auth: htpasswd`` section with one bcrypt user."""
    root.mkdir(parents=True, exist_ok=True)
    hashed = bcrypt.hashpw(HTPASSWD_PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    path = root / "htpasswd"
    path.write_text(f"{HTPASSWD_USER}:{hashed}\n")
    return {"htpasswd": {"realm": "auger-tests", "path": str(path)}}


def _libtrust_key_id(public_key: rsa.RSAPublicKey) -> str:
    """The key ID docker-registry derives from a public key (libtrust's format)."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    encoded = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


class TokenIssuer:
    """An RS256 token service: checks Basic credentials, grants the scopes asked for."""

    service = "auger-test-registry"
    issuer = "auger-test-issuer"

    def __init__(self, root: Path, *, anonymous: bool = False) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.anonymous = anonymous
        self.expired_first = 0
        """How many of the next tokens to issue already expired (to make clients renew)."""
        self.requests: list[dict[str, list[str]]] = []
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "auger test token issuer")])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(self._key, hashes.SHA256())
        )
        self.bundle = root / "token-issuer.pem"
        self.bundle.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        self._kid = _libtrust_key_id(self._key.public_key())
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/token"

    def auth(self) -> dict[str, Any]:
        """The registry's ``auth: token`` section."""
        return {
            "token": {
                "realm": self.realm,
                "service": self.service,
                "issuer": self.issuer,
                "rootcertbundle": str(self.bundle),
            }
        }

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _token(self, subject: str, scopes: list[str]) -> str:
        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        if self.expired_first > 0:
            self.expired_first -= 1
            now -= 3600  # well past the registry's leeway
        claims = {
            "iss": self.issuer,
            "sub": subject,
            "aud": self.service,
            "iat": now,
            "nbf": now - 5,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        issuer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                issuer.requests.append(query)
                user = self._user()
                if user is None and not issuer.anonymous:
                    self.send_response(401)
                    self.end_headers()
                    return
                token = issuer._token(user or "", query.get("scope", []))
                body = json.dumps({"token": token, "expires_in": 300}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                issuer.requests.append(form)
                if form.get("refresh_token") != [REFRESH_TOKEN]:
                    self.send_response(401)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                scopes = form.get("scope", [""])[0].split()
                body = json.dumps({"access_token": issuer._token(TOKEN_USER, scopes)}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _user(self) -> str | None:
                header = self.headers.get("Authorization", "")
                if not header.startswith("Basic "):
                    return None
                pair = base64.b64decode(header[6:]).decode()
                return TOKEN_USER if pair == f"{TOKEN_USER}:{TOKEN_PASSWORD}" else None

        return Handler


class FlakyProxy:
    """A loopback proxy in front of a real registry that fails chosen requests first.

    ``fail(pattern, status, times, retry_after)``: the next ``times`` requests whose path contains
    ``pattern`` get ``status`` (with ``Retry-After`` when given) instead of the registry's answer;
    every other request is passed through as it is, streamed.
    """

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.seen: list[tuple[str, int]] = []
        self._faults: list[list[Any]] = []
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    def fail(
        self,
        pattern: str,
        status: int,
        times: int,
        retry_after: str | None = None,
        body: tuple[bytes, str] | None = None,
    ) -> None:
        """Answer ``status`` (and ``body``, a content and its type) instead of the registry."""
        with self._lock:
            self._faults.append([pattern, status, times, retry_after, body])

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _fault(self, path: str) -> tuple[int, str | None, tuple[bytes, str] | None] | None:
        with self._lock:
            for fault in self._faults:
                if fault[0] in path and fault[2] > 0:
                    fault[2] -= 1
                    return fault[1], fault[3], fault[4]
        return None

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                fault = proxy._fault(self.path)
                if fault is not None:
                    status, retry_after, body = fault
                    proxy.seen.append((self.path, status))
                    self.send_response(status)
                    if retry_after is not None:
                        self.send_header("Retry-After", retry_after)
                    content, kind = body or (b"", "text/plain")
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content)
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                url = f"http://{proxy.registry.host}{self.path}"
                with httpx.stream("GET", url, headers=headers) as answer:
                    proxy.seen.append((self.path, answer.status_code))
                    self.send_response(answer.status_code)
                    for key, value in answer.headers.items():
                        if key.lower() not in ("transfer-encoding", "connection"):
                            self.send_header(key, value)
                    self.end_headers()
                    for chunk in answer.iter_raw():
                        self.wfile.write(chunk)

        return Handler
