"""auger: a container image layer inspector and size-budget gate."""

__version__ = "0.1.0"
