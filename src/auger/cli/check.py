"""``auger check IMAGE``: evaluate budgets and exit 0 (pass), 1 (a budget failed) or 2/3.

Also what ``auger IMAGE`` runs under ``CI`` or with ``--ci``. Never imports Textual. With
``--dockerfile``, the findings formats (``sarif``, ``codequality``) and the GitHub annotations
place layer budgets and the advice on the Dockerfile's lines, as ``auger report`` does.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from auger.budgets.discovery import discover
from auger.budgets.evaluate import Status, Verdict, evaluate
from auger.cli.console import Console, is_stdout, write_atomically
from auger.cli.dockerfile import DockerfileSource, add_dockerfile_options, dockerfile_from_args
from auger.cli.loading import load, load_reference
from auger.cli.parsing import (
    DIVE_FLAGS,
    FINDINGS_FORMATS,
    GATE_FORMATS,
    Parser,
    add_gate_options,
    add_image_options,
    add_verbosity_options,
)
from auger.errors import ExitCode
from auger.model import ImageAnalysis
from auger.report import gate
from auger.report.github import workflow_commands

if TYPE_CHECKING:  # only with a Dockerfile: the gate starts without the package readers
    from auger.attribution.summary import Attribution


def build_parser() -> Parser:
    """The parser of ``auger check``."""
    parser = Parser(
        prog="auger check",
        description="Check an image against size, layer and waste budgets (budgets.yaml, "
        ".auger.yaml or dive's .dive-ci in the working directory; else dive's defaults).",
    )
    parser.add_argument("image", metavar="IMAGE", help="the image to check")
    add_verbosity_options(parser)
    add_gate_options(parser)
    add_dockerfile_options(parser)
    add_image_options(parser)
    return parser


def _attribution(analysis: ImageAnalysis, dockerfile: DockerfileSource) -> Attribution:
    """The advice and the Dockerfile's lines, for findings placed on them."""
    # only with a Dockerfile: the gate starts without the package readers and advice
    from auger.analysis.advice import CHURN, catalogue, find_advice  # noqa: PLC0415
    from auger.attribution.summary import attribute_image  # noqa: PLC0415

    rules = catalogue()
    findings = [f for f in find_advice(analysis, rules) if f.rule.kind != CHURN]
    return attribute_image(analysis, findings, rules, dockerfile.dockerfile, dockerfile.path)


def _annotations(
    verdict: Verdict, analysis: ImageAnalysis, attribution: Attribution | None
) -> list[str]:
    """The budget annotations; with a Dockerfile, on its lines, and the advice too."""
    if attribution is None:
        return workflow_commands(verdict)
    return workflow_commands(
        verdict,
        layers=analysis.image.layers,
        attribution=attribution,
        findings=attribution.findings,
    )


def _findings(
    output_format: str, verdict: Verdict, analysis: ImageAnalysis, attribution: Attribution
) -> str:
    """A findings format with the layer budgets and the advice on the Dockerfile's lines."""
    from auger.report.findings import advice_issues, budget_issues  # noqa: PLC0415

    layers = analysis.image.layers
    issues = budget_issues(verdict, layers=layers, attribution=attribution)
    issues += advice_issues(attribution.findings, verdict.image, attribution)
    return FINDINGS_FORMATS[output_format](issues, verdict.image)


def _github(
    console: Console,
    verdict: Verdict,
    analysis: ImageAnalysis,
    attribution: Attribution | None,
) -> None:
    if console.environ.get("GITHUB_ACTIONS") != "true":
        return
    for line in _annotations(verdict, analysis, attribution):
        console.diagnose(line)
    summary = console.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        try:
            with Path(summary).open("a", encoding="utf-8") as handle:
                handle.write(gate.format_markdown(verdict) + "\n")
        except OSError as exc:
            console.diagnose(f"auger: warning: cannot write GITHUB_STEP_SUMMARY: {exc.strerror}")


def run(args: argparse.Namespace, console: Console) -> int:
    """Analyse, evaluate, report, and turn the verdict into the exit code."""
    flags = {flag: getattr(args, flag, None) for flag in DIVE_FLAGS}
    budgets = discover(Path.cwd(), args.budgets, args.ci_config, flags)
    dockerfile = dockerfile_from_args(args)
    analysis = load(args, console)
    baseline = load_reference(args.baseline, args, console) if args.baseline else None
    verdict = evaluate(analysis, budgets, baseline)
    attribution = _attribution(analysis, dockerfile) if dockerfile is not None else None
    if attribution is not None and args.format in FINDINGS_FORMATS:
        report = _findings(args.format, verdict, analysis, attribution)
    elif args.format == "text" and is_stdout(args.output):
        report = gate.format_text(verdict, color=console.color)
    else:
        report = GATE_FORMATS[args.format](verdict)
    if is_stdout(args.output):
        console.stdout.write(report)
    else:
        write_atomically(args.output, report)
        if args.format != "text":  # the file for a tool, the text for the log
            console.stdout.write(gate.format_text(verdict, color=console.color))
    _github(console, verdict, analysis, attribution)
    if verdict.status is Status.FAIL and not args.exit_zero:
        return ExitCode.BUDGET_FAILED
    return ExitCode.OK
