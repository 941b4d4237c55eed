"""Read ``budgets.yaml`` (schema ``version: 1``), pointing at file, line and key on any mistake.

The YAML is composed into nodes first, so every value keeps its line; each error reads
``FILE:LINE: KEY: what is wrong`` (with a did-you-mean for unknown keys).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from auger.budgets import yaml_nodes
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
from auger.budgets.units import MAX_BYTES, UnitError, parse_ratio, parse_size
from auger.clipping import clip, clip_value
from auger.errors import UsageError
from auger.layers.globs import GlobError, check_glob

SECTIONS = ("version", "image", "layers", "paths", "ignore", "growth", "overrides")
MAX_FILE_BYTES = 1 << 20
"""The largest budgets or ``.dive-ci`` file read (1 MiB): bounded input, bounded time."""
MAX_RULES = 1000
"""Path rules and ignore globs a budgets file may hold in all, each use of an anchor counted:
evaluating them is work for every file of the image."""
T = TypeVar("T")


class BudgetsError(UsageError):
    """A budgets or ``.dive-ci`` file is invalid (exit 2)."""


class YamlDocument:
    """A composed YAML document and the file name errors should cite."""

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self._constructor = yaml.constructor.SafeConstructor()
        self.memo: dict[tuple[str, int], object] = {}
        """Sections already read, by what they are and their node: a node that anchors
        share is read once."""
        self.rules = 0
        """Path rules and ignore globs read so far, each use of an anchor counted."""
        try:
            self.root = yaml_nodes.compose(text)
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
        try:
            return self._constructor.construct_object(node)
        except yaml.MarkedYAMLError as exc:  # an unknown tag, bad base64 in !!binary
            raise self.error(node, key, clip(exc.problem or "cannot read this value")) from exc
        except (ValueError, OverflowError, IndexError, KeyError, AttributeError) as exc:
            # PyYAML's constructors fail this way on text their tag does not fit: 4,301
            # digits, 2001-02-30, !!bool maybe, !!timestamp now
            tag = node.tag.rpartition(":")[2]
            reason = "too many digits" if "digits" in str(exc) else f"not a valid {tag}"
            raise self.error(node, key, f"cannot read {clip(node.value)!r}: {reason}") from exc

    def text(self, node: Node, key: str) -> str:
        value = self.scalar(node, key)
        if not isinstance(value, str) or not value:
            raise self.error(node, key, f"expected text, got {clip_value(value)}")
        return value

    def mapping(self, node: Node, key: str, allowed: tuple[str, ...]) -> dict[str, Node]:
        """A mapping's entries by key; unknown or repeated keys are errors."""
        if not isinstance(node, MappingNode):
            raise self.error(node, key, "expected a mapping (key: value lines)")
        result: dict[str, Node] = {}
        for key_node, value_node in node.value:
            name = self.scalar(key_node, key)
            shown = clip(name) if isinstance(name, str) else clip_value(name)
            full = f"{key}.{shown}" if key else shown
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

    def once(self, what: str, node: Node, read: Callable[[], T]) -> T:
        """``read()`` the first time ``what`` is read at ``node``, the same value after."""
        key = (what, id(node))
        if key not in self.memo:
            self.memo[key] = read()
        return cast(T, self.memo[key])

    def sequence(self, node: Node, key: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            raise self.error(node, key, "expected a list (lines starting with '- ')")
        return list(node.value)


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UnitError(f"expected a whole number, got {clip_value(value)}")
    if value < 0:
        raise UnitError("expected a whole number, not a negative one")
    if value > MAX_BYTES:
        raise UnitError("too large a number (at most 2^64 - 1)")
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
    def read() -> dict[str, Limit]:
        entries = doc.mapping(node, key, tuple(metrics))
        return {
            name: _limit(doc, value, f"{key}.{name}", metrics[name])
            for name, value in entries.items()
        }

    return doc.once(f"limits {key.rpartition('.')[2]}", node, read)


def _glob(doc: YamlDocument, node: Node, key: str) -> str:
    glob = doc.text(node, key)
    if not glob.startswith(("/", "**")):
        raise doc.error(node, key, f"a path glob starts with '/' or '**' (e.g. /{clip(glob)})")
    try:
        check_glob(glob)
    except GlobError as exc:
        raise doc.error(node, key, str(exc)) from exc
    return glob


def _counted(doc: YamlDocument, node: Node, key: str, budgets: Budgets) -> Budgets:
    """Count the path rules and ignore globs of ``budgets`` (read at ``node``) against
    :data:`MAX_RULES`."""
    doc.rules += len(budgets.paths) + len(budgets.ignore)
    if doc.rules > MAX_RULES:
        raise doc.error(
            node,
            key,
            f"more than {MAX_RULES:,} path rules and ignore globs in all (each use of an "
            "anchor counts); a budgets file needs far fewer",
        )
    return budgets


def _paths(doc: YamlDocument, node: Node, key: str) -> tuple[PathRule, ...]:
    return doc.once("paths", node, lambda: _read_paths(doc, node, key))


def _read_paths(doc: YamlDocument, node: Node, key: str) -> tuple[PathRule, ...]:
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
    return doc.once(
        "ignore",
        node,
        lambda: tuple(
            _glob(doc, item, f"{key}[{index}]")
            for index, item in enumerate(doc.sequence(node, key))
        ),
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
        budgets = _counted(doc, item, where, _sections(doc, fields, f"{where}."))
        result.append(Override(match, budgets, doc.origin(item)))
    return tuple(result)


def parse_budgets(text: str, name: str) -> Budgets:
    """Parse the text of a budgets file; ``name`` is how errors cite it."""
    with yaml_nodes.cycle_collection_paused():
        return _parse_budgets(text, name)


def _parse_budgets(text: str, name: str) -> Budgets:
    doc = YamlDocument(text, name)
    if doc.root is None:
        raise BudgetsError(f"{name}:1: the file is empty (start with 'version: 1')")
    fields = doc.mapping(doc.root, "", SECTIONS)
    if "version" not in fields:
        raise doc.error(doc.root, "version", "missing; start the file with 'version: 1'")
    version = doc.scalar(fields["version"], "version")
    if type(version) is not int or version != 1:
        shown = clip_value(version)
        raise doc.error(fields["version"], "version", f"unsupported version {shown} (use 1)")
    budgets = _counted(doc, doc.root, "paths", _sections(doc, fields, ""))
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
    """A configuration file's text, or a usage error saying why it cannot be read (or that it
    is larger than :data:`MAX_FILE_BYTES`)."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise BudgetsError(
                f"{clip(str(path))}: larger than {MAX_FILE_BYTES >> 20} MiB; a configuration "
                "file needs far less"
            )
        return data.decode("utf-8")
    except FileNotFoundError as exc:
        raise BudgetsError(f"{clip(str(path))}: no such file") from exc
    except IsADirectoryError as exc:
        raise BudgetsError(f"{clip(str(path))}: is a directory, not a budgets file") from exc
    except UnicodeDecodeError as exc:
        raise BudgetsError(f"{clip(str(path))}: not UTF-8 text") from exc
    except OSError as exc:
        raise BudgetsError(f"{clip(str(path))}: {exc.strerror}") from exc
