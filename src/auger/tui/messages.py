"""Messages between the explorer's worker threads, screens and the app (small dataclasses).

Workers post these with ``post_message``, which is safe from any thread. A widget's own
messages are nested on the widget instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from auger.viewmodel.explorer import Explorer
from auger.viewmodel.file_view import FileText


@dataclass
class LoadProgress(Message):
    """The image is being read: the phase, bytes read and layers scanned so far."""

    phase: str
    bytes_read: int
    layers: int


@dataclass
class Loaded(Message):
    """The analysis and the path index are ready."""

    explorer: Explorer


@dataclass
class LoadFailed(Message):
    """The image could not be read: the CLI's one-line cause, a hint, and the exit code."""

    message: str
    hint: str | None
    code: int


@dataclass
class Extracted(Message):
    """An extraction finished (``error`` is set when it failed)."""

    summary: str
    notes: list[str]
    error: str | None = None


@dataclass
class WasteGrouped(Message):
    """The wasted paths are grouped (the wasted-space view and the top list can show them)."""


@dataclass
class FileRead(Message):
    """The file viewer's file was read: its text, or ``None`` and why not (``note``)."""

    text: FileText | None
    note: str


@dataclass
class PackagesFound(Message):
    """The image's package databases are read (the packages view and the owner column)."""
