"""What ``auger fleet`` writes: progress per image, the records file, the summary; and merging.

The records file (``--jsonl``) is written line by line as images are read, into a temporary
file beside it that replaces it at the end (``-`` streams to stdout instead). The summary goes
to stdout in the ``--format`` chosen (or ``-o FILE``) and to ``--json FILE``; a new format is a
pure formatter in :mod:`auger.report` and one row of :data:`FORMATS`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO

from auger.cli.console import Console, StderrProgress, Verbosity, emit
from auger.cli.parsing import add_verbosity_options
from auger.display import format_size, safe_line
from auger.errors import UsageError
from auger.fleet.jsonl import dumps, parse_lines
from auger.fleet.plan import PlannedImage
from auger.fleet.records import ErrorRecord, Record, ShardHeader
from auger.fleet.run import FleetObserver
from auger.fleet.summary import FleetSummary, summarize
from auger.progress import Progress
from auger.report.fleet_json import format_fleet_json
from auger.report.fleet_markdown import format_fleet_markdown
from auger.report.fleet_text import format_fleet_text

FORMATS: dict[str, Callable[[FleetSummary], str]] = {
    "text": format_fleet_text,
    "markdown": format_fleet_markdown,
    "json": format_fleet_json,
}
"""Summary format -> its formatter (``--json FILE`` writes the JSON besides another format)."""


def add_summary_options(parser: argparse.ArgumentParser, *, merging: bool = False) -> None:
    """``--json``, ``--format``, ``-o``, ``-q`` and ``-v``: how the summary is written."""
    if merging:
        parser.add_argument("shards", metavar="SHARD.jsonl", nargs="+", help="a shard's records")
    parser.add_argument("--json", metavar="FILE", type=Path, help="write the summary as JSON")
    parser.add_argument(
        "--format", choices=tuple(FORMATS), default="text", help="the summary's format"
    )
    parser.add_argument("-o", "--output", metavar="FILE", type=Path, help="write it to FILE")
    add_verbosity_options(parser)


class FleetProgress(FleetObserver):
    """One line per image on stderr (and a live line while it is read, on a terminal)."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._quiet = console.verbosity is Verbosity.QUIET
        self._current: StderrProgress | None = None

    def image_started(self, position: int, count: int, image: PlannedImage) -> Progress:
        self._current = StderrProgress(self._console)
        self._current.phase(f"[{position + 1}/{count}] {safe_line(image.reference)}")
        return self._current

    def image_done(self, position: int, count: int, record: Record, seconds: float) -> None:
        if self._current is not None:
            self._current.done()
        if self._quiet:
            return
        where = f"auger: [{position + 1}/{count}] {safe_line(record.reference)}"
        if isinstance(record, ErrorRecord):
            self._console.diagnose(f"{where}: error: {safe_line(record.error)}")
            return
        self._console.diagnose(
            f"{where}: {format_size(record.size_bytes)}, wasted "
            f"{format_size(record.wasted_bytes)}, {seconds:.2f} s"
        )


class RecordsFile:
    """The ``--jsonl`` file: written as records come, in place only once complete."""

    def __init__(self, name: str | None, header: ShardHeader) -> None:
        self._name = name
        self._header = header
        self._stream: IO[str] | None = None
        self._temporary: Path | None = None

    def __enter__(self) -> RecordsFile:
        if self._name is None:
            return self
        if self._name == "-":
            self._stream = sys.stdout
        else:
            target = Path(self._name)
            self._temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
            try:
                self._stream = self._temporary.open("w", encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"cannot write {target}: {exc.strerror}") from exc
        self._write_line(dumps(self._header))
        return self

    def _write_line(self, line: str) -> None:
        if self._stream is not None:
            self._stream.write(line)
            self._stream.flush()

    def write(self, record: Record) -> None:
        """Add a record."""
        self._write_line(dumps(record))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._temporary is None or self._stream is None or self._name is None:
            return
        self._stream.close()
        if kind is not None:  # interrupted: keep what was written, under its partial name
            return
        try:
            self._temporary.replace(self._name)
        except OSError as exc:
            raise UsageError(f"cannot write {self._name}: {exc.strerror}") from exc


def write_summary(
    args: argparse.Namespace, console: Console, summary: FleetSummary, *, records_to_stdout: bool
) -> None:
    """``--json FILE``, then the summary in ``--format`` (to stdout, unless the records go
    there, or to ``-o FILE``)."""
    if args.json is not None:
        emit(console, format_fleet_json(summary), args.json)
    if args.output is not None or not records_to_stdout:
        emit(console, FORMATS[args.format](summary), args.output)


def _read_shard(name: str) -> list[str]:
    try:
        if name == "-":
            return sys.stdin.read().splitlines()
        return Path(name).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise UsageError(f"cannot read {name}: {reason}") from exc


def _check_shards(headers: list[tuple[str, ShardHeader]], console: Console) -> None:
    """Say on stderr when the shards do not make one whole fleet."""
    plans = {header.plan for _, header in headers}
    if len(plans) > 1:
        console.diagnose(
            "auger: warning: the shards planned different fleets (a tag moved, or a registry "
            "failed while they planned); every image any of them planned is counted"
        )
    counts = {header.shards for _, header in headers}
    seen = [header.shard for _, header in headers]
    for count in sorted(counts):
        absent = [index for index in range(count) if index not in seen]
        if absent:
            listed = ", ".join(f"{index}/{count}" for index in absent)
            console.diagnose(f"auger: warning: no records of shard {listed}")
    for index in sorted({index for index in seen if seen.count(index) > 1}):
        console.diagnose(f"auger: warning: shard {index} appears twice; its images count once")


def run_merge(args: argparse.Namespace, console: Console) -> int:
    """``auger fleet merge``: the summary of every shard's records."""
    records: list[Record] = []
    headers: list[tuple[str, ShardHeader]] = []
    for name in args.shards:
        for item in parse_lines(iter(_read_shard(name)), name):
            if isinstance(item, ShardHeader):
                headers.append((name, item))
            else:
                records.append(item)
    _check_shards(headers, console)
    expected = {reference for _, header in headers for reference in header.fleet}
    summary = summarize(records, expected=expected)
    write_summary(args, console, summary, records_to_stdout=False)
    return summary.exit_code
