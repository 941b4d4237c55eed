"""Group wasted paths the way a reader thinks of them.

A directory deleted in one layer is one row (its whole subtree), the contents an opaque
directory replaced are one row, and an overwritten file is a row of its own. Groups that the
advice catalogue calls churn (package-manager metadata) are marked so reports can set them
apart.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from auger.analysis.advice import CHURN, AdviceRule, waste_rule_index
from auger.layers import paths
from auger.model import DiffType, ImageAnalysis, WasteCause


class WasteGroup(NamedTuple):
    """Wasted bytes under one path, hidden by one layer for one cause (a named tuple: an
    image can have tens of thousands)."""

    path: str
    """The deleted directory, the opaque directory (``contents`` true) or the file."""
    size: int
    files: int
    cause: WasteCause
    hidden_by: int
    stored_in: tuple[int, ...]
    contents: bool = False
    """True when the group is what an opaque directory replaced (``path/*``)."""
    advice: tuple[str, ...] = ()
    churn: bool = False
    folded: int = 0
    """When more than 0: this row stands for that many small groups directly under ``path``
    (see :func:`auger.analysis.folding.fold_small`)."""

    @property
    def label(self) -> str:
        """How reports name the group: ``/path``, or ``/path/*`` for an opaque directory's
        replaced contents (not escaped: show it through a display or Markdown helper)."""
        return "/" + self.path + ("/*" if self.contents else "")


_Key = tuple[str, str, int, bool]
"""A group: (root path, cause, hiding layer, whether it is an opaque directory's contents)."""


def _removed_paths(analysis: ImageAnalysis) -> list[set[str]]:
    return [
        {change.path for change in layer.changes if change.diff is DiffType.REMOVED}
        for layer in analysis.layers
    ]


def group_waste(analysis: ImageAnalysis, rules: tuple[AdviceRule, ...]) -> tuple[WasteGroup, ...]:
    """The image's waste in groups, largest first."""
    removed = _removed_paths(analysis)
    matcher = waste_rule_index(rules)
    by_cause = {rule.waste_cause: rule for rule in rules if rule.waste_cause}
    sizes: dict[_Key, list[int]] = {}
    stored: dict[_Key, set[int]] = defaultdict(set)
    advice: dict[_Key, set[str]] = defaultdict(set)
    churn: dict[_Key, bool] = {}
    for item in analysis.waste:
        root, contents = item.path, False
        if item.cause in (WasteCause.DELETED, WasteCause.REPLACED_BY_OPAQUE):
            gone = removed[item.hidden_by]
            while paths.parent(root) and paths.parent(root) in gone:
                root = paths.parent(root)
            if item.cause is WasteCause.REPLACED_BY_OPAQUE and paths.parent(root):
                root, contents = paths.parent(root), True
        key = (root, item.cause.value, item.hidden_by, contents)
        tally = sizes.get(key)
        if tally is None:
            tally = sizes[key] = [0, 0]
        tally[0] += item.size
        tally[1] += 1
        stored[key].add(item.stored_in)
        index = matcher.match(item.path)
        rule = rules[index] if index is not None else by_cause.get(item.cause.value)
        if rule is not None:
            advice[key].add(rule.id)
            churn[key] = churn.get(key, True) and rule.kind == CHURN
        else:
            churn[key] = False
    causes = {cause.value: cause for cause in WasteCause}
    groups = [
        WasteGroup(
            path=key[0],
            size=size,
            files=files,
            cause=causes[key[1]],
            hidden_by=key[2],
            stored_in=tuple(sorted(stored[key])),
            contents=key[3],
            advice=tuple(sorted(advice[key])),
            churn=churn.get(key, False),
        )
        for key, (size, files) in sizes.items()
    ]
    groups.sort(key=lambda group: (-group.size, group.path))
    return tuple(groups)
