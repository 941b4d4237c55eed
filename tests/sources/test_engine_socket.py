"""The engine API on a unix socket: which socket, and HTTP as engines (and broken ones) answer.

The answers an engine gives are checked against the real Docker Engine in tests/engine; here a
socket served by the test gives the answers no healthy engine gives on demand (a chunk cut by
a dropped connection, a reply that is not HTTP) and the framings HTTP allows.
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from auger.errors import ImageReadError
from auger.sources.engine_socket import (
    DEFAULT_SOCKET,
    EngineHTTPError,
    EngineProtocolError,
    EngineSocket,
    local_socket,
)

BODY = bytes(range(256)) * 1000


class _Server:
    """Answers one request on a unix socket with ``answer``, sent ``step`` bytes at a time."""

    def __init__(self, path: Path, answer: bytes, step: int) -> None:
        self.path = path
        self.requests: list[bytes] = []
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(path))
        self._listener.listen(1)
        self._thread = threading.Thread(target=self._serve, args=(answer, step), daemon=True)
        self._thread.start()

    def _serve(self, answer: bytes, step: int) -> None:
        connection, _ = self._listener.accept()
        with connection:
            request = b""
            while b"\r\n\r\n" not in request:
                request += connection.recv(4096)
            self.requests.append(request)
            for start in range(0, len(answer), step):
                connection.sendall(answer[start : start + step])
                if step < len(answer):
                    time.sleep(0.0005)  # so that the client's reads end between pieces
        self._listener.close()

    def join(self) -> None:
        self._thread.join(timeout=10)


class _Servers:
    """Starts :class:`_Server` s, each on a socket of its own."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self.started: list[_Server] = []

    def __call__(self, answer: bytes, step: int = 1 << 20) -> EngineSocket:
        server = _Server(self._directory / f"engine{len(self.started)}.sock", answer, step)
        self.started.append(server)
        return EngineSocket(str(server.path), timeout=10)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[_Servers]:
    servers = _Servers(tmp_path)
    yield servers
    for server in servers.started:
        server.join()


def _chunked(body: bytes, size: int) -> bytes:
    pieces = [
        f"{len(body[i : i + size]):x};ext=1\r\n".encode() + body[i : i + size] + b"\r\n"
        for i in range(0, len(body), size)
    ]
    return b"".join(pieces) + b"0\r\nX-Trailer: yes\r\n\r\n"


def _head(status: str = "200 OK", *headers: str) -> bytes:
    return ("\r\n".join([f"HTTP/1.1 {status}", *headers]) + "\r\n\r\n").encode()


def _read(stream: io.RawIOBase, size: int = 70_001) -> bytes:
    buffer = bytearray(size)
    parts = []
    while count := stream.readinto(memoryview(buffer)):
        parts.append(bytes(buffer[:count]))
    return b"".join(parts)


@pytest.mark.parametrize(
    ("framing", "step"),
    [
        ("chunked", 1 << 20),
        ("chunked", 997),
        ("length", 1 << 20),
        ("length", 4093),
        ("close", 5000),
    ],
)
def test_a_body_is_decoded_however_it_is_framed_and_cut(
    serve: _Servers, framing: str, step: int
) -> None:
    if framing == "chunked":
        answer = _head("200 OK", "Transfer-Encoding: chunked") + _chunked(BODY, 32768)
    elif framing == "length":
        answer = _head("200 OK", f"Content-Length: {len(BODY)}") + BODY
    else:
        answer = _head("200 OK") + BODY
    engine = serve(answer, step)
    read: list[int] = []
    with engine.save("app:1.2", read.append) as stream:
        assert _read(stream) == BODY
    assert sum(read) == len(BODY)


def test_the_request_names_the_image_in_its_path(serve: _Servers) -> None:
    engine = serve(_head("200 OK", "Content-Length: 2") + b"{}")
    assert engine.inspect("registry.local:5000/team/app@sha256:" + "a" * 64) == {}
    [request] = serve.started[0].requests
    line = request.split(b"\r\n", 1)[0].decode()
    assert line == f"GET /images/registry.local:5000/team/app%40sha256:{'a' * 64}/json HTTP/1.1"


def test_an_inspect_in_many_chunks(serve: _Servers) -> None:
    document = {"Id": "sha256:" + "b" * 64, "RootFS": {"Layers": ["sha256:" + "c" * 64] * 500}}
    body = json.dumps(document).encode()
    engine = serve(_head("200 OK", "Transfer-Encoding: chunked") + _chunked(body, 100), 333)
    assert engine.inspect("app") == document


def test_an_error_status_carries_the_engines_message(serve: _Servers) -> None:
    body = b'{"message":"No such image: app:1.2"}'
    engine = serve(_head("404 Not Found", f"Content-Length: {len(body)}") + body)
    with pytest.raises(EngineHTTPError) as caught:
        engine.save("app:1.2")
    assert (caught.value.status, caught.value.message) == (404, "No such image: app:1.2")


@pytest.mark.parametrize(
    "answer",
    [
        _head("200 OK", "Transfer-Encoding: chunked") + b"8000\r\n" + BODY[:1000],  # cut
        _head("200 OK", f"Content-Length: {len(BODY)}") + BODY[:1000],  # short
        _head("200 OK", "Transfer-Encoding: chunked") + b"zz\r\n",  # not a size
        _head("200 OK", "Transfer-Encoding: chunked") + b"4\r\nabcdEXTRA\r\n0\r\n\r\n",  # long
    ],
    ids=["cut-inside-a-chunk", "shorter-than-its-length", "bad-chunk-size", "chunk-too-long"],
)
def test_a_broken_body_is_an_error_not_a_short_stream(serve: _Servers, answer: bytes) -> None:
    engine = serve(answer)
    with engine.save("app") as stream, pytest.raises(ImageReadError):
        _read(stream)


def test_an_answer_that_is_not_http(serve: _Servers) -> None:
    engine = serve(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
    with pytest.raises(EngineProtocolError, match="not HTTP"):
        engine.inspect("app")


def test_no_engine_on_the_socket(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        EngineSocket(str(tmp_path / "none.sock"), timeout=10).inspect("app")


@pytest.mark.parametrize(
    ("environ", "config", "expected"),
    [
        ({}, None, DEFAULT_SOCKET),
        ({}, {"auths": {}}, DEFAULT_SOCKET),
        ({}, {"currentContext": "default"}, DEFAULT_SOCKET),
        ({}, {"currentContext": "remote"}, None),
        ({"DOCKER_CONTEXT": "remote"}, None, None),
        ({"DOCKER_CONTEXT": "default"}, {"currentContext": "remote"}, DEFAULT_SOCKET),
        ({"DOCKER_HOST": "unix:///run/user/1000/docker.sock"}, None, "/run/user/1000/docker.sock"),
        ({"DOCKER_HOST": "tcp://10.0.0.2:2376"}, None, None),
        ({"DOCKER_HOST": "ssh://me@builder"}, None, None),
        ({}, "{not json", None),
    ],
)
def test_the_socket_is_the_one_the_docker_cli_would_use(
    tmp_path: Path, environ: dict[str, str], config: object, expected: str | None
) -> None:
    """A unix socket, or ``None`` where the SDK is to decide (contexts, TCP, SSH, a config that
    cannot be read)."""
    if config is not None:
        text = config if isinstance(config, str) else json.dumps(config)
        (tmp_path / "config.json").write_text(text)
    assert local_socket({"DOCKER_CONFIG": str(tmp_path), **environ}) == expected
