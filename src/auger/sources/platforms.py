"""The host's platform in OCI terms, and parsing of ``--platform`` values."""

from __future__ import annotations

import os

from auger.errors import UsageError
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
