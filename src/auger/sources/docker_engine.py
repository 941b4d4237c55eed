"""The Docker Engine: on its unix socket directly, else through the Docker SDK.

The image is streamed out of the engine with ``save`` and read in one pass; it is never written
to disk. The engine is found as the docker CLI finds it: ``DOCKER_HOST`` first, then the active
CLI context (``DOCKER_CONTEXT`` or ``currentContext`` in the docker config), then the default
socket. Where that is a unix socket, auger makes its two requests (inspect, save) itself
(:mod:`auger.sources.engine_socket`: the SDK costs more to import than a small image costs to
read); any other endpoint goes through the SDK.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, NamedTuple, Protocol

from auger.errors import ImageReadError
from auger.model import Image, LayerRef, LayerScan, Readable
from auger.progress import Progress
from auger.sources import streams
from auger.sources.docker_save import docker_save_image
from auger.sources.engine_socket import EngineHTTPError, EngineSocket, local_socket
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


class EngineImage(NamedTuple):
    """What auger reads of an image's inspect."""

    name: str
    """The name it was asked for by."""
    id: str | None
    tags: tuple[str, ...]
    diff_ids: list[str] | None
    """``RootFS.Layers``: the diff IDs of its layers, bottom first."""


class NoSuchImageError(Exception):
    """The engine has no image of that name."""


class EngineRefusedError(Exception):
    """The engine answered a request with an error."""

    def __init__(self, explanation: str) -> None:
        super().__init__(explanation)
        self.explanation = explanation


