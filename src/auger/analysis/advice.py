"""Advice: what in an image has a known cause and a one-line fix.

The knowledge is data (``advice.yaml`` beside this module): globs over the final filesystem
and over wasted paths, patterns over layer commands. This module only loads the catalogue and
matches it against an analysis; adding advice never needs code.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from auger.errors import AugerError
from auger.layers.globs import GlobError, compile_glob, literal_runs
from auger.model import EntryKind, ImageAnalysis, WasteCause

ACTIONABLE = "actionable"
CHURN = "churn"
_KEYS = {
    "id",
    "title",
    "fix",
    "kind",
    "final",
    "waste",
    "command",
    "unless",
    "repeated_run",
    "waste_cause",
    "group",
}


class CatalogueError(AugerError):
    """The advice catalogue is malformed (a bug in the data, caught by the tests)."""


@dataclass(frozen=True, slots=True)
class AdviceRule:
    """One entry of the catalogue."""

    id: str
    title: str
    fix: str
    kind: str = ACTIONABLE
    final: tuple[str, ...] = ()
    waste: tuple[str, ...] = ()
    command: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    repeated_run: bool = False
    waste_cause: str | None = None
    group: str | None = None
    """A group of packages (``build-toolchain``, ``dev-dependencies``, ``docs``) that package
    attribution matches; where it finds the group, its finding replaces the globs' one."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule that matched: how many bytes and files, where, and examples."""

    rule: AdviceRule
    size: int
    count: int
    layers: tuple[int, ...]
    examples: tuple[str, ...]
    """Paths (or commands) that matched, a few."""


