"""The error hierarchy.

Every failure auger reports on purpose is an :class:`AugerError`. The command line catches them
once, at the top of ``main``, and turns each family into its documented exit code: usage errors
exit 2, anything that stops an image from being read exits 3.
"""

from __future__ import annotations


class AugerError(Exception):
    """Base of every error auger raises on purpose.

    ``message`` is the one-line cause shown to the user; ``hint`` optionally says what to try.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(AugerError):
    """The command line or a configuration file is wrong (exit 2)."""


class ImageReadError(AugerError):
    """The image could not be read (exit 3)."""


class SourceError(ImageReadError):
    """A source could not find, reach or understand an image."""


class LayerFormatError(ImageReadError):
    """A layer (or an archive) is not a well-formed tar stream."""
