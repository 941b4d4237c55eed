"""auger: a container image layer inspector and size-budget gate."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``auger.__version__``, read from the installed metadata on first use (see
    :mod:`auger.version`), so that importing auger costs nothing for it."""
    if name == "__version__":
        from auger.version import version  # noqa: PLC0415 - only when asked

        return version()
    raise AttributeError(f"module 'auger' has no attribute {name!r}")
