"""The Docker Engine API on a unix socket, spoken directly: an image's inspect and its save.

Importing the Docker SDK (with requests and urllib3) costs about 100 ms and 16 MiB, more than a
whole small image's scan, and urllib3 decodes a save stream's 32 KiB chunks at 0.14 s of CPU
per 330 MB. Where the docker CLI would reach the engine through a unix socket (``DOCKER_HOST``
unset with the default context, or ``unix://``; Podman's socket too), auger sends its two GET
requests itself, as HTTP/1.1 on the socket, and decodes the chunked body here. Every other
endpoint (TCP, TLS, SSH, a named context) goes through the SDK (:mod:`auger.sources.docker_engine`).
"""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from auger.errors import ImageReadError, SourceError

DEFAULT_SOCKET = "/var/run/docker.sock"
_HEAD_MAX = 64 << 10
"""The most bytes of status line and headers accepted."""
_ERROR_MAX = 64 << 10
"""The most bytes of an error response's body read for its message."""
_INSPECT_MAX = 16 << 20
"""The most bytes of an inspect read (an image's config, with its history)."""
_BUFFER = 1 << 20


class EngineHTTPError(Exception):
    """The engine answered with an error status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class EngineProtocolError(SourceError):
    """The engine's answer is not HTTP as expected (or the connection ended inside it)."""


def local_socket(environ: Mapping[str, str]) -> str | None:
    """The unix socket the docker CLI would use, or ``None`` when it would use something else
    (a TCP or SSH host, a named context) or the docker config cannot be read."""
    host = environ.get("DOCKER_HOST")
    if host:
        path = host.removeprefix("unix://")
        return path if path != host and path else None
    context = environ.get("DOCKER_CONTEXT") or _current_context(environ)
    return DEFAULT_SOCKET if context == "default" else None


def _current_context(environ: Mapping[str, str]) -> str | None:
    """``currentContext`` of the docker config (``default`` without one); ``None`` for a
    config that cannot be read."""
    configured = environ.get("DOCKER_CONFIG")
    directory = Path(configured) if configured else Path.home() / ".docker"
    try:
        with (directory / "config.json").open("rb") as file:
            config = json.load(file)
    except FileNotFoundError:
        return "default"
    except (OSError, ValueError):
        return None
    if not isinstance(config, dict):
        return None
    name = config.get("currentContext") or "default"
    return name if isinstance(name, str) else None


class EngineSocket:
    """Requests to an engine's API on the unix socket at ``path``, one connection each."""

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout

    def inspect(self, name: str) -> dict[str, Any]:
        """The engine's inspect of image ``name`` (``EngineHTTPError`` for an error status)."""
        body = self._get(f"/images/{quote(name, safe='/:')}/json", f"the inspect of {name}")
        with body:
            data = body.read_all(_INSPECT_MAX)
        try:
            found = json.loads(data)
        except ValueError as exc:
            raise EngineProtocolError(f"the engine's inspect of {name} is not JSON") from exc
        if not isinstance(found, dict):
            raise EngineProtocolError(f"the engine's inspect of {name} is not an object")
        return found

    def save(self, name: str, on_read: Callable[[int], None] | None = None) -> io.RawIOBase:
        """The ``save`` (``docker save``) tar of ``name``, as a stream; ``on_read`` is told of
        each piece of it that arrives."""
        return self._get(f"/images/{quote(name, safe='/:')}/get", f"the save of {name}", on_read)

    def _get(self, target: str, what: str, on_read: Callable[[int], None] | None = None) -> _Body:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.settimeout(self.timeout)
            connection.connect(self.path)
            request = f"GET {target} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n"
            connection.sendall(request.encode("ascii"))
            body = _Body(connection, what, on_read)
            status = body.read_head()
            if status >= 300:
                with body:
                    raise EngineHTTPError(status, _message(body.read_all(_ERROR_MAX)))
        except BaseException:
            connection.close()
            raise
        return body


def _message(data: bytes) -> str:
    """The ``message`` of an engine's JSON error body, else the body as text."""
    try:
        found = json.loads(data)
    except ValueError:
        found = None
    if isinstance(found, dict) and isinstance(found.get("message"), str):
        return str(found["message"])
    return data.decode("utf-8", "replace").strip()


