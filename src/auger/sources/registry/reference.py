"""Registry references, read the way the docker CLI reads them.

``HOST[:PORT]/REPO[:TAG|@DIGEST]``, where a first component without a dot or a colon (and that
is not ``localhost``) is not a host: then the image is on Docker Hub, and a name without a slash
is one of Hub's official images (``alpine:3.20`` is ``docker.io/library/alpine:3.20``). A
reference without a tag or digest means ``:latest``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from auger.display import display
from auger.errors import UsageError

HUB = "docker.io"
HUB_API = "registry-1.docker.io"
"""Where Docker Hub's registry API answers."""
_HUB_ALIASES = frozenset({HUB, "index.docker.io", HUB_API})

_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_DIGEST = re.compile(r"sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}")
_HOST = re.compile(r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?")


@dataclass(frozen=True, slots=True)
class RegistryReference:
    """An image in a registry: where it is and which one."""

    registry: str
    """``HOST[:PORT]`` as written (``docker.io`` for Docker Hub)."""
    repository: str
    """``library/alpine``, ``team/app``..."""
    tag: str | None
    digest: str | None

    @property
    def api_host(self) -> str:
        """The host (and port) whose ``/v2/`` API serves the repository."""
        return HUB_API if self.registry in _HUB_ALIASES else self.registry

    @property
    def is_hub(self) -> bool:
        return self.registry in _HUB_ALIASES

    @property
    def selector(self) -> str:
        """What the manifest endpoint is asked for: the digest, else the tag."""
        return self.digest or self.tag or "latest"

    def __str__(self) -> str:
        name = f"{self.registry}/{self.repository}"
        if self.tag:
            name += f":{self.tag}"
        return f"{name}@{self.digest}" if self.digest else name


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (with or without a port)."""
    name = host
    if name.startswith("["):
        name = name[1 : name.find("]")] if "]" in name else name[1:]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    if name.lower() == "localhost" or name.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _bad(text: str, why: str) -> UsageError:
    return UsageError(
        f"invalid registry reference {display(text)!r}: {why}",
        hint="write HOST[:PORT]/REPOSITORY[:TAG|@DIGEST], e.g. registry://ghcr.io/org/app:1.2",
    )


def parse_reference(text: str) -> RegistryReference:
    """Parse ``[HOST[:PORT]/]REPO[:TAG][@DIGEST]`` as the docker CLI does."""
    if not text:
        raise _bad(text, "it is empty")
    name, _, digest = text.partition("@")
    if digest and not _DIGEST.fullmatch(digest):
        raise _bad(text, f"{display(digest)!r} is not a sha256 or sha512 digest")
    head, slash, rest = name.partition("/")
    if slash and ("." in head or ":" in head or head == "localhost" or head.startswith("[")):
        registry, remainder = head, rest
        if not _HOST.fullmatch(registry):
            raise _bad(text, f"{display(registry)!r} is not a host name")
    else:
        registry, remainder = HUB, name
    last_slash = remainder.rfind("/")
    repository, colon, tag = remainder.rpartition(":")
    if not colon or repository.rfind("/") != last_slash:
        repository, tag = remainder, ""
    if colon and not _TAG.fullmatch(tag):
        raise _bad(text, f"{display(tag)!r} is not a valid tag")
    if repository != repository.lower():
        raise _bad(text, "a repository name must be lowercase")
    if not repository or not all(_COMPONENT.fullmatch(part) for part in repository.split("/")):
        raise _bad(text, f"{display(repository)!r} is not a repository name")
    if registry in _HUB_ALIASES and "/" not in repository:
        repository = f"library/{repository}"
    return RegistryReference(
        registry=registry,
        repository=repository,
        tag=tag or (None if digest else "latest"),
        digest=digest or None,
    )
