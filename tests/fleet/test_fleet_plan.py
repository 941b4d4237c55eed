"""The fleet's plan: every image in exactly one shard, the same assignment whatever order the
inputs come in, families of images kept on one shard, and the shard chosen by ``--shard`` or an
Indexed Job's environment."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auger.errors import UsageError
from auger.fleet.inputs import Target, deduplicate, parse_list, read_input, target
from auger.fleet.jsonl import dumps, parse_lines
from auger.fleet.outline import Outline, OutlineLayer
from auger.fleet.plan import IMAGE_WEIGHT, SLACK, assign, layer_bytes, plan_fleet
from auger.fleet.records import Record, ShardHeader
from auger.fleet.shards import Shard, choose_shard, parse_shard
from auger.fleet.summary import summarize
from tests.fleet.support import fleet_specs, write_fleet
from tests.support import NO_ENGINE, run_cli

MiB = 1 << 20


def layer(name: str, size: int = 10 * MiB) -> OutlineLayer:
    return OutlineLayer(f"sha256:{name}", size)


def families(count: int, bases: int) -> list[tuple[str, tuple[OutlineLayer, ...]]]:
    """``count`` images on ``bases`` bases of 100 MiB (two layers), each with a 1 MiB top."""
    chains: list[tuple[str, tuple[OutlineLayer, ...]]] = []
    for index in range(count):
        base = index % bases
        chains.append(
            (
                f"registry://r/app{index:03d}:1",
                (
                    layer(f"os{base}", 80 * MiB),
                    layer(f"rt{base}", 20 * MiB),
                    layer(f"top{index}", MiB),
                ),
            )
        )
    return chains


def test_the_assignment_is_the_same_in_any_order() -> None:
    chains = families(40, 4)
    first = dict(zip((ref for ref, _ in chains), assign(chains, 4), strict=True))
    shuffled = chains[:]
    random.Random(7).shuffle(shuffled)
    again = dict(zip((ref for ref, _ in shuffled), assign(shuffled, 4), strict=True))
    assert again == first
    assert set(first.values()) == {0, 1, 2, 3}


def test_a_family_stays_on_one_shard_while_the_shards_stay_balanced() -> None:
    chains = families(40, 4)
    assignment = assign(chains, 4)
    for base in range(4):
        shards = {assignment[i] for i in range(40) if i % 4 == base}
        assert len(shards) == 1, (base, shards)
    assert sorted(assignment.count(shard) for shard in range(4)) == [10, 10, 10, 10]


def shard_loads(
    chains: list[tuple[str, tuple[OutlineLayer, ...]]], assignment: list[int]
) -> list[int]:
    """The layer bytes each shard downloads (each distinct layer once) plus its images'."""
    shards = max(assignment) + 1
    return [
        layer_bytes([chains[i][1] for i, s in enumerate(assignment) if s == shard])
        + IMAGE_WEIGHT * assignment.count(shard)
        for shard in range(shards)
    ]


def test_a_family_larger_than_a_share_is_split_along_its_layers() -> None:
    chains = families(30, 1)
    assignment = assign(chains, 3)
    even = shard_loads(chains, [i % 3 for i in range(30)])
    loads = shard_loads(chains, assignment)
    assert max(loads) <= max(even) * (1 + SLACK)
    assert sum(loads) < sum(even)  # a shard left out reads no base at all


def test_grouping_reads_less_than_dealing_images_out_in_turn() -> None:
    """Five families on four shards: dealt out in turn, every shard reads every runtime."""
    chains = families(50, 5)
    dealt = shard_loads(chains, [i % 4 for i in range(50)])
    grouped = shard_loads(chains, assign(chains, 4))
    assert sum(grouped) < 0.6 * sum(dealt)
    assert max(grouped) < max(dealt)


def test_images_merge_by_config_digest_and_read_in_layer_order() -> None:
    targets = [target("b.tar"), target("a.tar"), target("c.tar")]
    same = Outline("sha256:cfg1", None, (layer("os"), layer("app")))
    other = Outline("sha256:cfg2", None, (layer("os"), layer("web")))
    plan = plan_fleet(targets, [same, other, same], 2)
    assert [image.reference for image in plan.images] == ["b.tar", "a.tar"]
    assert plan.images[0].names == ("b.tar", "c.tar")
    assert plan.references == ("a.tar", "b.tar")
    assert sum(len(plan.shard(index)) for index in range(2)) == 2
    assert plan.fingerprint == plan_fleet(targets[::-1], [same, other, same][::-1], 2).fingerprint


def test_references_are_deduplicated_by_name_and_by_pinned_digest() -> None:
    digest = "sha256:" + "ab" * 32
    merged = deduplicate(
        [
            target("registry://r/app:1"),
            Target(f"registry://r/app:1@{digest}", ("r/app:1",), digest),
            Target(f"registry://r/app:canary@{digest}", ("r/app:canary",), digest),
            target("registry://r/app:1"),
        ]
    )
    assert [item.reference for item in merged] == [
        "registry://r/app:1",
        f"registry://r/app:1@{digest}",
    ]
    assert merged[1].names == ("r/app:1", "r/app:canary")