def _strings(entry: dict[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CatalogueError(f"advice {entry.get('id')}: {key} must be a list of strings")
    return tuple(value)


def parse_catalogue(data: object) -> tuple[AdviceRule, ...]:
    """Validate catalogue data (a list of mappings) into rules."""
    if not isinstance(data, list):
        raise CatalogueError("the advice catalogue must be a list")
    rules = []
    seen: set[str] = set()
    for entry in data:
        if not isinstance(entry, dict) or set(entry) - _KEYS:
            raise CatalogueError(f"malformed advice entry: {entry!r}")
        for key in ("id", "title", "fix"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise CatalogueError(f"advice entry without {key}: {entry!r}")
        if entry["id"] in seen:
            raise CatalogueError(f"advice {entry['id']} is listed twice")
        seen.add(entry["id"])
        rule = AdviceRule(
            id=entry["id"],
            title=entry["title"],
            fix=entry["fix"],
            kind=entry.get("kind", ACTIONABLE),
            final=_strings(entry, "final"),
            waste=_strings(entry, "waste"),
            command=_strings(entry, "command"),
            unless=_strings(entry, "unless"),
            repeated_run=bool(entry.get("repeated_run", False)),
            waste_cause=entry.get("waste_cause"),
            group=entry.get("group"),
        )
        if rule.kind not in (ACTIONABLE, CHURN):
            raise CatalogueError(f"advice {rule.id}: kind must be actionable or churn")
        if rule.waste_cause is not None and rule.waste_cause not in {c.value for c in WasteCause}:
            raise CatalogueError(f"advice {rule.id}: unknown waste_cause {rule.waste_cause}")
        for pattern in rule.command + rule.unless:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise CatalogueError(f"advice {rule.id}: bad pattern {pattern!r}: {exc}") from exc
        for glob in rule.final + rule.waste:
            try:
                compile_glob(glob)
            except GlobError as exc:
                raise CatalogueError(f"advice {rule.id}: bad glob {glob!r}: {exc}") from exc
        if not isinstance(entry.get("repeated_run", False), bool):
            raise CatalogueError(f"advice {rule.id}: repeated_run must be true or false")
        if rule.group is not None and not isinstance(rule.group, str):
            raise CatalogueError(f"advice {rule.id}: group must be a name")
        if not (
            rule.final
            or rule.waste
            or rule.command
            or rule.repeated_run
            or rule.waste_cause
            or rule.group
        ):
            raise CatalogueError(f"advice {rule.id} matches nothing")
        rules.append(rule)
    return tuple(rules)


@functools.cache
def catalogue() -> tuple[AdviceRule, ...]:
    """The catalogue shipped with auger."""
    import yaml  # noqa: PLC0415 - only reports need it

    text = resources.files("auger.analysis").joinpath("advice.yaml").read_text("utf-8")
    return parse_catalogue(yaml.safe_load(text))


def _alternation(tagged: list[tuple[int, str]]) -> re.Pattern[str] | None:
    """One regular expression for many globs; the matching group names the rule index."""
    if not tagged:
        return None
    parts = [
        f"(?P<r{index}_{n}>{compile_glob(glob).pattern.removesuffix(chr(92) + 'Z')})"
        for n, (index, glob) in enumerate(tagged)
    ]
    return re.compile("(?:" + "|".join(parts) + r")\Z", re.DOTALL)


def _first_name(glob: str) -> str | None:
    """The glob's first path component if it is literal (no wildcard), else ``None``."""
    first = glob.strip("/").split("/", 1)[0]
    return None if any(char in first for char in "*?[") else first


def _required(glob: str) -> str:
    """A substring every path matching ``glob`` contains (to skip hopeless regex matches)."""
    return max(literal_runs(glob), key=len, default="")


class _GlobSet:
    """Many globs, each tagged with a rule index, matched fast against many paths.

    Globs are grouped by their first, literal, path component, so a path is only tried
    against the globs that can match it; globs that start with a wildcard are tried one by
    one, and only on paths that contain their longest literal part.
    """

    def __init__(self, tagged: Iterable[tuple[int, str]]) -> None:
        by_first: dict[str, list[tuple[int, str]]] = {}
        self._wild: list[tuple[int, str, re.Pattern[str]]] = []
        for index, glob in tagged:
            first = _first_name(glob)
            if first is None:
                self._wild.append((index, _required(glob), compile_glob(glob)))
            else:
                by_first.setdefault(first, []).append((index, glob))
        self._by_first = {name: _alternation(group) for name, group in by_first.items()}

    def match(self, path: str) -> int | None:
        """The rule index of the first glob (in catalogue order) matching ``/path``."""
        rooted = "/" + path
        best: int | None = None
        regex = self._by_first.get(path.partition("/")[0])
        if regex is not None:
            found = regex.match(rooted)
            if found is not None and found.lastgroup is not None:
                best = int(found.lastgroup[1:].partition("_")[0])
        for index, literal, pattern in self._wild:
            if best is not None and index >= best:
                break
            if literal in rooted and pattern.match(rooted):
                return index
        return best


@dataclass
class _Tally:
    size: int = 0
    count: int = 0
    layers: set[int] = field(default_factory=set)
    examples: list[str] = field(default_factory=list)

    def add(self, size: int, layer: int, example: str) -> None:
        self.size += size
        self.count += 1
        self.layers.add(layer)
        if len(self.examples) < 5:
            self.examples.append(example)


def is_run(created_by: str) -> bool:
    """True if a layer's history says a ``RUN`` made it."""
    command = created_by.strip()
    if "#(nop)" in command:
        return False
    return command.startswith(("/bin/sh -c", "RUN ", "|")) or command.startswith("/bin/bash -c")


def waste_rule_index(rules: tuple[AdviceRule, ...]) -> _GlobSet:
    """One matcher over every rule's ``waste`` globs."""
    return _GlobSet((i, glob) for i, rule in enumerate(rules) for glob in rule.waste)


def find_advice(
    analysis: ImageAnalysis, rules: tuple[AdviceRule, ...] | None = None
) -> tuple[Finding, ...]:
    """Every rule that matches the image, largest first."""
    rules = catalogue() if rules is None else rules
    tallies = [_Tally() for _ in rules]
    final_set = _GlobSet((i, glob) for i, rule in enumerate(rules) for glob in rule.final)
    for path, visible in analysis.final.items():
        if visible.entry is None or visible.entry.kind is EntryKind.DIR:
            continue
        index = final_set.match(path)
        if index is not None:
            tallies[index].add(visible.entry.size, visible.layer, "/" + path)
    waste_set = waste_rule_index(rules)
    by_cause = {rule.waste_cause: i for i, rule in enumerate(rules) if rule.waste_cause}
    for item in analysis.waste:
        index = waste_set.match(item.path)
        if index is None:
            index = by_cause.get(item.cause.value)
        if index is not None:
            tallies[index].add(item.size, item.stored_in, "/" + item.path)
    layers = analysis.image.layers
    for i, rule in enumerate(rules):
        for layer in layers:
            command = layer.created_by
            if (
                rule.command
                and any(re.search(p, command) for p in rule.command)
                and not any(re.search(p, command) for p in rule.unless)
            ):
                tallies[i].add(0, layer.index, command)
        if rule.repeated_run:
            for item in analysis.waste:
                match = waste_set.match(item.path)
                if match is not None and rules[match].kind == CHURN:
                    continue
                if (
                    item.hidden_by == item.stored_in + 1
                    and is_run(layers[item.stored_in].created_by)
                    and is_run(layers[item.hidden_by].created_by)
                ):
                    tallies[i].add(item.size, item.stored_in, "/" + item.path)
    findings = [
        Finding(rule, tally.size, tally.count, tuple(sorted(tally.layers)), tuple(tally.examples))
        for rule, tally in zip(rules, tallies, strict=True)
        if tally.count
    ]
    findings.sort(key=lambda finding: (-finding.size, finding.rule.id))
    return tuple(findings)
