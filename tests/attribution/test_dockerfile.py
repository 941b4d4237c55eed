"""Parsing Dockerfiles: directives, continuations, heredocs, stages and substitution."""

from __future__ import annotations

from pathlib import Path

import pytest

from auger.attribution.dockerfile.stages import DEFAULT_SHELL, parse_dockerfile
from auger.attribution.dockerfile.syntax import DockerfileError, parse_source
from auger.attribution.dockerfile.words import expand, split

FIXTURES = Path(__file__).parent / "dockerfiles"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_instructions_keep_the_line_they_start_on() -> None:
    source = parse_source(fixture("multistage.Dockerfile"))
    assert source.directives == {"syntax": "docker/dockerfile:1"}
    assert [(raw.keyword, raw.line) for raw in source.instructions] == [
        ("ARG", 2),
        ("ARG", 3),
        ("FROM", 5),
        ("ARG", 6),
        ("WORKDIR", 7),
        ("COPY", 8),
        ("RUN", 9),
        ("FROM", 14),
        ("ENV", 15),
        ("ARG", 17),
        ("RUN", 18),
        ("WORKDIR", 23),
        ("COPY", 24),
        ("COPY", 25),
        ("RUN", 26),
        ("USER", 31),
        ("CMD", 32),
    ]
    run = source.instructions[10]
    # the comment and the empty line inside the continuation are skipped
    assert run.text == (
        "RUN apt-get update && apt-get install -y --no-install-recommends curl && "
        "rm -rf /var/lib/apt/lists/*"
    )
    assert run.end_line == 22


def test_heredocs() -> None:
    source = parse_source(fixture("heredocs.Dockerfile"))
    setup = source.instructions[2]
    assert setup.line == 3
    [document] = setup.heredocs
    assert (document.name, document.chomp, document.expand) == ("SETUP", True, True)
    assert document.content == "apt-get update\napt-get install -y make\n"
    [script] = source.instructions[3].heredocs
    assert (script.name, script.expand) == ("SCRIPT", False)
    assert script.content.startswith("#!/usr/bin/env python3\n")
    assert source.instructions[4].heredocs[0].content == 'print("from a heredoc")\n'
    copy = source.instructions[5]
    assert (copy.keyword, copy.line, copy.heredocs[0].content) == ("COPY", 14, "key=value\n")
    assert source.instructions[6].line == 17


def test_the_escape_directive() -> None:
    source = parse_source(fixture("backtick.Dockerfile"))
    assert source.escape == "`"
    run = source.instructions[2]
    assert run.text == "RUN powershell -Command Write-Host hello"
    workdir = source.instructions[1]
    assert workdir.arguments == "C:\\app"  # a backslash is no escape here


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("RUN echo before FROM\n", "before the first FROM"),
        ("FROM a\nRUN <<EOF\necho never ends\n", "not terminated"),
        ("# escape=x\nFROM a\n", "escape must be"),
        ("FROM a\n=broken\n", "not an instruction"),
        ("# just a comment\n", "no FROM"),
        ("FROM a\nSHELL /bin/bash -c\n", "JSON list"),
    ],
)
def test_malformed_dockerfiles_name_the_line(text: str, message: str) -> None:
    with pytest.raises(DockerfileError, match=message):
        parse_dockerfile(text)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("$A/${B}", "1/two"),
        ("${UNSET:-fallback}", "fallback"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${EMPTY-fallback}", ""),
        ("${A:+set}", "set"),
        ("${EMPTY:+set}", ""),
        ("${EMPTY+set}", "set"),
        ("${UNSET+set}", ""),
        ("'$A'", "$A"),
        ('"$A b"', "1 b"),
        ("\\$A", "$A"),
        ("${UNSET:-${B}x}", "twox"),
        ("$", "$"),
        ("a$UNSET", "a"),
    ],
)
def test_substitution(word: str, expected: str) -> None:
    assert expand(word, {"A": "1", "B": "two", "EMPTY": ""}) == expected


def test_splitting_respects_quotes() -> None:
    assert split("A=\"x y\" B=$C 'D=$E'", {"C": "c"}) == ["A=x y", "B=c", "D=$E"]


def test_stages_substitution_and_what_run_records() -> None:
    dockerfile = parse_dockerfile(fixture("multistage.Dockerfile"))
    build, final = dockerfile.stages
    assert (build.name, build.base, build.base_stage) == ("build", "python:3.12-slim", None)
    assert (final.name, final.base, final.start.line) == ("", "python:3.12-slim", 14)
    assert dockerfile.chain() == (final,)
    workdir = build.instructions[1]
    assert (workdir.keyword, workdir.command) == ("WORKDIR", "/src")
    pip = build.instructions[3]
    assert pip.shell == DEFAULT_SHELL
    # the --mount flag is not part of the command; the text is raw (the shell substitutes)
    assert " ".join(pip.command.split()) == (
        "pip install ${PIP_FLAGS} --prefix=/install -r requirements.txt"
    )
    layer_makers = [(i.keyword, i.line, i.command) for i in final.instructions if i.makes_layer]
    assert layer_makers[1] == ("WORKDIR", 23, "/srv/app")  # ENV substituted
    assert layer_makers[4][0:2] == ("RUN", 26)
    assert layer_makers[4][2] == (
        'set -e\npython -m compileall -q .\necho "${VERSION}" > VERSION\n'
    )


def test_heredoc_commands_as_buildkit_runs_them() -> None:
    dockerfile = parse_dockerfile(fixture("heredocs.Dockerfile"))
    [stage] = dockerfile.stages
    runs = [i for i in stage.instructions if i.keyword == "RUN"]
    bash = ("/bin/bash", "-o", "pipefail", "-c")
    assert (runs[0].command, runs[0].shell) == ("apt-get update\napt-get install -y make\n", bash)
    assert (runs[1].command, runs[1].shell) == ("/dev/pipes/SCRIPT", ())  # a shebang: run as file
    assert runs[2].command == 'python3 <<PY && echo done\nprint("from a heredoc")\nPY'
    assert (runs[3].command, runs[3].shell) == ("/bin/echo exec form", ())


def test_stages_built_from_stages_carry_env_workdir_and_shell() -> None:
    dockerfile = parse_dockerfile(
        "ARG V=1\n"
        "FROM alpine:3.20 AS base\n"
        "ENV ROOT=/opt\n"
        'SHELL ["/bin/ash", "-c"]\n'
        "WORKDIR $ROOT/app\n"
        "FROM base AS test\n"
        "ARG V\n"
        "WORKDIR tests/v$V\n"
        "RUN make test\n"
    )
    base, test = dockerfile.stages
    assert test.base_stage == 0
    assert dockerfile.chain() == (base, test)
    workdir, run = (i for i in test.instructions if i.makes_layer)
    assert workdir.command == "/opt/app/tests/v1"  # the global ARG, declared again
    assert run.shell == ("/bin/ash", "-c")


def test_build_args_override_defaults() -> None:
    dockerfile = parse_dockerfile("FROM a\nARG DIR=/x\nWORKDIR $DIR\n", {"DIR": "/y"})
    [workdir] = dockerfile.stages[0].instructions[1:]
    assert workdir.command == "/y"
