"""Faults around a real ``auger`` process: its output broken, closed or full, SIGINT and
SIGTERM while it scans and while it writes, a file size limit, concurrent writers. The exit
code keeps the verdict (a failing check never exits 0), every fault is one line on stderr,
and no temporary file is left behind."""

from __future__ import annotations

import errno
import io
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from auger.cli.console import Console
from auger.cli.main import main
from auger.testing.images import TarEntry, file
from tests.budgets.support import BLOATED, LEAN, NO_ENGINE, write_archive

FAIL, PASS = 1, 0
OUTPUT_FAILED = 4


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("faults")
    return {
        "fails": write_archive(directory, BLOATED, name="bloated.tar"),
        "passes": write_archive(directory, LEAN, name="lean.tar"),
    }


def environment(**extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    return {**environ, **NO_ENGINE, **extra}


def auger(argv: Sequence[str], **options: object) -> subprocess.Popen[bytes]:
    """``python -m auger ARGV`` (run as the console script runs it)."""
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "auger", *argv], **{"env": environment(), **options}
    )


def error_lines(stderr: bytes) -> list[str]:
    lines = stderr.decode().splitlines()
    assert all(line.startswith(("auger: ", "::")) for line in lines), lines  # (annotations)
    assert "Traceback" not in stderr.decode()
    return [line for line in lines if line.startswith("auger: error: ")]


# -- stdout broken, closed, full --------------------------------------------------------------

GATES = [
    (["check", "{image}", "-q"], {}),
    (["{image}", "-q"], {"CI": "true"}),
    (["check", "{image}", "-q", "--format", "junit"], {}),
    (["check", "{image}", "-q", "--format", "json"], {"GITHUB_ACTIONS": "true"}),
]


def gate_argv(argv: list[str], image: Path) -> list[str]:
    return [part.format(image=image) for part in argv]


