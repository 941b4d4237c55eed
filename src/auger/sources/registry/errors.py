"""What can go wrong talking to a registry; every one of them stops the read (exit 3)."""

from __future__ import annotations

from auger.errors import SourceError


class RegistryUnreachableError(SourceError):
    """The registry did not answer, or the connection broke and did not come back."""


class RegistryTlsError(RegistryUnreachableError):
    """The registry's TLS certificate could not be verified."""


class RegistryUnauthorizedError(SourceError):
    """The registry refused access, with or without credentials."""


class RegistryRateLimitedError(SourceError):
    """The registry kept answering 429 (too many requests)."""


class RegistryProtocolError(SourceError):
    """The registry answered something the distribution API does not allow."""
