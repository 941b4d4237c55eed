"""Load an image for a command: progress on stderr, warnings reported once."""

from __future__ import annotations

import argparse

from auger.cli.console import Console, StderrProgress
from auger.errors import UsageError
from auger.model import ImageAnalysis
from auger.pipeline import AnalyzeOptions, analyze_source
from auger.runtime import keep_until_exit
from auger.sources.interface import Credentials, ImageSource, ReadOptions
from auger.sources.platforms import parse_platform
from auger.sources.reference import resolve_source


def parse_credentials(text: str | None) -> Credentials | None:
    """``--creds USER:PASSWORD`` (the password never appears in a message)."""
    if text is None:
        return None
    username, colon, secret = text.partition(":")
    if not colon or not username or not secret:
        raise UsageError(
            "--creds takes USER:PASSWORD", hint="e.g. --creds ci-bot:$REGISTRY_PASSWORD"
        )
    return Credentials(username, secret)


def analyze_options(args: argparse.Namespace) -> AnalyzeOptions:
    """How to find the image, from the image options in ``args``."""
    return AnalyzeOptions(
        source=args.source,
        platform=parse_platform(args.platform) if args.platform else None,
        credentials=parse_credentials(getattr(args, "creds", None)),
        tls_verify=getattr(args, "tls_verify", True),
    )


def load(args: argparse.Namespace, console: Console) -> ImageAnalysis:
    """Analyse the image the arguments name, with progress on stderr."""
    return load_reference(args.image, args, console)


def load_reference(reference: str, args: argparse.Namespace, console: Console) -> ImageAnalysis:
    """Analyse ``reference`` with the image options in ``args``."""
    options = read_options(args)
    source = resolve_source(reference, args.source, console.environ)
    return load_source(source, options, args, console)


def read_options(args: argparse.Namespace) -> ReadOptions:
    """What ``--platform``, ``--creds`` and ``--tls-verify`` chose."""
    return analyze_options(args).read_options()


def load_source(
    source: ImageSource, options: ReadOptions, args: argparse.Namespace, console: Console
) -> ImageAnalysis:
    """Analyse the image ``source`` reads, with progress on stderr as the console's verbosity
    says."""
    progress = StderrProgress(console)
    try:
        analysis = analyze_source(source, options, progress)
    finally:
        progress.done()
    for warning in analysis.image.warnings:
        progress.warning(warning)
    keep_until_exit(analysis)  # never freed object by object at exit
    return analysis
