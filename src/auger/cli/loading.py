"""Load an image for a command: progress on stderr, warnings reported once, the layer cache."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from auger.cache.location import MAX_SIZE_VARIABLE, cache_directory
from auger.cache.store import DEFAULT_MAX_SIZE, LayerCache
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


def cache_size_cap(environ: Mapping[str, str]) -> int:
    """The cache's cap: ``AUGER_CACHE_MAX_SIZE`` (``500MB``, ``2GiB``...), else the default."""
    configured = environ.get(MAX_SIZE_VARIABLE, "").strip()
    if not configured:
        return DEFAULT_MAX_SIZE
    from auger.budgets.units import UnitError, parse_size  # noqa: PLC0415

    try:
        return parse_size(configured).bytes
    except UnitError as exc:
        raise UsageError(f"{MAX_SIZE_VARIABLE}: {exc}") from exc


def open_cache(args: argparse.Namespace, console: Console) -> LayerCache | None:
    """The layer cache the options choose (``None`` with ``--no-cache``)."""
    if getattr(args, "no_cache", False):
        return None
    root = cache_directory(getattr(args, "cache_dir", None), console.environ)
    return LayerCache(root, cache_size_cap(console.environ))


def analyze_options(args: argparse.Namespace, console: Console) -> AnalyzeOptions:
    """How to find and read the image, from the image options in ``args``."""
    return AnalyzeOptions(
        source=args.source,
        platform=parse_platform(args.platform) if args.platform else None,
        credentials=parse_credentials(getattr(args, "creds", None)),
        tls_verify=getattr(args, "tls_verify", True),
        cache=open_cache(args, console),
        verify=not getattr(args, "no_verify", False),
    )


def load(args: argparse.Namespace, console: Console) -> ImageAnalysis:
    """Analyse the image the arguments name, with progress on stderr."""
    return load_reference(args.image, args, console)


def load_reference(reference: str, args: argparse.Namespace, console: Console) -> ImageAnalysis:
    """Analyse ``reference`` with the image options in ``args``."""
    options = read_options(args, console)
    source = resolve_source(reference, args.source, console.environ)
    return load_source(source, options, args, console)


def read_options(args: argparse.Namespace, console: Console) -> ReadOptions:
    """What ``--platform``, ``--creds``, ``--tls-verify``, the cache's options and
    ``--no-verify`` chose."""
    return analyze_options(args, console).read_options()


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
    if isinstance(options.cache, LayerCache):
        for problem in options.cache.problems:
            progress.warning(problem)
    keep_until_exit(analysis)  # never freed object by object at exit
    return analysis