class _Body(io.RawIOBase):
    """An HTTP/1.1 response on a socket: its head, then its body (chunked, of a known length,
    or up to the connection's end) decoded as it is read."""

    def __init__(
        self, connection: socket.socket, what: str, on_read: Callable[[int], None] | None
    ) -> None:
        self._connection = connection
        self._what = what
        self._on_read = on_read
        self._buffer = bytearray(_BUFFER)
        self._view = memoryview(self._buffer)
        self._start = 0
        """The first byte received and not yet consumed."""
        self._end = 0
        self._chunked = False
        self._left = -1
        """Body bytes left: in the current chunk (chunked), in the body (a length), or -1 (up
        to the connection's end)."""
        self._crlf = False
        """True when a chunk's data was read and the CRLF after it was not."""
        self._done = False

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self._connection.close()
        super().close()

    def _fill(self) -> int:
        """Receive more bytes after the unread ones; how many arrived (0 at the end)."""
        if self._start == self._end:
            self._start = self._end = 0
        elif self._end == len(self._buffer):
            unread = self._end - self._start
            self._buffer[:unread] = self._buffer[self._start : self._end]
            self._start, self._end = 0, unread
        try:
            count = self._connection.recv_into(self._view[self._end :])
        except OSError as exc:
            raise ImageReadError(
                f"lost the connection to the engine while reading {self._what}: {exc}"
            ) from exc
        self._end += count
        return count

    def _line(self) -> bytes:
        """The next line, without its CRLF."""
        while True:
            found = self._buffer.find(b"\r\n", self._start, self._end)
            if found >= 0:
                line = bytes(self._buffer[self._start : found])
                self._start = found + 2
                return line
            if self._end - self._start > _HEAD_MAX:
                raise EngineProtocolError(f"a line of over {_HEAD_MAX} bytes in {self._what}")
            if not self._fill():
                raise EngineProtocolError(f"the engine's answer ended early in {self._what}")

    def read_head(self) -> int:
        """Read the status line and the headers; return the status."""
        parts = self._line().split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise EngineProtocolError(f"the engine's answer to {self._what} is not HTTP")
        while line := self._line():
            key, _, value = line.partition(b":")
            key = key.strip().lower()
            if key == b"transfer-encoding" and b"chunked" in value.lower():
                self._chunked = True
            elif key == b"content-length" and value.strip().isdigit():
                self._left = int(value)
        if self._chunked:
            self._left = 0
        self._done = self._left == 0 and not self._chunked
        return int(parts[1])

    def _next_chunk(self) -> None:
        """Read the next chunk's size line (after the CRLF that ends the chunk before)."""
        if self._crlf:
            if self._line():
                raise EngineProtocolError(f"a chunk of the wrong size in {self._what}")
            self._crlf = False
        size = self._line().split(b";", 1)[0].strip()
        try:
            self._left = int(size, 16)
        except ValueError as exc:
            raise EngineProtocolError(f"a bad chunk size in {self._what}") from exc
        if self._left == 0:
            while self._line():  # trailers, up to the empty line
                pass
            self._done = True

    def readinto(self, buffer: Any) -> int:
        """Read up to ``len(buffer)`` bytes of the body into ``buffer``: what has arrived, across
        chunks, or else what arrives next."""
        filled = 0
        wanted = len(buffer)
        while filled < wanted and not self._done:
            if self._chunked and self._left == 0:
                if filled and self._buffer.find(b"\n", self._start, self._end) < 0:
                    break  # the next size line has not arrived: give what is here
                self._next_chunk()
                continue
            if self._start == self._end:
                if filled:
                    break
                if not self._fill():
                    if self._left >= 0:
                        raise EngineProtocolError(
                            f"the engine's answer ended early in {self._what}"
                        )
                    self._done = True  # a body up to the connection's end
                    break
            count = min(wanted - filled, self._end - self._start)
            if self._left >= 0:
                count = min(count, self._left)
                self._left -= count
                if not self._left:
                    self._crlf = self._chunked
                    self._done = not self._chunked
            buffer[filled : filled + count] = self._view[self._start : self._start + count]
            self._start += count
            filled += count
        if filled and self._on_read is not None:
            self._on_read(filled)
        return filled

    def read_all(self, limit: int) -> bytes:
        """The rest of the body, at most ``limit`` bytes of it."""
        parts = []
        total = 0
        chunk = bytearray(min(limit, _BUFFER))
        while total < limit and (count := self.readinto(chunk)):
            parts.append(bytes(chunk[: min(count, limit - total)]))
            total += count
        return b"".join(parts)
