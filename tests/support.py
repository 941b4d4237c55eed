"""Small helpers shared by the source, layout and CLI tests: analyse, compare, run the CLI."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from auger.cli.console import Console
from auger.cli.main import main
from auger.model import ImageAnalysis
from auger.pipeline import AnalyzeOptions, analyze
from auger.sources.interface import Platform

NO_ENGINE = {"DOCKER_HOST": "unix:///nonexistent/auger-test.sock"}
"""An environment in which no Docker Engine can be reached by accident."""


def analyze_reference(
    reference: str,
    *,
    source: str | None = None,
    platform: Platform | None = None,
    verify: bool = True,
) -> ImageAnalysis:
    """Run the real pipeline on ``reference`` with no engine reachable."""
    options = AnalyzeOptions(source=source, platform=platform, verify=verify)
    return analyze(reference, options, None, NO_ENGINE)


def fingerprint(analysis: ImageAnalysis) -> dict[str, object]:
    """Everything an analysis says about the image's contents, independent of the layout."""
    return {
        "layer_sizes": [layer.size for layer in analysis.image.layers],
        "entries": [layer.scan.entries for layer in analysis.image.layers],
        "changes": [layer.changes for layer in analysis.layers],
        "stored_waste": [layer.stored_waste for layer in analysis.layers],
        "caused_waste": [layer.caused_waste for layer in analysis.layers],
        "final": dict(analysis.final),
        "size": analysis.size,
        "final_size": analysis.final_size,
        "waste": analysis.waste,
        "dive": analysis.dive,
    }


def rewrite_tar(
    data: bytes,
    order: Callable[[list[tarfile.TarInfo]], Sequence[tarfile.TarInfo]],
    replace: dict[str, bytes] | None = None,
) -> bytes:
    """Copy the tar ``data`` with its members put in ``order`` (and some contents replaced)."""
    replace = replace or {}
    source = tarfile.open(fileobj=io.BytesIO(data), mode="r:")  # noqa: SIM115
    members = source.getmembers()
    out = io.BytesIO()
    with source, tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as target:
        for member in order(members):
            if member.isfile():
                content = replace.get(member.name)
                if content is None:
                    extracted = source.extractfile(member)
                    assert extracted is not None
                    content = extracted.read()
                member.size = len(content)
                target.addfile(member, io.BytesIO(content))
            else:
                target.addfile(member)
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class CliResult:
    """What an in-process run of ``auger`` returned and wrote."""

    code: int
    stdout: str
    stderr: str


def run_cli(argv: Sequence[str], environ: dict[str, str] | None = None) -> CliResult:
    """Run ``auger ARGV`` in-process with captured streams."""
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(list(argv), Console(stdout, stderr, NO_ENGINE if environ is None else environ))
    return CliResult(int(code), stdout.getvalue(), stderr.getvalue())


def diagnostics_only(stderr: str) -> None:
    """stderr holds auger's diagnostic lines and nothing else."""
    for line in stderr.splitlines():
        assert line.startswith("auger: "), repr(line)
    assert "Traceback" not in stderr


def one_error(result: CliResult, code: int) -> str:
    """The run failed with ``code`` and exactly one error line (plus at most a hint)."""
    assert result.code == code, result.stderr
    diagnostics_only(result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("auger: error: ")]
    assert len(errors) == 1, result.stderr
    others = [line for line in result.stderr.splitlines() if line not in errors]
    assert all(line.startswith("auger: hint: ") for line in others), result.stderr
    return errors[0]
