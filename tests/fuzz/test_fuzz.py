"""A short fuzzing pass: every input of the corpus, then mutations of it, through every
target; no input may end in anything but an AugerError (``scripts/fuzz.py`` runs longer)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.targets import DICTIONARY, TARGETS, mutate, run, with_tar_checksums

CORPUS = Path(__file__).resolve().parent / "corpus"


def corpus(target: str) -> list[Path]:
    return sorted(path for path in (CORPUS / target).iterdir() if path.is_file())


def test_every_target_has_a_corpus() -> None:
    assert sorted(path.name for path in CORPUS.iterdir() if path.is_dir()) == sorted(TARGETS)
    for target in TARGETS:
        assert corpus(target), target


@pytest.mark.parametrize(
    "path",
    [path for target in TARGETS for path in corpus(target)],
    ids=lambda path: f"{path.parent.name}/{path.name}",
)
def test_the_corpus_replays_cleanly(path: Path) -> None:
    """Seeds read as valid input; the other files are inputs that once failed, kept."""
    went_through = run(TARGETS[path.parent.name], path.read_bytes())
    if path.name.startswith("seed-"):
        assert went_through, "a seed must be valid input, or it seeds little"


@pytest.mark.parametrize("target", list(TARGETS))
@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_mutations_end_cleanly(target: str, data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(corpus(target)), label="seed").read_bytes()
    rng = data.draw(st.randoms(use_true_random=False), label="rng")
    run(TARGETS[target], mutate(seed, rng, DICTIONARY[target]))


def test_checksums_are_made_right_only_where_a_header_is() -> None:
    seed = corpus("tar")[0].read_bytes()
    broken = bytearray(seed)
    broken[100] ^= 1  # in the first header's mode field: its checksum no longer matches
    fixed = with_tar_checksums(bytes(broken))
    assert fixed != bytes(broken)
    assert fixed[512:] == bytes(broken)[512:]
    assert with_tar_checksums(seed) == seed
