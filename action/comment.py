"""Post a Markdown report as one pull request comment, updated in place on every run.

Used by the auger GitHub Action (``action.yml``): ``python comment.py REPORT``. The report's
first line is its hidden marker (``<!-- auger-report -->``, or ``<!-- auger-report:NAME -->``
for one comment per image); the comment whose body starts with that line is updated, else a
new one is created. Reads ``GITHUB_API_URL``, ``GITHUB_REPOSITORY``, ``GITHUB_TOKEN`` and
``PR_NUMBER`` from the environment, talks to the GitHub REST API with the standard library only,
and prints ``comment-id=`` and ``comment-url=`` lines for ``$GITHUB_OUTPUT``. With
``HTML_URL`` (the HTML report's artifact, as the upload step names it), the comment ends with a
link to it, when that still fits GitHub's limit.
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
LIMIT = 65_536
"""GitHub's limit on a comment's length, in characters."""


class GitHub:
    """The few REST calls a sticky comment needs."""

    def __init__(self, api: str, repository: str, token: str) -> None:
        self.base = f"{api.rstrip('/')}/repos/{repository}"
        self.token = token

    def request(self, method: str, url: str, body: object = None) -> tuple[Any, Mapping[str, str]]:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("X-GitHub-Api-Version", "2022-11-28")
        request.add_header("User-Agent", "auger-action")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response), response.headers

    def comments(self, number: int) -> Iterator[dict[str, Any]]:
        """Every comment of the pull request, following the pages."""
        url: str | None = f"{self.base}/issues/{number}/comments?per_page=100"
        while url is not None:
            page, headers = self.request("GET", url)
            yield from page
            found = _NEXT.search(headers.get("Link", ""))
            url = found[1] if found else None

    def create(self, number: int, body: str) -> dict[str, Any]:
        created, _ = self.request("POST", f"{self.base}/issues/{number}/comments", {"body": body})
        return dict(created)

    def update(self, comment_id: int, body: str) -> dict[str, Any]:
        url = f"{self.base}/issues/comments/{comment_id}"
        updated, _ = self.request("PATCH", url, {"body": body})
        return dict(updated)


def first_line(text: str) -> str:
    return text.split("\n", 1)[0].rstrip("\r")


def find_previous(comments: Iterator[dict[str, Any]], marker: str) -> dict[str, Any] | None:
    """The comment to update: the first whose body starts with ``marker``, one written by a bot
    (the Actions token's identity) preferred over one a person wrote."""
    found = [c for c in comments if first_line(str(c.get("body") or "")) == marker]
    bots = [c for c in found if (c.get("user") or {}).get("type") == "Bot"]
    return next(iter(bots or found), None)


def post(github: GitHub, number: int, body: str) -> dict[str, Any]:
    """Update the comment that carries the report's marker, or create it."""
    marker = first_line(body)
    if not marker.startswith("<!-- auger-report"):
        raise ValueError(f"the report does not start with auger's marker: {marker[:80]!r}")
    previous = find_previous(github.comments(number), marker)
    if previous is not None:
        try:
            return github.update(int(previous["id"]), body)
        except urllib.error.HTTPError as error:
            if error.code not in (403, 404):  # not ours to edit, or gone: post a new one
                raise
    return github.create(number, body)


def with_link(body: str, url: str) -> str:
    """``body`` ending with a link to the HTML report at ``url`` (an ``https`` address without
    Markdown's brackets or spaces), if it fits under :data:`LIMIT`; else ``body`` unchanged."""
    if not re.fullmatch(r"https://[^\s()<>\[\]]+", url):
        return body
    link = (
        f"\n[The HTML report]({url}): a size map to drill into and sortable tables "
        "(download it, unzip it and open it offline).\n"
    )
    return body.rstrip("\n") + "\n" + link if len(body) + len(link) + 1 <= LIMIT else body


def main(argv: list[str], environ: Mapping[str, str]) -> int:
    """Post the report ``argv[0]``; print the comment's id and URL for ``$GITHUB_OUTPUT``."""
    if len(argv) != 1:
        print("usage: comment.py REPORT", file=sys.stderr)
        return 2
    body = with_link(Path(argv[0]).read_text(encoding="utf-8"), environ.get("HTML_URL", ""))
    github = GitHub(
        environ.get("GITHUB_API_URL", "https://api.github.com"),
        environ["GITHUB_REPOSITORY"],
        environ["GITHUB_TOKEN"],
    )
    try:
        comment = post(github, int(environ["PR_NUMBER"]), body)
    except urllib.error.HTTPError as error:
        print(f"::error title=auger::cannot comment: GitHub answered {error.code}", file=sys.stderr)
        if error.code in (401, 403):
            print("the token needs 'pull-requests: write' permission", file=sys.stderr)
        return 1
    print(f"comment-id={comment['id']}")
    print(f"comment-url={comment.get('html_url', '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], os.environ))
