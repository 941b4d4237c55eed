"""Which fixtures stand for a real component, and the marker a test using one must carry.

``make test-fast`` runs ``-m "not engine and not oracle"``: it stays free of the Docker Engine
and of dive only if every test that uses them says so (``-m browser`` picks the tests that
drive chromium). ``tests/conftest.py`` stops the collection with :func:`unmarked_uses`'s lines
when one does not.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

COMPONENT_MARKERS = {
    "engine": "engine",
    "dive_binary": "oracle",
    "browser": "browser",
    "browser_without_script": "browser",
}
"""Fixture name -> the marker every test that uses it (directly or through another fixture)
carries."""


def unmarked_uses(tests: Iterable[tuple[str, Collection[str], Collection[str]]]) -> list[str]:
    """One line per test (node ID, fixture closure, marker names) missing a component's marker."""
    return [
        f"{node_id} uses the {fixture!r} fixture: mark it @pytest.mark.{marker}"
        for node_id, fixtures, markers in tests
        for fixture, marker in COMPONENT_MARKERS.items()
        if fixture in fixtures and marker not in markers
    ]
