"""Python distributions from their dist-info RECORD and METADATA."""

from __future__ import annotations

from auger.attribution.packages import Manager
from auger.attribution.python_dist import read_dist_info
from tests.attribution.formats import PythonDist, dist_info_name, metadata, record

SITE = "usr/local/lib/python3.12/site-packages"
REQUESTS = PythonDist(
    "requests",
    "2.32.3",
    {"requests/__init__.py": 4963, "requests/api.py": 6449, "../../../bin/requests-cli": 220},
)


def files_for(dist: PythonDist, site: str = SITE) -> dict[str, bytes]:
    info = f"{site}/{dist_info_name(dist)}"
    return {f"{info}/METADATA": metadata(dist), f"{info}/RECORD": record(dist, {})}


def test_record_lists_files_relative_to_site_packages() -> None:
    [package] = read_dist_info(files_for(REQUESTS)).packages
    assert package.manager is Manager.PYTHON
    assert (package.name, package.version) == ("requests", "2.32.3")
    assert package.location == SITE
    assert set(package.files) >= {
        f"{SITE}/requests/__init__.py",
        f"{SITE}/requests/api.py",
        "usr/local/bin/requests-cli",  # ../../../bin from site-packages
        f"{SITE}/requests-2.32.3.dist-info/RECORD",
    }
    assert package.declared_size == 4963 + 6449 + 220


def test_dist_packages_and_names_from_the_directory_without_metadata() -> None:
    dist = PythonDist("six", "1.16.0", {"six.py": 34549})
    files = files_for(dist, "usr/lib/python3/dist-packages")
    del files["usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA"]
    [package] = read_dist_info(files).packages
    assert (package.name, package.version) == ("six", "1.16.0")


def test_metadata_name_wins_over_the_normalised_directory_name() -> None:
    dist = PythonDist("typing-extensions", "4.12.2", {"typing_extensions.py": 134451})
    [package] = read_dist_info(files_for(dist)).packages
    assert package.name == "typing-extensions"


def test_a_path_climbing_out_of_the_root_is_left_out() -> None:
    info = f"{SITE}/evil-1.0.dist-info"
    files = {f"{info}/RECORD": b"../../../../../../../../etc/passwd,,10\nevil.py,,3\n"}
    [package] = read_dist_info(files).packages
    assert package.files == (f"{SITE}/evil.py",)


def test_a_vendored_dist_info_is_its_vendor_s() -> None:
    vendored = PythonDist("packaging", "24.2", {"packaging/version.py": 16676})
    files = files_for(vendored, f"{SITE}/setuptools/_vendor")
    assert read_dist_info(files).packages == ()
