"""The host's platform in OCI terms, parsing of ``--platform`` values, matching the platforms
an index's descriptors name, and saying when ``--platform`` could not choose."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from auger.errors import UsageError
from auger.model import Image
from auger.sources.interface import Platform

_MACHINES = {
    "x86_64": ("amd64", None),
    "amd64": ("amd64", None),
    "aarch64": ("arm64", None),
    "arm64": ("arm64", None),
    "armv7l": ("arm", "v7"),
    "armv6l": ("arm", "v6"),
    "i386": ("386", None),
    "i686": ("386", None),
    "ppc64le": ("ppc64le", None),
    "s390x": ("s390x", None),
    "riscv64": ("riscv64", None),
}


def host_platform() -> Platform:
    """The platform a container started here would use (always ``linux``)."""
    machine = _machine().lower()
    arch, variant = _MACHINES.get(machine, (machine, None))
    return Platform("linux", arch, variant)


def _machine() -> str:
    """The hardware name (``uname -m``); the platform module only where there is no uname."""
    uname = getattr(os, "uname", None)
    if uname is not None:
        return str(uname().machine)
    import platform  # noqa: PLC0415 - slow to import, and only needed off POSIX

    return platform.machine()


def parse_platform(text: str) -> Platform:
    """Parse ``os/arch[/variant]``."""
    parts = text.split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise UsageError(f"--platform {text!r} is not os/arch[/variant] (e.g. linux/arm64)")
    return Platform(parts[0], parts[1], parts[2] if len(parts) == 3 else None)


def descriptor_platform(descriptor: Mapping[str, Any]) -> Platform | None:
    """The ``platform`` of an index descriptor, when it names an os and an architecture."""
    raw = descriptor.get("platform")
    if not isinstance(raw, Mapping):
        return None
    os_name, arch, variant = raw.get("os"), raw.get("architecture"), raw.get("variant")
    if not isinstance(os_name, str) or not isinstance(arch, str) or not os_name or not arch:
        return None
    return Platform(os_name, arch, variant if isinstance(variant, str) and variant else None)


def is_attestation(descriptor: Mapping[str, Any]) -> bool:
    """True for the attestation manifests BuildKit adds to an index (``unknown/unknown``)."""
    notes = descriptor.get("annotations")
    if isinstance(notes, Mapping) and notes.get("vnd.docker.reference.type"):
        return True
    platform = descriptor_platform(descriptor)
    return platform is not None and (platform.os, platform.architecture) == ("unknown", "unknown")


def platform_matches(wanted: Platform, offered: Platform | None) -> bool:
    """True if an image for ``offered`` (``None``: unsaid) runs on ``wanted``."""
    if offered is None:
        return True
    if (offered.os, offered.architecture) != (wanted.os, wanted.architecture):
        return False
    return wanted.variant is None or offered.variant in (None, wanted.variant)


_ONE_PLATFORM = {
    "docker": "the Docker Engine keeps one platform per image name (pull the one you want "
    "with docker pull --platform, or read the registry: registry://REF)",
    "podman": "Podman keeps one platform per image name (pull the one you want with "
    "podman pull --platform, or read the registry: registry://REF)",
    "docker-archive": "a docker save archive holds one platform per image",
    "stdin": "a docker save archive holds one platform per image",
}
_SINGLE_IMAGE = "the reference names a single image, not a multi-platform index"


def platform_not_applied(wanted: Platform, image: Image) -> str | None:
    """A warning when ``--platform`` asked for ``wanted`` but the image read is for another
    platform (or says none): the source had one image and no choice to make. ``None`` when
    the image is for ``wanted``."""
    reason = _ONE_PLATFORM.get(image.source, _SINGLE_IMAGE)
    if image.os is None or image.architecture is None:
        return f"--platform {wanted} was not checked: the image's config names no platform"
    offered = Platform(image.os, image.architecture, image.variant)
    if platform_matches(wanted, offered):
        return None
    return f"--platform {wanted} was not applied: the image is for {offered}; {reason}"
