"""``--dockerfile PATH`` (with ``--build-arg NAME=VALUE``): the Dockerfile that built the image.

Shared by ``auger report``, ``auger check``, ``auger IMAGE`` and ``auger whatif``; ``auger
build`` passes the Dockerfile it built. A file that cannot be read or parsed is a usage error
(exit 2) that names the file and the line.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from auger.display import display
from auger.errors import UsageError

if TYPE_CHECKING:
    from auger.attribution.dockerfile.stages import Dockerfile


class DockerfileSource(NamedTuple):
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
    from auger.attribution.dockerfile.stages import parse_dockerfile  # noqa: PLC0415 - if used
    from auger.attribution.dockerfile.syntax import DockerfileError  # noqa: PLC0415

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


_BUILD_FLAGS = frozenset(
    {
        "--no-cache",
        "--pull",
        "-q",
        "--quiet",
        "--rm",
        "--force-rm",
        "--squash",
        "--load",
        "--push",
        "--compress",
        "--disable-content-trust",
        "--stream",
    }
)
"""``docker build`` options that take no value (every other option takes one)."""


def dockerfile_of_build(arguments: list[str]) -> tuple[str | None, list[str]]:
    """The Dockerfile a ``docker build ARGS`` command line builds (``-f``, else ``Dockerfile``
    in the context directory; ``None`` when it comes from standard input or the context is
    not a local directory), and its ``--build-arg`` values."""
    named: str | None = None
    context: str | None = None
    build_arguments: list[str] = []
    pending: str | None = None
    for argument in arguments:
        if pending is not None:
            option, pending = pending, None
            value = argument
        elif argument == "-" or not argument.startswith("-"):
            context = argument
            continue
        elif argument.startswith("--"):
            option, equals, value = argument.partition("=")
            if option in _BUILD_FLAGS:
                continue
            if not equals:
                pending = option
                continue
        else:  # a short option: -q alone, or -f/-t/-m/-o with its value, attached or next
            option, value = argument[:2], argument[2:]
            if option == "-q":
                continue
            if not value:
                pending = option
                continue
        if option in ("-f", "--file"):
            named = value
        elif option == "--build-arg":
            build_arguments.append(value)
    if named == "-":
        return None, build_arguments
    if named is not None:
        return named, build_arguments
    if context is None or context == "-" or "://" in context or context.startswith("git@"):
        return None, build_arguments
    return str(Path(context) / "Dockerfile"), build_arguments
