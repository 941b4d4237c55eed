"""Faults of a real registry: a blob tampered with on its disk, the registry killed in the middle
of a blob (resumed with Range when it comes back, a clean error when it does not), and TLS that
cannot be verified. Each fault is exit 3 in one line, and nothing wrong is reported."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from auger.analysis.image import analyze_image
from auger.errors import AugerError, exit_code_for
from auger.layers.scanner import scan_layer
from auger.model import Image, LayerRef, LayerScan, Readable
from auger.progress import NullProgress
from auger.sources.interface import DigestMismatchError, ReadOptions
from auger.sources.registry.errors import RegistryUnreachableError
from auger.sources.registry.source import RegistrySource
from auger.sources.registry.transport import RetryPolicy
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    compress,
    docker_archive,
    file,
    layer_tar,
)
from tests.conftest import require
from tests.registry.conftest import small_image
from tests.registry_support import (
    FlakyProxy,
    Registry,
    have_registry_tools,
    outward_address,
    self_signed,
)
from tests.support import NO_ENGINE, analyze_reference, fingerprint, run_cli

QUICK = RetryPolicy(attempts=3, first_delay=0.05, max_delay=0.2, first_contact_attempts=1)


def layer_digests(registry: Registry, reference: str) -> list[str]:
    image = analyze_reference(reference).image
    return [str(layer.digest) for layer in image.layers]


def assert_exit_3_and_nothing_reported(reference: str, expected: str) -> None:
    result = run_cli([reference])
    assert result.code == 3, result.stderr
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("auger: error: ")]
    assert len(errors) == 1 and expected in errors[0], result.stderr
    assert "Traceback" not in result.stderr


def test_a_blob_corrupted_on_the_registry_disk_is_a_digest_mismatch(
    own_registry: Registry, small_archive: Path
) -> None:
    reference = own_registry.push(f"docker-archive:{small_archive}", "app:1")
    digest = layer_digests(own_registry, reference)[1]
    blob = own_registry.blob_path(digest)
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, a bit flipped inside the deflate stream
    blob.write_bytes(bytes(data))
    assert_exit_3_and_nothing_reported(reference, "digest mismatch")


def test_a_blob_replaced_by_another_valid_layer_is_a_digest_mismatch(
    own_registry: Registry, small_archive: Path
) -> None:
    reference = own_registry.push(f"docker-archive:{small_archive}", "app:1")
    digest = layer_digests(own_registry, reference)[0]
    other = compress(layer_tar([file("etc/forged", 999)]), "gzip")
    own_registry.blob_path(digest).write_bytes(other)
    assert_exit_3_and_nothing_reported(reference, "digest mismatch")
    with pytest.raises(DigestMismatchError):
        analyze_reference(reference)


@pytest.fixture
def big_image(own_registry: Registry, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An image whose first layer is 24 MB that does not compress (so it is still on the
    wire when the registry dies)."""
    noise = os.urandom(24 << 20)
    spec = ImageSpec(
        layers=[
            LayerSpec(layer_tar([file("data/noise.bin", noise)]), "add noise"),
            *small_image().layers,
        ]
    )
    archive = tmp_path / "big.tar"
    archive.write_bytes(docker_archive(spec))
    del noise
    yield own_registry.push(f"docker-archive:{archive}", "big:1"), archive


class KillingScanner:
    """Scans as usual, but kills the registry once ``after`` bytes of the first layer were read
    (and starts it again when ``restart``)."""

    def __init__(self, registry: Registry, after: int, restart: bool) -> None:
        self.registry = registry
        self.after = after
        self.restart = restart
        self.killed = False

    def __call__(self, stream: Readable, ref: LayerRef) -> LayerScan:
        if self.killed or ref.index != 0:
            return scan_layer(stream, ref)
        return scan_layer(_Tripwire(stream, self), ref)

    def trip(self) -> None:
        self.killed = True
        self.registry.kill()
        if self.restart:
            self.registry.start()


class _Tripwire:
    def __init__(self, inner: Readable, scanner: KillingScanner) -> None:
        self.inner = inner
        self.scanner = scanner
        self.read_so_far = 0

    def read(self, size: int = -1, /) -> bytes:
        data = self.inner.read(size)
        self.read_so_far += len(data)
        if not self.scanner.killed and self.read_so_far >= self.scanner.after:
            self.scanner.trip()
        return data


def read_big(reference: str, scanner: KillingScanner) -> Image:
    source = RegistrySource(reference.removeprefix("registry://"), reference, NO_ENGINE, QUICK)
    return source.read(scanner, ReadOptions(), NullProgress())


def test_a_registry_back_after_a_crash_resumes_the_blob_with_range(
    own_registry: Registry, big_image: tuple[str, Path]
) -> None:
    reference, archive = big_image
    scanner = KillingScanner(own_registry, after=2 << 20, restart=True)
    before = len(own_registry.blob_fetches("big"))
    image = read_big(reference, scanner)
    assert scanner.killed
    assert fingerprint(analyze_image(image)) == fingerprint(analyze_reference(str(archive)))
    noise = str(image.layers[0].digest)
    fetches = [
        status for digest, status in own_registry.blob_fetches("big")[before:] if digest == noise
    ]
    assert 206 in fetches, fetches


