"""What to extract: per layer, the entries of that layer to write.

A :class:`Plan` is the contract between whoever chooses (the explorer's view, or a path of the
final filesystem) and :func:`~auger.extraction.extract.extract`, which reads only the blobs of
the layers it names.
"""

from __future__ import annotations

from auger.model import Entry

Plan = dict[int, dict[str, Entry]]
"""Per layer index: image path -> the entry of that layer to write."""
