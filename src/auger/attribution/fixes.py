"""What following a piece of advice changes in the layers, so that its saving can be simulated.

- advice about files the final image shows (``final`` globs: caches, lists, ``.git``...): the
  fixed Dockerfile never stores them, in any layer (:class:`~.whatif.Drop`);
- advice about wasted copies (``waste`` globs, or a waste cause such as *deleted in a later
  layer* or *rewritten only to change its mode*): the copies a later layer hid are never
  stored (:class:`~.whatif.DropStored`), as when the files are removed in the ``RUN`` that
  made them, or given their mode when added;
- consecutive ``RUN`` layers: each run of them becomes one layer (:class:`~.whatif.Squash`);
- advice that a group answers (``group:`` in the catalogue: a build toolchain, development
  dependencies, docs): the group's packages, or files, are never installed;
- advice only about a command (``--no-install-recommends``): nothing to simulate, no saving.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from auger.analysis.advice import AdviceRule, Finding, is_run, waste_rule_index
from auger.attribution.groups import Group
from auger.attribution.whatif import Change, Drop, DropStored, Squash, saved_bytes
from auger.model import ImageAnalysis


def _run_blocks(analysis: ImageAnalysis, layers: Sequence[int]) -> list[Squash]:
    """The maximal runs of consecutive ``RUN`` layers that contain any of ``layers``."""
    image_layers = analysis.image.layers
    runs = [is_run(layer.created_by) for layer in image_layers]
    blocks: list[Squash] = []
    index = 0
    while index < len(runs):
        if not runs[index]:
            index += 1
            continue
        end = index
        while end + 1 < len(runs) and runs[end + 1]:
            end += 1
        if end > index and any(index <= layer <= end for layer in layers):
            blocks.append(Squash(index, end))
        index = end + 1
    return blocks


def changes_for(
    finding: Finding,
    analysis: ImageAnalysis,
    rules: Sequence[AdviceRule],
    groups: Mapping[str, Group] | None = None,
) -> tuple[Change, ...]:
    """The changes that following ``finding`` makes; empty when there is nothing to simulate.
    ``rules`` is the catalogue the finding came from (a wasted path counts for the first rule
    that matches it, as :func:`~auger.analysis.advice.find_advice` counts it)."""
    rule = finding.rule
    group = (groups or {}).get(rule.group) if rule.group else None
    if group is not None:
        return (group.change,)
    if rule.repeated_run:
        return tuple(_run_blocks(analysis, finding.layers))
    changes: list[Change] = []
    if rule.final:
        changes.append(Drop(rule.final))
    if rule.waste or rule.waste_cause:
        position = rules.index(rule)
        waste_set = waste_rule_index(tuple(rules))
        by_cause = {r.waste_cause: i for i, r in enumerate(rules) if r.waste_cause}
        stored = set()
        for item in analysis.waste:
            index = waste_set.match(item.path)
            if index is None:
                index = by_cause.get(item.cause.value)
            if index == position:
                stored.add((item.stored_in, item.path))
        if stored:
            changes.append(DropStored(frozenset(stored)))
    return tuple(changes)


class _Simulations:
    """Simulates changes on one analysis, each distinct set of changes once (a group and the
    advice it answers make the same change)."""

    def __init__(self, analysis: ImageAnalysis) -> None:
        layers = analysis.image.layers
        self.entries = [layer.scan.entries for layer in layers]
        self.sizes = [layer.size for layer in layers]
        self.saved: dict[tuple[Change, ...], int] = {}

    def saves(self, changes: tuple[Change, ...]) -> int:
        known = self.saved.get(changes)
        if known is None:
            known = self.saved[changes] = saved_bytes(self.entries, self.sizes, changes)
        return known


def savings(
    analysis: ImageAnalysis,
    findings: Sequence[Finding],
    rules: Sequence[AdviceRule],
    groups: Mapping[str, Group] | None = None,
    simulations: _Simulations | None = None,
) -> dict[str, int | None]:
    """What following each finding saves (by rule id), simulated; ``None`` when the advice
    changes no file auger can see."""
    simulations = simulations or _Simulations(analysis)
    found: dict[str, int | None] = {}
    for finding in findings:
        changes = changes_for(finding, analysis, rules, groups)
        found[finding.rule.id] = simulations.saves(changes) if changes else None
    return found


def group_savings(
    analysis: ImageAnalysis, groups: Sequence[Group], simulations: _Simulations | None = None
) -> dict[str, int]:
    """What removing each group saves (by group id), simulated."""
    simulations = simulations or _Simulations(analysis)
    return {group.id: simulations.saves((group.change,)) for group in groups}


def simulator(analysis: ImageAnalysis) -> _Simulations:
    """One simulator to share between :func:`savings` and :func:`group_savings`."""
    return _Simulations(analysis)
