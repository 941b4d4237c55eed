"""npm packages and their development status, from lockfiles or from the manifests."""

from __future__ import annotations

import json

import pytest

from auger.attribution.npm import package_directory, read_node_modules
from auger.attribution.packages import Manager
from tests.attribution.formats import NpmPackage, npm_lockfile, npm_manifest

EXPRESS = NpmPackage("node_modules/express", "4.21.1", {}, {"debug": "2.6.9"})
DEBUG = NpmPackage("node_modules/debug", "2.6.9", {}, {"ms": "2.0.0"})
MS = NpmPackage("node_modules/ms", "2.0.0", {})
TYPESCRIPT = NpmPackage("node_modules/typescript", "5.6.3", {}, dev=True)
JEST = NpmPackage("node_modules/jest", "29.7.0", {}, {"ms": "^2.1.3"}, dev=True)
JEST_MS = NpmPackage("node_modules/jest/node_modules/ms", "2.1.3", {}, dev=True)
TYPES = NpmPackage("node_modules/@types/node", "22.9.0", {}, dev=True)
ALL = (EXPRESS, DEBUG, MS, TYPESCRIPT, JEST, JEST_MS, TYPES)
PROJECT = {
    "dependencies": {"express": "^4.21.1"},
    "devDependencies": {"typescript": "^5.6.3", "jest": "^29.7.0", "@types/node": "^22"},
}


def files_for(root: str, *, lockfile: bool, hidden: bool = False) -> dict[str, bytes]:
    prefix = f"{root}/" if root else ""
    files = {f"{prefix}{package.path}/package.json": npm_manifest(package) for package in ALL}
    files[f"{prefix}package.json"] = json.dumps({"name": "app", **PROJECT}).encode()
    if lockfile:
        name = "node_modules/.package-lock.json" if hidden else "package-lock.json"
        files[prefix + name] = npm_lockfile("app", ALL, PROJECT)
    return files


def dev_flags(files: dict[str, bytes]) -> dict[str, bool]:
    inventory = read_node_modules(files)
    assert all(package.manager is Manager.NPM for package in inventory.packages)
    return {package.location: package.dev for package in inventory.packages}


EXPECTED = {
    "app/node_modules/express": False,
    "app/node_modules/debug": False,
    "app/node_modules/ms": False,
    "app/node_modules/typescript": True,
    "app/node_modules/jest": True,
    "app/node_modules/jest/node_modules/ms": True,
    "app/node_modules/@types/node": True,
}


def test_dev_flags_from_a_version_3_lockfile() -> None:
    assert dev_flags(files_for("app", lockfile=True)) == EXPECTED


def test_dev_flags_from_the_hidden_lockfile() -> None:
    assert dev_flags(files_for("app", lockfile=True, hidden=True)) == EXPECTED


def test_dev_flags_from_the_manifests_alone() -> None:
    # without a lockfile: reachable from devDependencies and not from dependencies
    assert dev_flags(files_for("app", lockfile=False)) == EXPECTED


def test_a_project_at_the_root() -> None:
    flags = dev_flags(files_for("", lockfile=True))
    assert flags["node_modules/typescript"] is True
    assert flags["node_modules/express"] is False


def test_names_and_versions_come_from_the_manifests() -> None:
    inventory = read_node_modules(files_for("app", lockfile=True))
    by_location = {package.location: package for package in inventory.packages}
    scoped = by_location["app/node_modules/@types/node"]
    assert (scoped.name, scoped.version) == ("@types/node", "22.9.0")
    assert scoped.database == "app/node_modules/@types/node/package.json"


def test_a_version_1_lockfile() -> None:
    files = files_for("app", lockfile=False)
    files["app/package-lock.json"] = json.dumps(
        {
            "lockfileVersion": 1,
            "dependencies": {
                "express": {"version": "4.21.1"},
                "debug": {"version": "2.6.9"},
                "ms": {"version": "2.0.0"},
                "typescript": {"version": "5.6.3", "dev": True},
                "@types/node": {"version": "22.9.0", "dev": True},
                "jest": {
                    "version": "29.7.0",
                    "dev": True,
                    "dependencies": {"ms": {"version": "2.1.3", "dev": True}},
                },
            },
        }
    ).encode()
    assert dev_flags(files) == EXPECTED


def test_global_packages_without_a_project_are_not_dev() -> None:
    files = {"usr/local/lib/node_modules/npm/package.json": b'{"name": "npm", "version": "10.9.0"}'}
    [package] = read_node_modules(files).packages
    assert (package.name, package.dev, package.location) == (
        "npm",
        False,
        "usr/local/lib/node_modules/npm",
    )


def test_broken_json_is_a_note() -> None:
    files = files_for("app", lockfile=True)
    files["app/node_modules/ms/package.json"] = b"{not json"
    inventory = read_node_modules(files)
    assert [note.path for note in inventory.notes] == ["app/node_modules/ms/package.json"]
    assert "app/node_modules/ms" not in {package.location for package in inventory.packages}


@pytest.mark.parametrize(
    ("path", "directory"),
    [
        ("app/node_modules/a/index.js", "app/node_modules/a"),
        ("app/node_modules/a/lib/deep/x.js", "app/node_modules/a"),
        ("node_modules/@s/b/package.json", "node_modules/@s/b"),
        ("app/node_modules/a/node_modules/b/x.js", "app/node_modules/a/node_modules/b"),
        ("app/node_modules/.bin/tsc", None),
        ("app/node_modules/@s", None),
        ("app/node_modules", None),
        ("app/my_node_modules/a/x.js", None),
        ("app/src/index.js", None),
    ],
)
def test_package_directory(path: str, directory: str | None) -> None:
    assert package_directory(path) == directory
