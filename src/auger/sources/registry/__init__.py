"""Images read from a registry over the OCI Distribution API (see :mod:`.source`)."""
