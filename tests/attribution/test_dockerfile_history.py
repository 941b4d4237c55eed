"""Layers mapped to Dockerfile lines from the history BuildKit and the classic builder write."""

from __future__ import annotations

from pathlib import Path

from auger.attribution.dockerfile.history import map_layers, recorded
from auger.attribution.dockerfile.stages import parse_dockerfile

FIXTURES = Path(__file__).parent / "dockerfiles"

# The history `docker build` (the classic builder, Docker 20.10) wrote for classic.Dockerfile,
# layers only (entries with empty_layer left out), bottom first.
CLASSIC_HISTORY = [
    "/bin/sh -c #(nop) COPY file:73e2b2d48642b21b357384b0cb81c1869cc5e0c48a00f61553756196058304b9"
    " in /bin/busybox ",
    "/bin/busybox --install -s /bin",
    "/bin/sh -c #(nop) WORKDIR /app",
    "|1 VERSION=1.2 /bin/sh -c echo $VERSION > v.txt &&     echo hi  >  h.txt",
    "/bin/sh -c #(nop) COPY file:7da86ffdd2d99e17903d9f95d6c2f647eeeed4bb2d25c5bdba32ca511cf41309"
    " in /app/ ",
    "/bin/sh -c #(nop) ADD file:7da86ffdd2d99e17903d9f95d6c2f647eeeed4bb2d25c5bdba32ca511cf41309"
    " in /app/df2 ",
    "/bin/sh -c #(nop) COPY dir:0e247cf5328594251fba64e8f8ba7f3971317342fa9265fc972f006e3d2898fe"
    " in /ctx/ ",
    "/bin/sh -c #(nop) WORKDIR /app/sub",
    "|1 VERSION=1.2 /bin/sh -ec echo shell > s.txt",
]

# What BuildKit writes for multistage.Dockerfile (dockerfile2llb's commitToHistory): the base
# image's own layers first, then the final stage's. The second RUN's command is its heredoc.
BASE_HISTORY = [
    "# debian.sh --arch 'amd64' out/ 'bookworm' '@1735516800'",
    "RUN /bin/sh -c set -eux; apt-get update; apt-get install -y --no-install-recommends"
    " ca-certificates netbase tzdata; rm -rf /var/lib/apt/lists/* # buildkit",
    "RUN /bin/sh -c set -eux; savedAptMark=...; make install # buildkit",
    "RUN /bin/sh -c set -eux; for src in idle3 pip3 pydoc3 python3; do ln -svT $src x; done"
    " # buildkit",
]
BUILDKIT_HISTORY = [
    *BASE_HISTORY,
    "RUN |1 VERSION=1.0 /bin/sh -c apt-get update &&     apt-get install -y"
    " --no-install-recommends curl &&     rm -rf /var/lib/apt/lists/* # buildkit",
    "WORKDIR /srv/app",
    "COPY /install /usr/local # buildkit",
    "COPY . . # buildkit",
    'RUN |1 VERSION=1.0 /bin/sh -c set -e\npython -m compileall -q .\necho "${VERSION}"'
    " > VERSION\n # buildkit",
]


def lines(dockerfile_name: str, history: list[str]) -> tuple[list[int | None], tuple[str, ...]]:
    dockerfile = parse_dockerfile((FIXTURES / dockerfile_name).read_text())
    mapping = map_layers(dockerfile, history)
    return [i.line if i else None for i in mapping.instructions], mapping.warnings


def test_classic_builder_history() -> None:
    found, warnings = lines("classic.Dockerfile", CLASSIC_HISTORY)
    # line 13 (WORKDIR /app, which existed) made no layer
    assert found == [2, 3, 7, 8, 10, 11, 12, 14, 16]
    assert warnings == ()


def test_buildkit_history_of_a_multi_stage_build() -> None:
    found, warnings = lines("multistage.Dockerfile", BUILDKIT_HISTORY)
    # the base image's layers map to the final stage's FROM line; the build stage makes none
    assert found == [14, 14, 14, 14, 18, 23, 24, 25, 26]
    assert warnings == ()


def test_instruction_text_is_the_line_as_written() -> None:
    dockerfile = parse_dockerfile((FIXTURES / "multistage.Dockerfile").read_text())
    mapping = map_layers(dockerfile, BUILDKIT_HISTORY)
    copy = mapping.instructions[6]
    assert copy is not None
    assert copy.text == "COPY --from=build /install /usr/local"


def test_buildkit_exec_form_shebang_heredoc_and_shell() -> None:
    history = [
        "FROM debian base layer",
        "RUN /bin/bash -o pipefail -c apt-get update\napt-get install -y make\n # buildkit",
        "RUN /dev/pipes/SCRIPT # buildkit",
        'RUN /bin/bash -o pipefail -c python3 <<PY && echo done\nprint("from a heredoc")\nPY'
        " # buildkit",
        "COPY <<CONF /etc/app.conf # buildkit",
        "RUN /bin/echo exec form # buildkit",
    ]
    found, warnings = lines("heredocs.Dockerfile", history)
    assert found == [1, 3, 7, 11, 14, 17]
    assert warnings == ()


def test_kaniko_style_history() -> None:
    dockerfile = parse_dockerfile("FROM alpine\nRUN apk add --no-cache curl\nCOPY app /app\n")
    mapping = map_layers(dockerfile, ["base", "RUN apk add --no-cache curl", "COPY app /app"])
    assert [i.line if i else None for i in mapping.instructions] == [1, 2, 3]


def test_a_dockerfile_that_did_not_build_the_image() -> None:
    dockerfile = parse_dockerfile("FROM alpine\nRUN apk add curl\nRUN echo something else\n")
    history = ["base", "/bin/sh -c apk add curl", "/bin/sh -c echo the real command"]
    mapping = map_layers(dockerfile, history)
    assert mapping.instructions == (None, None, None)
    [warning] = mapping.warnings
    assert "does not match layer 2" in warning and "line 3" in warning


def test_the_same_command_under_another_shell_does_not_match() -> None:
    dockerfile = parse_dockerfile('FROM a\nSHELL ["/bin/bash", "-c"]\nRUN make\n')
    mapping = map_layers(dockerfile, ["base", "/bin/sh -c make"])
    assert mapping.instructions == (None, None)


def test_a_command_that_only_ends_like_the_instruction_does_not_match() -> None:
    dockerfile = parse_dockerfile("FROM a\nRUN make\n")
    mapping = map_layers(dockerfile, ["base", "/bin/sh -c ./configure && make"])
    assert mapping.instructions == (None, None)


def test_missing_history_maps_by_order() -> None:
    dockerfile = parse_dockerfile("FROM a\nRUN one\nCOPY x /x\n")
    mapping = map_layers(dockerfile, ["", "", ""])
    assert [i.line if i else None for i in mapping.instructions] == [1, 2, 3]


def test_reading_history_entries() -> None:
    assert recorded("/bin/sh -c #(nop) WORKDIR /app").keyword == "WORKDIR"
    assert recorded("/bin/sh -c #(nop) WORKDIR /app").rest == "/app"
    assert recorded("COPY a b # buildkit").keyword == "COPY"
    assert recorded("|2 A=1 B=2 /bin/sh -c x").keyword == "RUN"
    assert recorded("").keyword is None
