"""What to extract: per layer, the entries of that layer to write.

A :class:`Plan` is the contract between whoever chooses (the explorer's view, or a path of the
final filesystem) and :func:`~auger.extraction.extract.extract`, which reads only the blobs of
the layers it names. :func:`plan_final` chooses headlessly: a path as a container sees it.
"""

from __future__ import annotations

from collections.abc import Mapping

from auger.display import display
from auger.errors import UsageError
from auger.layers import paths
from auger.model import Entry, EntryKind, VisibleEntry

Plan = dict[int, dict[str, Entry]]
"""Per layer index: image path -> the entry of that layer to write."""


class PathNotInImageError(UsageError):
    """The path asked for is not in the image's final filesystem."""


def plan_final(final: Mapping[str, VisibleEntry], path: str) -> Plan:
    """The entries that make up ``path`` of the final filesystem and everything below it, each
    from the layer that provided it.

    ``path`` is normalised (``""`` is the root). Links are not followed: a path below a
    symbolic link is not in the image, and the link itself is extracted as a link.
    """
    if path and path not in final:
        raise PathNotInImageError(
            f"/{display(path)} is not in the image", hint=_link_above(final, path)
        )
    plan: Plan = {}
    for candidate, visible in final.items():
        if visible.entry is not None and paths.is_within(candidate, path):
            plan.setdefault(visible.layer, {})[candidate] = visible.entry
    return plan


def _link_above(final: Mapping[str, VisibleEntry], path: str) -> str | None:
    """What to say when a directory above ``path`` is a symbolic link."""
    parent = paths.parent(path)
    while parent:
        visible = final.get(parent)
        entry = visible.entry if visible is not None else None
        if entry is not None and entry.kind is EntryKind.SYMLINK:
            return (
                f"/{display(parent)} is a symbolic link to {display(entry.link)}; "
                "links are not followed, give the path it points to"
            )
        parent = paths.parent(parent)
    return None
