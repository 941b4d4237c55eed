"""The deployment examples: the Kubernetes manifests validate against Kubernetes' own schemas
(strictly: no unknown field), and the shards they run agree with each other and with what
``auger fleet`` reads. (``make lint`` runs actionlint over the GitHub Actions matrix.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from auger.cli.fleet import build_parser
from auger.fleet.shards import COUNT_VARIABLE, INDEX_VARIABLE

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "examples" / "kubernetes"
MATRIX = ROOT / ".github" / "examples" / "fleet-matrix.yml"
OLDEST_KUBERNETES = "1.29.0"
"""backoffLimitPerIndex is beta (on by default) from Kubernetes 1.29."""


def manifests() -> dict[str, dict[str, Any]]:
    found = {}
    for path in sorted(KUBERNETES.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            found[f"{document['kind']}/{document['metadata']['name']}"] = document
    return found


@pytest.mark.parametrize("version", [OLDEST_KUBERNETES, kubernetes_validate.latest_version()])
def test_the_kubernetes_manifests_validate(version: str) -> None:
    documents = manifests()
    assert sorted(documents) == [
        "ConfigMap/auger-fleet-images",
        "Job/auger-fleet",
        "Job/auger-fleet-merge",
        "PersistentVolumeClaim/auger-fleet-cache",
    ]
    for name, document in documents.items():
        assert kubernetes_validate.validate(document, version, strict=True), name


def container(job: dict[str, Any]) -> dict[str, Any]:
    (found,) = job["spec"]["template"]["spec"]["containers"]
    result: dict[str, Any] = found
    return result


def auger_arguments(script: str) -> list[str]:
    """The arguments of the ``auger`` command in a shell script (continuation lines joined)."""
    joined = script.replace("\\\n", " ")
    line = next(line for line in joined.splitlines() if "auger fleet" in line)
    words = line.split("auger ", 1)[1].split("||")[0].split()
    return [re.sub(r'^"|"$', "", word) for word in words]


def test_the_indexed_job_and_the_merge_fit_together() -> None:
    documents = manifests()
    shards, merge = documents["Job/auger-fleet"], documents["Job/auger-fleet-merge"]
    spec = shards["spec"]
    assert spec["completionMode"] == "Indexed"
    environment = {item["name"]: item.get("value") for item in container(shards)["env"]}
    assert environment[COUNT_VARIABLE] == str(spec["completions"]) == str(spec["parallelism"])
    arguments = auger_arguments(container(shards)["args"][0])
    parsed = build_parser().parse_args(arguments[1:])
    assert parsed.lists == ["/fleet/images.txt"]
    assert parsed.jsonl == f"/shared/records/shard-${{{INDEX_VARIABLE}}}.jsonl"
    assert parsed.shard is None  # taken from the Job's environment
    mounts = {mount["name"]: mount["mountPath"] for mount in container(shards)["volumeMounts"]}
    assert mounts["fleet"] == "/fleet"
    assert mounts["shared"] == "/shared" == environment["AUGER_CACHE_DIR"].rsplit("/", 1)[0]
    assert environment["DOCKER_CONFIG"] == mounts["registry-credentials"]
    volumes = {volume["name"]: volume for volume in shards["spec"]["template"]["spec"]["volumes"]}
    claim = documents["PersistentVolumeClaim/auger-fleet-cache"]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert volumes["shared"]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    images = documents["ConfigMap/auger-fleet-images"]
    assert volumes["fleet"]["configMap"]["name"] == images["metadata"]["name"]
    assert "images.txt" in images["data"]
    merged = auger_arguments(container(merge)["args"][0])
    parsed_merge = build_parser().parse_args(merged[1:])
    assert parsed_merge.merge
    assert parsed_merge.shards == ["/shared/records/shard-*.jsonl"]


def test_the_matrix_has_as_many_shards_as_it_says() -> None:
    workflow = yaml.safe_load(MATRIX.read_text())
    shards = workflow["jobs"]["shard"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(int(workflow["env"]["SHARDS"])))
    assert workflow["jobs"]["merge"]["needs"] == "shard"
    steps = workflow["jobs"]["shard"]["steps"]
    script = next(step["run"] for step in steps if "auger fleet" in step.get("run", ""))
    arguments = build_parser().parse_args(auger_arguments(script)[1:])
    assert arguments.shard == "${SHARD}/${SHARDS}"
