"""The Docker Engine, through the Docker SDK.

The image is streamed out of the engine with ``save`` and read in one pass; it is never written
to disk. The engine is found as the docker CLI finds it: ``DOCKER_HOST`` first, then the active
CLI context (``DOCKER_CONTEXT`` or ``currentContext`` in the docker config), then the default
socket.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from auger.model import Image, LayerRef, LayerScan, Readable
from auger.progress import Progress
from auger.sources import streams
from auger.sources.docker_save import docker_save_image
from auger.sources.interface import (
    EngineUnavailableError,
    ImageNotFoundError,
    ImageSource,
    LayerScanner,
    ReadOptions,
)
from auger.sources.layouts import with_latest
from auger.sources.remembered import remember_saved_image, saved_image_store
from auger.sources.tar_stores import StreamedTarStore

if TYPE_CHECKING:
    import docker
    import docker.models.images

TIMEOUT = 300


def describe_endpoint(environ: Mapping[str, str]) -> str:
    """Where the engine is expected, in the user's terms (as the docker CLI resolves it)."""
    if environ.get("DOCKER_HOST"):
        return environ["DOCKER_HOST"]
    from docker.context.api import ContextAPI  # noqa: PLC0415
    from docker.context.config import get_current_context_name  # noqa: PLC0415

    name = environ.get("DOCKER_CONTEXT") or get_current_context_name()
    if not name or name == "default":
        return "the default socket (unix:///var/run/docker.sock)"
    context = ContextAPI.get_context(name)
    if context is None:
        return f"docker context {name!r}, which does not exist"
    return f"{context.Host} (docker context {name!r})"


def _root_cause(error: BaseException) -> BaseException:
    seen = set()
    current: BaseException = error
    while id(current) not in seen:
        seen.add(id(current))
        nested = current.__cause__ or current.__context__
        if nested is None:
            for arg in current.args:
                if isinstance(arg, BaseException):
                    nested = arg
                    break
        if nested is None:
            break
        current = nested
    return current


def unreachable(error: BaseException, environ: Mapping[str, str]) -> EngineUnavailableError:
    """The error for an engine that cannot be reached, with a hint that fits the cause."""
    text = str(error)
    where = describe_endpoint(environ)
    if isinstance(_root_cause(error), PermissionError) or "Permission denied" in text:
        if environ.get("AUGER_CONTAINER_IMAGE"):  # auger's own image: its user is not root
            hint = (
                "let the container's user use the mounted socket: docker run --group-add "
                '"$(stat -c %g /var/run/docker.sock)" ...'
            )
        else:
            hint = (
                "add your user to the 'docker' group, or read a saved archive instead "
                "(docker save IMAGE -o image.tar; auger image.tar)"
            )
        return EngineUnavailableError(
            f"permission denied on the Docker Engine socket ({where})", hint=hint
        )
    return EngineUnavailableError(
        f"cannot reach the Docker Engine at {where}",
        hint="start dockerd or set DOCKER_HOST, or read a saved archive instead "
        "(docker-archive://image.tar)",
    )


def connect(environ: Mapping[str, str]) -> docker.DockerClient:
    """A client for the engine the docker CLI would use."""
    import docker  # noqa: PLC0415 - the SDK is slow to import and only needed here
    from docker.context.api import ContextAPI  # noqa: PLC0415
    from docker.context.config import get_current_context_name  # noqa: PLC0415

    if not environ.get("DOCKER_HOST"):
        name = environ.get("DOCKER_CONTEXT") or get_current_context_name()
        if name and name != "default" and ContextAPI.get_context(name) is None:
            raise EngineUnavailableError(
                f"docker context {name!r} does not exist",
                hint="docker context ls lists the contexts; unset DOCKER_CONTEXT or "
                "run docker context use default",
            )
    try:
        return docker.DockerClient.from_env(environment=dict(environ), timeout=TIMEOUT)
    except docker.errors.DockerException as exc:
        raise unreachable(exc, environ) from exc


def with_implied_tag(name: str) -> str:
    """``name`` as the engine reads it: a name without tag or digest means ``name:latest``
    (an image ID, full or short, stays as it is)."""
    return name if "@" in name or _looks_like_id(name) else with_latest(name)


def _looks_like_id(name: str) -> bool:
    return len(name) >= 12 and all(char in "0123456789abcdef" for char in name)


