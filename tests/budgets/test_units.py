"""Sizes and percentages exactly as written: SI vs IEC, ratios, and go-humanize for dive."""

from __future__ import annotations

import pytest

from auger.budgets.units import UnitError, parse_dive_bytes, parse_ratio, parse_size

KB, MB, GB, TB, PB, EB = (10**n for n in (3, 6, 9, 12, 15, 18))
KIB, MIB, GIB, TIB, PIB = (2**n for n in (10, 20, 30, 40, 50))

SIZES: list[tuple[object, int]] = [
    ("1MB", MB),
    ("1MiB", MIB),
    ("1kB", KB),
    ("1KB", KB),
    ("1KiB", KIB),
    ("1GB", GB),
    ("1GiB", GIB),
    ("1TB", TB),
    ("1TiB", TIB),
    ("1PB", PB),
    ("1PiB", PIB),
    ("500MB", 500 * MB),
    ("200MiB", 200 * MIB),
    ("1.5GiB", 3 * GIB // 2),
    ("1.5GB", 3 * GB // 2),
    ("2.5MB", 2 * MB + MB // 2),
    ("0.5kB", 500),
    ("0.001GB", MB),
    ("1.5 GiB", 3 * GIB // 2),
    ("  500MB  ", 500 * MB),
    ("500 MB", 500 * MB),
    ("12B", 12),
    ("12 B", 12),
    ("1048576", 1048576),
    ("0", 0),
    (0, 0),
    (1048576, 1048576),
    (10**15, 10**15),
]


@pytest.mark.parametrize(("text", "expected"), SIZES, ids=[repr(text) for text, _ in SIZES])
def test_sizes(text: object, expected: int) -> None:
    assert parse_size(text).bytes == expected


def test_si_and_iec_differ() -> None:
    assert parse_size("1MiB").bytes - parse_size("1MB").bytes == 2**20 - 10**6
    assert parse_size("1kB").bytes != parse_size("1KiB").bytes


@pytest.mark.parametrize(
    ("text", "shown"), [(" 1.5 GiB ", "1.5 GiB"), ("500MB", "500MB"), (1024, "1024")]
)
def test_sizes_keep_their_text(text: object, shown: str) -> None:
    parsed = parse_size(text)
    assert parsed.text == shown
    assert str(parsed) == shown


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [("5mb", "MB"), ("5mib", "MiB"), ("5kib", "KiB"), ("5gb", "GB"), ("5GIB", "GiB")],
)
def test_wrong_case_units_suggest_the_right_one(text: str, suggestion: str) -> None:
    with pytest.raises(UnitError, match=f"did you mean {suggestion}\\?"):
        parse_size(text)


BAD_SIZES: list[object] = [
    "-1",
    -1,
    "1.5",
    1.5,
    "0.5B",
    "1.0001kB",
    "abc",
    "",
    "   ",
    "MB",
    "1e3",
    "1,000",
    "5 M",
    "5XB",
    "5 MB MB",
    True,
    False,
    None,
    [1],
    ["1MB"],
    {"fail": "1MB"},
]


@pytest.mark.parametrize("value", BAD_SIZES, ids=[repr(value) for value in BAD_SIZES])
def test_bad_sizes(value: object) -> None:
    with pytest.raises(UnitError):
        parse_size(value)


RATIOS: list[tuple[object, float]] = [
    ("10%", 0.1),
    ("0.1", 0.1),
    (0.1, 0.1),
    ("12.5%", 0.125),
    (" 10 % ", 0.1),
    ("0%", 0.0),
    ("100%", 1.0),
    ("0.25", 0.25),
    ("1", 1.0),
    (1, 1.0),
    (0, 0.0),
    (0.9, 0.9),
]


@pytest.mark.parametrize(("text", "expected"), RATIOS, ids=[repr(text) for text, _ in RATIOS])
def test_ratios(text: object, expected: float) -> None:
    assert parse_ratio(text).value == expected
    assert parse_ratio(text, allow_above_one=True).value == expected


def test_ratio_keeps_its_text() -> None:
    assert str(parse_ratio(" 10% ")) == "10%"
    assert str(parse_ratio("0.1")) == "0.1"


def test_above_one_hundred_percent_only_where_allowed() -> None:
    assert parse_ratio("150%", allow_above_one=True).value == 1.5
    with pytest.raises(UnitError, match="100%"):
        parse_ratio("150%")


@pytest.mark.parametrize("value", ["10", 10, "2", 1.5, "1.01"])
@pytest.mark.parametrize("above_one", [False, True])
def test_bare_numbers_above_one_are_ambiguous(value: object, above_one: bool) -> None:
    with pytest.raises(UnitError, match="ambiguous"):
        parse_ratio(value, allow_above_one=above_one)


BAD_RATIOS: list[object] = [
    "-10%",
    "-0.1",
    -0.1,
    -1,
    "abc",
    "",
    "%",
    "10%%",
    "nan",
    "inf",
    True,
    False,
    None,
    [0.1],
    {"fail": "10%"},
]


@pytest.mark.parametrize("value", BAD_RATIOS, ids=[repr(value) for value in BAD_RATIOS])
def test_bad_ratios(value: object) -> None:
    with pytest.raises(UnitError):
        parse_ratio(value, allow_above_one=True)


# go-humanize's ParseBytes, as the dive study (section 11) measured it.
DIVE_BYTES: list[tuple[str, int]] = [
    ("20MB", 20 * MB),
    ("20 MB", 20 * MB),
    ("20mb", 20 * MB),
    ("20M", 20 * MB),
    ("20m", 20 * MB),
    ("20 MB ", 20 * MB),
    ("20MiB", 20 * MIB),
    ("20Mi", 20 * MIB),
    ("20mi", 20 * MIB),
    ("20 MiB", 20 * MIB),
    ("1000", 1000),
    ("1,000", 1000),
    ("1,5KB", 15000),
    ("1.5KB", 1500),
    ("5 kB", 5000),
    ("1.9", 1),
    ("0.5", 0),
    ("2B", 2),
    ("2 B", 2),
    ("1 TB", TB),
    ("1 TiB", TIB),
    ("1ti", TIB),
    ("1e", EB),
    ("1 EiB", 2**60),
    ("18EB", 18 * EB),
]


@pytest.mark.parametrize(("text", "expected"), DIVE_BYTES, ids=[t for t, _ in DIVE_BYTES])
def test_dive_bytes(text: str, expected: int) -> None:
    assert parse_dive_bytes(text) == expected


BAD_DIVE_BYTES = [
    " 20KB",
    "2.5.5",
    "100EB",
    "18446744073709551615",
    "",
    "  ",
    "-1",
    "Disabled",
    "disabled ",
    "off",
    "false",
    "1e3",
    "0x10",
    "20XB",
]


@pytest.mark.parametrize("text", BAD_DIVE_BYTES, ids=[repr(t) for t in BAD_DIVE_BYTES])
def test_bad_dive_bytes(text: str) -> None:
    with pytest.raises(UnitError):
        parse_dive_bytes(text)


def test_dive_bytes_too_large_says_so() -> None:
    with pytest.raises(UnitError, match="too large"):
        parse_dive_bytes("100EB")


@pytest.mark.parametrize("text", ["\u0663KB", "\u0661\u0660\u0660\u0660", "\uff11KB"])
def test_dive_bytes_only_ascii_digits(text: str) -> None:
    """dive reads non-ASCII digits as a misconfiguration (go-humanize slices bytes by runes)."""
    with pytest.raises(UnitError):
        parse_dive_bytes(text)
