"""Build small images on the real Docker Engine for integration tests.

Images are built ``FROM scratch`` from a context the test writes; a static busybox copied into
the context gives ``RUN`` a shell. Nothing is pulled: no registry is needed.
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import docker
import docker.errors


@dataclass
class Engine:
    """A Docker client and the tags it built (removed at the end of the session)."""

    client: docker.DockerClient
    built: list[str] = field(default_factory=list)

    def build(
        self,
        context: Path,
        dockerfile: str,
        files: Mapping[str, bytes] | None = None,
        busybox: Path | None = None,
        *,
        nocache: bool = False,
    ) -> str:
        """Build ``dockerfile`` in ``context`` and return the image's unique tag (with
        ``nocache``, every step runs again, as ``docker build --no-cache`` does)."""
        context.mkdir(parents=True, exist_ok=True)
        (context / "Dockerfile").write_text(dockerfile)
        if busybox is not None:
            shutil.copy2(busybox, context / "busybox")
        for name, data in (files or {}).items():
            target = context / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        tag = f"auger-test-{uuid.uuid4().hex[:12]}:latest"
        try:
            self.client.images.build(
                path=str(context), tag=tag, rm=True, forcerm=True, nocache=nocache
            )
        except docker.errors.BuildError as error:
            log = "".join(str(item.get("stream", "")) for item in error.build_log)
            raise AssertionError(f"docker build failed: {error}\n{log}") from error
        self.built.append(tag)
        return tag

    def save(self, tag: str, target: Path) -> Path:
        """``docker save`` the image to ``target``."""
        with target.open("wb") as handle:
            for chunk in self.client.images.get(tag).save(named=True):
                handle.write(chunk)
        return target

    def cleanup(self) -> None:
        for tag in self.built:
            with contextlib.suppress(docker.errors.DockerException):
                self.client.images.remove(tag, force=True, noprune=False)
        self.client.close()


def connect_engine() -> Engine | None:
    """An :class:`Engine` if one answers, else ``None``."""
    try:
        client = docker.from_env(timeout=120)
        client.ping()
    except docker.errors.DockerException:
        return None
    return Engine(client)


BUSYBOX_PREAMBLE = """\
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
"""
"""The first lines of a Dockerfile that needs a shell."""