class DockerEngineSource(ImageSource):
    """An image held by the Docker Engine."""

    kind = "docker"

    def __init__(self, name: str, reference: str, environ: Mapping[str, str]) -> None:
        self.name = name
        self.reference = reference
        self.environ = environ

    def read(self, scan: LayerScanner, options: ReadOptions, progress: Progress) -> Image:
        client = connect(self.environ)
        try:
            return read_saved(
                client,
                self.name,
                reference=self.reference,
                kind=self.kind,
                engine="the Docker Engine",
                scan=scan,
                options=options,
                progress=progress,
                fail=lambda exc: unreachable(exc, self.environ),
                not_found_hint="build or pull it first (docker images lists what the engine has)",
            )
        finally:
            client.close()


def read_saved(
    client: docker.DockerClient,
    name: str,
    *,
    reference: str,
    kind: str,
    engine: str,
    scan: LayerScanner,
    options: ReadOptions,
    progress: Progress,
    fail: Callable[[BaseException], EngineUnavailableError],
    not_found_hint: str,
) -> Image:
    """Read ``name`` from an engine: from the layer cache when it holds the whole image (the
    engine's inspect gives the image's config digest and diff IDs), else streamed out with the
    Docker API's ``save``.

    ``engine`` names the engine in messages ("the Docker Engine", "Podman"); ``fail`` turns a
    connection error into the error to raise.
    """
    import docker  # noqa: PLC0415
    import requests  # noqa: PLC0415

    try:
        image = client.images.get(name)
    except docker.errors.ImageNotFound as exc:
        raise ImageNotFoundError(
            f"image {with_implied_tag(name)} not found in {engine}", hint=not_found_hint
        ) from exc
    except docker.errors.APIError as exc:
        raise EngineUnavailableError(f"{engine} refused: {exc.explanation}") from exc
    except requests.exceptions.RequestException as exc:
        raise fail(exc) from exc
    saved = _Saved(image, name, kind=kind, engine=engine, reference=reference)
    result = saved.from_cache(options, progress) or saved.save(scan, options, progress)
    tags = image.tags or []
    return result._replace(
        source=kind,
        name=name if name in tags else (tags[0] if tags else result.name),
    )


@dataclasses.dataclass(frozen=True, slots=True)
class _Saved:
    """An engine's image, as its ``save`` gives it or as the cache kept it."""

    image: docker.models.images.Image
    name: str
    kind: str
    engine: str
    reference: str

    def from_cache(self, options: ReadOptions, progress: Progress) -> Image | None:
        """The image rebuilt from the cache, with no ``save``, when the cache holds it all."""
        if options.cache is None or options.documents is None:
            return None
        rootfs = self.image.attrs.get("RootFS")
        diff_ids = rootfs.get("Layers") if isinstance(rootfs, dict) else None
        if not isinstance(self.image.id, str) or not isinstance(diff_ids, list):
            return None
        store = saved_image_store(
            options.documents,
            options.cache,
            kind=self.kind,
            image_id=self.image.id,
            diff_ids=diff_ids,
            description=f"image {self.name} from the layer cache",
        )
        if store is None:
            return None
        progress.phase(f"reading {self.name} from the layer cache")
        return docker_save_image(
            store,
            reference=self.reference,
            selector=None,
            scan=_never_called,
            progress=progress,
            options=options,
        )

    def save(self, scan: LayerScanner, options: ReadOptions, progress: Progress) -> Image:
        """The image as ``save`` streams it, every layer not in the cache scanned."""
        import docker  # noqa: PLC0415
        import requests  # noqa: PLC0415

        name, engine = self.name, self.engine
        progress.phase(f"saving {name} from {engine}")
        named = name if name in (self.image.tags or []) else False
        try:
            chunks: Iterator[bytes] = self.image.save(named=named)
            stream = streams.buffered(streams.ChunkStream(chunks, progress.bytes_read))
            description = f"image {name} from {engine}"
            store = StreamedTarStore(stream, description, scan, progress, options)
        except docker.errors.APIError as exc:
            raise EngineUnavailableError(
                f"{engine} could not save {name}: {exc.explanation}"
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise EngineUnavailableError(
                f"lost the connection to {engine} while reading {name}"
            ) from exc
        result = docker_save_image(
            store,
            reference=self.reference,
            selector=None,
            scan=scan,
            progress=progress,
            options=options,
        )
        image_id = self.image.id
        if options.documents is not None and options.verify and isinstance(image_id, str):
            remember_saved_image(
                options.documents, kind=self.kind, image_id=image_id, store=store, image=result
            )
        return result


def _never_called(stream: Readable, ref: LayerRef) -> LayerScan:
    raise AssertionError(f"{ref.label} was to come from the layer cache")
