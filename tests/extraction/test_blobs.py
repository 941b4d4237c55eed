"""Which layers a blob holds, told from the typed reference its source passes."""

from __future__ import annotations

from auger.extraction.blobs import layers_holding
from auger.model import Digest, Layer, LayerRef, LayerScan

EMPTY = LayerScan(entries=(), size=0)


def layer(index: int, blob: str, digest: str | None, diff_id: str) -> Layer:
    return Layer(
        index=index,
        scan=EMPTY,
        id=blob.partition("/")[0],
        diff_id=Digest(diff_id),
        digest=Digest(digest) if digest else None,
        media_type=None,
        stored_size=None,
        created_by="",
        blob=blob,
    )


LEGACY = (
    layer(0, "aaa/layer.tar", None, "sha256:d0"),
    layer(1, "bbb/layer.tar", None, "sha256:d1"),
    layer(2, "ccc/layer.tar", None, "sha256:d0"),  # the same contents as layer 0
)
OCI = (
    layer(0, "blobs/sha256/b0", "sha256:b0", "sha256:d0"),
    layer(1, "blobs/sha256/b1", "sha256:b1", "sha256:d1"),
)


def test_a_manifest_led_reference_names_its_layer() -> None:
    assert layers_holding(LEGACY[1].ref, LEGACY) == {1}
    assert layers_holding(OCI[1].ref, OCI) == {1}
    assert layers_holding(LayerRef("blobs/sha256/b1", 1, Digest("sha256:b1")), OCI) == {1}


def test_a_reference_that_disagrees_with_the_analysed_layer_names_none() -> None:
    """The image was read again and is not the one analysed (a tag moved, a file replaced)."""
    assert layers_holding(LayerRef("blobs/sha256/b9", 1, Digest("sha256:b9")), OCI) == set()
    assert layers_holding(LayerRef("x/layer.tar", 1, None, Digest("sha256:d9")), LEGACY) == set()
    assert layers_holding(LayerRef("x/layer.tar", 7), LEGACY) == set()


def test_a_streamed_blob_is_found_by_name_or_digest() -> None:
    assert layers_holding(LayerRef("bbb/layer.tar"), LEGACY) == {1}
    assert layers_holding(LayerRef("blobs/sha256/b1", digest=Digest("sha256:b1")), OCI) == {1}
    assert layers_holding(LayerRef("config.json"), LEGACY) == set()


def test_layers_with_the_same_diff_id_share_one_blob() -> None:
    assert layers_holding(LayerRef("aaa/layer.tar"), LEGACY) == {0, 2}
    assert layers_holding(LEGACY[2].ref, LEGACY) == {0, 2}
