"""Fuzz auger for longer than the test suite does: no input may end in an internal error.

Each target (``tests/fuzz/targets.py``: the tar scanner, whole archives and layouts, the
documents inside them, budgets and ``.dive-ci`` files, globs, the file viewer's text) starts
from its seed corpus in ``tests/fuzz/corpus/TARGET/``. With atheris installed
(``pip install atheris``) the run is
coverage-guided (libFuzzer, one process per target); without it, inputs are random
mutations of the corpus. Inputs that fail are written to ``--crashes DIR``; once fixed, copy
them into the target's corpus directory so that the test suite replays them for good.

    python scripts/fuzz.py [TARGET ...] [--seconds 60] [--engine atheris|random]
    python scripts/fuzz.py --write-seeds    # (re)write the seed files of the corpus
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import random
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fuzz" / "corpus"
sys.path.insert(0, str(ROOT))


def _quiet_parallel() -> None:
    """One process per input: forking a second CPU's worth per input only slows fuzzing."""
    import auger.parallel  # noqa: PLC0415

    auger.parallel.can_fork = lambda: False


def corpus_of(target: str) -> list[bytes]:
    return [path.read_bytes() for path in sorted((CORPUS / target).glob("*")) if path.is_file()]


def write_seeds() -> None:
    from tests.fuzz.targets import seeds  # noqa: PLC0415

    for target, items in seeds().items():
        directory = CORPUS / target
        directory.mkdir(parents=True, exist_ok=True)
        for number, data in enumerate(items):
            (directory / f"seed-{number}").write_bytes(data)
        print(f"{target}: {len(items)} seeds")


def _save(crashes: Path, target: str, data: bytes) -> Path:
    crashes.mkdir(parents=True, exist_ok=True)
    path = crashes / f"{target}-{hashlib.sha256(data).hexdigest()[:16]}"
    path.write_bytes(data)
    return path


def fuzz_random(target: str, seconds: float, crashes: Path, seed: int) -> int:
    """Mutate the corpus at random for ``seconds``; return the number of failing inputs."""
    from tests.fuzz.targets import DICTIONARY, TARGETS, InternalError, mutate, run  # noqa: PLC0415

    _quiet_parallel()
    rng = random.Random(seed)
    pool = corpus_of(target)
    words = DICTIONARY[target]
    failures: dict[str, Path] = {}
    runs = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        data = mutate(rng.choice(pool), rng, words)
        started = time.monotonic()
        try:
            clean = run(TARGETS[target], data)
        except InternalError as error:
            clean = False
            cause = error.__cause__
            assert cause is not None
            where = traceback.extract_tb(cause.__traceback__)[-1]
            key = f"{type(cause).__name__} at {Path(where.filename).name}:{where.lineno}"
            if key not in failures:
                failures[key] = _save(crashes, target, data)
                print(f"  {target}: {error} ({key}) -> {failures[key]}", flush=True)
        elapsed = time.monotonic() - started
        if elapsed > 2:
            path = _save(crashes, f"{target}-slow", data)
            print(f"  {target}: {elapsed:.1f} s on one input -> {path}", flush=True)
        if clean and len(pool) < 500 and rng.random() < 0.2:
            pool.append(data)  # mutants that still read as input become parents too
        runs += 1
    print(f"{target}: {runs} inputs in {seconds:.0f} s, {len(failures)} distinct failures")
    return len(failures)


def _atheris_child(target: str, seconds: float, crashes: Path) -> None:
    """In a process of its own: libFuzzer over one target, started from a copy of its corpus."""
    import atheris  # noqa: PLC0415

    with atheris.instrument_imports(include=["auger"]):
        from tests.fuzz import targets  # noqa: PLC0415

    _quiet_parallel()
    target_function = targets.TARGETS[target]

    def one_input(data: bytes) -> None:
        targets.run(target_function, data)

    work = Path(tempfile.mkdtemp(prefix=f"auger-fuzz-{target}-"))
    for number, data in enumerate(corpus_of(target)):
        (work / f"seed-{number}").write_bytes(data)
    dictionary = work.with_suffix(".dict")
    dictionary.write_text(
        "".join(
            '"' + "".join(f"\\x{byte:02x}" for byte in word) + '"\n'
            for word in targets.DICTIONARY[target]
        )
    )
    crashes.mkdir(parents=True, exist_ok=True)
    arguments = [
        sys.argv[0],
        str(work),
        f"-max_total_time={int(seconds)}",
        f"-dict={dictionary}",
        f"-artifact_prefix={crashes}/{target}-",
        "-rss_limit_mb=3072",
        "-timeout=10",
        "-print_final_stats=1",
    ]
    atheris.Setup(arguments, one_input)
    atheris.Fuzz()


def fuzz_atheris(target: str, seconds: float, crashes: Path) -> int:
    command = [sys.executable, __file__, "--atheris-child", target]
    command += ["--seconds", str(seconds), "--crashes", str(crashes)]
    done = subprocess.run(command, check=False)
    print(f"{target}: libFuzzer exited {done.returncode}")
    return 0 if done.returncode == 0 else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", metavar="TARGET", help="default: every target")
    parser.add_argument("--seconds", type=float, default=60, help="per target (default 60)")
    parser.add_argument("--engine", choices=("atheris", "random"))
    parser.add_argument("--crashes", type=Path, default=Path("fuzz-crashes"))
    parser.add_argument("--seed", type=int, default=0, help="random engine: the first seed")
    parser.add_argument("--write-seeds", action="store_true")
    parser.add_argument("--atheris-child", metavar="TARGET", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_seeds:
        write_seeds()
        return
    if args.atheris_child:  # before auger is imported: atheris instruments it as it loads
        _atheris_child(args.atheris_child, args.seconds, args.crashes)
        return
    from tests.fuzz.targets import TARGETS  # noqa: PLC0415

    chosen = args.targets or list(TARGETS)
    unknown = [name for name in chosen if name not in TARGETS]
    if unknown:
        parser.error(f"unknown targets: {', '.join(unknown)} (choose from {', '.join(TARGETS)})")
    engine = args.engine or ("atheris" if importlib.util.find_spec("atheris") else "random")
    failed = 0
    for number, target in enumerate(chosen):
        if engine == "atheris":
            failed += fuzz_atheris(target, args.seconds, args.crashes)
        else:
            failed += fuzz_random(target, args.seconds, args.crashes, args.seed + number)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
