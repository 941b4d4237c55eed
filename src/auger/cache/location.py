"""Where the layer cache lives: ``--cache-dir``, else ``AUGER_CACHE_DIR``, else the user's cache
directory as the platform defines it (``$XDG_CACHE_HOME/auger`` or ``~/.cache/auger`` on Linux,
``~/Library/Caches/auger`` on macOS)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

DIRECTORY_VARIABLE = "AUGER_CACHE_DIR"
MAX_SIZE_VARIABLE = "AUGER_CACHE_MAX_SIZE"


def cache_directory(explicit: Path | None, environ: Mapping[str, str]) -> Path:
    """The cache directory to use."""
    if explicit is not None:
        return explicit.expanduser()
    configured = environ.get(DIRECTORY_VARIABLE, "").strip()
    if configured:
        return Path(configured).expanduser()
    import platformdirs  # noqa: PLC0415 - only when no directory is configured

    return Path(platformdirs.user_cache_dir("auger", appauthor=False))
