"""A Dockerfile as stages of instructions, with what each layer-making instruction records.

The instructions that can make a layer are ``RUN``, ``COPY``, ``ADD`` and ``WORKDIR``; for
each, this module works out what the builder writes in the image's history, so that layers
can be matched to lines (:mod:`~auger.attribution.dockerfile.history`):

- ``RUN``: the command without its flags (``--mount=...``), run by the ``SHELL`` in effect
  (``/bin/sh -c`` by default) in shell form, or the JSON arguments joined in exec form; a
  heredoc-only command (``RUN <<EOF``) is the document itself, as BuildKit runs it;
- ``WORKDIR``: the absolute directory, with ``ARG`` and ``ENV`` values substituted;
- ``COPY`` and ``ADD``: nothing more (they are matched by their order in the stage).

``ARG`` values before the first ``FROM`` are global (usable in ``FROM`` lines, and in a stage
that declares the ``ARG`` again); ``ENV``, ``SHELL`` and ``WORKDIR`` carry over to a stage
built ``FROM`` an earlier one.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

from auger.attribution.dockerfile import words
from auger.attribution.dockerfile.syntax import (
    DockerfileError,
    RawInstruction,
    Source,
    parse_source,
)

LAYER_KEYWORDS = frozenset({"RUN", "COPY", "ADD", "WORKDIR"})
DEFAULT_SHELL = ("/bin/sh", "-c")
_FLAGS = re.compile(r"(?:--[A-Za-z][A-Za-z0-9-]*(?:=(?:\"[^\"]*\"|'[^']*'|\S)*)?\s+)*")
_HEREDOC_ONLY = re.compile(r"\d*<<-?\s*(['\"]?)[A-Za-z0-9_.\-]+\1")
_AS = re.compile(r"\s+[Aa][Ss]\s+(\S+)\s*$")


@dataclass(frozen=True, slots=True)
class Instruction:
    """One instruction of a stage."""

    keyword: str
    line: int
    text: str
    """The instruction on one line, as written (blanks collapsed, heredoc bodies left out)."""
    stage: int
    command: str = ""
    """``RUN``: the command the builder records; ``WORKDIR``: the absolute directory."""
    shell: tuple[str, ...] = ()
    """``RUN`` in shell form: the shell that runs :attr:`command` (empty in exec form)."""

    @property
    def makes_layer(self) -> bool:
        """True for the instructions that can add a layer."""
        return self.keyword in LAYER_KEYWORDS


@dataclass(frozen=True, slots=True)
class Stage:
    """A ``FROM`` line and the instructions up to the next one."""

    index: int
    name: str
    """The ``AS`` name (lower-cased), or ``""``."""
    base: str
    """The image (or stage) it starts from, with global ``ARG`` values substituted."""
    base_stage: int | None
    """The index of the earlier stage it starts from, if it starts from one."""
    start: Instruction
    """Its ``FROM`` instruction."""
    instructions: tuple[Instruction, ...]


@dataclass(frozen=True, slots=True)
class Dockerfile:
    """A parsed Dockerfile."""

    stages: tuple[Stage, ...]

    def chain(self) -> tuple[Stage, ...]:
        """The final stage and the stages it is built ``FROM``, first stage first."""
        if not self.stages:
            return ()
        chain = [self.stages[-1]]
        while chain[-1].base_stage is not None:
            chain.append(self.stages[chain[-1].base_stage])
        return tuple(reversed(chain))


@dataclass
class _State:
    """What substitution and ``RUN`` see at a point of a stage."""

    env: dict[str, str]
    args: dict[str, str]
    shell: tuple[str, ...] = DEFAULT_SHELL
    workdir: str = "/"

    def values(self) -> dict[str, str]:
        return {**self.args, **self.env}


def _key_values(text: str, state: _State, escape: str) -> list[tuple[str, str | None]]:
    pairs: list[tuple[str, str | None]] = []
    for word in words.split(text, state.values(), escape):
        key, equals, value = word.partition("=")
        pairs.append((key, value if equals else None))
    return pairs


def _env(raw: RawInstruction, state: _State, escape: str) -> None:
    first = raw.arguments.split(None, 1)
    if first and "=" not in first[0]:  # the legacy form: ENV NAME the rest of the line
        rest = first[1] if len(first) > 1 else ""
        state.env[first[0]] = words.expand(rest, state.values(), escape)
        return
    for key, value in _key_values(raw.arguments, state, escape):
        state.env[key] = value or ""


def _arg(
    raw: RawInstruction,
    state: _State,
    escape: str,
    global_args: Mapping[str, str],
    build_args: Mapping[str, str],
) -> None:
    for key, value in _key_values(raw.arguments, state, escape):
        if key in build_args:
            state.args[key] = build_args[key]
        elif value is not None:
            state.args[key] = value
        elif key in global_args:
            state.args[key] = global_args[key]


def _json_list(text: str) -> list[str] | None:
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None


def _run(raw: RawInstruction, state: _State) -> tuple[str, tuple[str, ...]]:
    """What the builder records for a ``RUN``: (command, shell running it)."""
    flags = _FLAGS.match(raw.arguments + " ")
    rest = raw.arguments[flags.end() if flags else 0 :].strip()
    exec_form = _json_list(rest)
    if exec_form is not None:
        return " ".join(exec_form), ()
    if raw.heredocs:
        if _HEREDOC_ONLY.fullmatch(rest) and len(raw.heredocs) == 1:
            document = raw.heredocs[0]
            if document.content.startswith("#!"):
                return f"/dev/pipes/{document.name}", ()
            return document.content, state.shell
        bodies = "".join(f"\n{doc.content}{doc.name}" for doc in raw.heredocs)
        return rest + bodies, state.shell
    return rest, state.shell


def _workdir(raw: RawInstruction, state: _State, escape: str) -> str:
    path = words.expand(raw.arguments.strip(), state.values(), escape)
    joined = path if path.startswith("/") else posixpath.join(state.workdir, path)
    state.workdir = posixpath.normpath(joined).replace("//", "/")
    return state.workdir


def _from(raw: RawInstruction, global_args: Mapping[str, str], escape: str) -> tuple[str, str]:
    arguments = raw.arguments
    name = ""
    match = _AS.search(arguments)
    if match is not None:
        name = match.group(1).lower()
        arguments = arguments[: match.start()]
    image = [word for word in arguments.split() if not word.startswith("--")]
    if len(image) != 1:
        raise DockerfileError(f"line {raw.line}: FROM needs one image: {raw.text!r}")
    return words.expand(image[0], global_args, escape), name


def build(source: Source, build_args: Mapping[str, str] | None = None) -> Dockerfile:
    """The stages of a parsed Dockerfile (``build_args`` as given with ``--build-arg``)."""
    build_args = build_args or {}
    escape = source.escape
    global_state = _State(env={}, args={})
    stages: list[Stage] = []
    states: list[_State] = []
    current: list[Instruction] = []
    state = global_state
    start: Instruction | None = None
    base = name = ""
    base_stage: int | None = None

    def close() -> None:
        if start is not None:
            stages.append(Stage(len(stages), name, base, base_stage, start, tuple(current)))
            states.append(state)

    for raw in source.instructions:
        if raw.keyword == "FROM":
            close()
            base, name = _from(raw, global_state.args, escape)
            known = {stage.name: stage.index for stage in stages if stage.name}
            base_stage = known.get(base.lower())
            parent = states[base_stage] if base_stage is not None else None
            state = _State(
                env=dict(parent.env) if parent else {},
                args={},
                shell=parent.shell if parent else DEFAULT_SHELL,
                workdir=parent.workdir if parent else "/",
            )
            start = Instruction("FROM", raw.line, raw.text, len(stages))
            current = []
            continue
        if start is None:
            if raw.keyword != "ARG":
                raise DockerfileError(f"line {raw.line}: {raw.keyword} before the first FROM")
            _arg(raw, global_state, escape, {}, build_args)
            continue
        index = len(stages)
        command = ""
        shell: tuple[str, ...] = ()
        if raw.keyword == "ENV":
            _env(raw, state, escape)
        elif raw.keyword == "ARG":
            _arg(raw, state, escape, global_state.args, build_args)
        elif raw.keyword == "SHELL":
            chosen = _json_list(raw.arguments.strip())
            if not chosen:
                raise DockerfileError(f"line {raw.line}: SHELL needs a JSON list of strings")
            state.shell = tuple(chosen)
        elif raw.keyword == "RUN":
            command, shell = _run(raw, state)
        elif raw.keyword == "WORKDIR":
            command = _workdir(raw, state, escape)
        current.append(Instruction(raw.keyword, raw.line, raw.text, index, command, shell))
    close()
    if not stages:
        raise DockerfileError("the Dockerfile has no FROM line")
    return Dockerfile(tuple(stages))


def parse_dockerfile(text: str, build_args: Mapping[str, str] | None = None) -> Dockerfile:
    """Parse a Dockerfile's text into stages."""
    return build(parse_source(text), build_args)
