"""Read ``budgets.yaml`` (schema ``version: 1``), pointing at file, line and key on any mistake.

The YAML is composed into nodes first, so every value keeps its line; each problem reads
``FILE:LINE: KEY: what is wrong`` (with a did-you-mean for unknown keys). The whole file is
read before anything is raised: the :class:`BudgetsError` carries every :class:`Problem` found,
in the order of the file (a YAML syntax error stops the reading, as nothing after it can be
trusted, and so does a file past :data:`MAX_RULES`). Every value a hostile file can hold is a
problem, never a crash; input is bounded (:data:`MAX_FILE_BYTES`), and a node that anchors
share is read, and its problems noted, once.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
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
MAX_SHOWN = 50
"""Problems an error lists line by line; the rest are counted in one more line."""
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in a configuration file: where it is, under which key, what is wrong."""

    file: str
    line: int
    key: str
    """``image.max_size``, ``paths[1].glob``; empty when the mistake is under no key."""
    message: str

    def __str__(self) -> str:
        key = f" {self.key}:" if self.key else ""
        return f"{self.file}:{self.line}:{key} {self.message}"


class BudgetsError(UsageError):
    """A budgets or ``.dive-ci`` file is invalid (exit 2). ``problems`` holds every mistake
    found, when the file could be read far enough to find them one by one."""

    def __init__(self, message: str, *, problems: tuple[Problem, ...] = ()) -> None:
        more = tuple(str(problem) for problem in problems[1:MAX_SHOWN])
        if len(problems) > MAX_SHOWN:
            more += (f"and {len(problems) - MAX_SHOWN:,} more problems in the file",)
        super().__init__(message, more=more)
        self.problems = problems

    @classmethod
    def of(cls, problems: list[Problem]) -> BudgetsError:
        """The error for ``problems`` (at least one), in the order of the file."""
        ordered = tuple(sorted(problems, key=lambda problem: problem.line))
        return cls(str(ordered[0]), problems=ordered)


class _FatalBudgetsError(BudgetsError):
    """A problem after which reading on is pointless or unbounded: raised with every problem
    noted so far, past every :meth:`YamlDocument.attempt`."""


class _NotedError(Exception):
    """The value being read is wrong and its problems are noted: skip it."""


_FAILED = object()
"""What :meth:`YamlDocument.once` remembers of a section that could not be read."""


