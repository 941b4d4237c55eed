"""A real Podman for the tests: its own storage (vfs) in a temporary directory, and its API
socket from ``podman system service``.

Everything Podman keeps goes under one root, named by ``storage.conf`` and ``containers.conf``
files that :attr:`Podman.environ` points ``CONTAINERS_STORAGE_CONF`` and ``CONTAINERS_CONF``
at, so both the service and a ``podman image save`` that auger runs see the same images.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path


def have_podman() -> bool:
    return shutil.which("podman") is not None


@dataclass
class Podman:
    """A private Podman store and, once :meth:`serve` ran, its API service."""

    root: Path
    service: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def socket(self) -> Path:
        """Where the API listens: the rootless default below ``XDG_RUNTIME_DIR``."""
        return self.root / "run" / "podman" / "podman.sock"

    @property
    def environ(self) -> dict[str, str]:
        """The variables that make podman use this store."""
        return {
            "CONTAINERS_STORAGE_CONF": str(self.root / "storage.conf"),
            "CONTAINERS_CONF": str(self.root / "containers.conf"),
        }

    def setup(self) -> Podman:
        for name in ("graph", "runroot", "tmp", "run/podman"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        (self.root / "storage.conf").write_text(
            f'[storage]\ndriver = "vfs"\ngraphroot = "{self.root / "graph"}"\n'
            f'runroot = "{self.root / "runroot"}"\n'
        )
        (self.root / "containers.conf").write_text(
            f'[engine]\ntmp_dir = "{self.root / "tmp"}"\nevents_logger = "file"\n'
            'cgroup_manager = "cgroupfs"\n'
        )
        return self

    def podman(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        command = [
            "podman",
            "--root",
            str(self.root / "graph"),
            "--runroot",
            str(self.root / "runroot"),
            "--storage-driver",
            "vfs",
            *arguments,
        ]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", **self.environ},
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done

    def load(self, archive: Path) -> None:
        self.podman("load", "-q", "-i", str(archive))

    def serve(self) -> None:
        self.service = subprocess.Popen(
            [
                "podman",
                "--root",
                str(self.root / "graph"),
                "--runroot",
                str(self.root / "runroot"),
                "--storage-driver",
                "vfs",
                "system",
                "service",
                "--time=0",
                f"unix://{self.socket}",
            ],
            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", **self.environ},
            stdout=subprocess.DEVNULL,
            stderr=(self.root / "service.log").open("wb"),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.socket.is_socket():
                try:
                    with socket.socket(socket.AF_UNIX) as probe:
                        probe.settimeout(2)
                        probe.connect(str(self.socket))
                        probe.sendall(b"GET /_ping HTTP/1.0\r\n\r\n")
                        if b"OK" in probe.recv(1024):
                            return
                except OSError:
                    pass
            if self.service.poll() is not None:
                break
            time.sleep(0.1)
        log = (self.root / "service.log").read_text(errors="replace")[-2000:]
        raise AssertionError(f"podman system service did not start:\n{log}")

    def stop(self) -> None:
        if self.service is not None and self.service.poll() is None:
            self.service.terminate()
            try:
                self.service.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.service.kill()
                self.service.wait()
