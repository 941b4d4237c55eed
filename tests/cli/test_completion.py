"""``auger --print-completion SHELL``: scripts that the shells accept and that complete auger's
commands, options, option values and paths. bash and fish are asked for completions as a user
would get them; zsh checks the script's syntax."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from auger.cli.diff import FORMATS as DIFF_FORMATS
from auger.cli.main import COMMANDS
from auger.cli.parsing import GATE_FORMATS
from tests.conftest import require
from tests.support import one_error, run_cli


def script(shell: str, tmp_path: Path) -> Path:
    result = run_cli(["--print-completion", shell])
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    target = tmp_path / f"auger.{shell}"
    target.write_text(result.stdout)
    return target


def shell(name: str) -> str:
    found = shutil.which(name)
    require(found is not None, f"{name} is not installed (Debian's {name})")
    assert found is not None
    return found


BASH_DRIVER = """\
source "$1"
shift
COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
_shtab_auger auger "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\\n' "${COMPREPLY[@]}"
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A directory holding an archive and a directory whose names start like commands."""
    directory = tmp_path / "work"
    (directory / "chunks").mkdir(parents=True)
    (directory / "chart.tar").write_bytes(b"")
    return directory


def bash_completions(words: list[str], tmp_path: Path, workdir: Path) -> list[str]:
    completed = subprocess.run(
        [shell("bash"), "-c", BASH_DRIVER, "complete", str(script("bash", tmp_path)), *words],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return [line for line in completed.stdout.splitlines() if line]


def fish_completions(line: str, tmp_path: Path, workdir: Path) -> list[str]:
    completed = subprocess.run(
        [shell("fish"), "-c", f"source {script('fish', tmp_path)}; complete -C '{line}'"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return [entry.split("\t")[0] for entry in completed.stdout.splitlines() if entry]


def test_bash_completes_commands_and_paths_first(tmp_path: Path, workdir: Path) -> None:
    first = bash_completions(["auger", ""], tmp_path, workdir)
    assert first[: len(COMMANDS)] == list(COMMANDS)
    assert sorted(first[len(COMMANDS) :]) == ["chart.tar", "chunks"]
    started = bash_completions(["auger", "ch"], tmp_path, workdir)
    assert started[0] == "check"
    assert sorted(started[1:]) == ["chart.tar", "chunks"]


def test_bash_completes_options_and_their_values(tmp_path: Path, workdir: Path) -> None:
    assert bash_completions(["auger", "check", "--fo"], tmp_path, workdir) == ["--format"]
    formats = bash_completions(["auger", "check", "--format", ""], tmp_path, workdir)
    assert formats == list(GATE_FORMATS)
    options = bash_completions(["auger", "-"], tmp_path, workdir)
    assert {"-V", "--version", "--json", "-q", "--verbose", "--print-completion"} <= set(options)
    shells = bash_completions(["auger", "--print-completion", ""], tmp_path, workdir)
    assert shells == ["bash", "zsh", "fish", "tcsh"]


def test_bash_completes_a_directory_for_extract_output(tmp_path: Path, workdir: Path) -> None:
    words = ["auger", "extract", "chart.tar", "/etc", "-o", ""]
    assert bash_completions(words, tmp_path, workdir) == ["chunks"]


def test_fish_completes_commands_options_and_values(tmp_path: Path, workdir: Path) -> None:
    started = fish_completions("auger ch", tmp_path, workdir)
    assert started[0] == "check"
    assert sorted(started[1:]) == ["chart.tar", "chunks/"]
    assert fish_completions("auger diff --fo", tmp_path, workdir) == ["--format"]
    assert fish_completions("auger diff --format ", tmp_path, workdir) == list(DIFF_FORMATS)


def test_zsh_accepts_the_script(tmp_path: Path) -> None:
    completed = subprocess.run(
        [shell("zsh"), "-n", str(script("zsh", tmp_path))],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    text = script("zsh", tmp_path).read_text()
    assert text.startswith("#compdef auger")
    assert all(command in text for command in COMMANDS)


def test_tcsh_script_names_every_command(tmp_path: Path) -> None:
    text = script("tcsh", tmp_path).read_text()
    assert text.startswith("#")
    assert all(command in text for command in COMMANDS)


def test_an_unknown_shell_is_a_usage_error() -> None:
    line = one_error(run_cli(["--print-completion", "powershell"]), 2)
    assert "powershell" in line
    line = one_error(run_cli(["--print-completion"]), 2)
    assert "needs a shell" in line


def test_print_completion_accepts_an_equals_sign() -> None:
    assert (
        run_cli(["--print-completion=bash"]).stdout
        == run_cli(["--print-completion", "bash"]).stdout
    )
