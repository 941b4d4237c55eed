"""npm packages: ``node_modules/**/package.json``, and which of them are development-only.

Each directory ``…/node_modules/NAME`` (or ``…/node_modules/@SCOPE/NAME``) with a
``package.json`` is a package, owning every file below it except its own nested
``node_modules``. The project is the directory above the outermost ``node_modules``; whether
a package is a development dependency comes, in this order, from the project's
``package-lock.json`` or npm's hidden ``node_modules/.package-lock.json`` (lockfile v2 and v3:
``packages`` entries with ``"dev": true``; v1: nested ``dependencies``), else from the
project's ``package.json`` by walking dependencies as Node resolves them: a package reachable
from ``devDependencies`` but not from ``dependencies`` is one ``npm ci --omit=dev`` would
leave out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from auger.attribution.packages import DatabaseNote, Inventory, Manager, Package
from auger.layers import paths

MODULES = "node_modules"


def package_directory(path: str) -> str | None:
    """The package directory (``…/node_modules/NAME``) that the file ``path`` lies in, if any:
    the innermost one, since nested ``node_modules`` hold packages of their own."""
    marker = path.rfind(MODULES + "/")
    if marker < 0 or (marker and path[marker - 1] != "/"):
        return None
    start = marker + len(MODULES) + 1
    rest = path[start:].split("/")
    if len(rest) < 2 or rest[0].startswith("."):
        return None
    if rest[0].startswith("@"):
        if len(rest) < 3:
            return None
        return path[: start + len(rest[0]) + len(rest[1]) + 1]
    return path[: start + len(rest[0])]


def _project_root(directory: str) -> str:
    """The directory above the outermost ``node_modules`` of a package directory."""
    if directory.startswith(MODULES + "/"):
        return ""
    return directory[: directory.find("/" + MODULES + "/")]


def _load(data: bytes) -> Any:
    return json.loads(data.decode("utf-8", "surrogateescape"))


def _lock_v1(dependencies: object, prefix: str, dev: dict[str, bool]) -> None:
    if not isinstance(dependencies, dict):
        return
    for name, entry in dependencies.items():
        if not isinstance(entry, dict):
            continue
        where = f"{prefix}{MODULES}/{name}"
        dev[where] = entry.get("dev") is True
        _lock_v1(entry.get("dependencies"), where + "/", dev)


def _lockfile_dev(lock: object) -> dict[str, bool] | None:
    """Package directory (relative to the project) to dev flag, from a lockfile."""
    if not isinstance(lock, dict):
        return None
    packages = lock.get("packages")
    if isinstance(packages, dict):
        return {
            key: isinstance(entry, dict) and entry.get("dev") is True
            for key, entry in packages.items()
            if key
        }
    dev: dict[str, bool] = {}
    _lock_v1(lock.get("dependencies"), "", dev)
    return dev or None


def _names(manifest: object, *keys: str) -> list[str]:
    if not isinstance(manifest, dict):
        return []
    found: list[str] = []
    for key in keys:
        value = manifest.get(key)
        if isinstance(value, dict):
            found.extend(str(name) for name in value)
    return found


def _resolve(name: str, directory: str, root: str, known: Mapping[str, object]) -> str | None:
    """Where Node finds ``name`` required from ``directory``: its own ``node_modules``, then
    each ancestor's, up to the project root."""
    here = directory
    while True:
        candidate = paths.join(here, f"{MODULES}/{name}")
        if candidate in known:
            return candidate
        if here == root or not here:
            return None
        marker = here.rfind("/" + MODULES + "/")
        here = root if marker < 0 or len(here[:marker]) < len(root) else here[:marker]


def _reachable(starts: list[str], root: str, manifests: Mapping[str, object]) -> set[str]:
    seen: set[str] = set()
    stack = [(name, root) for name in starts]
    while stack:
        name, directory = stack.pop()
        found = _resolve(name, directory, root, manifests)
        if found is None or found in seen:
            continue
        seen.add(found)
        stack.extend(
            (child, found)
            for child in _names(manifests[found], "dependencies", "optionalDependencies")
        )
    return seen


def _manifest_dev(project: object, root: str, manifests: Mapping[str, object]) -> dict[str, bool]:
    production = _reachable(
        _names(project, "dependencies", "optionalDependencies", "peerDependencies"),
        root,
        manifests,
    )
    development = _reachable(_names(project, "devDependencies"), root, manifests)
    return {
        directory: directory in development and directory not in production
        for directory in manifests
        if directory.startswith(paths.join(root, MODULES + "/"))
    }


def _manifests(files: Mapping[str, bytes], notes: list[DatabaseNote]) -> Iterator[tuple[str, Any]]:
    for path, data in files.items():
        directory, _, name = path.rpartition("/")
        if name != "package.json" or package_directory(path) != directory:
            continue
        try:
            manifest = _load(data)
        except ValueError:
            notes.append(DatabaseNote(path, "not valid JSON; skipped"))
            continue
        if isinstance(manifest, dict):
            yield directory, manifest


def read_node_modules(files: Mapping[str, bytes]) -> Inventory:
    """Every npm package whose ``package.json`` is in ``files``, with its dev flag."""
    notes: list[DatabaseNote] = []
    manifests = dict(_manifests(files, notes))
    by_root: dict[str, dict[str, bool]] = {}
    for root in sorted({_project_root(directory) for directory in manifests}):
        lock = None
        for name in ("package-lock.json", f"{MODULES}/.package-lock.json"):
            data = files.get(paths.join(root, name))
            if data is not None:
                try:
                    lock = _lockfile_dev(_load(data))
                except ValueError:
                    notes.append(DatabaseNote(paths.join(root, name), "not valid JSON; skipped"))
                if lock is not None:
                    break
        if lock is not None:
            by_root[root] = {paths.join(root, key): dev for key, dev in lock.items()}
            continue
        project_data = files.get(paths.join(root, "package.json"))
        try:
            project = _load(project_data) if project_data is not None else None
        except ValueError:
            project = None
        by_root[root] = _manifest_dev(project, root, manifests) if project is not None else {}
    packages = []
    for directory, manifest in manifests.items():
        name = manifest.get("name")
        dev = by_root.get(_project_root(directory), {}).get(directory, False)
        packages.append(
            Package(
                manager=Manager.NPM,
                name=str(name) if isinstance(name, str) and name else paths.basename(directory),
                version=str(manifest.get("version", "")),
                database=paths.join(directory, "package.json"),
                location=directory,
                dev=dev,
            )
        )
    return Inventory(tuple(packages), tuple(notes))
