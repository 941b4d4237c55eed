"""auger's version, and the versions of what it stands on, as ``auger --version`` shows them.

The version comes from the installed distribution's metadata, which setuptools-scm derives from
the git tag at build time (``v1.2.0`` -> ``1.2.0``; ``1.2.1.dev3+g1a2b3c4`` between tags). A
source tree run without being installed has no metadata: its version is :data:`UNKNOWN`.
"""

from __future__ import annotations

import sys

UNKNOWN = "0+unknown"
"""The version of a source tree that was never installed (PEP 440: a local version of 0)."""

DEPENDENCIES = ("docker", "textual", "rich", "httpx", "PyYAML", "zstandard", "isal", "shtab")
"""The distributions whose versions matter in a bug report, in the order shown."""


def distribution_version(name: str) -> str | None:
    """The installed version of the distribution ``name``, ``None`` when it is not installed."""
    from importlib import metadata  # noqa: PLC0415 - slow to import; only for versions

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def version() -> str:
    """auger's version."""
    return distribution_version("auger") or UNKNOWN


def report() -> str:
    """``auger X`` on the first line, then Python and each dependency, one per line."""
    import platform  # noqa: PLC0415 - slow to import; only for the report

    implementation = platform.python_implementation()
    lines = [
        f"auger {version()}",
        f"  {'Python':<10} {platform.python_version()} ({implementation}, {sys.platform}, "
        f"{platform.machine()})",
    ]
    for name in DEPENDENCIES:
        lines.append(f"  {name:<10} {distribution_version(name) or 'not installed'}")
    return "\n".join(lines) + "\n"
