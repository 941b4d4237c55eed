"""The fleet's plan: one entry per image, and which shard reads it.

Targets whose outlines name the same image (the same config digest) become one image with
every name. Shards are assigned deterministically, from the outlines alone, so every shard of a
job computes the same plan without talking to the others:

1. Images are put in the order of their layer chains (diff IDs, base first): images that share
   base layers are neighbours, as in a tree of layers walked depth first.
2. That tree is cut into *units* that stay together: a group of images sharing a layer is one
   unit while its work fits one shard's share of the fleet's work; a larger group is split
   along its next layer, and the pieces are joined again, neighbours in the tree, into as few
   parts of about equal work as fit a share.
3. Units are placed largest first. Each goes to the shard where it adds the least work (layers a
   shard already reads cost it nothing more) among the shards that would end no more than
   :data:`SLACK` busier than the least busy choice; so a family of images stays on one shard
   unless that would hold the job up. Since a few large units balance badly (five families on
   four shards), the cut is also made at half and a quarter of a share, and the assignment
   that reads the least in all, with its busiest shard near the best, is kept.

Work is measured in stored (compressed) layer bytes where the manifest gives them, else
:data:`UNKNOWN_LAYER_WEIGHT` per layer, plus :data:`IMAGE_WEIGHT` per image for its manifest,
config and analysis. Within a shard, images are read in tree order, base layers first, so the
layer cache serves every image after the first of each family.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from auger.fleet.inputs import Target
from auger.fleet.outline import Outline, OutlineLayer

UNKNOWN_LAYER_WEIGHT = 1 << 20
"""The work of a layer whose stored size the manifest does not give (1 MiB)."""
IMAGE_WEIGHT = 1 << 20
"""The work of an image besides its layers: manifest, config, analysis (as 1 MiB of layers)."""
SLACK = Fraction(1, 10)
"""How much busier than the least busy choice a shard may end, to keep a family together."""
CUTS = (1, 2, 4)
"""Units are tried as large as a share of the work, and as half and a quarter of one."""


@dataclass(frozen=True, slots=True)
class PlannedImage:
    """An image of the fleet, as planned."""

    reference: str
    """What is read."""
    names: tuple[str, ...]
    """Every name the inputs gave it."""
    image_id: str | None
    layers: tuple[OutlineLayer, ...]
    """Base first; empty when the image has no outline."""
    shard: int


@dataclass(frozen=True, slots=True)
class FleetPlan:
    """Every image of the fleet in reading order, each with its shard."""

    images: tuple[PlannedImage, ...]
    shards: int

    def shard(self, index: int) -> tuple[PlannedImage, ...]:
        """The images shard ``index`` reads, in reading order."""
        return tuple(image for image in self.images if image.shard == index)

    @property
    def references(self) -> tuple[str, ...]:
        """Every image's reference, sorted: what a merge expects to find a record for."""
        return tuple(sorted(image.reference for image in self.images))

    @property
    def fingerprint(self) -> str:
        """A digest of the assignment: shards of one plan carry the same."""
        assignment = sorted([image.reference, image.shard] for image in self.images)
        data = json.dumps([self.shards, assignment], separators=(",", ":")).encode()
        return "sha256:" + hashlib.sha256(data).hexdigest()


def layer_weight(layer: OutlineLayer) -> int:
    """A layer's work: its stored size, else :data:`UNKNOWN_LAYER_WEIGHT`."""
    return layer.stored_size if layer.stored_size is not None else UNKNOWN_LAYER_WEIGHT


def layer_bytes(layer_sets: Sequence[tuple[OutlineLayer, ...]]) -> int:
    """The work of reading these images' layers, each distinct layer once."""
    seen: dict[str, int] = {}
    for layers in layer_sets:
        for layer in layers:
            seen.setdefault(layer.key, layer_weight(layer))
    return sum(seen.values())


def distinct_layers(images: Sequence[PlannedImage]) -> tuple[int, int | None]:
    """How many distinct layers these images have, and their stored bytes (``None`` unless
    the manifests give every size)."""
    sizes = {layer.key: layer.stored_size for image in images for layer in image.layers}
    known = [size for size in sizes.values() if size is not None]
    return len(sizes), sum(known) if len(known) == len(sizes) else None


def _common_bytes(layer_sets: Sequence[tuple[OutlineLayer, ...]]) -> int:
    """The work of the layers that every one of these images carries."""
    if not layer_sets:
        return 0
    common = set.intersection(*({layer.key for layer in layers} for layers in layer_sets))
    return layer_bytes([tuple(layer for layer in layer_sets[0] if layer.key in common)])


def _work(layer_sets: Sequence[tuple[OutlineLayer, ...]]) -> int:
    return layer_bytes(layer_sets) + IMAGE_WEIGHT * len(layer_sets)


def merge_by_identity(
    targets: Sequence[Target], outlines: Sequence[Outline | None]
) -> list[tuple[Target, Outline | None]]:
    """One entry per image: targets whose outlines share a config digest are merged, under the
    smallest of their references (so the plan does not depend on the order of the inputs)."""
    merged: list[tuple[Target, Outline | None]] = []
    by_id: dict[str, int] = {}
    for item, found in zip(targets, outlines, strict=True):
        image_id = found.image_id if found is not None else None
        if image_id is None or image_id not in by_id:
            if image_id is not None:
                by_id[image_id] = len(merged)
            merged.append((item, found))
            continue
        kept, kept_outline = merged[by_id[image_id]]
        names = kept.names + tuple(name for name in item.names if name not in kept.names)
        first = min(kept, item, key=lambda candidate: candidate.reference)
        merged[by_id[image_id]] = (Target(first.reference, names, first.digest), kept_outline)
    return merged


