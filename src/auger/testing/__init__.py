"""Images built in-process, for the demo, the test suite and the benchmarks.

:mod:`auger.testing.images` writes layer tars, ``docker save`` tarballs and OCI layouts from a
few lines of description; :mod:`auger.testing.scans` reads a described layer back through the
real scanner. Nothing here needs a container engine. Like go-containerregistry's
``pkg/v1/random``, it ships with the package so that the demo and anyone testing against auger
can use it, but no part of auger that reads images depends on it: only ``auger demo`` imports
it (an import-linter contract in ``pyproject.toml`` holds every other module to that).
"""
