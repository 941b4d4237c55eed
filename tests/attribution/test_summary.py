"""An image's attribution through the real pipeline: packages, groups, advice and lines."""

from __future__ import annotations

from pathlib import Path

from auger.analysis.advice import catalogue, find_advice
from auger.attribution.dockerfile.stages import parse_dockerfile
from auger.attribution.groups import DOCS, TOOLCHAIN
from auger.attribution.summary import SourceLine, attribute_image
from auger.testing.images import ImageSpec, LayerSpec, TarEntry, directory, file, layer_tar
from tests.attribution.formats import DebPackage, dpkg_list, dpkg_list_name, dpkg_status
from tests.report.support import analyse, write_archive

LIBC = DebPackage("libc6", "2.36-9", {"/usr/lib/x86_64-linux-gnu/libc.so.6": 9000})
GCC = DebPackage("gcc-12", "12.2.0", {"/usr/bin/gcc-12": 2000, "/usr/lib/gcc/x86_64/12/cc1": 60000})
MAKE = DebPackage(
    "make", "4.3", {"/usr/bin/make": 250, "/usr/share/man/man1/make.1.gz": 70}, section="devel"
)

DOCKERFILE = """\
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y gcc-12 make
COPY app /app
"""


def dpkg(packages: list[DebPackage], lists: list[DebPackage]) -> list[TarEntry]:
    return [
        directory("var/lib/dpkg/info"),
        file("var/lib/dpkg/status", dpkg_status(packages)),
        *(file(dpkg_list_name(package), dpkg_list(package)) for package in lists),
    ]


def files(package: DebPackage) -> list[TarEntry]:
    return [file(path.lstrip("/"), size) for path, size in package.files.items()]


def test_attribution_of_an_image(tmp_path: Path) -> None:
    layers = [
        LayerSpec(
            layer_tar([*files(LIBC), *dpkg([LIBC], [LIBC])]),
            "/bin/sh -c #(nop) ADD file:base in / ",
        ),
        LayerSpec(
            layer_tar(
                [
                    *files(GCC),
                    *files(MAKE),
                    file("var/lib/apt/lists/main_Packages", 30000),
                    *dpkg([LIBC, GCC, MAKE], [GCC, MAKE]),
                ]
            ),
            "RUN /bin/sh -c apt-get update && apt-get install -y gcc-12 make # buildkit",
        ),
        LayerSpec(layer_tar([file("app/main", 500)]), "COPY app /app # buildkit"),
    ]
    analysis = analyse(write_archive(tmp_path, "image.tar", ImageSpec(layers)))
    rules = catalogue()
    attribution = attribute_image(
        analysis, find_advice(analysis, rules), rules, parse_dockerfile(DOCKERFILE), "ci/Dockerfile"
    )
    names = [usage.package.name for usage in attribution.ownership.packages]
    assert names == ["gcc-12", "libc6", "make"]
    gcc = attribution.ownership.packages[0]
    assert (gcc.size_bytes, gcc.layer) == (62000, 1)
    groups = {saving.group.id: saving for saving in attribution.groups}
    assert groups[TOOLCHAIN].group.size_bytes == 62000 + 320
    assert groups[TOOLCHAIN].saves_bytes == 62320
    assert groups[DOCS].saves_bytes == 70
    by_id = {finding.rule.id: finding for finding in attribution.findings}
    toolchain = by_id["AUG008"]
    assert (toolchain.size, toolchain.examples, toolchain.layers) == (
        62320,
        ("gcc-12", "make"),
        (1,),
    )
    assert attribution.savings["AUG008"] == 62320
    assert attribution.savings["DL3009"] == 30000
    assert attribution.savings["AUG011"] == 70
    assert attribution.lines == (
        SourceLine("ci/Dockerfile", 1, "FROM debian:bookworm-slim"),
        SourceLine("ci/Dockerfile", 2, "RUN apt-get update && apt-get install -y gcc-12 make"),
        SourceLine("ci/Dockerfile", 3, "COPY app /app"),
    )
    assert str(attribution.line_of_finding(by_id["DL3009"])) == "ci/Dockerfile:2"
    assert attribution.packages_of(by_id["AUG008"]) == ("gcc-12", "make")
    assert attribution.warnings == ()


def test_without_databases_or_dockerfile(tmp_path: Path) -> None:
    layers = [LayerSpec(layer_tar([file("usr/bin/gcc", 700)]), "/bin/sh -c #(nop) ADD x in /")]
    analysis = analyse(write_archive(tmp_path, "image.tar", ImageSpec(layers)))
    rules = catalogue()
    attribution = attribute_image(analysis, find_advice(analysis, rules), rules)
    assert attribution.ownership.packages == ()
    assert attribution.lines == ()
    [finding] = attribution.findings
    assert (finding.rule.id, finding.size, attribution.savings["AUG008"]) == ("AUG008", 700, 700)
    assert attribution.line_of(0) is None