def test_a_registry_gone_in_the_middle_of_a_blob_is_a_clean_error(
    own_registry: Registry, big_image: tuple[str, Path]
) -> None:
    reference, _ = big_image
    scanner = KillingScanner(own_registry, after=2 << 20, restart=False)
    with pytest.raises(AugerError) as raised:
        read_big(reference, scanner)
    assert scanner.killed
    assert isinstance(raised.value, RegistryUnreachableError), raised.value
    assert exit_code_for(raised.value) == 3
    assert "lost the connection to the registry" in raised.value.message
    assert "\n" not in raised.value.message


@pytest.fixture
def tls_registry(tmp_path: Path) -> Iterator[tuple[Registry, Path]]:
    """A registry serving HTTPS with a self-signed certificate, on an address that is not
    loopback (so auger verifies it)."""
    require(have_registry_tools(), "docker-registry and skopeo are not installed")
    address = outward_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    certificate, key = self_signed(tmp_path / "tls", address)
    registry = Registry(tmp_path / "registry", address=address, tls=(certificate, key)).start()
    yield registry, certificate
    registry.kill()


def test_tls_is_verified_unless_told_otherwise(
    tls_registry: tuple[Registry, Path], small_archive: Path
) -> None:
    registry, certificate = tls_registry
    reference = registry.push(f"docker-archive:{small_archive}", "app:1")
    result = run_cli([reference])
    assert result.code == 3
    assert f"TLS verification failed for {registry.host}" in result.stderr
    assert "--tls-verify=false" in result.stderr
    assert result.stdout == ""
    insecure = run_cli([reference, "--tls-verify=false"])
    assert insecure.code == 0, insecure.stderr
    trusted = run_cli([reference], {**NO_ENGINE, "SSL_CERT_FILE": str(certificate)})
    assert trusted.code == 0, trusted.stderr
    assert trusted.stdout == insecure.stdout


@pytest.fixture
def flaky(open_registry: Registry, small_archive: Path) -> Iterator[tuple[FlakyProxy, str]]:
    open_registry.push(f"docker-archive:{small_archive}", "flaky/app:1")
    proxy = FlakyProxy(open_registry)
    yield proxy, f"registry://{proxy.host}/flaky/app:1"
    proxy.close()


def statuses(proxy: FlakyProxy, pattern: str) -> list[int]:
    return [status for path, status in proxy.seen if pattern in path]


def test_429_and_5xx_are_retried(flaky: tuple[FlakyProxy, str], small_archive: Path) -> None:
    proxy, reference = flaky
    proxy.fail("/manifests/", 429, times=2, retry_after="0")
    proxy.fail("/blobs/", 503, times=2)
    result = run_cli([reference])
    assert result.code == 0, result.stderr
    assert statuses(proxy, "/manifests/")[:3] == [429, 429, 200]
    assert statuses(proxy, "/blobs/").count(503) == 2
    assert result.stdout.splitlines()[2:] == run_cli([str(small_archive)]).stdout.splitlines()[2:]


def test_rate_limited_after_the_retries_is_exit_3(flaky: tuple[FlakyProxy, str]) -> None:
    proxy, reference = flaky
    proxy.fail("/manifests/", 429, times=100, retry_after="0")
    assert_exit_3_and_nothing_reported(reference, "rate-limited the pull (HTTP 429, 5 tries)")
    assert statuses(proxy, "/manifests/") == [429] * 5


def test_a_retry_after_too_long_to_wait_ends_at_once(flaky: tuple[FlakyProxy, str]) -> None:
    proxy, reference = flaky
    proxy.fail("/manifests/", 429, times=100, retry_after="3600")
    assert_exit_3_and_nothing_reported(reference, "it asks to wait 3600 s")
    assert statuses(proxy, "/manifests/") == [429]


SCHEMA1 = json.dumps(
    {"schemaVersion": 1, "name": "flaky/app", "tag": "1", "fsLayers": [], "history": []}
).encode()


def test_a_schema_1_manifest_is_refused_clearly(flaky: tuple[FlakyProxy, str]) -> None:
    proxy, reference = flaky
    kind = "application/vnd.docker.distribution.manifest.v1+prettyjws"
    proxy.fail("/manifests/", 200, times=1, body=(SCHEMA1, kind))
    assert_exit_3_and_nothing_reported(reference, "Docker schema 1 manifest")


def test_a_manifest_that_does_not_hash_to_its_digest(
    flaky: tuple[FlakyProxy, str], open_registry: Registry
) -> None:
    proxy, reference = flaky
    digest = analyze_reference(reference).image.manifest_digest
    other = json.dumps({"schemaVersion": 2, "layers": [], "config": {}}).encode()
    proxy.fail(f"/manifests/{digest}", 200, times=1, body=(other, "application/json"))
    pinned = f"registry://{proxy.host}/flaky/app@{digest}"
    assert_exit_3_and_nothing_reported(pinned, "digest mismatch")
