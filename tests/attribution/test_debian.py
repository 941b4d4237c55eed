"""Package attribution and what-if on a real Debian image, checked against the image itself.

The image is a ``debootstrap --variant=minbase`` bookworm root file system imported into the
engine (built once per machine, see :mod:`tests.debian_support`) with a package installed by
``apt-get`` in a Dockerfile. Per-package bytes are compared with what ``dpkg -L`` and
``stat`` say inside a container of that image; a what-if is compared with the image the fixed
Dockerfile really builds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auger.analysis.advice import catalogue, find_advice
from auger.attribution.dockerfile.stages import parse_dockerfile
from auger.attribution.packages import Manager
from auger.attribution.summary import attribute_image
from auger.attribution.whatif import Drop, measure, simulate
from auger.model import ImageAnalysis
from auger.pipeline import analyze
from tests.conftest import require
from tests.debian_support import build_rootfs, can_build, image_tag, rootfs_tar
from tests.engine_support import Engine

pytestmark = pytest.mark.engine

PACKAGE = "jq"
"""Small, with shared libraries of its own (libjq1, libonig5) and docs and a man page."""
INSTALL = f"apt-get update && apt-get install -y --no-install-recommends {PACKAGE}"

# dpkg -L for every installed package; stat of each regular file (not a link) it lists, through
# the directory links of merged /usr, each inode counted once per package.
PER_PACKAGE = r"""
for package in $(dpkg-query -W -f '${Package}\n'); do
    dpkg -L "$package" | while read -r path; do
        if [ -f "$path" ] && [ ! -L "$path" ]; then stat -c '%d:%i %s' "$path"; fi
    done | sort -u | awk -v p="$package" '{ total += $2 } END { print p, total + 0 }'
done
"""


@pytest.fixture(scope="module")
def debian(engine: Engine) -> str:
    """The engine tag of the minbase root file system (imported once, kept between runs)."""
    if not rootfs_tar().is_file():
        reason = can_build()
        require(reason is None, f"no cached Debian root file system and {reason}")
    tar = build_rootfs()
    tag = image_tag(tar)
    repository, _, version = tag.partition(":")
    if not engine.client.images.list(name=tag):
        engine.client.api.import_image_from_file(
            str(tar), repository=repository, tag=version, changes=['CMD ["bash"]']
        )
    return tag


@pytest.fixture(scope="module")
def installed(engine: Engine, debian: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An image with the package installed by apt-get, package lists left behind."""
    dockerfile = f"FROM {debian}\nRUN {INSTALL}\n"
    return engine.build(tmp_path_factory.mktemp("installed"), dockerfile)


def container_sizes(engine: Engine, tag: str) -> dict[str, int]:
    output = engine.client.containers.run(tag, ["sh", "-c", PER_PACKAGE], remove=True)
    sizes = {}
    for line in output.decode().splitlines():
        name, size = line.split()
        sizes[name] = int(size)
    return sizes


def test_per_package_bytes_agree_with_dpkg(engine: Engine, installed: str) -> None:
    analysis = analyze(f"docker://{installed}")
    rules = catalogue()
    attribution = attribute_image(analysis, find_advice(analysis, rules), rules)
    ours = {
        usage.package.name: usage
        for usage in attribution.ownership.packages
        if usage.package.manager is Manager.DPKG
    }
    theirs = container_sizes(engine, installed)
    assert set(ours) == set(theirs)
    assert len(theirs) > 80  # minbase and jq's
    differing = {
        name: (ours[name].size_bytes, size)
        for name, size in theirs.items()
        if ours[name].size_bytes != size
    }
    assert differing == {}
    for name in ("jq", "libjq1", "libonig5"):
        assert ours[name].layer == 1, name
    assert ours["bash"].layer == 0
    assert ours["libc6"].size_bytes > 10_000_000


def test_whatif_equals_the_image_the_fix_builds(
    engine: Engine, debian: str, installed: str, tmp_path: Path
) -> None:
    docs = [f"/usr/share/doc/{name}" for name in ("jq", "libjq1", "libonig5")]
    fixed = engine.build(
        tmp_path / "fixed",
        f"FROM {debian}\nRUN {INSTALL} && rm -rf /var/lib/apt/lists/* {' '.join(docs)}\n",
    )
    original = analyze(f"docker://{installed}")
    rebuilt = analyze(f"docker://{fixed}")
    layers = [layer.scan.entries for layer in original.image.layers]
    sizes = [layer.size for layer in original.image.layers]
    outcome = simulate(
        layers, sizes, [Drop(("/var/lib/apt/lists/*", *(f"{doc}/**" for doc in docs)))]
    )
    real = measure(
        [layer.scan.entries for layer in rebuilt.image.layers],
        [layer.size for layer in rebuilt.image.layers],
    )
    assert outcome.saves_bytes > 10_000_000  # the package lists
    assert (outcome.after.size, outcome.after.final_size) == (real.size, real.final_size)
    assert outcome.after.size == rebuilt.size


def test_the_dockerfile_line_of_every_layer(installed: str, debian: str) -> None:
    analysis: ImageAnalysis = analyze(f"docker://{installed}")
    dockerfile = parse_dockerfile(f"FROM {debian}\nRUN {INSTALL}\n")
    rules = catalogue()
    attribution = attribute_image(analysis, find_advice(analysis, rules), rules, dockerfile)
    assert [line.line if line else None for line in attribution.lines] == [1, 2]
    [lists] = [f for f in attribution.findings if f.rule.id == "DL3009"]
    assert str(attribution.line_of_finding(lists)) == "Dockerfile:2"
