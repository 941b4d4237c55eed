"""How values are shown: sizes in SI and IEC units, ratios, and names made safe for a terminal."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auger.budgets.units import parse_size
from auger.display import display, finite, format_ratio, format_size, one_line, safe_line

SIZES: list[tuple[float, bool, str]] = [
    (0, False, "0 B"),
    (999, False, "999 B"),
    (1000, False, "1.0 kB"),
    (1049, False, "1.0 kB"),
    (1050, False, "1.1 kB"),  # 1.05 is stored just above: it rounds up
    (13_554, False, "13.6 kB"),
    (999_949, False, "999.9 kB"),
    (999_950, False, "1.0 MB"),  # rounding reaches 1000: the next unit, not "1000.0 kB"
    (10**6, False, "1.0 MB"),
    (1_500_000_000, False, "1.5 GB"),
    (10**33, False, "1000.0 QB"),  # past the last unit the number grows
    (1023, True, "1023 B"),
    (1024, True, "1.0 KiB"),
    (1_040_000, True, "1015.6 KiB"),
    (2**20 - 1, True, "1.0 MiB"),
    (3 * 2**29, True, "1.5 GiB"),
    (-5000, False, "-5000 B"),  # callers print signs themselves; a negative stays exact
]


@pytest.mark.parametrize(("value", "binary", "shown"), SIZES)
def test_format_size(value: float, binary: bool, shown: str) -> None:
    assert format_size(value, binary=binary) == shown


@pytest.mark.parametrize("value", [1000, 1010, 1023])
def test_iec_sizes_below_one_kib_are_bytes(value: int) -> None:
    """Under 1 KiB an IEC size is a byte count written like every other one (``1000 B``,
    where the formatter this replaced wrote ``1000 Bytes``)."""
    assert format_size(value, binary=True) == f"{value} B"


@given(st.integers(min_value=1024, max_value=10**17), st.booleans())
def test_a_size_reads_back_within_half_its_last_digit(value: int, binary: bool) -> None:
    number, unit = format_size(value, binary=binary).split(" ")
    assert 1.0 <= float(number) < (1024 if binary else 1000)
    assert unit.endswith("iB") is binary
    unit_bytes = parse_size(f"1{unit}").bytes
    assert abs(float(number) * unit_bytes - value) <= 0.05 * unit_bytes + 1


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0.0, "0.00 %"), (0.123456, "12.35 %"), (1.5, "150.00 %"), (math.inf, "inf %")],
)
def test_format_ratio(value: float, shown: str) -> None:
    assert format_ratio(value) == shown


def test_an_undefined_ratio_is_not_a_number() -> None:
    assert format_ratio(math.nan) == "n/a"


@pytest.mark.parametrize(
    ("value", "kept"),
    [(0.25, 0.25), (0, 0), (None, None), (math.inf, None), (-math.inf, None), (math.nan, None)],
)
def test_finite_keeps_what_json_can_carry(value: float | None, kept: float | None) -> None:
    assert finite(value) == kept


NAMES: list[tuple[str, str]] = [
    ("usr/bin/env", "usr/bin/env"),
    ("caf\u00e9/\u65e5\u672c", "caf\u00e9/\u65e5\u672c"),  # printable UTF-8 stays as it is
    ("new\nline\ttab\rret", "new\\nline\\ttab\\rret"),
    ("\x1b[31mred", "\\x1b[31mred"),
    ("\x7f\x85", "\\x7f\\x85"),
    ("bad\udcff\udcfe", "bad\\xff\\xfe"),  # bytes that were not UTF-8
    ("a\u202eb\u2066c\u2028d", "a\\u202eb\\u2066c\\u2028d"),  # bidi overrides, separators
    ("back\\slash", "back\\\\slash"),
]


@pytest.mark.parametrize(("name", "shown"), NAMES)
def test_display_escapes_what_a_terminal_would_obey(name: str, shown: str) -> None:
    assert display(name) == shown


def test_display_cannot_be_mistaken_for_another_name() -> None:
    """The backslash is doubled, so a real name ``\\x1b`` and an escape byte differ."""
    assert display("\\x1b") != display("\x1b")


def test_safe_line_leaves_backslashes_of_escaped_names() -> None:
    message = "cannot read " + display("a\nb") + ":\x1b[2J"
    assert safe_line(message) == "cannot read a\\nb:\\x1b[2J"


@pytest.mark.parametrize(
    ("text", "width", "line"),
    [
        ("/bin/sh -c  apt-get update \\\n\t&& make", None, "/bin/sh -c apt-get update \\ && make"),
        ("  RUN echo\u2028hi \x1c ", None, "RUN echo hi"),  # every kind of whitespace folds
        ("abcdef", 6, "abcdef"),
        ("abcdefg", 6, "abcde…"),
        ("a  b  c  d", 7, "a b c d"),  # the width counts the flattened text
        ("a  b  c  d", 5, "a b …"),
        ("abc", 1, "…"),
        ("abc", 0, "…"),
        ("", 10, ""),
    ],
)
def test_one_line(text: str, width: int | None, line: str) -> None:
    assert one_line(text, width) == line


def test_one_line_leaves_escaping_to_the_caller() -> None:
    assert one_line("rm \x1b[2J x", 20) == "rm \x1b[2J x"
    assert display(one_line("rm \x1b[2J\nx", 20)) == "rm \\x1b[2J x"