def test_lists_and_their_errors() -> None:
    assert parse_list("a:1 # x\n#b\n\n  c@sha256:00 \nd#e\n") == ["a:1", "c@sha256:00", "d#e"]
    with pytest.raises(UsageError, match="not valid JSON"):
        read_input("{nope", "--from pods.json")
    with pytest.raises(UsageError, match="JSON without pod specs"):
        read_input(json.dumps({"kind": "List", "items": []}), "--from pods.json")
    deployment = {
        "kind": "Deployment",
        "spec": {
            "template": {
                "spec": {
                    "initContainers": [{"image": "init:1"}],
                    "containers": [{"name": "a", "image": "ghcr.io/o/a:2"}],
                }
            }
        },
    }
    assert [t.reference for t in read_input(json.dumps(deployment), "x")] == [
        "registry://init:1",
        "registry://ghcr.io/o/a:2",
    ]


def test_the_shard_comes_from_the_option_else_the_indexed_job() -> None:
    assert choose_shard(None, {}) == Shard(0, 1)
    assert choose_shard("2/5", {"JOB_COMPLETION_INDEX": "0", "JOB_COMPLETIONS": "3"}) == Shard(2, 5)
    job = {"JOB_COMPLETION_INDEX": "2", "JOB_COMPLETIONS": "3"}
    assert choose_shard(None, job) == Shard(2, 3)
    for bad in ("3/3", "1/0", "a/b", "1"):
        with pytest.raises(UsageError):
            parse_shard(bad)
    with pytest.raises(UsageError, match="JOB_COMPLETIONS is not set"):
        choose_shard(None, {"JOB_COMPLETION_INDEX": "1"})
    with pytest.raises(UsageError, match="does not exist"):
        choose_shard(None, {"JOB_COMPLETION_INDEX": "3", "JOB_COMPLETIONS": "3"})


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> list[Record]:
    """The records of the archive fleet and of a missing image."""
    directory = tmp_path_factory.mktemp("records")
    references = [*write_fleet(directory / "fleet", fleet_specs()).values(), "missing.tar"]
    out = directory / "records.jsonl"
    environ = {**NO_ENGINE, "AUGER_CACHE_DIR": str(directory / "cache")}
    assert run_cli(["fleet", *references, "--jsonl", str(out), "-q"], environ).code == 3
    lines = parse_lines(iter(out.read_text().splitlines()), str(out))
    return [item for item in lines if not isinstance(item, ShardHeader)]


def test_an_indexed_jobs_pods_split_the_fleet_and_merge_into_it(tmp_path: Path) -> None:
    references = list(write_fleet(tmp_path / "fleet", fleet_specs()).values())
    cache = {"AUGER_CACHE_DIR": str(tmp_path / "cache")}
    outputs = []
    for index in range(3):
        out = tmp_path / f"shard-{index}.jsonl"
        environ = {**NO_ENGINE, **cache, "JOB_COMPLETION_INDEX": str(index), "JOB_COMPLETIONS": "3"}
        result = run_cli(["fleet", *references, "--jsonl", str(out), "-q"], environ)
        assert result.code == 0, result.stderr
        assert f"(shard {index}/3 only)" in result.stdout
        outputs.append(str(out))
    whole = run_cli(["fleet", *references, "--format", "json", "-q"], {**NO_ENGINE, **cache})
    merged = run_cli(["fleet", "merge", *outputs, "--format", "json", "-q"])
    assert merged.code == whole.code == 0
    assert merged.stdout == whole.stdout
    incomplete = run_cli(["fleet", "merge", *outputs[:2], "--format", "json"])
    assert incomplete.code == 3
    assert "auger: warning: no records of shard 2/3" in incomplete.stderr
    missing = json.loads(incomplete.stdout)["errors"]
    assert missing and all("no shard reported this image" in e["error"] for e in missing)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_summary_is_the_same_however_records_are_split_and_ordered(
    records: list[Record], data: st.DataObject
) -> None:
    """What ``auger fleet merge`` relies on: shards in any number, in any order, repeated."""
    whole = summarize(records, expected=[r.reference for r in records])
    shards = data.draw(st.integers(1, len(records)), label="shards")
    assignment = data.draw(
        st.lists(st.integers(0, shards - 1), min_size=len(records), max_size=len(records)),
        label="assignment",
    )
    split = [[r for r, s in zip(records, assignment, strict=True) if s == i] for i in range(shards)]
    order = data.draw(st.permutations(range(shards)), label="order")
    repeated = data.draw(st.sampled_from([None, *range(shards)]), label="repeated")
    merged = [r for i in order for r in split[i]]
    if repeated is not None:
        merged += split[repeated]  # a shard's file given twice
    through_lines = [
        item
        for item in parse_lines(iter(dumps(r) for r in merged), "merged.jsonl")
        if not isinstance(item, ShardHeader)
    ]
    assert summarize(through_lines, expected=[r.reference for r in records]) == whole