class YamlDocument:
    """A composed YAML document, the file name problems cite, and the problems noted so far.

    A reader of one value raises :class:`BudgetsError` at its first mistake; a reader of many
    (the entries of a mapping, the items of a list) reads each through :meth:`attempt`, which
    notes what went wrong and skips that one value, so that one pass finds every mistake.
    """

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []
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
            raise BudgetsError.of(
                [Problem(name, line, "", f"YAML syntax error: {clip(problem)}")]
            ) from exc
        except yaml.YAMLError as exc:
            problem = clip(str(exc))
            raise BudgetsError.of([Problem(name, 1, "", f"YAML syntax error: {problem}")]) from exc

    def problem(self, node: Node | None, key: str, message: str) -> Problem:
        line = node.start_mark.line + 1 if node is not None else 1
        return Problem(self.name, line, key, message)

    def error(self, node: Node | None, key: str, problem: str) -> BudgetsError:
        return BudgetsError.of([self.problem(node, key, problem)])

    def stop(self, node: Node | None, key: str, problem: str) -> BudgetsError:
        """The error that ends the reading: ``problem`` with every problem noted so far."""
        problems = sorted([*self.problems, self.problem(node, key, problem)], key=_line)
        return _FatalBudgetsError(str(problems[0]), problems=tuple(problems))

    def note(self, node: Node | None, key: str, problem: str) -> None:
        """Note a mistake and read on."""
        self.problems.append(self.problem(node, key, problem))

    def attempt(self, read: Callable[[], T]) -> T | None:
        """``read()``, or ``None`` with its problems noted when the value is wrong."""
        try:
            return read()
        except _FatalBudgetsError:
            raise
        except BudgetsError as error:
            if not error.problems:
                raise
            self.problems += error.problems
        except _NotedError:
            pass
        return None

    def skip_if_noted(self, since: int) -> None:
        """Skip the value being read if problems were noted since there were ``since``."""
        if len(self.problems) > since:
            raise _NotedError

    def raise_problems(self) -> None:
        """Raise every problem noted, if there is any."""
        if self.problems:
            raise BudgetsError.of(self.problems)

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
        """A mapping's entries by key; unknown or repeated keys are noted and left out."""
        if not isinstance(node, MappingNode):
            raise self.error(node, key, "expected a mapping (key: value lines)")
        result: dict[str, Node] = {}
        for key_node, value_node in node.value:
            name = self.attempt(partial(self._key, key_node, key, allowed))
            if name is None:
                continue
            if name in result:
                self.note(key_node, f"{key}.{name}" if key else name, "given twice")
                continue
            result[name] = value_node
        return result

    def _key(self, node: Node, key: str, allowed: tuple[str, ...]) -> str:
        """A key of a mapping: text, and one of ``allowed``."""
        name = self.scalar(node, key)
        shown = clip(name) if isinstance(name, str) else clip_value(name)
        full = f"{key}.{shown}" if key else shown
        if not isinstance(name, str):
            raise self.error(node, full, "keys must be text")
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise self.error(node, full, f"unknown key{hint} (allowed: {', '.join(allowed)})")
        return name

    def once(self, what: str, node: Node, read: Callable[[], T]) -> T:
        """``read()`` the first time ``what`` is read at ``node``, the same value after; a
        value that could not be read has its problems noted the first time only, and is
        skipped every time."""
        key = (what, id(node))
        if key not in self.memo:
            self.memo[key] = _FAILED
            read_now = self.attempt(read)
            self.memo[key] = _FAILED if read_now is None else read_now
        remembered = self.memo[key]
        if remembered is _FAILED:
            raise _NotedError
        return cast(T, remembered)

    def sequence(self, node: Node, key: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            raise self.error(node, key, "expected a list (lines starting with '- ')")
        return list(node.value)


def _line(problem: Problem) -> int:
    return problem.line


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
        noted = len(doc.problems)
        levels = doc.mapping(node, key, ("fail", "warn"))
        if not levels and len(doc.problems) == noted:
            raise doc.error(node, key, "give a fail and/or a warn level")
        read = {
            level: doc.attempt(partial(convert, value, f"{key}.{level}"))
            for level, value in levels.items()
        }
        doc.skip_if_noted(noted)
        fail, warn = read.get("fail"), read.get("warn")
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
        limits = {}
        for name, value in doc.mapping(node, key, tuple(metrics)).items():
            limit = doc.attempt(partial(_limit, doc, value, f"{key}.{name}", metrics[name]))
            if limit is not None:
                limits[name] = limit
        return limits

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
    :data:`MAX_RULES`; past it, stop reading."""
    doc.rules += len(budgets.paths) + len(budgets.ignore)
    if doc.rules > MAX_RULES:
        raise doc.stop(
            node,
            key,
            f"more than {MAX_RULES:,} path rules and ignore globs in all (each use of an "
            "anchor counts); a budgets file needs far fewer",
        )
    return budgets


def _path_rule(doc: YamlDocument, item: Node, where: str) -> PathRule:
    noted = len(doc.problems)
    fields = doc.mapping(item, where, ("glob", "max_size", "advice"))
    if "glob" not in fields:
        doc.note(item, where, "a path rule needs a glob")
    if "max_size" not in fields:
        doc.note(item, where, "a path rule needs max_size (0 forbids the path)")
    glob = (
        doc.attempt(partial(_glob, doc, fields["glob"], f"{where}.glob"))
        if "glob" in fields
        else None
    )
    limit = (
        doc.attempt(partial(_limit, doc, fields["max_size"], f"{where}.max_size", PATH_METRIC))
        if "max_size" in fields
        else None
    )
    advice = (
        doc.attempt(partial(doc.text, fields["advice"], f"{where}.advice"))
        if "advice" in fields
        else None
    )
    doc.skip_if_noted(noted)
    assert glob is not None and limit is not None  # else a problem was noted
    return PathRule(glob, limit, advice)


def _paths(doc: YamlDocument, node: Node, key: str) -> tuple[PathRule, ...]:
    def read() -> tuple[PathRule, ...]:
        rules = (
            doc.attempt(partial(_path_rule, doc, item, f"{key}[{index}]"))
            for index, item in enumerate(doc.sequence(node, key))
        )
        return tuple(rule for rule in rules if rule is not None)

    return doc.once("paths", node, read)


def _ignore(doc: YamlDocument, node: Node, key: str) -> tuple[str, ...]:
    def read() -> tuple[str, ...]:
        globs = (
            doc.attempt(partial(_glob, doc, item, f"{key}[{index}]"))
            for index, item in enumerate(doc.sequence(node, key))
        )
        return tuple(glob for glob in globs if glob is not None)

    return doc.once("ignore", node, read)


def _sections(doc: YamlDocument, fields: dict[str, Node], prefix: str) -> Budgets:
    """The rule sections among ``fields`` (each section read apart, its mistakes noted)."""

    def limits(name: str, metrics: dict[str, Metric]) -> dict[str, Limit]:
        if name not in fields:
            return {}
        return doc.attempt(partial(_limits, doc, fields[name], prefix + name, metrics)) or {}

    paths = ignore = None
    if "paths" in fields:
        paths = doc.attempt(partial(_paths, doc, fields["paths"], f"{prefix}paths"))
    if "ignore" in fields:
        ignore = doc.attempt(partial(_ignore, doc, fields["ignore"], f"{prefix}ignore"))
    return Budgets(
        image=limits("image", IMAGE_METRICS),
        layers=limits("layers", LAYER_METRICS),
        paths=paths or (),
        ignore=ignore or (),
        growth=limits("growth", GROWTH_METRICS),
        source=doc.name,
    )


def _override(doc: YamlDocument, item: Node, where: str) -> Override:
    noted = len(doc.problems)
    fields = doc.mapping(item, where, ("match", "image", "layers", "paths", "ignore", "growth"))
    if "match" not in fields:
        doc.note(item, where, "an override needs a match (an image reference glob)")
    match = (
        doc.attempt(partial(doc.text, fields["match"], f"{where}.match"))
        if "match" in fields
        else None
    )
    budgets = _counted(doc, item, where, _sections(doc, fields, f"{where}."))
    doc.skip_if_noted(noted)
    assert match is not None  # else a problem was noted
    return Override(match, budgets, doc.origin(item))


def _overrides(doc: YamlDocument, node: Node) -> tuple[Override, ...]:
    overrides = (
        doc.attempt(partial(_override, doc, item, f"overrides[{index}]"))
        for index, item in enumerate(doc.sequence(node, "overrides"))
    )
    return tuple(override for override in overrides if override is not None)


def _version(doc: YamlDocument, fields: dict[str, Node], root: Node) -> None:
    if "version" not in fields:
        raise doc.error(root, "version", "missing; start the file with 'version: 1'")
    version = doc.scalar(fields["version"], "version")
    if type(version) is not int or version != 1:
        shown = clip_value(version)
        raise doc.error(fields["version"], "version", f"unsupported version {shown} (use 1)")


def parse_budgets(text: str, name: str) -> Budgets:
    """Parse the text of a budgets file; ``name`` is how problems cite it. Raises one
    :class:`BudgetsError` with every problem in the file."""
    with yaml_nodes.cycle_collection_paused():
        return _parse_budgets(text, name)


def _parse_budgets(text: str, name: str) -> Budgets:
    doc = YamlDocument(text, name)
    if doc.root is None:
        raise BudgetsError.of([Problem(name, 1, "", "the file is empty (start with 'version: 1')")])
    fields = doc.mapping(doc.root, "", SECTIONS)
    doc.attempt(partial(_version, doc, fields, doc.root))
    budgets = _counted(doc, doc.root, "paths", _sections(doc, fields, ""))
    overrides = None
    if "overrides" in fields:
        overrides = doc.attempt(partial(_overrides, doc, fields["overrides"]))
    doc.raise_problems()
    return Budgets(
        image=budgets.image,
        layers=budgets.layers,
        paths=budgets.paths,
        ignore=budgets.ignore,
        growth=budgets.growth,
        overrides=overrides or (),
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
