"""Check auger's package attribution of an image against the package managers themselves.

auger's report (``auger report ARCHIVE --format json --dockerfile DOCKERFILE``) is compared
with what runs inside a container of the same image (the image is run, never analysed, by
Docker):

- dpkg: every package's regular files from ``dpkg -L``, through ``stat`` (each inode once);
- pip: every distribution ``importlib.metadata`` finds for the image's ``python3`` (the files
  its RECORD lists, as ``pip show -f``), through ``lstat``, by directory and name;
- npm: every package directory under ``--npm-root`` (``npm ls --all --parseable``), its regular
  files outside nested ``node_modules``; development status from
  ``npm ls --all --omit=dev --parseable``.

It prints, per manager, how many packages agree within the tolerance (2 %), the worst
differences, and whether every layer got a Dockerfile line.

    python scripts/check_attribution.py ARCHIVE IMAGE --dockerfile PATH [--npm-root /app]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any

DPKG = r"""
for package in $(dpkg-query -W -f '${Package}\n'); do
    dpkg -L "$package" | while read -r path; do
        if [ -f "$path" ] && [ ! -L "$path" ]; then stat -c '%d:%i %s' "$path"; fi
    done | sort -u | awk -v p="$package" '{ total += $2 } END { print p, total + 0 }'
done
"""

PIP = r"""
import importlib.metadata, os, stat
for dist in importlib.metadata.distributions():
    seen, total = set(), 0
    for name in dist.files or ():
        path = str(dist.locate_file(name))
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and (info.st_dev, info.st_ino) not in seen:
            seen.add((info.st_dev, info.st_ino))
            total += info.st_size
    print(str(dist.locate_file("")).rstrip("/").lstrip("/") + "|" + dist.metadata["Name"], total)
"""

NPM = r"""
cd "$1"
all=$(npm ls --all --parseable 2>/dev/null | sort -u)
prod=$(npm ls --all --omit=dev --parseable 2>/dev/null | sort -u)
for dir in $all; do
    case "$dir" in */node_modules/*) ;; *) continue ;; esac
    size=$(find "$dir" -path "$dir/node_modules" -prune -o -type f -printf '%s\n' \
        | awk '{ total += $1 } END { print total + 0 }')
    if echo "$prod" | grep -qxF "$dir"; then dev=0; else dev=1; fi
    echo "$dir $size $dev"
done
"""


def run(image: str, *command: str) -> str:
    completed = subprocess.run(
        ["docker", "run", "--rm", "--user", "0", "--entrypoint", "", image, *command],
        capture_output=True,
        text=True,
        check=False,
    )
    return completed.stdout


def report(archive: str, dockerfile: str) -> dict[str, Any]:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "auger",
            "report",
            archive,
            "--format",
            "json",
            "--dockerfile",
            dockerfile,
            "-q",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    data: dict[str, Any] = json.loads(completed.stdout)
    return data


def compare(label: str, ours: dict[str, int], theirs: dict[str, int], tolerance: float) -> None:
    common = sorted(set(ours) & set(theirs))
    worst = []
    agree = 0
    for name in common:
        expected, found = theirs[name], ours[name]
        error = abs(found - expected) / expected if expected else float(found != 0)
        if error <= tolerance:
            agree += 1
        else:
            worst.append((error, name, found, expected))
    print(
        f"{label}: {agree}/{len(common)} packages within {tolerance:.0%}; "
        f"auger only {len(set(ours) - set(theirs))}, manager only {len(set(theirs) - set(ours))}"
    )
    total_ours = sum(ours[name] for name in common)
    total_theirs = sum(theirs[name] for name in common)
    print(f"  total: auger {total_ours} bytes, manager {total_theirs} bytes")
    for error, name, found, expected in sorted(worst, reverse=True)[:10]:
        print(f"  {name}: auger {found}, manager {expected} ({error:+.1%})")
    for name in sorted(set(theirs) - set(ours))[:10]:
        print(f"  not found by auger: {name} ({theirs[name]} bytes)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive")
    parser.add_argument("image")
    parser.add_argument("--dockerfile", required=True)
    parser.add_argument("--npm-root", help="the project directory holding node_modules")
    parser.add_argument("--tolerance", type=float, default=0.02)
    args = parser.parse_args()
    data = report(args.archive, args.dockerfile)
    packages = data["packages"]
    by_manager: dict[str, dict[str, int]] = {}
    dev: dict[str, bool] = {}
    for package in packages:
        if not package["installed"]:
            continue
        key = package["name"]
        if package["manager"] == "npm":
            key = package["location"]
        elif package["manager"] == "python":
            key = f"{package['location']}|{package['name']}"
        by_manager.setdefault(package["manager"], {})[key] = package["size_bytes"]
        if package["manager"] == "npm":
            dev[key] = package["dev"]
    if "dpkg" in by_manager:
        theirs = {
            name: int(size)
            for name, size in (
                line.split() for line in run(args.image, "sh", "-c", DPKG).splitlines()
            )
        }
        compare("dpkg", by_manager["dpkg"], theirs, args.tolerance)
    if "python" in by_manager:
        output = run(args.image, "python3", "-c", PIP)
        theirs = {}
        for line in output.splitlines():
            name, _, size = line.rpartition(" ")
            theirs[name] = int(size)
        compare("pip", by_manager["python"], theirs, args.tolerance)
    if "npm" in by_manager and args.npm_root:
        output = run(args.image, "sh", "-c", NPM, "npm", args.npm_root)
        theirs, their_dev = {}, {}
        for line in output.splitlines():
            path, size, is_dev = line.rsplit(" ", 2)
            key = path.lstrip("/")
            theirs[key] = int(size)
            their_dev[key] = is_dev == "1"
        compare("npm", by_manager["npm"], theirs, args.tolerance)
        common = set(dev) & set(their_dev)
        same = sum(dev[key] == their_dev[key] for key in common)
        print(f"  dev flags: {same}/{len(common)} agree with npm ls --omit=dev")
    lines = [layer["instruction"] for layer in data["layers"]]
    print(f"layers with a Dockerfile line: {sum(line is not None for line in lines)}/{len(lines)}")
    for group in data["groups"]:
        print(
            f"group {group['id']}: {group['size_bytes']} bytes in {len(group['packages'])} "
            f"packages, saves {group['saves_bytes']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