class EngineConnectionError(Exception):
    """The request did not reach the engine, or its answer did not reach auger."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


OnRead = Callable[[int], None]
"""Told how many bytes of a stream arrived."""


class EngineClient(Protocol):
    """The two requests auger makes of an engine, with their failures as
    :class:`NoSuchImageError`, :class:`EngineRefusedError` and :class:`EngineConnectionError`."""

    def inspect(self, name: str) -> EngineImage:
        """The image ``name``."""
        ...

    def save(self, image: EngineImage, named: str | None, on_read: OnRead) -> io.RawIOBase:
        """The ``docker save`` tar of ``image``, naming it ``named`` (else by its ID)."""
        ...

    def close(self) -> None:
        """Let go of the connection."""
        ...


def _image_of(name: str, image_id: object, tags: object, rootfs: object) -> EngineImage:
    layers = rootfs.get("Layers") if isinstance(rootfs, dict) else None
    return EngineImage(
        name,
        image_id if isinstance(image_id, str) else None,
        tuple(tag for tag in tags if isinstance(tag, str)) if isinstance(tags, list) else (),
        layers if isinstance(layers, list) else None,
    )


class SocketClient:
    """An engine on a unix socket, spoken to directly (:mod:`auger.sources.engine_socket`)."""

    def __init__(self, path: str) -> None:
        self._socket = EngineSocket(path, TIMEOUT)

    def inspect(self, name: str) -> EngineImage:
        try:
            found = self._socket.inspect(name)
        except EngineHTTPError as exc:
            if exc.status == HTTPStatus.NOT_FOUND:
                raise NoSuchImageError(name) from exc
            raise EngineRefusedError(exc.message) from exc
        except (OSError, ImageReadError) as exc:
            raise EngineConnectionError(exc) from exc
        return _image_of(name, found.get("Id"), found.get("RepoTags"), found.get("RootFS"))

    def save(self, image: EngineImage, named: str | None, on_read: OnRead) -> io.RawIOBase:
        try:
            return self._socket.save(named or image.id or image.name, on_read)
        except EngineHTTPError as exc:
            raise EngineRefusedError(exc.message) from exc
        except (OSError, ImageReadError) as exc:
            raise EngineConnectionError(exc) from exc

    def close(self) -> None:
        pass  # (a connection per request, closed with it)


class SdkClient:
    """An engine through the Docker SDK (any endpoint the SDK reaches)."""

    def __init__(self, client: docker.DockerClient) -> None:
        self._client = client
        self._images: dict[str, docker.models.images.Image] = {}

    def inspect(self, name: str) -> EngineImage:
        import docker  # noqa: PLC0415
        import requests  # noqa: PLC0415

        try:
            image = self._client.images.get(name)
        except docker.errors.ImageNotFound as exc:
            raise NoSuchImageError(name) from exc
        except docker.errors.APIError as exc:
            raise EngineRefusedError(str(exc.explanation)) from exc
        except requests.exceptions.RequestException as exc:
            raise EngineConnectionError(exc) from exc
        self._images[name] = image
        return _image_of(name, image.id, image.tags, image.attrs.get("RootFS"))

    def save(self, image: EngineImage, named: str | None, on_read: OnRead) -> io.RawIOBase:
        import docker  # noqa: PLC0415
        import requests  # noqa: PLC0415

        try:
            chunks: Iterator[bytes] = self._images[image.name].save(named=named or False)
        except docker.errors.APIError as exc:
            raise EngineRefusedError(str(exc.explanation)) from exc
        except requests.exceptions.RequestException as exc:
            raise EngineConnectionError(exc) from exc
        return streams.ChunkStream(_read_errors(chunks, f"the save of {image.name}"), on_read)

    def close(self) -> None:
        self._client.close()


def _read_errors(chunks: Iterator[bytes], what: str) -> Iterator[bytes]:
    """``chunks``, with a connection lost on the way as an :class:`ImageReadError`."""
    import requests  # noqa: PLC0415

    try:
        yield from chunks
    except requests.exceptions.RequestException as exc:
        raise ImageReadError(
            f"lost the connection to the engine while reading {what}: {exc}"
        ) from exc


def engine_client(environ: Mapping[str, str]) -> EngineClient:
    """A client of the engine the docker CLI would use: on its unix socket directly where it
    has one, else through the SDK."""
    path = local_socket(environ)
    return SocketClient(path) if path is not None else SdkClient(connect(environ))


class DockerEngineSource(ImageSource):
    """An image held by the Docker Engine."""

    kind = "docker"

    def __init__(self, name: str, reference: str, environ: Mapping[str, str]) -> None:
        self.name = name
        self.reference = reference
        self.environ = environ

    def read(self, scan: LayerScanner, options: ReadOptions, progress: Progress) -> Image:
        client = engine_client(self.environ)
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
    client: EngineClient,
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
    try:
        image = client.inspect(name)
    except NoSuchImageError as exc:
        raise ImageNotFoundError(
            f"image {with_implied_tag(name)} not found in {engine}", hint=not_found_hint
        ) from exc
    except EngineRefusedError as exc:
        raise EngineUnavailableError(f"{engine} refused: {exc.explanation}") from exc
    except EngineConnectionError as exc:
        raise fail(exc.cause) from exc
    saved = _Saved(client, image, kind=kind, engine=engine, reference=reference)
    result = saved.from_cache(options, progress) or saved.save(scan, options, progress)
    return result._replace(
        source=kind,
        name=name if name in image.tags else (image.tags[0] if image.tags else result.name),
    )


class _Saved(NamedTuple):
    """An engine's image, as its ``save`` gives it or as the cache kept it."""

    client: EngineClient
    image: EngineImage
    kind: str
    engine: str
    reference: str

    def from_cache(self, options: ReadOptions, progress: Progress) -> Image | None:
        """The image rebuilt from the cache, with no ``save``, when the cache holds it all."""
        if options.cache is None or options.documents is None:
            return None
        image = self.image
        if image.id is None or image.diff_ids is None:
            return None
        store = saved_image_store(
            options.documents,
            options.cache,
            kind=self.kind,
            image_id=image.id,
            diff_ids=image.diff_ids,
            description=f"image {image.name} from the layer cache",
        )
        if store is None:
            return None
        progress.phase(f"reading {image.name} from the layer cache")
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
        name, engine = self.image.name, self.engine
        progress.phase(f"saving {name} from {engine}")
        named = name if name in self.image.tags else None
        try:
            raw = self.client.save(self.image, named, progress.bytes_read)
        except EngineRefusedError as exc:
            raise EngineUnavailableError(
                f"{engine} could not save {name}: {exc.explanation}"
            ) from exc
        except EngineConnectionError as exc:
            raise EngineUnavailableError(
                f"lost the connection to {engine} while reading {name}"
            ) from exc
        with raw:
            description = f"image {name} from {engine}"
            store = StreamedTarStore(streams.buffered(raw), description, scan, progress, options)
            result = docker_save_image(
                store,
                reference=self.reference,
                selector=None,
                scan=scan,
                progress=progress,
                options=options,
            )
        image_id = self.image.id
        if options.documents is not None and options.verify and image_id is not None:
            remember_saved_image(
                options.documents, kind=self.kind, image_id=image_id, store=store, image=result
            )
        return result


def _never_called(stream: Readable, ref: LayerRef) -> LayerScan:
    raise AssertionError(f"{ref.label} was to come from the layer cache")
