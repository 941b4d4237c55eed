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
from auger.attribution.fixes import group_savings, savings
from auger.attribution.groups import Group, find_groups
from auger.attribution.ownership import Ownership, PackageUsage, attribute
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
        """The packages that own a finding's example paths (or the group's packages)."""
        names: list[str] = []
        for example in finding.examples:
            owner = self.ownership.owner(example.lstrip("/"))
            name = owner.package.name if owner is not None else None
            if name is None and not example.startswith("/"):
                name = example  # a group finding lists package names
            if name is not None and name not in names:
                names.append(name)
        return tuple(names)


def group_finding(rule: AdviceRule, group: Group) -> Finding:
    """The finding of a group-based rule, in the group's terms."""
    packages: Sequence[PackageUsage] = group.packages
    layers = sorted({usage.layer for usage in packages if usage.layer is not None})
    examples = tuple(usage.package.name for usage in packages[:5])
    count = len(packages) if packages else 1
    return Finding(rule, group.size_bytes, count, tuple(layers), examples)


def _findings(
    findings: Sequence[Finding], rules: Sequence[AdviceRule], groups: Mapping[str, Group]
) -> tuple[Finding, ...]:
    by_group = {
        rule.id: groups[rule.group]
        for rule in rules
        if rule.group is not None and rule.group in groups
    }
    merged = [finding for finding in findings if finding.rule.id not in by_group]
    merged += [group_finding(rule, by_group[rule.id]) for rule in rules if rule.id in by_group]
    merged.sort(key=lambda finding: (-finding.size, finding.rule.id))
    return tuple(merged)


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
    ownership = attribute([layer.scan.captured for layer in layers], analysis.final, analysis.waste)
    groups = find_groups(ownership, analysis.final)
    group_saved = group_savings(analysis, groups)
    by_id = {group.id: group for group in groups}
    merged = _findings(findings, rules, by_id)
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
        savings=savings(analysis, merged, rules, by_id),
        lines=lines,
        warnings=tuple(warnings),
    )
