"""The README's usage section says what ``auger --help`` says.

The help's ``usage:`` lines appear verbatim in the README, every command the help lists is shown
in the README's examples, every command an example runs exists, and every ``--flag`` an example
or a usage line names is one its command accepts. The help is read as printed (usage lines up to
the first blank line, then the ``commands:`` list), so it may be written by hand or generated.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.support import run_cli

README = Path(__file__).resolve().parent.parent / "README.md"

PASS_THROUGH = {"build"}
"""Commands whose arguments belong to another program (``auger build`` runs ``docker build``)."""

_FLAG = re.compile(r"(?<![\w-])--[A-Za-z][\w-]*")


def help_of(*argv: str) -> str:
    """What ``auger ARGV --help`` prints (and it must succeed)."""
    result = run_cli([*argv, "--help"])
    assert result.code == 0, result.stderr
    return result.stdout


def usage_lines(text: str) -> list[str]:
    """The help's usage lines: from ``usage:`` to the first blank line."""
    lines = text.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("usage:"))
    end = next((index for index in range(start, len(lines)) if not lines[index].strip()), None)
    return lines[start:end]


def listed_commands(text: str) -> list[str]:
    """The names in the help's ``commands:`` list (the least indented word of each entry)."""
    lines = text.splitlines()
    start = lines.index("commands:") + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    entries = lines[start:end]
    indent = min(len(line) - len(line.lstrip()) for line in entries)
    return [line.split()[0] for line in entries if len(line) - len(line.lstrip()) == indent]


def usage_section() -> str:
    """The README's ``## Usage`` section, up to the next second-level heading."""
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Usage\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def fenced_blocks(markdown: str, language: str) -> list[list[str]]:
    """The lines of every ```` ```language ```` block in ``markdown``."""
    pattern = re.compile(rf"^```{language}\n(.*?)^```$", re.DOTALL | re.MULTILINE)
    return [match.group(1).splitlines() for match in pattern.finditer(markdown)]


def example_runs() -> list[tuple[str, list[str]]]:
    """Each line of the README's usage examples: the line, and the words after ``auger``
    (environment assignments before it and the trailing comment dropped)."""
    runs = []
    for block in fenced_blocks(usage_section(), "sh"):
        for line in block:
            command = re.split(r"\s#", line, maxsplit=1)[0].strip()
            if not command:
                continue
            words = shlex.split(command)
            while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
                words.pop(0)
            assert words and words[0] == "auger", f"the README's usage runs {line!r}"
            runs.append((line, words[1:]))
    return runs


TOP = "--"
"""The "command" of a run that starts with an option of ``auger`` itself (``auger --version``):
its flags are those ``auger --help`` lists."""


def command_of(words: list[str], commands: list[str]) -> str:
    """The listed command a run of ``auger WORDS`` is: its first word, or the image form, or
    :data:`TOP` for an option that stands before any command."""
    if words and words[0] in commands:
        return words[0]
    if words and words[0].startswith("--") and words[0] in flags(help_of()):
        return TOP
    image_forms = [name for name in commands if name.isupper()]
    assert words and words[0] in image_forms, (
        f"auger {' '.join(words)}: '{words[0] if words else ''}' is not a command "
        f"auger --help lists ({', '.join(commands)})"
    )
    return words[0]


def undocumented(commands: list[str], runs: list[list[str]]) -> list[str]:
    """The listed commands that no run shows."""
    shown = {command_of(words, commands) for words in runs}
    return [name for name in commands if name not in shown]


def flags(text: str) -> set[str]:
    """The long options named in ``text``."""
    return set(_FLAG.findall(text))


@pytest.fixture(scope="module")
def top_help() -> str:
    return help_of()


@pytest.fixture(scope="module")
def commands(top_help: str) -> list[str]:
    names = listed_commands(top_help)
    assert len(names) >= 2, top_help
    return names


def test_the_readme_shows_the_usage_lines_of_auger_help(top_help: str) -> None:
    expected = usage_lines(top_help)
    blocks = fenced_blocks(usage_section(), "text")
    assert expected in blocks, (
        "the README's usage section must hold auger --help's usage lines verbatim, "
        "in a ```text block:\n" + "\n".join(expected)
    )


def test_every_listed_command_has_a_usage_line(top_help: str, commands: list[str]) -> None:
    shown = {line.removeprefix("usage:").split()[1] for line in usage_lines(top_help)}
    assert [name for name in commands if name not in shown] == []


def test_every_command_auger_help_lists_is_in_the_readme_examples(commands: list[str]) -> None:
    missing = undocumented(commands, [words for _, words in example_runs()])
    assert missing == [], f"document these commands in the README's usage examples: {missing}"


def test_the_readme_examples_run_only_listed_commands(commands: list[str]) -> None:
    runs = example_runs()
    assert len(runs) >= len(commands)
    for _, words in runs:
        command_of(words, commands)  # fails with the command that does not exist


def test_the_readme_examples_use_only_flags_their_command_accepts(commands: list[str]) -> None:
    unknown = []
    for line, words in example_runs():
        command = command_of(words, commands)
        if command in PASS_THROUGH:
            continue
        accepted = flags(help_of() if command == TOP else help_of(command))
        unknown += [f"{flag} in {line!r}" for flag in sorted(flags(" ".join(words)) - accepted)]
    assert unknown == []


def test_the_usage_lines_name_only_flags_their_command_accepts(
    top_help: str, commands: list[str]
) -> None:
    unknown = []
    for line in usage_lines(top_help):
        command = line.removeprefix("usage:").split()[1]
        assert command in commands, f"{line!r} is not a listed command"
        if command in PASS_THROUGH:
            continue
        accepted = flags(help_of(command))
        unknown += [f"{flag} in {line.strip()!r}" for flag in sorted(flags(line) - accepted)]
    assert unknown == []


def test_the_checks_catch_an_undocumented_command_in_a_generated_help() -> None:
    generated = (
        "usage: auger IMAGE [options]\n"
        "       auger scan IMAGE\n"
        "\n"
        "commands:\n"
        "    IMAGE   analyse an image\n"
        "    check   check budgets, with a description long enough\n"
        "            to wrap onto a second line\n"
        "    scan    a command the README does not show\n"
    )
    commands = listed_commands(generated)
    assert commands == ["IMAGE", "check", "scan"]
    assert usage_lines(generated) == ["usage: auger IMAGE [options]", "       auger scan IMAGE"]
    assert undocumented(commands, [["IMAGE", "--ci"], ["check", "IMAGE"]]) == ["scan"]
    with pytest.raises(AssertionError, match="not a command"):
        command_of(["frobnicate", "IMAGE"], commands)
    with pytest.raises(AssertionError, match="not a command"):
        command_of(["--no-such-option"], commands)
    assert command_of(["--version"], commands) == TOP
