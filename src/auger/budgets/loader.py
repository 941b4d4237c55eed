"""Read ``budgets.yaml`` (schema ``version: 1``), pointing at file, line and key on any mistake.

The YAML is composed into nodes first, so every value keeps its line; each error reads
``FILE:LINE: KEY: what is wrong`` (with a did-you-mean for unknown keys).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from auger.budgets.schema import (
    GROWTH_METRICS,
    IMAGE_METRICS,
    LAYER_METRICS,
    PATH_METRIC,
    Budgets,
    Direction,
    Limit,
    Metric,
    Override,
    PathRule,
    Value,
    number,
)
from auger.budgets.units import UnitError, parse_ratio, parse_size
from auger.errors import UsageError

SECTIONS = ("version", "image", "layers", "paths", "ignore", "growth", "overrides")


class BudgetsError(UsageError):
    """A budgets or ``.dive-ci`` file is invalid (exit 2)."""


class YamlDocument:
    """A composed YAML document and the file name errors should cite."""

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        try:
            self.root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            problem = exc.problem or exc.context or "invalid YAML"
            raise BudgetsError(f"{name}:{line}: YAML syntax error: {problem}") from exc
        except yaml.YAMLError as exc:
            raise BudgetsError(f"{name}: YAML syntax error: {exc}") from exc

    def error(self, node: Node | None, key: str, problem: str) -> BudgetsError:
        line = node.start_mark.line + 1 if node is not None else 1
        return BudgetsError(f"{self.name}:{line}: {key}: {problem}")

    def origin(self, node: Node) -> str:
        return f"{self.name}:{node.start_mark.line + 1}"

    def scalar(self, node: Node, key: str) -> object:
        if not isinstance(node, ScalarNode):
            raise self.error(node, key, "expected a single value, not a list or mapping")
        return yaml.constructor.SafeConstructor().construct_object(node)

    def text(self, node: Node, key: str) -> str:
        value = self.scalar(node, key)
        if not isinstance(value, str) or not value:
            raise self.error(node, key, f"expected text, got {value!r}")
        return value

    def mapping(self, node: Node, key: str, allowed: tuple[str, ...]) -> dict[str, Node]:
        """A mapping's entries by key; unknown or repeated keys are errors."""
        if not isinstance(node, MappingNode):
            raise self.error(node, key, "expected a mapping (key: value lines)")
        result: dict[str, Node] = {}
        for key_node, value_node in node.value:
            name = self.scalar(key_node, key)
            full = f"{key}.{name}" if key else str(name)
            if not isinstance(name, str):
                raise self.error(key_node, full, "keys must be text")
            if name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise self.error(
                    key_node, full, f"unknown key{hint} (allowed: {', '.join(allowed)})"
                )
            if name in result:
                raise self.error(key_node, full, "given twice")
            result[name] = value_node
        return result

    def sequence(self, node: Node, key: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            raise self.error(node, key, "expected a list (lines starting with '- ')")
        return list(node.value)


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UnitError(f"expected a whole number, got {value!r}")
    return value


def parser_for(metric: Metric) -> Callable[[object], Value]:
    """The unit parser a metric's limits use."""
    if metric.unit == "size":
        return parse_size
    if metric.unit == "ratio":
        return parse_ratio
    if metric.unit == "ratio+":
        return lambda value: parse_ratio(value, allow_above_one=True)
    return _count


def _limit(doc: YamlDocument, node: Node, key: str, metric: Metric) -> Limit:
    parse = parser_for(metric)

    def convert(value_node: Node, where: str) -> Value:
        try:
            return parse(doc.scalar(value_node, where))
        except UnitError as exc:
            raise doc.error(value_node, where, str(exc)) from exc

    if isinstance(node, MappingNode):
        levels = doc.mapping(node, key, ("fail", "warn"))
        if not levels:
            raise doc.error(node, key, "give a fail and/or a warn level")
        fail = convert(levels["fail"], f"{key}.fail") if "fail" in levels else None
        warn = convert(levels["warn"], f"{key}.warn") if "warn" in levels else None
    else:
        fail, warn = convert(node, key), None
    if fail is not None and warn is not None:
        looser = number(warn) > number(fail)
        if metric.direction is Direction.AT_LEAST:
            looser = number(warn) < number(fail)
        if looser:
            raise doc.error(node, key, "the warn level is less strict than the fail level")
    return Limit(fail, warn, doc.origin(node))


def _limits(
    doc: YamlDocument, node: Node, key: str, metrics: dict[str, Metric]
) -> dict[str, Limit]:
    entries = doc.mapping(node, key, tuple(metrics))
    return {
        name: _limit(doc, value, f"{key}.{name}", metrics[name]) for name, value in entries.items()
    }


def _glob(doc: YamlDocument, node: Node, key: str) -> str:
    glob = doc.text(node, key)
    if not glob.startswith(("/", "**")):
        raise doc.error(node, key, f"a path glob starts with '/' or '**' (e.g. /{glob})")
    return glob


def _paths(doc: YamlDocument, node: Node, key: str) -> tuple[PathRule, ...]:
    rules = []
    for index, item in enumerate(doc.sequence(node, key)):
        where = f"{key}[{index}]"
        fields = doc.mapping(item, where, ("glob", "max_size", "advice"))
        if "glob" not in fields:
            raise doc.error(item, where, "a path rule needs a glob")
        if "max_size" not in fields:
            raise doc.error(item, where, "a path rule needs max_size (0 forbids the path)")
        advice = doc.text(fields["advice"], f"{where}.advice") if "advice" in fields else None
        rules.append(
            PathRule(
                _glob(doc, fields["glob"], f"{where}.glob"),
                _limit(doc, fields["max_size"], f"{where}.max_size", PATH_METRIC),
                advice,
            )
        )
    return tuple(rules)


def _ignore(doc: YamlDocument, node: Node, key: str) -> tuple[str, ...]:
    return tuple(
        _glob(doc, item, f"{key}[{index}]") for index, item in enumerate(doc.sequence(node, key))
    )


def _sections(doc: YamlDocument, fields: dict[str, Node], prefix: str) -> Budgets:
    def key(name: str) -> str:
        return f"{prefix}{name}"

    return Budgets(
        image=_limits(doc, fields["image"], key("image"), IMAGE_METRICS)
        if "image" in fields
        else {},
        layers=_limits(doc, fields["layers"], key("layers"), LAYER_METRICS)
        if "layers" in fields
        else {},
        paths=_paths(doc, fields["paths"], key("paths")) if "paths" in fields else (),
        ignore=_ignore(doc, fields["ignore"], key("ignore")) if "ignore" in fields else (),
        growth=_limits(doc, fields["growth"], key("growth"), GROWTH_METRICS)
        if "growth" in fields
        else {},
        source=doc.name,
    )


def _overrides(doc: YamlDocument, node: Node) -> tuple[Override, ...]:
    result = []
    for index, item in enumerate(doc.sequence(node, "overrides")):
        where = f"overrides[{index}]"
        fields = doc.mapping(item, where, ("match", "image", "layers", "paths", "ignore", "growth"))
        if "match" not in fields:
            raise doc.error(item, where, "an override needs a match (an image reference glob)")
        match = doc.text(fields["match"], f"{where}.match")
        result.append(Override(match, _sections(doc, fields, f"{where}."), doc.origin(item)))
    return tuple(result)


def parse_budgets(text: str, name: str) -> Budgets:
    """Parse the text of a budgets file; ``name`` is how errors cite it."""
    doc = YamlDocument(text, name)
    if doc.root is None:
        raise BudgetsError(f"{name}:1: the file is empty (start with 'version: 1')")
    fields = doc.mapping(doc.root, "", SECTIONS)
    if "version" not in fields:
        raise doc.error(doc.root, "version", "missing; start the file with 'version: 1'")
    version = doc.scalar(fields["version"], "version")
    if type(version) is not int or version != 1:
        raise doc.error(fields["version"], "version", f"unsupported version {version!r} (use 1)")
    budgets = _sections(doc, fields, "")
    overrides = _overrides(doc, fields["overrides"]) if "overrides" in fields else ()
    return Budgets(
        image=budgets.image,
        layers=budgets.layers,
        paths=budgets.paths,
        ignore=budgets.ignore,
        growth=budgets.growth,
        overrides=overrides,
        source=name,
    )


def load_budgets(path: Path) -> Budgets:
    """Read and parse a budgets file."""
    return parse_budgets(read_config(path), str(path))


def read_config(path: Path) -> str:
    """A configuration file's text, or a usage error saying why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise BudgetsError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise BudgetsError(f"{path}: is a directory, not a budgets file") from exc
    except UnicodeDecodeError as exc:
        raise BudgetsError(f"{path}: not UTF-8 text") from exc
    except OSError as exc:
        raise BudgetsError(f"{path}: {exc.strerror}") from exc