@pytest.mark.parametrize(("argv", "extra"), GATES, ids=["check", "CI", "junit", "github"])
@pytest.mark.parametrize("verdict", ["fails", "passes"])
def test_a_broken_pipe_keeps_the_verdict(
    images: dict[str, Path], argv: list[str], extra: dict[str, str], verdict: str
) -> None:
    """``auger check IMAGE | true``: the reader is gone before auger writes a byte."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        process = auger(
            gate_argv(argv, images[verdict]),
            stdout=writer,
            stderr=subprocess.PIPE,
            env=environment(**extra),
        )
    finally:
        os.close(writer)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == (FAIL if verdict == "fails" else PASS), stderr
    assert error_lines(stderr) == []  # a reader that stops reading is not an error


@pytest.mark.parametrize("verdict", ["fails", "passes"])
def test_a_closed_stdout_keeps_the_verdict(images: dict[str, Path], verdict: str) -> None:
    """``auger check IMAGE >&-``: one line; a failing check exits 1, a passing one 4."""
    process = auger(
        ["check", str(images[verdict]), "-q"],
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),
    )
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == (FAIL if verdict == "fails" else OUTPUT_FAILED)
    assert error_lines(stderr) == ["auger: error: cannot write to standard output: it is closed"]


@pytest.mark.parametrize("verdict", ["fails", "passes"])
def test_a_full_stdout_keeps_the_verdict(images: dict[str, Path], verdict: str) -> None:
    """``auger check IMAGE >/dev/full``."""
    with Path("/dev/full").open("wb") as full:
        process = auger(["check", str(images[verdict]), "-q"], stdout=full, stderr=subprocess.PIPE)
        _, stderr = process.communicate(timeout=120)
    assert process.returncode == (FAIL if verdict == "fails" else OUTPUT_FAILED)
    assert error_lines(stderr) == [
        "auger: error: cannot write to standard output: No space left on device"
    ]


def test_closed_stdout_and_stderr_still_exit_with_the_verdict(images: dict[str, Path]) -> None:
    def close_both() -> None:
        os.close(1)
        os.close(2)

    for verdict, code in (("fails", FAIL), ("passes", OUTPUT_FAILED)):
        process = auger(["check", str(images[verdict])], preexec_fn=close_both)
        assert process.wait(timeout=120) == code


def test_a_closed_stdout_is_no_loss_when_nothing_goes_to_it(
    images: dict[str, Path], tmp_path: Path
) -> None:
    target = tmp_path / "out.json"
    process = auger(
        [str(images["passes"]), "-q", "--json", str(target)],
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),
    )
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == PASS, stderr
    assert json.loads(target.read_text())["layer"]


class Failing(io.StringIO):
    """A stream whose writes fail with ``error`` after ``after`` characters."""

    def __init__(self, error: Exception, after: int = 0) -> None:
        super().__init__()
        self.error = error
        self.after = after

    def write(self, text: str) -> int:
        if self.tell() + len(text) > self.after:
            raise self.error
        return super().write(text)


@pytest.mark.parametrize(
    ("error", "lost"),
    [
        (BrokenPipeError(errno.EPIPE, "Broken pipe"), False),
        (OSError(errno.ENOSPC, "No space left on device"), True),
        (OSError(errno.EIO, "Input/output error"), True),
        (ValueError("I/O operation on closed file."), True),
    ],
)
@pytest.mark.parametrize("verdict", ["fails", "passes"])
def test_in_process_write_failures(
    images: dict[str, Path], error: Exception, lost: bool, verdict: str
) -> None:
    stderr = io.StringIO()
    console = Console(Failing(error, after=10), stderr, NO_ENGINE)
    code = main(["check", str(images[verdict]), "--format", "json", "-q"], console)
    if verdict == "fails":
        assert code == FAIL
    else:
        assert code == (OUTPUT_FAILED if lost else PASS)
    assert ("cannot write to standard output" in stderr.getvalue()) is lost
    assert len(stderr.getvalue().splitlines()) == int(lost)


# -- SIGINT and SIGTERM -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [(signal.SIGINT, 130, "auger: interrupted"), (signal.SIGTERM, 143, "auger: terminated")],
)
def test_a_signal_during_the_scan(
    images: dict[str, Path], tmp_path: Path, signum: int, code: int, said: str
) -> None:
    """The archive comes through a named pipe, half of it: auger is mid-scan, waiting."""
    fifo = tmp_path / "image.tar"
    os.mkfifo(fifo)
    data = images["fails"].read_bytes()
    process = auger(["check", str(fifo), "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with fifo.open("wb") as pipe:  # opens once auger has opened the archive
        pipe.write(data[: len(data) // 2])
        pipe.flush()
        time.sleep(0.5)
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert stdout == b""
    assert stderr.decode().splitlines() == [said]


def big_image(directory: Path) -> Path:
    """An image whose JSON export is tens of megabytes (long names), so that writing it takes
    a while."""
    names = [f"{index:05d}-" + "n" * 4000 for index in range(2500)]
    layers: list[list[TarEntry]] = [[file(name, 1) for name in names], [file(names[0], 2)]]
    return write_archive(directory, layers, name="big.tar")


def temporaries(directory: Path, name: str) -> list[Path]:
    return [path for path in directory.iterdir() if path.name.startswith(f".{name}.")]


def stop_while_writing(process: subprocess.Popen[bytes], directory: Path, name: str) -> bool:
    """Stop ``process`` while its temporary file exists; False if it finished first."""
    while process.poll() is None:
        if temporaries(directory, name):
            process.send_signal(signal.SIGSTOP)
            if temporaries(directory, name):
                return True
            process.send_signal(signal.SIGCONT)
            return False
        time.sleep(0.0002)
    return False


@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [(signal.SIGINT, 130, "auger: interrupted"), (signal.SIGTERM, 143, "auger: terminated")],
)
def test_a_signal_during_the_write_leaves_no_temporary_file(
    tmp_path: Path, signum: int, code: int, said: str
) -> None:
    image = big_image(tmp_path / "image")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "export.json"
    target.write_text("the previous export")
    for _ in range(30):  # the window is milliseconds wide: catch it in one of the tries
        process = auger([str(image), "-q", "--json", str(target)], stderr=subprocess.PIPE)
        if stop_while_writing(process, out, target.name):
            process.send_signal(signum)
            process.send_signal(signal.SIGCONT)
            _, stderr = process.communicate(timeout=60)
            assert process.returncode == code, stderr
            assert stderr.decode().splitlines() == [said]
            assert temporaries(out, target.name) == []
            assert target.read_text() == "the previous export"
            return
        process.communicate(timeout=60)
        target.write_text("the previous export")
    pytest.fail("never caught auger while it wrote")


# -- a full disk, concurrent writers ------------------------------------------------------------


def limit_file_size() -> None:
    """In the child: files may not grow past 4 KiB (writing more fails with EFBIG, as on a
    full disk, instead of raising SIGXFSZ)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@pytest.mark.parametrize(
    ("argv", "target_name"),
    [
        (["{big}", "-q", "--json", "{target}"], "export.json"),
        (["report", "{big}", "-q", "--format", "json", "-o", "{target}"], "report.json"),
    ],
)
def test_an_output_file_that_cannot_grow_is_one_error_and_no_temporary(
    tmp_path: Path, argv: list[str], target_name: str
) -> None:
    image = big_image(tmp_path / "image")
    out = tmp_path / "out"
    out.mkdir()
    target = out / target_name
    target.write_text("kept")
    process = auger(
        [part.format(big=image, target=target) for part in argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=limit_file_size,
    )
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 2, stderr
    assert error_lines(stderr) == [f"auger: error: cannot write {target}: File too large"]
    assert target.read_text() == "kept"
    assert sorted(path.name for path in out.iterdir()) == [target_name]


@pytest.fixture
def writers(tmp_path: Path) -> Iterator[list[Path]]:
    directory = tmp_path / "images"
    yield [
        write_archive(
            directory, [[file(f"f{n}", 100 * (n + 1))] for n in range(count)], name=f"{count}.tar"
        )
        for count in range(1, 7)
    ]


def test_concurrent_writers_leave_one_whole_export(writers: list[Path], tmp_path: Path) -> None:
    target = tmp_path / "shared.json"
    start = threading.Barrier(len(writers))
    codes: list[int] = []

    def run(image: Path) -> None:
        start.wait()
        process = auger([str(image), "-q", "--json", str(target)], stderr=subprocess.PIPE)
        codes.append(process.wait(timeout=120))

    threads = [threading.Thread(target=run, args=(image,)) for image in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [0] * len(writers)
    exported = json.loads(target.read_text())  # whole, from exactly one writer
    assert len(exported["layer"]) in range(1, 7)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["images", "shared.json"]
