"""A large image made straight as the model: as many files as asked, no tar written.

:func:`synthetic_image` spreads files over a directory tree shaped like a distribution's
(a few top directories, a long tail of small ones, some directories with thousands of
files), sizes drawn from a log-normal distribution, most files in the base layer, a last
layer that overwrites some of them and a layer that deletes a directory. It is for measuring
what auger makes of a big image (a page, an export) where writing the tar would cost far more
than what is measured; the same seed gives the same image.
"""

from __future__ import annotations

import random

from auger.model import Digest, Entry, EntryKind, Image, Layer, LayerScan

TOPS = (
    "usr/lib/x86_64-linux-gnu",
    "usr/lib/python3/dist-packages",
    "usr/share/doc",
    "usr/share/locale",
    "usr/bin",
    "opt/app/node_modules",
    "var/lib/apt/lists",
    "etc",
)
LAYERS = 8
"""Layer 0 is the base, layers 1 to 5 add files, 6 deletes ``usr/share/doc``, 7 overwrites."""


def _directories(rng: random.Random, count: int) -> list[str]:
    """``count`` directories, new ones more often under the first (and so bigger) ones."""
    made = list(TOPS)
    while len(made) < count:
        pick = min(int(rng.paretovariate(0.8)) - 1, len(made) - 1)
        parent = made[pick] if rng.random() < 0.3 else rng.choice(made)
        made.append(f"{parent}/d{len(made)}")
    return made


def synthetic_image(files: int, *, seed: int = 1, per_directory: int = 10) -> Image:
    """An image of ``files`` regular files (and the changes above) in eight layers."""
    rng = random.Random(seed)
    directories = _directories(rng, max(files // per_directory, len(TOPS)))
    layers: list[list[Entry]] = [[] for _ in range(LAYERS)]
    written: list[tuple[str, int]] = []
    for number in range(files):
        path = f"{rng.choice(directories)}/f{number}.bin"
        layer = 0 if rng.random() < 0.6 else rng.randint(1, 5)
        size = int(rng.lognormvariate(7, 2.2))
        layers[layer].append(Entry(path, EntryKind.FILE, size, 0o644, 0, 0))
        written.append((path, layer))
    layers[6].append(Entry("usr/share/doc", EntryKind.WHITEOUT, 0, 0, 0, 0))
    for path, _ in rng.sample(written, len(written) // 50):
        layers[7].append(Entry(path, EntryKind.FILE, 100, 0o644, 0, 0))
    built = tuple(
        Layer(
            index=index,
            scan=LayerScan(tuple(entries), sum(entry.size for entry in entries)),
            id=f"layer{index}",
            diff_id=Digest(f"sha256:{index:064x}"),
            digest=None,
            media_type=None,
            stored_size=None,
            created_by=f"/bin/sh -c step {index}",
        )
        for index, entries in enumerate(layers)
    )
    return Image(f"synthetic:{files}", "docker-archive", built, name=f"synthetic:{files}")