def tree_order(chains: Sequence[tuple[str, tuple[OutlineLayer, ...]]]) -> list[int]:
    """Indices of ``(reference, layers)`` in layer-tree order (base first, then reference)."""
    return sorted(
        range(len(chains)),
        key=lambda i: (tuple(layer.key for layer in chains[i][1]), chains[i][0]),
    )


def _units(
    members: list[int], chains: Sequence[tuple[OutlineLayer, ...]], depth: int, share: int
) -> list[list[int]]:
    """Split ``members`` (in tree order, sharing their first ``depth`` layers) into groups
    that each fit ``share``, along the layer tree."""
    if len(members) == 1 or _work([chains[i] for i in members]) <= share:
        return [members]
    groups: dict[str | None, list[int]] = {}
    for index in members:
        layers = chains[index]
        groups.setdefault(layers[depth].key if depth < len(layers) else None, []).append(index)
    if len(groups) == 1 and None not in groups:
        return _units(members, chains, depth + 1, share)
    units = []
    for key, group in groups.items():
        if key is None:  # identical layer chains: nothing to split along but the list itself
            parts = math.ceil(_work([chains[i] for i in group]) / share)
            size = math.ceil(len(group) / parts)
            units += [group[start : start + size] for start in range(0, len(group), size)]
        else:
            units += _units(group, chains, depth + 1, share)
    return _pack(units, chains, share)


def _pack(
    units: list[list[int]], chains: Sequence[tuple[OutlineLayer, ...]], share: int
) -> list[list[int]]:
    """Neighbouring ``units`` (of one group too large for a share) joined again into as few
    parts of about equal work as fit a share each, so that a large family is cut into a few
    pieces rather than into single images."""
    members = [chains[i] for unit in units for i in unit]
    work, prefix = _work(members), _common_bytes(members)
    target = prefix + math.ceil((work - prefix) / math.ceil(work / share))
    packed: list[list[int]] = []
    for unit in units:
        if packed and _work([chains[i] for i in packed[-1] + unit]) <= target:
            packed[-1] = packed[-1] + unit
        else:
            packed.append(unit)
    return packed


def _place(
    units: list[list[int]], chains: Sequence[tuple[OutlineLayer, ...]], shards: int
) -> tuple[list[int], list[int]]:
    """Each unit (largest first) to the shard where it adds the least work, among those that
    end no more than :data:`SLACK` busier than the least busy choice; the shard of each image
    and the work of each shard."""
    loads = [0] * shards
    held: list[set[str]] = [set() for _ in range(shards)]
    result = [0] * len(chains)
    for unit in units:
        layers = {layer.key: layer_weight(layer) for i in unit for layer in chains[i]}
        added = [
            sum(weight for key, weight in layers.items() if key not in held[shard])
            + IMAGE_WEIGHT * len(unit)
            for shard in range(shards)
        ]
        best = min(loads[shard] + added[shard] for shard in range(shards))
        chosen = min(
            (shard for shard in range(shards) if loads[shard] + added[shard] <= best * (1 + SLACK)),
            key=lambda shard: (added[shard], loads[shard] + added[shard], shard),
        )
        loads[chosen] += added[chosen]
        held[chosen].update(layers)
        for index in unit:
            result[index] = chosen
    return result, loads


def assign(chains: Sequence[tuple[str, tuple[OutlineLayer, ...]]], shards: int) -> list[int]:
    """The shard of each ``(reference, layers)``: deterministic, whatever their order.

    A share is the fleet's work over the shards, where the layers every image carries (a
    common base) count once per shard, as every shard reads them. Units may be as large as a
    share, half one or a quarter (:data:`CUTS`): large units keep
    families whole, small ones balance shards better. Of the three assignments, the one that
    reads the fewest bytes in all is kept among those whose busiest shard is within
    :data:`SLACK` of the best busiest shard.
    """
    if shards <= 1 or not chains:
        return [0] * len(chains)
    order = tree_order(chains)
    layer_chains = [layers for _, layers in chains]
    known = [i for i in order if chains[i][1]]
    everywhere = _common_bytes([layer_chains[i] for i in known])
    share = max(1, math.ceil((_work(layer_chains) + (shards - 1) * everywhere) / shards))
    position = {index: rank for rank, index in enumerate(order)}
    candidates = []
    for cut in CUTS:
        units = (_units(known, layer_chains, 0, max(1, share // cut)) if known else []) + [
            [i] for i in order if not chains[i][1]
        ]
        units.sort(key=lambda unit: (-_work([layer_chains[i] for i in unit]), position[unit[0]]))
        result, loads = _place(units, layer_chains, shards)
        candidates.append((max(loads), sum(loads), result))
    busiest = min(candidate[0] for candidate in candidates)
    return min(
        (c for c in candidates if c[0] <= busiest * (1 + SLACK)), key=lambda c: (c[1], c[0])
    )[2]


def plan_fleet(
    targets: Sequence[Target], outlines: Sequence[Outline | None], shards: int
) -> FleetPlan:
    """The plan: images merged by identity, assigned to ``shards``, in reading order."""
    merged = merge_by_identity(targets, outlines)
    chains = [(item.reference, found.layers if found is not None else ()) for item, found in merged]
    assignment = assign(chains, shards)
    images = [
        PlannedImage(
            reference=item.reference,
            names=item.names,
            image_id=found.image_id if found is not None else None,
            layers=chains[index][1],
            shard=assignment[index],
        )
        for index, (item, found) in enumerate(merged)
    ]
    return FleetPlan(tuple(images[i] for i in tree_order(chains)), max(shards, 1))
