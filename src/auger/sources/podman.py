"""Podman: through its Docker-compatible API socket, else a ``podman image save`` pipe.

The socket is found as Podman's remote clients find it: ``CONTAINER_HOST``, else the rootless
``$XDG_RUNTIME_DIR/podman/podman.sock``, else the rootful ``/run/podman/podman.sock``. It is
spoken to as the Docker Engine is (directly on a unix socket, else with the Docker SDK), and
the image streamed out with ``save``. Without a socket, ``podman image save`` is run and its
output read from the pipe. Either way nothing is written to disk, and the history comes from
the image config inside the saved image, never from Podman's history endpoint (which fails on
some images).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from auger.errors import ImageReadError
from auger.model import Image
from auger.progress import Progress
from auger.sources import streams
from auger.sources.docker_engine import (
    EngineClient,
    SdkClient,
    SocketClient,
    read_saved,
    with_implied_tag,
)
from auger.sources.docker_save import docker_save_image
from auger.sources.interface import (
    EngineUnavailableError,
    ImageNotFoundError,
    ImageSource,
    LayerScanner,
    ReadOptions,
)
from auger.sources.tar_stores import StreamedTarStore

ROOTFUL_SOCKET = Path("/run/podman/podman.sock")
TIMEOUT = 300
_START_HINT = (
    "start Podman's API socket (systemctl --user start podman.socket, or "
    "podman system service --time=0 &), or install podman for the save pipe"
)


def find_socket(environ: Mapping[str, str]) -> str | None:
    """The API URL of Podman's socket, or ``None`` when none is there (and none was named)."""
    named = environ.get("CONTAINER_HOST")
    if named:
        return named
    candidates = [ROOTFUL_SOCKET]
    if environ.get("XDG_RUNTIME_DIR"):
        candidates.insert(0, Path(environ["XDG_RUNTIME_DIR"]) / "podman" / "podman.sock")
    for path in candidates:
        if path.is_socket():
            return f"unix://{path}"
    return None


class PodmanSource(ImageSource):
    """An image in Podman's local storage."""

    kind = "podman"

    def __init__(self, name: str, reference: str, environ: Mapping[str, str]) -> None:
        self.name = name
        self.reference = reference
        self.environ = environ

    def read(self, scan: LayerScanner, options: ReadOptions, progress: Progress) -> Image:
        url = find_socket(self.environ)
        if url is not None:
            return self._read_api(url, scan, options, progress)
        program = shutil.which("podman", path=self.environ.get("PATH", os.defpath))
        if program is None:
            raise EngineUnavailableError(
                "no Podman socket (CONTAINER_HOST, $XDG_RUNTIME_DIR/podman/podman.sock, "
                f"{ROOTFUL_SOCKET}) and no podman command",
                hint=_START_HINT,
            )
        return self._read_pipe(program, scan, options, progress)

    def _unreachable(self, url: str) -> EngineUnavailableError:
        where = " (CONTAINER_HOST)" if self.environ.get("CONTAINER_HOST") else ""
        return EngineUnavailableError(
            f"cannot reach Podman's socket at {url}{where}", hint=_START_HINT
        )

    def _read_api(
        self, url: str, scan: LayerScanner, options: ReadOptions, progress: Progress
    ) -> Image:
        client: EngineClient
        if url.startswith("unix://"):
            path = url.removeprefix("unix://")
            if not Path(path).exists():
                raise self._unreachable(url)
            client = SocketClient(path)
        else:
            import docker  # noqa: PLC0415 - the SDK is slow to import and only needed here

            try:
                client = SdkClient(docker.DockerClient(base_url=url, timeout=TIMEOUT))
            except docker.errors.DockerException as exc:
                raise self._unreachable(url) from exc
        try:
            return read_saved(
                client,
                self.name,
                reference=self.reference,
                kind=self.kind,
                engine="Podman",
                scan=scan,
                options=options,
                progress=progress,
                fail=lambda _: self._unreachable(url),
                not_found_hint="pull or build it with podman first (podman images lists them)",
            )
        finally:
            client.close()

    def _read_pipe(
        self, program: str, scan: LayerScanner, options: ReadOptions, progress: Progress
    ) -> Image:
        progress.phase(f"saving {self.name} with podman image save")
        command = [program, "image", "save", "--format", "docker-archive", self.name]
        with tempfile.TemporaryFile() as errors:  # podman's messages only, never image data
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
                env=dict(self.environ),
            )
            assert process.stdout is not None
            description = f"image {self.name} from podman image save"
            try:
                with process.stdout as pipe:
                    stream = streams.Window(pipe, 1 << 62, on_read=progress.bytes_read)
                    try:
                        store = StreamedTarStore(stream, description, scan, progress, options)
                    except ImageReadError as exc:
                        failure = self._failed(process, errors)
                        if failure is None:
                            raise
                        raise failure from exc
                failure = self._failed(process, errors)
                if failure is not None:
                    raise failure
            finally:
                if process.poll() is None:
                    process.kill()
                process.wait()
        image = docker_save_image(
            store,
            reference=self.reference,
            selector=None,
            scan=scan,
            progress=progress,
            options=options,
        )
        return image._replace(source=self.kind, name=self.name)

    def _failed(self, process: subprocess.Popen[bytes], errors: IO[bytes]) -> ImageReadError | None:
        """The error for a ``podman image save`` that failed, or ``None`` if it succeeded."""
        if process.wait() == 0:
            return None
        errors.seek(0)
        said = errors.read(4096).decode("utf-8", "replace").strip().splitlines()
        first = said[-1].removeprefix("Error: ") if said else f"exit status {process.returncode}"
        if "image not known" in first or "no such image" in first.lower():
            return ImageNotFoundError(
                f"image {with_implied_tag(self.name)} not found in Podman",
                hint="pull or build it with podman first (podman images lists them)",
            )
        return EngineUnavailableError(f"podman image save failed: {first}")
