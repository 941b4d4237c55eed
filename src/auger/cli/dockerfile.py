"""``--dockerfile PATH`` (with ``--build-arg NAME=VALUE``): the Dockerfile that built the image.

Shared by ``auger report``, ``auger check``, ``auger IMAGE`` and ``auger whatif``; ``auger
build`` passes the Dockerfile it built. A file that cannot be read or parsed is a usage error
(exit 2) that names the file and the line.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from auger.attribution.dockerfile.stages import Dockerfile, parse_dockerfile
from auger.attribution.dockerfile.syntax import DockerfileError
from auger.display import display
from auger.errors import UsageError


@dataclass(frozen=True, slots=True)
class DockerfileSource:
    """A parsed Dockerfile and the name reports give it (as the user wrote it)."""

    dockerfile: Dockerfile
    path: str


def add_dockerfile_options(parser: argparse.ArgumentParser) -> None:
    """``--dockerfile`` and ``--build-arg``."""
    group = parser.add_argument_group("Dockerfile")
    group.add_argument(
        "--dockerfile",
        metavar="PATH",
        help="the Dockerfile that built the image: each layer and piece of advice gets its "
        "line (PATH:14), and GitHub annotations land on those lines",
    )
    group.add_argument(
        "--build-arg",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="a build argument the image was built with (as docker build takes it)",
    )


def build_args(values: list[str]) -> dict[str, str]:
    """``NAME=VALUE`` pairs as a mapping (a bare ``NAME`` takes the environment's value, as
    ``docker build`` does; here it is left unset)."""
    found = {}
    for value in values:
        name, equals, rest = value.partition("=")
        if not name:
            raise UsageError(f"--build-arg {value!r}: expected NAME=VALUE")
        if equals:
            found[name] = rest
    return found


def read_dockerfile(path: str, arguments: dict[str, str] | None = None) -> DockerfileSource:
    """Read and parse the Dockerfile at ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="surrogateescape")
    except OSError as error:
        raise UsageError(
            f"cannot read the Dockerfile {display(path)}: {error.strerror or error}"
        ) from error
    try:
        return DockerfileSource(parse_dockerfile(text, arguments), path)
    except DockerfileError as error:
        raise UsageError(f"{display(path)}: {error.message}") from error


def dockerfile_from_args(args: argparse.Namespace) -> DockerfileSource | None:
    """The Dockerfile ``--dockerfile`` names, parsed, or ``None``."""
    path = getattr(args, "dockerfile", None)
    if not path:
        return None
    return read_dockerfile(path, build_args(getattr(args, "build_arg", None) or []))
