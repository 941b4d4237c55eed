"""Extraction of what the explorer's view shows: plan it from the path index, then extract.

:func:`plan_extraction` lists, per layer, the entries that make up a path (and everything below
it) as the view shows it; :func:`extract_selection` hands that plan to
:func:`auger.extraction.extract.extract`, reading the image again from where it came from.
"""

from __future__ import annotations

from pathlib import Path

from auger.extraction.extract import ExtractRequest, ExtractResult, extract
from auger.extraction.plan import Plan
from auger.model import DiffType
from auger.sources.reference import resolve_source
from auger.viewmodel.explorer import Explorer, ImageRef
from auger.viewmodel.index import PathIndex
from auger.viewmodel.model import Mode, View


def plan_extraction(index: PathIndex, number: int, layer: int, aggregated: bool) -> Plan:
    """The entries that make up path ``number`` (and everything below it) in the view."""
    plan: Plan = {}
    end, n = index.end[number], number
    while n < end:
        event = index.event_at(n, layer) if aggregated else index.change_in(n, layer)
        if event is None or event.diff is DiffType.REMOVED:
            n = index.end[n] if aggregated else n + 1  # absent: so is everything below
            continue
        if event.entry is not None:
            plan.setdefault(event.layer, {})[index.paths[n]] = event.entry
        n += 1
    return plan


def extract_selection(
    image: ImageRef, explorer: Explorer, number: int, view: View, target: Path
) -> ExtractResult:
    """Write path ``number`` below ``target``, as ``view`` shows it."""
    index = explorer.index
    aggregated = view.mode is Mode.AGGREGATED
    request = ExtractRequest(
        layers=explorer.analysis.image.layers,
        plan=plan_extraction(index, number, view.layer, aggregated),
        selected=index.paths[number],
        target=target,
    )
    source = resolve_source(image.reference, image.options.source, image.environ)
    return extract(source, image.options.read_options(), request)
