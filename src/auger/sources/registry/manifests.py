"""Manifests from a registry: fetch, verify, follow an index to the host's platform.

Docker v2 schema 2 manifests and manifest lists, and OCI manifests and indexes, are read;
schema 1 is refused with a clear error. A manifest fetched by digest must hash to that digest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from auger.display import display
from auger.sources.interface import (
    DigestMismatchError,
    ImageNotFoundError,
    Platform,
    UnsupportedMediaTypeError,
)
from auger.sources.platforms import descriptor_platform, is_attestation, platform_matches
from auger.sources.registry.errors import RegistryProtocolError
from auger.sources.registry.transport import RegistryClient, describe_status, error_code

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
SCHEMA1 = (
    "application/vnd.docker.distribution.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
)
ACCEPT = ", ".join((OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST, *SCHEMA1))
MAX_MANIFEST = 4 << 20
_MAX_NESTING = 4


@dataclass(frozen=True, slots=True)
class ImageManifest:
    """The image manifest chosen, and its digest."""

    document: Mapping[str, Any]
    digest: str


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _fetch(client: RegistryClient, selector: str) -> tuple[str, Mapping[str, Any], str]:
    """(media type, document, digest) of the manifest ``selector`` (a tag or a digest)."""
    reference = client.reference
    response = client.request(
        f"{reference.repository}/manifests/{selector}", {"Accept": ACCEPT}, what="the manifest"
    )
    body = response.read()
    if response.status_code == 404:
        raise _not_found(client, selector, error_code(response))
    if response.status_code != 200:
        raise RegistryProtocolError(describe_status(response, f"fetching {reference}"))
    if len(body) > MAX_MANIFEST:
        raise RegistryProtocolError(f"the manifest of {reference} is too large")
    digest = _sha256(body)
    if selector.startswith("sha256:") and digest != selector:
        raise DigestMismatchError(
            f"digest mismatch: the manifest {selector} from {client.host} hashes to {digest}"
        )
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RegistryProtocolError(f"the manifest of {reference} is not JSON") from exc
    if not isinstance(document, Mapping):
        raise RegistryProtocolError(f"the manifest of {reference} is not a JSON object")
    media = response.headers.get("content-type", "").partition(";")[0].strip()
    declared = document.get("mediaType")
    if isinstance(declared, str) and declared:
        media = declared
    if media in SCHEMA1 or document.get("schemaVersion") == 1:
        raise UnsupportedMediaTypeError(
            f"{reference} has a Docker schema 1 manifest, which auger does not read",
            hint="push it again with a current docker, or convert it: skopeo copy --format v2s2",
        )
    if media not in (OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST):
        media = OCI_INDEX if "manifests" in document else OCI_MANIFEST
    return media, document, digest


def _not_found(client: RegistryClient, selector: str, code: str | None) -> ImageNotFoundError:
    """Say whether the repository or the tag is missing (asking for the tag list if needed)."""
    where = f"{client.host}/{display(client.reference.repository)}"
    tags: list[str] = []
    if code != "NAME_UNKNOWN":
        listing = client.request(f"{client.reference.repository}/tags/list", what="the tags")
        listing.read()
        if listing.status_code == 404 and error_code(listing) == "NAME_UNKNOWN":
            code = "NAME_UNKNOWN"
        elif listing.status_code == 200:
            with suppress(ValueError):
                body = listing.json()
                found = body.get("tags") if isinstance(body, Mapping) else None
                tags = (
                    [tag for tag in found if isinstance(tag, str)]
                    if isinstance(found, list)
                    else []
                )
    if code == "NAME_UNKNOWN":
        return ImageNotFoundError(
            f"repository {where} not found", hint="check the name and the registry's host"
        )
    what = "manifest" if selector.startswith("sha") else "tag"
    listed = ", ".join(display(tag) for tag in sorted(tags)[:10])
    more = ", ..." if len(tags) > 10 else ""
    return ImageNotFoundError(
        f"{where} has no {what} {display(selector)}",
        hint=f"it has {listed}{more}" if tags else "check the tag",
    )


def _choose(manifests: object, platform: Platform, client: RegistryClient) -> Mapping[str, Any]:
    """The descriptor for ``platform`` in an index's ``manifests``."""
    if not isinstance(manifests, list):
        raise RegistryProtocolError(f"an index of {client.reference} lists no manifests")
    candidates = [d for d in manifests if isinstance(d, Mapping) and not is_attestation(d)]
    if len(candidates) == 1 and descriptor_platform(candidates[0]) is None:
        return candidates[0]
    matching = [d for d in candidates if platform_matches(platform, descriptor_platform(d))]
    exact = [d for d in matching if (p := descriptor_platform(d)) and p.variant == platform.variant]
    chosen = (exact or matching)[:1]
    if not chosen:
        offered = sorted({str(p) for d in candidates if (p := descriptor_platform(d))})
        raise ImageNotFoundError(
            f"{client.reference} has no image for platform {platform} "
            f"(it has {', '.join(offered) or 'none'})",
            hint="choose one with --platform",
        )
    return chosen[0]


def fetch_image_manifest(client: RegistryClient, platform: Platform) -> ImageManifest:
    """The image manifest the reference names, through any index, for ``platform``."""
    selector = client.reference.selector
    for _ in range(_MAX_NESTING):
        media, document, digest = _fetch(client, selector)
        if media in (OCI_MANIFEST, DOCKER_MANIFEST):
            return ImageManifest(document, digest)
        chosen = _choose(document.get("manifests"), platform, client)
        next_digest = chosen.get("digest")
        if not isinstance(next_digest, str) or not next_digest.startswith("sha256:"):
            raise RegistryProtocolError(f"an index of {client.reference} has a bad digest")
        selector = next_digest
    raise RegistryProtocolError(f"{client.reference} nests indexes too deeply")
