"""``auger build [docker build args...]``: build an image, then do what ``auger IMAGE`` does.

It runs ``docker build`` with its output on stderr, learns the image ID from ``--iidfile``, then
hands the image to the default command: the gate under ``CI``, the explorer on a terminal, else
the summary.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from auger.cli import inspect
from auger.cli.console import Console
from auger.cli.dockerfile import dockerfile_of_build
from auger.cli.parsing import HelpShownError, Parser
from auger.errors import ImageReadError, UsageError


class _PassThrough(Parser):
    """Hands every argument to ``docker build`` (argparse would take ``-t`` for its own)."""

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, _namespace: None = None
    ) -> argparse.Namespace:
        arguments = list(args or [])
        if arguments in (["-h"], ["--help"]):
            raise HelpShownError(0)
        passed = [argument for argument in arguments if argument != "--debug"]
        return argparse.Namespace(docker_args=passed, debug=len(passed) != len(arguments))


def build_parser() -> Parser:
    """The parser of ``auger build``: everything after it goes to ``docker build``."""
    parser = _PassThrough(
        prog="auger build",
        usage="auger build [docker build args...]",
        description="Build an image with 'docker build ARGS...' (its output on stderr), then "
        "do what 'auger IMAGE' does with it: explore it on a terminal, check its budgets "
        "when CI is set, else print a summary.",
    )
    parser.add_argument("docker_args", nargs="*", metavar="ARGS", help="docker build arguments")
    return parser


def _stderr_fd(stream: TextIO) -> int:
    """Where docker's output goes: the console's stderr, or the process's."""
    try:
        stream.flush()
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return 2


def run(args: argparse.Namespace, console: Console) -> int:
    """``docker build --iidfile ...``, then the default command on the image it built."""
    if not args.docker_args:
        raise UsageError("auger build needs docker build arguments", hint="e.g. auger build .")
    environ = dict(console.environ)
    docker = shutil.which("docker", path=environ.get("PATH", os.defpath))
    if docker is None:
        raise UsageError("the docker command was not found (auger build runs docker build)")
    with tempfile.TemporaryDirectory(prefix="auger-build-") as scratch:
        iidfile = Path(scratch) / "iid"
        command = [docker, "build", "--iidfile", str(iidfile), *args.docker_args]
        output = _stderr_fd(console.stderr)
        completed = subprocess.run(command, stdout=output, stderr=output, env=environ, check=False)
        if completed.returncode != 0:
            raise ImageReadError(f"docker build failed (exit {completed.returncode})")
        try:
            image_id = iidfile.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImageReadError("docker build wrote no image ID") from exc
    if not image_id:
        raise ImageReadError("docker build wrote no image ID")
    built = [f"docker://{image_id}"]
    dockerfile, build_arguments = dockerfile_of_build(args.docker_args)
    if dockerfile is not None and Path(dockerfile).is_file():
        built += ["--dockerfile", dockerfile]
        built += [f"--build-arg={value}" for value in build_arguments]
    inspect_args = inspect.build_parser().parse_args(built)
    return inspect.run(inspect_args, console)
