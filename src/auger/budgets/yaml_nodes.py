"""YAML text to nodes, without recursion and no deeper than a configuration file needs.

PyYAML's composers recurse once per level of nesting: the pure-Python one runs out of
recursion on a few hundred nested brackets, and the C one can overflow the process's stack
(libyaml also slows down quadratically with depth). This composer builds the same nodes as
:func:`yaml.compose` from the parser's events in a loop, stops with a
:class:`~yaml.composer.ComposerError` at :data:`MAX_DEPTH` levels, and uses libyaml's parser
when PyYAML has it (several times faster on large files). Unlike PyYAML, an alias to a
collection that is still open (a cycle) is an error.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import cast

import yaml
from yaml.composer import ComposerError
from yaml.error import Mark
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode

MAX_DEPTH = 64
"""Nesting levels a document may have (a budgets file needs five)."""

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVERS = yaml.SafeLoader.yaml_implicit_resolvers
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


def _mark(mark: object) -> Mark | None:
    """libyaml's marks have the same fields as PyYAML's (line, column...)."""
    return cast("Mark | None", mark)


@functools.lru_cache(maxsize=4096)
def _plain_tag(value: str) -> str:
    """The tag PyYAML's safe resolver gives a plain scalar written without one (keys and
    common values repeat, hence the cache)."""
    for tag, pattern in (*_RESOLVERS.get(value[:1], ()), *_RESOLVERS.get(None, ())):
        if pattern.match(value):
            return str(tag)
    return _STR


class _Builder:
    """Nodes assembled from events; open collections on an explicit stack."""

    def __init__(self) -> None:
        self.root: Node | None = None
        self.open: list[tuple[CollectionNode, str | None]] = []
        """Open collections and their anchors (named once closed)."""
        self.keys: list[Node | None] = []
        """Per open collection, a mapping's key waiting for its value."""
        self.anchors: dict[str, Node] = {}
        self.documents = 0

    def attach(self, node: Node) -> None:
        if not self.open:
            self.root = node
            return
        parent = self.open[-1][0]
        if isinstance(parent, SequenceNode):
            parent.value.append(node)
        elif self.keys[-1] is None:
            self.keys[-1] = node
        else:
            parent.value.append((self.keys[-1], node))
            self.keys[-1] = None

    def name(self, anchor: str | None, mark: Mark | None, node: Node) -> None:
        if anchor is None:
            return
        if anchor in self.anchors:
            raise ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence",
                self.anchors[anchor].start_mark,
                "second occurrence",
                mark,
            )
        self.anchors[anchor] = node

    def alias(self, event: AliasEvent) -> None:
        node = self.anchors.get(event.anchor or "")
        if node is None:
            inside = any(anchor == event.anchor for _, anchor in self.open)
            problem = "an alias inside the collection it names" if inside else "undefined alias"
            raise ComposerError(
                None, None, f"found {problem} {event.anchor!r}", _mark(event.start_mark)
            )
        self.attach(node)

    def start(self, event: SequenceStartEvent | MappingStartEvent) -> None:
        if len(self.open) >= MAX_DEPTH:
            raise ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", _mark(event.start_mark)
            )
        node: CollectionNode
        if isinstance(event, SequenceStartEvent):
            tag = _SEQ if event.tag in (None, "!") else event.tag
            node = SequenceNode(tag, [], _mark(event.start_mark), None, flow_style=event.flow_style)
        else:
            tag = _MAP if event.tag in (None, "!") else event.tag
            node = MappingNode(tag, [], _mark(event.start_mark), None, flow_style=event.flow_style)
        self.attach(node)
        self.open.append((node, event.anchor))
        self.keys.append(None)

    def end(self, event: SequenceEndEvent | MappingEndEvent) -> None:
        node, anchor = self.open.pop()
        self.keys.pop()
        node.end_mark = _mark(event.end_mark)
        self.name(anchor, node.start_mark, node)

    def feed(self, event: Event) -> None:
        if isinstance(event, ScalarEvent):  # the common case first
            tag = event.tag
            if tag is None or tag == "!":
                tag = _plain_tag(event.value) if event.implicit[0] else _STR
            start = _mark(event.start_mark)
            node = ScalarNode(tag, event.value, start, _mark(event.end_mark), event.style or None)
            if event.anchor is not None:
                self.name(event.anchor, start, node)
            self.attach(node)
        elif isinstance(event, AliasEvent):
            self.alias(event)
        elif isinstance(event, (SequenceStartEvent, MappingStartEvent)):
            self.start(event)
        elif isinstance(event, (SequenceEndEvent, MappingEndEvent)):
            self.end(event)
        elif isinstance(event, DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise ComposerError(
                    "expected a single document in the stream",
                    self.root.start_mark if self.root is not None else None,
                    "but found another document",
                    _mark(event.start_mark),
                )


def _events(text: str) -> Iterable[Event]:
    return yaml.parse(text, Loader=_LOADER)


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: a large file is tens of thousands of nodes and
    values, none in a cycle, that its passes would walk again and again (three quarters of
    the time spent on a 1 MB file)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def compose(text: str) -> Node | None:
    """The root node of the one document in ``text`` (``None`` when it is empty).

    Raises :class:`yaml.YAMLError` (a :class:`~yaml.MarkedYAMLError` with the line where it
    can) when the text is not YAML, holds several documents, or nests too deeply.
    """
    builder = _Builder()
    with cycle_collection_paused():
        for event in _events(text):
            builder.feed(event)
    return builder.root
