"""Extraction from the main screen: ask for a directory, then extract in a thread worker."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from auger.display import display, safe_line
from auger.errors import AugerError
from auger.model import DiffType
from auger.tui.messages import Extracted
from auger.tui.screens.extract import ExtractDialog
from auger.viewmodel.extraction import extract_selection

if TYPE_CHECKING:
    from auger.tui.screens.main import MainScreen


def ask_and_extract(screen: MainScreen) -> None:
    """The ``x`` key: ask for a directory, then extract in a thread worker."""
    item = screen.file_tree.selected
    if item is None:
        return
    if screen.image is None:
        screen.notify("this image cannot be read again", severity="warning", markup=False)
        return
    if item.diff is DiffType.REMOVED:
        screen.notify(
            "removed in this layer: select a lower layer to extract it",
            severity="warning",
            markup=False,
        )
        return
    path = screen.explorer.index.paths[item.id]
    what = f"Extract /{display(path)} as seen in layer {screen.view.layer} into:"

    def chosen(target: Path | None) -> None:
        if target is not None:
            screen.run_worker(lambda: run_extraction(screen, item.id, target), thread=True)

    screen.app.push_screen(ExtractDialog(what, screen.default_target()), chosen)


def run_extraction(screen: MainScreen, number: int, target: Path) -> None:
    """Runs in a thread worker: plan, read the image again, write, report."""
    assert screen.image is not None
    try:
        result = extract_selection(screen.image, screen.explorer, number, screen.view, target)
    except AugerError as error:
        screen.post_message(Extracted("", [], safe_line(error.message)))
        return
    except OSError as error:
        screen.post_message(Extracted("", [], safe_line(f"{target}: {error.strerror}")))
        return
    noun = "entry" if result.written == 1 else "entries"
    summary = f"{result.written} {noun} written to {display(str(target))}"
    screen.post_message(Extracted(summary, [safe_line(note) for note in result.notes]))
