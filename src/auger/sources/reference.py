"""Turn what the user typed into an image source.

``docker://REF`` (or a bare reference) reads from the Docker Engine, ``podman://REF`` from
Podman, ``registry://HOST/REPO:TAG`` from a registry; ``docker-archive://PATH``, ``oci://DIR``
and ``oci-archive://PATH`` read from disk, each optionally followed by ``:REF`` to choose one
image of several; ``-`` reads a tarball from standard input. A bare path to an existing file is
an archive, a bare path to a directory with an ``index.json`` an OCI layout. ``--source`` names
the source explicitly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from auger.clipping import clip
from auger.errors import UsageError
from auger.sources.archive import ArchiveSource, OciDirectorySource, StdinSource
from auger.sources.interface import ImageSource

SOURCES = ("docker", "docker-archive", "oci", "oci-archive", "registry", "podman")
STDIN = "-"
_ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.zst", ".tar.zstd")


def _exists(path: Path, test: Callable[[Path], bool] = Path.exists) -> bool:
    """``test(path)``, false for a name the system cannot even look up (too long, say)."""
    try:
        return test(path)
    except (OSError, ValueError):
        return False


def _split_path(rest: str) -> tuple[Path, str | None]:
    """``PATH[:REF]``: the longest existing path wins (a REF may hold colons, as in
    ``name:tag``); if no prefix exists, the whole text is the path."""
    whole = Path(rest).expanduser()
    if _exists(whole) or ":" not in rest:
        return whole, None
    position = len(rest)
    while (position := rest.rfind(":", 0, position)) > 0:
        head, ref = rest[:position], rest[position + 1 :]
        if ref and _exists(Path(head).expanduser()):
            return Path(head).expanduser(), ref
    return whole, None


def _looks_like_path(reference: str) -> bool:
    """True for text no image name can be: ``/x``, ``./x``, ``~/x``, ``x.tar``..."""
    return reference.startswith(("/", "./", "../", "~")) or reference.endswith(_ARCHIVE_SUFFIXES)


def _scheme(reference: str) -> tuple[str | None, str]:
    scheme, sep, rest = reference.partition("://")
    if not sep or "/" in scheme:
        return None, reference
    if scheme in SOURCES:
        return scheme, rest
    raise UsageError(
        f"unknown image source {clip(scheme, 40)!r} in {clip(reference)!r}",
        hint=f"use one of {', '.join(s + '://' for s in SOURCES)} or a bare image name",
    )


def resolve_source(reference: str, source: str | None, environ: Mapping[str, str]) -> ImageSource:
    """Choose the source for ``reference``."""
    if not reference:
        raise UsageError("no image given")
    if source is not None and source not in SOURCES:
        raise UsageError(f"--source must be one of {', '.join(SOURCES)}, not {clip(source)!r}")
    if reference == STDIN:
        if source not in (None, "docker-archive", "oci-archive"):
            raise UsageError(f"--source {source} cannot read standard input ('-')")
        return StdinSource(reference)
    scheme, rest = _scheme(reference)
    if scheme and source and scheme != source:
        raise UsageError(
            f"--source {source} contradicts the {scheme}:// prefix of {clip(reference)}"
        )
    kind = scheme or source
    if kind is None:
        candidate = Path(reference).expanduser()
        if _exists(candidate, Path.is_dir) and _exists(candidate / "index.json", Path.is_file):
            kind = "oci"
        elif _exists(candidate, Path.is_file) or _looks_like_path(reference):
            kind = "docker-archive"
        else:
            kind = "docker"
    if kind in ("docker", "podman", "registry") and not rest:
        raise UsageError("no image name given")
    # the sources that talk to a daemon or a registry are imported only when chosen: together
    # with what they need (urllib, ipaddress, subprocess...) they are 1.7 MiB and 15 ms of the
    # start of a run that reads an archive
    if kind == "docker":
        from auger.sources.docker_engine import DockerEngineSource  # noqa: PLC0415

        return DockerEngineSource(rest, reference, environ)
    if kind == "podman":
        from auger.sources.podman import PodmanSource  # noqa: PLC0415

        return PodmanSource(rest, reference, environ)
    if kind == "registry":
        from auger.sources.registry.source import RegistrySource  # noqa: PLC0415

        return RegistrySource(rest, reference, environ)
    path, selector = _split_path(rest)
    if kind == "oci":
        return OciDirectorySource(path, selector, reference)
    return ArchiveSource(path, selector, kind, reference)
