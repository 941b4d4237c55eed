"""What the fleet is: references as given, read from lists, from a cluster, from a registry.

A list is one reference per line, with ``#`` starting a comment (at the start of a line or after
a space). The same input may instead be the JSON ``kubectl get pods -A -o json`` prints (or any
``kubectl`` JSON holding pod specs: Deployments, Jobs, CronJobs...): every container's image is
a ``registry://`` target, pinned to the digest the node reported running where the pod's status
gives one. Targets are deduplicated by reference and by the manifest digest a reference pins;
the names of merged targets are kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auger.errors import UsageError

_DIGEST = re.compile(r"@(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$")
_RUNTIME_PREFIXES = ("docker-pullable://", "docker://", "containerd://", "cri-o://")
_CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
_STATUS_LISTS = ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses")


@dataclass(frozen=True, slots=True)
class Target:
    """An image of the fleet: the reference to read and every name the inputs gave it."""

    reference: str
    names: tuple[str, ...]
    digest: str | None = None
    """The manifest digest the reference pins (``...@sha256:...``), when it pins one."""


def pinned_digest(reference: str) -> str | None:
    """The digest a reference pins with ``@sha256:...``, if any."""
    match = _DIGEST.search(reference)
    return match.group(1) if match else None


def target(reference: str) -> Target:
    """A target for a reference given as it is."""
    return Target(reference, (reference,), pinned_digest(reference))


def parse_list(text: str) -> list[str]:
    """The references of a list: one per line, ``#`` comments and blank lines skipped."""
    references = []
    for line in text.splitlines():
        content = re.split(r"(?:^|\s)#", line, maxsplit=1)[0].strip()
        if content:
            references.append(content)
    return references


def read_input(text: str, origin: str) -> list[Target]:
    """The targets of one ``--from`` input: a list of references, or ``kubectl`` JSON."""
    if text.lstrip().startswith(("{", "[")):
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise UsageError(f"{origin}: not valid JSON: {exc}") from exc
        except RecursionError as exc:
            raise UsageError(f"{origin}: JSON nested too deeply") from exc
        targets = cluster_targets(document)
        if not targets and not _has_pod_specs(document):
            raise UsageError(
                f"{origin}: JSON without pod specs",
                hint="give kubectl get pods -A -o json, or one reference per line",
            )
        return targets
    return [target(reference) for reference in parse_list(text)]


def _objects(document: object) -> Iterator[Mapping[str, Any]]:
    """Every JSON object in ``document``, depth first."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, Mapping):
            yield value
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            stack.extend(reversed(value))


def _pod_specs(document: object) -> Iterator[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """Each pod spec (an object with a ``containers`` list) and the status beside it."""
    for item in _objects(document):
        spec = item.get("spec")
        if isinstance(spec, Mapping) and isinstance(spec.get("containers"), list):
            status = item.get("status")
            yield spec, status if isinstance(status, Mapping) else {}


def _has_pod_specs(document: object) -> bool:
    return next(_pod_specs(document), None) is not None


def _running_digests(status: Mapping[str, Any]) -> dict[str, str]:
    """Container name -> the manifest digest its node reported (``imageID``)."""
    digests = {}
    for key in _STATUS_LISTS:
        for entry in status.get(key) or ():
            if not isinstance(entry, Mapping):
                continue
            name, image_id = entry.get("name"), entry.get("imageID")
            if isinstance(name, str) and isinstance(image_id, str):
                for prefix in _RUNTIME_PREFIXES:
                    image_id = image_id.removeprefix(prefix)
                digest = pinned_digest(image_id)
                if digest is not None:
                    digests[name] = digest
    return digests


def cluster_targets(document: object) -> list[Target]:
    """A ``registry://`` target per container image in ``kubectl`` JSON, in document order."""
    targets = []
    for spec, status in _pod_specs(document):
        running = _running_digests(status)
        for key in _CONTAINER_LISTS:
            for container in spec.get(key) or ():
                image = container.get("image") if isinstance(container, Mapping) else None
                if not isinstance(image, str) or not image.strip():
                    continue
                image = image.strip()
                digest = pinned_digest(image) or running.get(str(container.get("name")))
                read = image if pinned_digest(image) or digest is None else f"{image}@{digest}"
                targets.append(Target(f"registry://{read}", (image,), digest))
    return targets


def registry_targets(repository: str, tags: Iterable[str]) -> list[Target]:
    """A target per tag of a repository (``HOST/REPO`` as listed)."""
    return [target(f"registry://{repository}:{tag}") for tag in tags]


def deduplicate(targets: Sequence[Target]) -> list[Target]:
    """One target per reference and per pinned digest, in first-seen order, names merged, under
    the smallest of their references."""
    merged: list[Target] = []
    by_key: dict[str, int] = {}
    for item in targets:
        keys = [f"ref:{item.reference}"] + ([f"digest:{item.digest}"] if item.digest else [])
        found = next((by_key[key] for key in keys if key in by_key), None)
        if found is None:
            found = len(merged)
            merged.append(item)
        else:
            kept = merged[found]
            names = kept.names + tuple(n for n in item.names if n not in kept.names)
            reference = min(kept.reference, item.reference)
            merged[found] = Target(reference, names, kept.digest or item.digest)
        for key in keys:
            by_key.setdefault(key, found)
    return merged
