"""Load an image for a command: progress on stderr, warnings reported once."""

from __future__ import annotations

import argparse

from auger.cli.console import Console, StderrProgress
from auger.model import ImageAnalysis
from auger.pipeline import analyze_source
from auger.runtime import keep_until_exit
from auger.sources.interface import ImageSource, ReadOptions
from auger.sources.platforms import parse_platform
from auger.sources.reference import resolve_source


def load(args: argparse.Namespace, console: Console) -> ImageAnalysis:
    """Analyse the image the arguments name, with progress on stderr."""
    return load_reference(args.image, args, console)


def load_reference(reference: str, args: argparse.Namespace, console: Console) -> ImageAnalysis:
    """Analyse ``reference`` with the image options in ``args``."""
    options = read_options(args)
    source = resolve_source(reference, args.source, console.environ)
    return load_source(source, options, args, console)


def read_options(args: argparse.Namespace) -> ReadOptions:
    """What ``--platform`` chose."""
    return ReadOptions(platform=parse_platform(args.platform) if args.platform else None)


def load_source(
    source: ImageSource, options: ReadOptions, args: argparse.Namespace, console: Console
) -> ImageAnalysis:
    """Analyse the image ``source`` reads, with progress on stderr unless ``args.quiet``."""
    progress = StderrProgress(console, quiet=args.quiet)
    try:
        analysis = analyze_source(source, options, progress)
    finally:
        progress.done()
    for warning in analysis.image.warnings:
        progress.warning(warning)
    keep_until_exit(analysis)  # never freed object by object at exit
    return analysis
