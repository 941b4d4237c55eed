"""Markdown that is safe to post: hostile names and commands, huge images, sticky markers.

File names and layer commands come from whoever built the image. They reach the report as
wasted paths, advice examples and layer commands; none of them may inject HTML, control
characters or table cells, and no report may exceed GitHub's 65,536-character comment limit.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from auger.analysis.diff import diff_images
from auger.display import display
from auger.layers import paths
from auger.model import ImageAnalysis
from auger.report import markdown_report, plain_report
from auger.report.markdown import no_comment
from auger.report.markdown_report import LIMIT, format_diff, format_report
from auger.report.model import ImageReport, build_report
from auger.testing.images import (
    ImageSpec,
    LayerSpec,
    file,
    layer_tar,
)
from tests.report.support import (
    HOSTILE,
    analyse,
    control_characters,
    fold_problems,
    hostile_layers,
    raw_html,
    table_problems,
    table_rows,
    unescape_code,
    unfolded_text,
    write_archive,
)
from tests.support import run_cli

_MARKER_LINE = re.compile(r"<!-- auger-report(?::[A-Za-z0-9._:/@+-]{1,100})? -->")
_LEFT_OUT = re.compile(
    r"… (?:(\d+) more lines left out to stay under \d+ characters"
    r"|and (\d+) more [a-z ]+ not listed)\."
)
"""How a report says what it left out: rows it did not list, or lines it had to cut."""


BASE = ImageSpec([LayerSpec(layer_tar([file("etc/motd", 5)]), "/bin/sh -c #(nop) ADD x in /")])


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> ImageAnalysis:
    return analyse(write_archive(tmp_path_factory.mktemp("base"), "base.tar", BASE))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ImageAnalysis]:
    """One image per hostile name, and one (``all``) with every name at once."""
    directory_path = tmp_path_factory.mktemp("hostile")
    images = {key: [name] for key, name in HOSTILE.items()}
    images["all"] = list(HOSTILE.values())
    result = {}
    for key, names in images.items():
        spec = ImageSpec(hostile_layers(names), tag=f"hostile:{names[0][:60]}")
        result[key] = analyse(write_archive(directory_path, f"{key}.tar", spec))
    return result


def assert_safe(markdown: str) -> None:
    """Everything a posted comment must hold to."""
    assert len(markdown) <= LIMIT
    assert control_characters(markdown) == []
    assert raw_html(markdown) == []
    assert table_problems(markdown) == []
    lines = markdown.splitlines()
    assert _MARKER_LINE.fullmatch(lines[0])
    assert [line for line in lines if line.startswith("<!--")] == [lines[0]]


# -- the checks themselves ------------------------------------------------------------------------


def test_the_checks_catch_what_they_look_for() -> None:
    """The checks would fail on unsafe Markdown (so passing them means something)."""
    assert raw_html("a <script>x</script>") != []
    assert raw_html("| h | h |\n|---|---|\n| `x | <b>` | y |") != [], "code spans stop at cells"
    assert raw_html("`<b>` and ``<i>`` and \\<b>") == []
    assert raw_html("<details>\n<summary>ok</summary>\n<img src=x>\n") != []
    assert raw_html("```text\n<b>\n```\n") == []
    assert raw_html("````text\n```\n<b>\n") != [], "an unclosed fence"
    assert table_problems("| a | b |\n|---|---|\n| x \\| y | z |\n| 1 | 2 | 3 |") != []
    assert table_problems("| a | b |\n|---|---|\n| x \\\\| y |") != [], "ambiguous"
    assert table_problems("| a | b |\n|---|---|\n| x \\| y | z |") == []
    assert control_characters("a\x1b[31m \u202e \x85 \udcff") != []
    assert len(control_characters("a\x1b[31m \u202e \x85 \udcff")) == 4
    assert control_characters("ok\n✅ ⚠️ —") == []
    assert fold_problems("<details>\n<summary>x</summary>\n") == ["1 <details> never closed"]
    assert unfolded_text("a\n<details>\n<summary>s</summary>\nb\n</details>\nc") == "a\nc"


# -- hostile names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [*HOSTILE, "all"])
def test_report_with_hostile_names_is_safe(
    key: str, hostile: dict[str, ImageAnalysis], base: ImageAnalysis
) -> None:
    report = build_report(hostile[key], base)
    markdown = format_report(report)
    assert_safe(markdown)
    assert fold_problems(markdown) == []
    assert {"AUG007", "AUG009", "DL3046"} <= {finding.rule.id for finding in report.findings}


@pytest.mark.parametrize("key", [*HOSTILE, "all"])
def test_diff_with_hostile_names_is_safe(
    key: str, hostile: dict[str, ImageAnalysis], base: ImageAnalysis
) -> None:
    markdown = format_diff(diff_images(base, hostile[key]))
    assert_safe(markdown)
    assert fold_problems(markdown) == []
    markdown = format_diff(diff_images(hostile[key], base))
    assert_safe(markdown)


@pytest.mark.parametrize("key", sorted(HOSTILE))
def test_hostile_names_are_shown_escaped_once(
    key: str, hostile: dict[str, ImageAnalysis], base: ImageAnalysis
) -> None:
    """Not dropped, not mangled: each cell shows exactly what a terminal would."""
    name = HOSTILE[key]
    shown = no_comment(display(paths.normalize(name)[0]))  # "<!--" is broken up
    markdown = format_report(build_report(hostile[key], base))
    cells = [unescape_code(row[0]) for row in table_rows(markdown) if len(row) == 7]
    assert f"/{shown}" in cells, "the overwritten file"
    assert f"/gone/{shown}" in cells, "the file deleted on its own"
    diff_cells = [
        unescape_code(row[0]) for row in table_rows(format_diff(diff_images(base, hostile[key])))
    ]
    assert f"/tmp/{shown}" in diff_cells


def test_advice_examples_and_commands_are_escaped(
    hostile: dict[str, ImageAnalysis], base: ImageAnalysis
) -> None:
    markdown = format_report(build_report(hostile["script"], base))
    advice = [line for line in markdown.splitlines() if line.startswith("- **")]
    aug007 = next(line for line in advice if line.startswith("- **AUG007**"))
    assert "`/tmp/<script>alert(1)</script>`" in aug007
    dl3046 = next(line for line in advice if line.startswith("- **DL3046**"))
    assert "\\n" in dl3046, "the newline in the command is shown as an escape"
    assert "<img src=x onerror=alert(1)>" in markdown, "commands are shown (inside code)"
    assert raw_html(markdown) == []


def test_layer_command_is_escaped_once_in_the_layers_table(tmp_path: Path) -> None:
    """The layers table shows a command as the full-command fold does (backslashes once)."""
    command = "/bin/sh -c printf 'a\\tb\\n' > /etc/greeting"
    spec = ImageSpec([LayerSpec(layer_tar([file("etc/greeting", 4)]), command)])
    analysis = analyse(write_archive(tmp_path, "printf.tar", spec))
    markdown = format_report(build_report(analysis))
    shown = display(command.removeprefix("/bin/sh -c "))
    assert f"```text\n{display(command)}\n```" in markdown
    layer_cells = [
        unescape_code(row[5]) for row in table_rows(markdown) if len(row) == 6 and row[0] == "0"
    ]
    assert layer_cells == [shown], "a backslash in a command must not be doubled twice"


@pytest.mark.parametrize("key", ["all", "terminal-escape", "non-utf8", "bidi"])
def test_text_formats_have_no_control_characters(
    key: str, hostile: dict[str, ImageAnalysis], base: ImageAnalysis
) -> None:
    report = build_report(hostile[key], base)
    assert control_characters(plain_report.format_report_text(report)) == []
    assert control_characters(plain_report.format_diff_text(diff_images(base, hostile[key]))) == []
    plain_report.format_diff_json(diff_images(base, hostile[key])).encode("utf-8")


def test_json_report_of_an_archive_with_a_non_utf8_tag_can_be_written(tmp_path: Path) -> None:
    """Every other string in the JSON is made printable; the image name must be too."""
    spec = ImageSpec(hostile_layers(["x"]), tag="hostile:bad\udcffname")
    archive = write_archive(tmp_path, "tag.tar", spec)
    output = tmp_path / "report.json"
    result = run_cli(["report", str(archive), "--format", "json", "-o", str(output)])
    assert result.code == 0, result.stderr
    assert json.loads(output.read_text(encoding="utf-8"))["image"]["name"].startswith("hostile:")


def test_a_file_name_cannot_repeat_the_marker(
    hostile: dict[str, ImageAnalysis], base: ImageAnalysis
) -> None:
    """A workflow finds its sticky comment by the marker: a name must not be able to carry it."""
    markdown = format_report(build_report(hostile["comment"], base), "api")
    assert markdown.count("<!-- auger-report") == 1, "a file name repeats the marker"
    markdown = format_report(build_report(hostile["comment"], base))
    assert markdown.count("<!-- auger-report -->") == 1, "a file name repeats the marker"


# -- size ----------------------------------------------------------------------------------------


def _fast_layer(files: list[tuple[str, int]]) -> bytes:
    """A plain ustar layer of ``(name, size)`` regular files, written quickly (tarfile is slow
    for tens of thousands of entries); a size of -1 writes an empty whiteout marker."""
    blocks = []
    for name, size in files:
        raw = name.encode("utf-8")
        assert len(raw) <= 100
        data = (raw * (size // len(raw) + 1))[: max(size, 0)]
        header = bytearray(512)
        header[: len(raw)] = raw
        header[100:124] = b"0000644\x000000000\x000000000\x00"
        header[124:136] = b"%011o\x00" % len(data)
        header[136:148] = b"%011o\x00" % 1_700_000_000
        header[148:156] = b" " * 8
        header[156:157] = b"0"
        header[257:265] = b"ustar\x0000"
        header[148:156] = b"%06o\x00 " % sum(header)
        blocks += [bytes(header), data, b"\x00" * (-len(data) % 512)]
    return b"".join(blocks) + b"\x00" * 1024


@pytest.fixture(scope="module")
def fifty_thousand(tmp_path_factory: pytest.TempPathFactory) -> ImageAnalysis:
    """50,000 wasted files: 2,500 deleted directories of 10 files, 25,000 overwritten files."""
    names = [f"data/d{group:04d}/<b>|`{index}`.bin" for group in range(5000) for index in range(10)]
    hiding = [(f"data/.wh.d{group:04d}", -1) for group in range(2500)]
    hiding += [(name, 11) for name in names[25_000:]]
    spec = ImageSpec(
        [
            LayerSpec(_fast_layer([(name, 10) for name in names]), "/bin/sh -c make <all> | `log`"),
            LayerSpec(_fast_layer(hiding), "/bin/sh -c make clean && make\n<img src=x>"),
        ],
        tag="big:50k",
    )
    return analyse(write_archive(tmp_path_factory.mktemp("big"), "big.tar", spec))


@pytest.fixture(scope="module")
def fifty_thousand_report(fifty_thousand: ImageAnalysis) -> ImageReport:
    return build_report(fifty_thousand)


@pytest.fixture(scope="module")
def many_layers(tmp_path_factory: pytest.TempPathFactory) -> ImageAnalysis:
    """1,500 layers, each overwriting one file: 1,500 layer rows and 1,499 waste rows."""
    layers = [
        LayerSpec(
            _fast_layer([("etc/counter", 100 + index % 7), (f"var/log/step-{index}", 5)]),
            f"/bin/sh -c step {index} <b>|`x`",
        )
        for index in range(1500)
    ]
    spec = ImageSpec(layers, tag="many:layers")
    return analyse(write_archive(tmp_path_factory.mktemp("many"), "many.tar", spec))


@pytest.fixture(scope="module")
def many_layers_report(many_layers: ImageAnalysis) -> ImageReport:
    return build_report(many_layers)


def test_fifty_thousand_wasted_files_stay_under_the_limit(
    fifty_thousand: ImageAnalysis, fifty_thousand_report: ImageReport
) -> None:
    assert len(fifty_thousand.waste) == 50_000
    report = fifty_thousand_report
    assert len(report.waste) == 2_501, "10-byte paths fold: 2,500 directories and /data"
    assert report.folded == 27_500
    markdown = format_report(report, "big")
    assert_safe(markdown)
    found = _LEFT_OUT.search(markdown)
    assert found is not None, "a shortened report says how much it left out"
    assert int(found.group(1) or found.group(2)) > 0


def test_a_diff_of_fifty_thousand_paths_stays_under_the_limit(
    fifty_thousand: ImageAnalysis, base: ImageAnalysis
) -> None:
    diff = diff_images(base, fifty_thousand)
    assert len(diff.paths) > 25_000
    markdown = format_diff(diff, "big")
    assert_safe(markdown)
    assert _LEFT_OUT.search(markdown) is not None


def test_thousands_of_layers_stay_under_the_limit(
    many_layers: ImageAnalysis, many_layers_report: ImageReport, base: ImageAnalysis
) -> None:
    assert len(many_layers_report.layers) == 1500
    assert len(many_layers_report.waste) == 1499
    markdown = format_report(many_layers_report)
    assert_safe(markdown)
    assert _LEFT_OUT.search(markdown) is not None
    markdown = format_diff(diff_images(base, many_layers))
    assert_safe(markdown)


@pytest.mark.parametrize("image", ["fifty_thousand_report", "many_layers_report"])
def test_a_cut_report_closes_its_folds_and_shows_the_note(
    image: str, request: pytest.FixtureRequest
) -> None:
    """Shortening must not leave a ``<details>`` open: the note would be folded away with it."""
    report: ImageReport = request.getfixturevalue(image)
    markdown = format_report(report)
    assert _LEFT_OUT.search(markdown) is not None
    assert fold_problems(markdown) == []
    assert _LEFT_OUT.search(unfolded_text(markdown)) is not None


def test_a_report_that_fits_once_folded_is_not_cut(tmp_path: Path) -> None:
    """Fold first: 300 wasted paths are all listed, ten in the open and the rest folded."""
    stored = [file(f"srv/file-{index:03d}.dat", 1000 + index) for index in range(300)]
    hiding = [file(f"srv/file-{index:03d}.dat", 10) for index in range(300)]
    spec = ImageSpec(
        [
            LayerSpec(layer_tar(stored), "/bin/sh -c #(nop) COPY dir:1 in /srv"),
            LayerSpec(layer_tar(hiding), "/bin/sh -c #(nop) COPY dir:2 in /srv"),
        ]
    )
    markdown = format_report(build_report(analyse(write_archive(tmp_path, "fold.tar", spec))))
    assert_safe(markdown)
    assert fold_problems(markdown) == []
    assert _LEFT_OUT.search(markdown) is None
    waste = [row for row in table_rows(markdown) if len(row) == 7]
    assert len(waste) == 300
    assert waste[0][0] == "`/srv/file-299.dat`", "largest first"
    shown = [row for row in table_rows(unfolded_text(markdown)) if len(row) == 7]
    assert len(shown) == 10
    assert "<summary>290 more wasted paths</summary>" in markdown


def test_a_smaller_limit_is_honoured(fifty_thousand_report: ImageReport) -> None:
    markdown = format_report(fifty_thousand_report, limit=4000)
    assert len(markdown) <= 4000
    assert _LEFT_OUT.search(markdown) is not None
    assert fold_problems(markdown) == []


# -- sticky comment markers ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_archive(tmp_path_factory.mktemp("marker"), "small.tar", BASE)


@pytest.mark.parametrize("command", ["report", "diff"])
def test_marker_name_gives_a_stable_marker(command: str, small_archive: Path) -> None:
    images = [str(small_archive)] * (2 if command == "diff" else 1)
    argv = [command, *images, "--format", "markdown"]
    first = run_cli([*argv, "--marker", "pr-42/api"])
    again = run_cli([*argv, "--marker", "pr-42/api"])
    other = run_cli([*argv, "--marker", "worker"])
    plain = run_cli(argv)
    assert first.code == again.code == other.code == plain.code == 0
    assert first.stdout.splitlines()[0] == "<!-- auger-report:pr-42/api -->"
    assert again.stdout == first.stdout
    assert other.stdout.splitlines()[0] == "<!-- auger-report:worker -->"
    assert plain.stdout.splitlines()[0] == "<!-- auger-report -->"


@pytest.mark.parametrize(
    "name",
    [
        "x --> <script>alert(1)</script>",
        "-->",
        "a\nb",
        "\x1b[31mred",
        "rtl\u202eevil",
        "pipe|tick`",
        "bad\udcffbyte",
        "n" * 500,
    ],
)
def test_hostile_marker_names_are_sanitised(name: str, small_archive: Path) -> None:
    result = run_cli(["report", str(small_archive), f"--marker={name}"])
    assert result.code == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert _MARKER_LINE.fullmatch(first), first
    assert first.count("-->") == 1
    assert_safe(result.stdout)
    assert markdown_report.marker(name) == first
