"""Progress reporting while an image is read.

Sources and the pipeline report through a :class:`Progress` observer. The default does nothing,
so library code never prints; front ends pass an observer that draws what they like.
"""

from __future__ import annotations


class Progress:
    """Observer of a running analysis. Every hook is optional and does nothing by default."""

    def phase(self, text: str) -> None:
        """A new phase begins (for example "saving image from the engine")."""

    def bytes_read(self, count: int) -> None:
        """``count`` more bytes of the image were read from the source."""

    def layer_scanned(self, index: int, entries: int) -> None:
        """A layer blob was scanned; ``index`` counts scanned blobs from 0."""

    def warning(self, text: str) -> None:
        """Something was tolerated but the user may want to know."""


class NullProgress(Progress):
    """The do-nothing observer."""
