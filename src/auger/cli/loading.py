"""Load an image for a command: progress on stderr, warnings reported once."""

from __future__ import annotations

import argparse

from auger.cli.console import Console, StderrProgress
from auger.model import ImageAnalysis
from auger.pipeline import AnalyzeOptions, analyze
from auger.sources.platforms import parse_platform


def load(args: argparse.Namespace, console: Console) -> ImageAnalysis:
    """Analyse the image the arguments name, with progress on stderr."""
    return load_reference(args.image, args, console)


def load_reference(reference: str, args: argparse.Namespace, console: Console) -> ImageAnalysis:
    """Analyse ``reference`` with the image options in ``args``."""
    platform = parse_platform(args.platform) if args.platform else None
    progress = StderrProgress(console, quiet=args.quiet)
    try:
        analysis = analyze(
            reference,
            AnalyzeOptions(source=args.source, platform=platform),
            progress,
            console.environ,
        )
    finally:
        progress.done()
    for warning in analysis.image.warnings:
        progress.warning(warning)
    console.kept.append(analysis)
    return analysis
