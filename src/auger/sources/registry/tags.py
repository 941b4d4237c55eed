"""A repository's tags, listed through the registry's API (``GET /v2/REPO/tags/list``).

The list is read page by page, following the ``Link: <...>; rel="next"`` header the
distribution API uses for pagination, with the client's authentication and retries. Tags come
back sorted and without duplicates; a repository that does not exist is an
:class:`~auger.sources.interface.ImageNotFoundError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx

from auger.display import display
from auger.errors import UsageError
from auger.progress import NullProgress, Progress
from auger.sources.interface import Credentials, ImageNotFoundError
from auger.sources.registry.credentials import find_credentials
from auger.sources.registry.errors import RegistryProtocolError
from auger.sources.registry.reference import RegistryReference, parse_reference
from auger.sources.registry.transport import RegistryClient, describe_status, error_code

PAGE = 1000
"""Tags asked for per page (registries may answer fewer)."""
MAX_PAGES = 1000
_NEXT = re.compile(r'<([^>]+)>\s*;[^,]*\brel="?next"?')


def parse_repository(text: str) -> RegistryReference:
    """``[registry://]HOST/REPO``: a repository, with no tag or digest."""
    name = text.removeprefix("registry://")
    last = name.rpartition("/")[2]
    if "@" in name or ":" in last:
        raise UsageError(
            f"{display(text)} names an image, not a repository",
            hint="give HOST/REPOSITORY without :TAG or @DIGEST, and choose tags with --tags",
        )
    return parse_reference(name)


def next_path(response: httpx.Response) -> str | None:
    """The next page's path below ``/v2/``, from the ``Link`` header."""
    match = _NEXT.search(response.headers.get("link", ""))
    if match is None:
        return None
    url = httpx.URL(match.group(1))
    path = url.raw_path.decode("ascii", "replace")
    return path.removeprefix("/v2/") if path.startswith("/v2/") else None


def _page(client: RegistryClient, path: str) -> tuple[list[str], str | None]:
    response = client.request(path, what="the tag list")
    response.read()
    where = f"{client.host}/{display(client.reference.repository)}"
    if response.status_code == 404:
        raise ImageNotFoundError(
            f"repository {where} not found"
            + (f" ({error_code(response)})" if error_code(response) else ""),
            hint="check the repository's name and the registry's host",
        )
    if response.status_code != 200:
        raise RegistryProtocolError(describe_status(response, f"listing the tags of {where}"))
    try:
        body: Any = response.json()
    except ValueError as exc:
        raise RegistryProtocolError(f"the tag list of {where} is not JSON") from exc
    found = body.get("tags") if isinstance(body, Mapping) else None
    if found is not None and not isinstance(found, list):
        raise RegistryProtocolError(f"the tag list of {where} is malformed")
    return [tag for tag in found or () if isinstance(tag, str)], next_path(response)


def list_tags(client: RegistryClient, page: int = PAGE) -> list[str]:
    """Every tag of the client's repository, sorted, asking for ``page`` tags at a time."""
    tags: set[str] = set()
    path: str | None = f"{client.reference.repository}/tags/list?n={page}"
    for _ in range(MAX_PAGES):
        if path is None:
            return sorted(tags)
        found, path = _page(client, path)
        tags.update(found)
    raise RegistryProtocolError(f"the tag list of {client.host} has more than {MAX_PAGES} pages")


def repository_tags(
    repository: str,
    *,
    environ: Mapping[str, str],
    credentials: Credentials | None = None,
    tls_verify: bool = True,
    progress: Progress | None = None,
    page: int = PAGE,
) -> tuple[RegistryReference, list[str]]:
    """The repository ``HOST/REPO`` names, and its tags, with the stored credentials (or
    ``credentials``) as the registry source would use them."""
    reference = parse_repository(repository)
    observer = progress or NullProgress()

    def lookup() -> Credentials | None:
        return credentials or find_credentials(reference, environ, observer)

    with RegistryClient(reference, lookup, tls_verify=tls_verify, environ=environ) as client:
        return reference, list_tags(client, page)
