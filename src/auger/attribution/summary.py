"""One image's attribution, gathered for the reports: packages, groups with their simulated
savings, a simulated saving for every piece of advice, and the Dockerfile line of each layer.

Advice that names a package group (``group:`` in the catalogue) is answered by the group
where the image's package databases show it: the finding's bytes, layers and examples become
the group's, so that "build-essential is 180 MB" replaces "/usr/bin/gcc is here".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from auger.analysis.advice import AdviceRule, Finding
from auger.attribution.dockerfile.history import map_layers
from auger.attribution.dockerfile.stages import Dockerfile
from auger.attribution.fixes import group_savings, savings, simulator
from auger.attribution.groups import Group, find_groups
from auger.attribution.ownership import Ownership, attribute
from auger.model import ImageAnalysis


@dataclass(frozen=True, slots=True)
class SourceLine:
    """A line of the Dockerfile: the file as the user named it, the line, what it says."""

    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class GroupSaving:
    """A group and what removing it saves, simulated."""

    group: Group
    saves_bytes: int


@dataclass(frozen=True, slots=True)
class Attribution:
    """Everything attribution adds to a report."""

    ownership: Ownership
    groups: tuple[GroupSaving, ...]
    findings: tuple[Finding, ...]
    """The advice, group-based findings in place of their globs' ones, largest first."""
    savings: Mapping[str, int | None]
    """What following each finding saves, by rule id (``None``: nothing to simulate)."""
    by_group: Mapping[str, Group] = field(default_factory=dict)
    """The group that answered each group-based finding, by rule id."""
    lines: tuple[SourceLine | None, ...] = ()
    """The Dockerfile line of each layer (empty without a Dockerfile)."""
    warnings: tuple[str, ...] = field(default=())

    def line_of(self, layer: int) -> SourceLine | None:
        """The Dockerfile line that made ``layer``, if known."""
        return self.lines[layer] if 0 <= layer < len(self.lines) else None

    def line_of_finding(self, finding: Finding) -> SourceLine | None:
        """The Dockerfile line of the first layer a finding is about, if known."""
        for layer in finding.layers:
            found = self.line_of(layer)
            if found is not None:
                return found
        return None

    def packages_of(self, finding: Finding) -> tuple[str, ...]:
        """The packages a finding is about: its group's, else the owners of its example
        paths."""
        group = self.by_group.get(finding.rule.id)
        if group is not None:
            return tuple(usage.package.name for usage in group.packages)
        names: list[str] = []
        for example in finding.examples:
            if not example.startswith("/"):
                continue  # a command, not a path
            owner = self.ownership.owner(example[1:])
            if owner is not None and owner.package.name not in names:
                names.append(owner.package.name)
        return tuple(names)


def group_finding(rule: AdviceRule, group: Group) -> Finding:
    """The finding of a group-based rule, in the group's terms: its packages (or paths)."""
    count = len(group.packages) if group.packages else len(group.examples)
    return Finding(rule, group.size_bytes, count, group.layers, group.examples)


def _answered(rules: Sequence[AdviceRule], groups: Mapping[str, Group]) -> dict[str, Group]:
    """The group that answers each group-based rule the image has the group of."""
    return {
        rule.id: groups[rule.group]
        for rule in rules
        if rule.group is not None and rule.group in groups
    }


def _findings(
    findings: Sequence[Finding], rules: Sequence[AdviceRule], by_group: Mapping[str, Group]
) -> tuple[Finding, ...]:
    merged = [finding for finding in findings if finding.rule.id not in by_group]
    merged += [group_finding(rule, by_group[rule.id]) for rule in rules if rule.id in by_group]
    merged.sort(key=lambda finding: (-finding.size, finding.rule.id))
    return tuple(merged)


def image_ownership(analysis: ImageAnalysis) -> Ownership:
    """The packages of an image, from its layers' captured databases."""
    captured = [layer.scan.captured for layer in analysis.image.layers]
    return attribute(captured, analysis.final, analysis.waste)


def grouped_findings(
    analysis: ImageAnalysis,
    findings: Sequence[Finding],
    rules: Sequence[AdviceRule],
    ownership: Ownership,
) -> tuple[tuple[Finding, ...], dict[str, Group]]:
    """The advice with group-based findings in place (nothing simulated), and the groups by
    id."""
    groups = {group.id: group for group in find_groups(ownership, analysis.final)}
    return _findings(findings, rules, _answered(rules, groups)), groups


def attribute_image(
    analysis: ImageAnalysis,
    findings: Sequence[Finding],
    rules: Sequence[AdviceRule],
    dockerfile: Dockerfile | None = None,
    dockerfile_path: str = "Dockerfile",
) -> Attribution:
    """Attribute ``analysis``: packages from the layers' captured databases, the groups and
    the advice ``findings`` (from ``rules``) with simulated savings, and the lines of
    ``dockerfile`` (named ``dockerfile_path``) that made its layers."""
    layers = analysis.image.layers
    ownership = image_ownership(analysis)
    groups = find_groups(ownership, analysis.final)
    simulations = simulator(analysis)
    group_saved = group_savings(analysis, groups, simulations)
    by_id = {group.id: group for group in groups}
    answered = _answered(rules, by_id)
    merged = _findings(findings, rules, answered)
    warnings = [str(note) for note in ownership.notes]
    lines: tuple[SourceLine | None, ...] = ()
    if dockerfile is not None:
        mapping = map_layers(dockerfile, [layer.created_by for layer in layers])
        lines = tuple(
            SourceLine(dockerfile_path, instruction.line, instruction.text)
            if instruction is not None
            else None
            for instruction in mapping.instructions
        )
        warnings += mapping.warnings
    return Attribution(
        ownership=ownership,
        groups=tuple(GroupSaving(group, group_saved[group.id]) for group in groups),
        findings=merged,
        savings=savings(analysis, merged, rules, by_id, simulations),
        by_group=answered,
        lines=lines,
        warnings=tuple(warnings),
    )
