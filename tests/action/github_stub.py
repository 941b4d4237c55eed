"""A local stand-in for the part of GitHub's REST API a sticky comment uses.

The real API cannot be reached from a test, so this is the one place a stub stands in for a
component. It keeps a pull request's comments in memory and answers as GitHub documents: list
them a page at a time (``per_page``, ``page`` and a ``Link: rel="next"`` header), create one
(``201``, written by the token's bot), update one (``200``; ``403`` for a comment somebody else
wrote), and ``401`` without the expected ``Authorization: Bearer TOKEN``. It records every
request.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BOT = {"login": "github-actions[bot]", "type": "Bot"}
PERSON = {"login": "octocat", "type": "User"}

_LIST = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
_ONE = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")


@dataclass
class GitHubState:
    """The comments of one repository's pull requests, and the requests made."""

    repository: str
    token: str
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    next_id: int = 1000

    def add(self, number: int, body: str, user: dict[str, str]) -> dict[str, Any]:
        self.next_id += 1
        comment = {
            "id": self.next_id,
            "body": body,
            "user": dict(user),
            "html_url": f"https://github.example/{self.repository}/pull/{number}"
            f"#issuecomment-{self.next_id}",
        }
        self.comments.setdefault(number, []).append(comment)
        return comment

    def find(self, comment_id: int) -> dict[str, Any] | None:
        for comments in self.comments.values():
            for comment in comments:
                if comment["id"] == comment_id:
                    return comment
        return None


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the state records the requests."""

    def _answer(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _authorized(self) -> bool:
        state = self.server.state
        state.requests.append((self.command, self.path))
        if self.headers.get("Authorization") != f"Bearer {state.token}":
            self._answer(401, {"message": "Bad credentials"})
            return False
        return True

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length", "0"))
        return json.loads(self.rfile.read(length) or b"{}")

    def do_GET(self) -> None:
        if not self._authorized():
            return
        url = urlsplit(self.path)
        match = _LIST.match(url.path)
        state = self.server.state
        if match is None or match[1] != state.repository:
            self._answer(404, {"message": "Not Found"})
            return
        query = parse_qs(url.query)
        per_page = min(int(query.get("per_page", ["30"])[0]), 100)
        page = int(query.get("page", ["1"])[0])
        comments = state.comments.get(int(match[2]), [])
        chunk = comments[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(comments):
            base = f"http://{self.headers['Host']}{url.path}"
            headers["Link"] = f'<{base}?per_page={per_page}&page={page + 1}>; rel="next"'
        self._answer(200, chunk, headers)

    def do_POST(self) -> None:
        if not self._authorized():
            return
        match = _LIST.match(urlsplit(self.path).path)
        state = self.server.state
        if match is None or match[1] != state.repository:
            self._answer(404, {"message": "Not Found"})
            return
        self._answer(201, state.add(int(match[2]), self._body()["body"], BOT))

    def do_PATCH(self) -> None:
        if not self._authorized():
            return
        match = _ONE.match(urlsplit(self.path).path)
        state = self.server.state
        comment = state.find(int(match[2])) if match and match[1] == state.repository else None
        if comment is None:
            self._answer(404, {"message": "Not Found"})
            return
        if comment["user"]["login"] != BOT["login"]:
            self._answer(403, {"message": "Resource not accessible by integration"})
            return
        comment["body"] = self._body()["body"]
        self._answer(200, comment)


class _Server(ThreadingHTTPServer):
    def __init__(self, state: GitHubState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@contextmanager
def github_api(repository: str, token: str) -> Iterator[tuple[str, GitHubState]]:
    """A stub API on a free loopback port: its base URL and its state."""
    state = GitHubState(repository, token)
    server = _Server(state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
