"""The streaming tar reader against archives the standard library's tarfile writes and reads."""

from __future__ import annotations

import io
import random
import tarfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from auger.errors import LayerFormatError
from auger.layers.tarstream import BLOCK, TarHeader, TarHeaderError, TarReader, TarTruncatedError

LABEL = "layer 7"


@dataclass(frozen=True, slots=True)
class Member:
    """A member to write with tarfile."""

    name: str
    type: bytes = tarfile.REGTYPE
    data: bytes = b""
    mode: int = 0o644
    uid: int = 0
    gid: int = 0
    linkname: str = ""


def write_tar(members: Iterable[Member], tar_format: int = tarfile.PAX_FORMAT) -> bytes:
    """Write ``members`` with tarfile (names may carry surrogate escapes)."""
    buffer = io.BytesIO()
    with tarfile.open(
        fileobj=buffer, mode="w", format=tar_format, encoding="utf-8", errors="surrogateescape"
    ) as archive:
        for member in members:
            info = tarfile.TarInfo(member.name)
            info.type = member.type
            info.mode = member.mode
            info.uid, info.gid = member.uid, member.gid
            info.mtime = 1_700_000_000
            info.linkname = member.linkname
            regular = member.type in (tarfile.REGTYPE, tarfile.CONTTYPE)
            info.size = len(member.data) if regular else 0
            archive.addfile(info, io.BytesIO(member.data) if regular else None)
    return buffer.getvalue()


def read_all(data: bytes) -> tuple[list[TarHeader], list[bytes], TarReader]:
    """Every header and every member's full contents, read through TarReader."""
    reader = TarReader(io.BytesIO(data), LABEL)
    headers, contents = [], []
    for header in reader:
        headers.append(header)
        parts = []
        while chunk := reader.read_content(97):
            parts.append(chunk)
        contents.append(b"".join(parts))
    return headers, contents, reader


def stdlib_view(data: bytes) -> list[tuple[str, str, int, int, int, int, str, int]]:
    """What tarfile reads from ``data``, in TarReader's terms."""
    with tarfile.open(
        fileobj=io.BytesIO(data), mode="r:", encoding="utf-8", errors="surrogateescape"
    ) as archive:
        return [
            (
                info.name,
                info.type.decode("latin-1"),
                info.size,
                info.mode,
                info.uid,
                info.gid,
                info.linkname,
                info.offset_data,
            )
            for info in archive.getmembers()
        ]


def reader_view(headers: list[TarHeader]) -> list[tuple[str, str, int, int, int, int, str, int]]:
    """TarReader's headers; directories lose the trailing slash, as tarfile's names do."""
    return [
        (
            h.name.rstrip("/") if h.typeflag == "5" else h.name,
            h.typeflag,
            h.size,
            h.mode,
            h.uid,
            h.gid,
            h.linkname,
            h.offset,
        )
        for h in headers
    ]


def header_block(
    name: bytes,
    *,
    typeflag: bytes = b"0",
    size: bytes | None = None,
    uid: bytes | None = None,
    linkname: bytes = b"",
    magic: bytes = b"ustar\x0000",
    signed_checksum: bool = False,
) -> bytes:
    """A hand-made 512-byte header (for fields tarfile will not write)."""
    block = bytearray(BLOCK)
    block[0 : len(name)] = name
    block[100:108] = b"0000644\0"
    block[108:116] = uid if uid is not None else b"0000000\0"
    block[116:124] = b"0000000\0"
    block[124:136] = size if size is not None else b"00000000000\0"
    block[136:148] = b"14540000000\0"
    block[156:157] = typeflag
    block[157 : 157 + len(linkname)] = linkname
    block[257 : 257 + len(magic)] = magic
    block[148:156] = b"        "
    signed = (b - 256 if b > 127 else b for b in block)
    checksum = sum(signed) if signed_checksum else sum(block)
    block[148:156] = b"%06o\0 " % checksum
    return bytes(block)


def padded(data: bytes) -> bytes:
    return data + bytes(-len(data) % BLOCK)


END = bytes(2 * BLOCK)


# -- the three formats ------------------------------------------------------------------------


def sample_members() -> list[Member]:
    return [
        Member("etc/", tarfile.DIRTYPE, mode=0o755),
        Member("etc/hosts", data=b"127.0.0.1 localhost\n", uid=1000, gid=100),
        Member("etc/empty"),
        Member("bin/sh", data=bytes(range(256)) * 5, mode=0o4755),
        Member("bin/ash", tarfile.LNKTYPE, linkname="bin/sh"),
        Member("bin/bash", tarfile.SYMTYPE, mode=0o777, linkname="sh"),
        Member("dev/null", tarfile.CHRTYPE, mode=0o666),
        Member("dev/sda", tarfile.BLKTYPE, mode=0o660),
        Member("run/fifo", tarfile.FIFOTYPE),
    ]


@pytest.mark.parametrize(
    "tar_format", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT]
)
def test_plain_members_match_tarfile(tar_format: int) -> None:
    members = sample_members()
    data = write_tar(members, tar_format)
    headers, contents, reader = read_all(data)
    assert reader_view(headers) == stdlib_view(data)
    assert [h.typeflag for h in headers] == [m.type.decode() for m in members]
    assert contents == [m.data for m in members]
    assert reader.ended_cleanly


def test_ustar_prefix_field_joins_long_names() -> None:
    directory = "d" * 120
    name = f"{directory}/{'f' * 90}"
    data = write_tar([Member(name, data=b"abc")], tarfile.USTAR_FORMAT)
    assert data[345:500].rstrip(b"\0") == directory.encode()  # really split into the prefix
    headers, contents, _ = read_all(data)
    assert [h.name for h in headers] == [name]
    assert contents == [b"abc"]


def test_gnu_long_names_and_long_link_names() -> None:
    long_dir = "/".join(["component"] * 20)
    target = f"{long_dir}/target-file"
    members = [
        Member(f"{long_dir}/", tarfile.DIRTYPE, mode=0o755),
        Member(target, data=b"payload" * 30),
        Member(f"{long_dir}/symlink", tarfile.SYMTYPE, linkname="../" * 40 + "x"),
        Member(f"{long_dir}/hardlink", tarfile.LNKTYPE, linkname=target),
    ]
    data = write_tar(members, tarfile.GNU_FORMAT)
    assert b"././@LongLink" in data  # the GNU extension is really in use
    headers, contents, _ = read_all(data)
    assert reader_view(headers) == stdlib_view(data)
    assert [h.name for h in headers] == [m.name for m in members]
    assert [h.linkname for h in headers] == [m.linkname for m in members]
    assert len(headers[2].linkname) > 100
    assert contents[1] == b"payload" * 30


def test_pax_long_non_ascii_and_non_utf8_names() -> None:
    non_utf8 = b"caf\xe9/\xff\xfe-latin1".decode("utf-8", "surrogateescape")
    long_name = "très/long/" + "é" * 150 + "/fichier.txt"
    members = [
        Member(long_name, data=b"x" * 1000),
        Member("日本語/ファイル", data="内容".encode()),
        Member(non_utf8, data=b"bytes"),
        Member("link-to-long", tarfile.SYMTYPE, linkname=long_name),
        Member("emoji-\U0001f600", tarfile.LNKTYPE, linkname=non_utf8),
    ]
    data = write_tar(members, tarfile.PAX_FORMAT)
    assert b"hdrcharset=BINARY" in data  # the non-UTF-8 name went through the binary charset
    headers, contents, _ = read_all(data)
    assert reader_view(headers) == stdlib_view(data)
    assert [h.name for h in headers] == [m.name for m in members]
    assert headers[2].name.encode("utf-8", "surrogateescape") == b"caf\xe9/\xff\xfe-latin1"
    assert headers[4].linkname == non_utf8
    assert contents[:3] == [m.data for m in members[:3]]


def test_non_utf8_names_in_ustar_and_gnu_headers() -> None:
    raw = b"dir/\x80\x81 name \xc3("
    name = raw.decode("utf-8", "surrogateescape")
    for tar_format in (tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT):
        headers, _, _ = read_all(write_tar([Member(name, data=b"1")], tar_format))
        assert [h.name.encode("utf-8", "surrogateescape") for h in headers] == [raw]


@pytest.mark.parametrize("uid", [2**21, 2**31 - 1, 2**32 + 5, 2**40])
def test_pax_large_uid_and_gid(uid: int) -> None:
    data = write_tar([Member("big", data=b"z", uid=uid, gid=uid + 1)], tarfile.PAX_FORMAT)
    assert f" uid={uid}\n".encode() in data
    headers, _, _ = read_all(data)
    assert [(h.uid, h.gid) for h in headers] == [(uid, uid + 1)]
    assert reader_view(headers) == stdlib_view(data)


@pytest.mark.parametrize("uid", [2**21, 2**30, 2**40 + 3])
def test_gnu_base256_numeric_fields(uid: int) -> None:
    data = write_tar([Member("big", data=b"zz", uid=uid, gid=uid)], tarfile.GNU_FORMAT)
    assert data[108] & 0x80  # really base-256
    headers, contents, _ = read_all(data)
    assert [(h.uid, h.gid, h.size) for h in headers] == [(uid, uid, 2)]
    assert contents == [b"zz"]


def test_base256_size_field() -> None:
    content = b"0123456789" * 70
    size_field = b"\x80" + len(content).to_bytes(11, "big")
    data = header_block(b"sized", size=size_field) + padded(content) + END
    headers, contents, reader = read_all(data)
    assert [(h.name, h.size) for h in headers] == [("sized", len(content))]
    assert contents == [content]
    assert reader.ended_cleanly


def test_negative_base256_size_is_a_header_error() -> None:
    negative = b"\xff" * 11 + b"\xfe"  # -2 in two's complement base-256
    data = header_block(b"neg", size=negative) + END
    with pytest.raises(TarHeaderError):
        list(TarReader(io.BytesIO(data), LABEL))


def test_old_style_nul_typeflag() -> None:
    content = b"regular data"
    size = b"%011o\0" % len(content)
    data = (
        header_block(b"olddir/", typeflag=b"\0", magic=b"")
        + header_block(b"olddir/file", typeflag=b"\0", size=size, magic=b"")
        + padded(content)
        + END
    )
    headers, contents, _ = read_all(data)
    assert [(h.name, h.typeflag) for h in headers] == [("olddir/", "5"), ("olddir/file", "0")]
    assert contents == [b"", content]
    assert [(n, t) for n, t, *_ in stdlib_view(data)] == [("olddir", "5"), ("olddir/file", "\0")]


def test_signed_checksum_of_old_tars_is_accepted() -> None:
    name = "naïve-ß".encode()
    block = header_block(name, signed_checksum=True, magic=b"")
    assert block != header_block(name, magic=b"")  # the two checksums really differ
    headers, _, _ = read_all(block + END)
    assert [h.name for h in headers] == ["naïve-ß"]


# -- contents ---------------------------------------------------------------------------------


def content_archive() -> tuple[bytes, list[bytes]]:
    payloads = [bytes(random.Random(n).randbytes(size)) for n, size in enumerate((5000, 0, 513))]
    payloads.append(b"tail")
    members = [Member(f"m{index}", data=data) for index, data in enumerate(payloads)]
    return write_tar(members), payloads


@pytest.mark.parametrize("chunk", [1, 100, 511, 512, 513, 4096, 10_000])
def test_content_read_in_chunks(chunk: int) -> None:
    data, payloads = content_archive()
    reader = TarReader(io.BytesIO(data), LABEL)
    seen = []
    for _ in reader:
        parts = []
        while piece := reader.read_content(chunk):
            assert len(piece) <= chunk
            parts.append(piece)
        assert reader.read_content(chunk) == b""
        seen.append(b"".join(parts))
    assert seen == payloads


def test_unread_and_partly_read_contents_are_skipped() -> None:
    data, payloads = content_archive()
    reader = TarReader(io.BytesIO(data), LABEL)
    names, firsts = [], []
    for index, header in enumerate(reader):
        names.append(header.name)
        if index == 0:
            firsts.append(reader.read_content(10))  # then leave the rest unread
        elif index == 3:
            firsts.append(reader.read_content(100))
    assert names == [f"m{index}" for index in range(4)]
    assert firsts == [payloads[0][:10], payloads[3]]
    assert reader.ended_cleanly


@pytest.mark.parametrize("size", [0, 1, 511, 512, (1 << 18) - 1024, 1 << 18, 700_000])
def test_checksums_cover_regular_files_whole_and_consume_them(size: int) -> None:
    payload = random.Random(size).randbytes(size)
    members = [
        Member("before", data=b"x" * 700),
        Member("data", data=payload),
        Member("link", type=tarfile.SYMTYPE, linkname="data"),
        Member("after", data=b"y"),
    ]
    reader = TarReader(io.BytesIO(write_tar(members)), LABEL, checksums=True)
    crcs = {}
    for header in reader:
        crcs[header.name] = header.crc
        assert reader.read_content(10) == b""  # the reader consumed the contents
    assert crcs == {
        "before": zlib.crc32(b"x" * 700),
        "data": zlib.crc32(payload),
        "link": None,
        "after": zlib.crc32(b"y"),
    }
    assert reader.ended_cleanly


def test_no_checksums_unless_asked() -> None:
    data, _ = content_archive()
    assert [header.crc for header in TarReader(io.BytesIO(data), LABEL)] == [None] * 4


def test_checksums_of_a_truncated_member_fail_cleanly() -> None:
    data = write_tar([Member("big", data=bytes(300_000))])
    reader = TarReader(io.BytesIO(data[:100_000]), LABEL, checksums=True)
    with pytest.raises(TarTruncatedError):
        list(reader)


def test_skipping_uses_the_stream_skip_method_when_present() -> None:
    data, payloads = content_archive()

    class Seekable(io.BytesIO):
        skipped = 0

        def skip(self, size: int) -> int:
            start = self.tell()
            self.seek(min(start + size, len(self.getbuffer())))
            self.skipped += self.tell() - start
            return self.tell() - start

    stream = Seekable(data)
    reader = TarReader(stream, LABEL)
    headers = list(reader)
    assert [h.size for h in headers] == [len(p) for p in payloads]
    padded_total = sum(len(padded(p)) for p in payloads)
    assert stream.skipped == padded_total
    assert reader.position == len(headers) * BLOCK + padded_total + BLOCK


def test_position_and_offsets() -> None:
    data, payloads = content_archive()
    headers, _, reader = read_all(data)
    offsets = [offset for *_, offset in stdlib_view(data)]
    assert [h.offset for h in headers] == offsets
    last = headers[-1]
    assert reader.position == last.offset + len(padded(payloads[-1])) + BLOCK


def test_offsets_and_position_are_the_same_when_contents_are_checksummed() -> None:
    data, _ = content_archive()
    plain = TarReader(io.BytesIO(data), LABEL)
    plain_offsets = [header.offset for header in plain]
    summed = TarReader(io.BytesIO(data), LABEL, checksums=True)
    assert [header.offset for header in summed] == plain_offsets
    assert summed.position == plain.position


def test_short_reads_are_not_truncation() -> None:
    """A raw stream (a pipe, a socket) may return fewer bytes than asked before its end."""
    data, payloads = content_archive()

    class Trickle(io.RawIOBase):
        def __init__(self, payload: bytes) -> None:
            self._data = memoryview(payload)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            size = min(len(buffer), 100, len(self._data))
            buffer[:size] = self._data[:size]
            self._data = self._data[size:]
            return size

    reader = TarReader(Trickle(data), LABEL)
    seen = []
    for _ in reader:
        seen.append(reader.read_content(1 << 20))
    assert seen == payloads


# -- broken input ------------------------------------------------------------------------------


def truncation_points(data: bytes) -> dict[str, int]:
    """Offsets inside the first header, inside contents, and inside the second header."""
    view = stdlib_view(data)
    first_data = view[0][-1]
    second_header = first_data + len(padded(b"x" * view[0][2]))
    return {
        "inside the first header": 100,
        "after one byte": 1,
        "inside the first member's contents": first_data + 10,
        "inside the first member's padding": first_data + view[0][2] + 3,
        "inside the second header": second_header + 200,
    }


@pytest.mark.parametrize("read_contents", [True, False])
@pytest.mark.parametrize(
    "where",
    [
        "inside the first header",
        "after one byte",
        "inside the first member's contents",
        "inside the first member's padding",
        "inside the second header",
    ],
)
def test_truncated_streams(where: str, read_contents: bool) -> None:
    data = write_tar([Member("first", data=b"a" * 1000), Member("second", data=b"b" * 10)])
    cut = truncation_points(data)[where]
    reader = TarReader(io.BytesIO(data[:cut]), LABEL)
    with pytest.raises(TarTruncatedError) as raised:
        for _ in reader:
            if read_contents:
                while reader.read_content(300):
                    pass
    message = str(raised.value)
    assert LABEL in message
    assert "\n" not in message
    assert isinstance(raised.value, LayerFormatError)


@pytest.mark.parametrize("tar_format", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_truncated_inside_an_extended_header(tar_format: int) -> None:
    data = write_tar([Member("n" * 300, data=b"x")], tar_format)
    with pytest.raises(TarTruncatedError):
        list(TarReader(io.BytesIO(data[: BLOCK + 50]), LABEL))


@pytest.mark.parametrize(
    "garbage",
    [
        random.Random(1).randbytes(4096),
        b"This is a README, not a tar archive.\n" * 40,
        b"\x00" * 100 + b"\x01" * 412 + bytes(BLOCK),
        b"PK\x03\x04" + bytes(2000),
    ],
    ids=["random", "text", "nul-prefixed", "zip"],
)
def test_garbage_is_a_header_error(garbage: bytes) -> None:
    with pytest.raises(TarHeaderError) as raised:
        list(TarReader(io.BytesIO(garbage), LABEL))
    assert LABEL in str(raised.value)


def test_corrupt_header_after_a_good_member() -> None:
    data = bytearray(write_tar([Member("good", data=b"1"), Member("bad", data=b"2")]))
    data[2 * BLOCK + 10] ^= 0xFF  # the second member's header (after 1 header + 1 data block)
    reader = TarReader(io.BytesIO(bytes(data)), LABEL)
    names: list[str] = []
    with pytest.raises(TarHeaderError):
        names.extend(header.name for header in reader)
    assert names == ["good"]


def test_empty_input() -> None:
    with pytest.raises(TarTruncatedError) as raised:
        list(TarReader(io.BytesIO(b""), LABEL))
    assert "empty" in str(raised.value)


def test_archive_without_members() -> None:
    data = write_tar([])
    reader = TarReader(io.BytesIO(data), LABEL)
    assert list(reader) == []
    assert reader.ended_cleanly


def test_missing_end_of_archive_marker_is_tolerated() -> None:
    members = [Member("a", data=b"1" * 600), Member("b", tarfile.DIRTYPE), Member("c")]
    data = write_tar(members)
    last_data = stdlib_view(data)[-1][-1]
    headers, _, reader = read_all(data[:last_data])  # "c" is empty: the stream ends after it
    assert [h.name for h in headers] == ["a", "b/", "c"]
    assert not reader.ended_cleanly


def test_malformed_pax_record_is_a_header_error() -> None:
    records = b"zz path=x\n"
    pax = header_block(b"PaxHeader", typeflag=b"x", size=b"%011o\0" % len(records))
    data = pax + padded(records) + header_block(b"x") + END
    with pytest.raises(TarHeaderError):
        list(TarReader(io.BytesIO(data), LABEL))


# -- random archives against tarfile ---------------------------------------------------------

_TYPES = [
    tarfile.REGTYPE,
    tarfile.REGTYPE,
    tarfile.CONTTYPE,
    tarfile.DIRTYPE,
    tarfile.SYMTYPE,
    tarfile.LNKTYPE,
    tarfile.FIFOTYPE,
    tarfile.CHRTYPE,
    tarfile.BLKTYPE,
]
_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="/\0"), min_size=1, max_size=40
)
_BYTES = (
    st.binary(min_size=1, max_size=12)
    .filter(lambda raw: b"/" not in raw and b"\0" not in raw)
    .map(lambda raw: raw.decode("utf-8", "surrogateescape"))
)
_COMPONENT = st.one_of(_TEXT, _TEXT, _BYTES, st.sampled_from(["a", "usr", "x" * 99, "é" * 60]))
_NAME = st.lists(_COMPONENT, min_size=1, max_size=5).map("/".join)
_SMALL_IDS = st.sampled_from([0, 1, 1000, 65534, 8**7 - 1])
_LARGE_IDS = st.sampled_from([8**7, 2**31 - 1, 2**32, 2**45])


@st.composite
def archives(draw: st.DrawFn) -> tuple[int, list[Member]]:
    tar_format = draw(
        st.sampled_from([tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
    )
    ids = _SMALL_IDS if tar_format == tarfile.USTAR_FORMAT else st.one_of(_SMALL_IDS, _LARGE_IDS)
    members = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(_TYPES))
        size = draw(st.integers(0, 2000)) if kind in (tarfile.REGTYPE, tarfile.CONTTYPE) else 0
        seed = draw(st.integers(0, 255))
        members.append(
            Member(
                name=draw(_NAME),
                type=kind,
                data=bytes((seed + 7 * i) % 256 for i in range(size)),
                mode=draw(st.integers(0, 0o7777)),
                uid=draw(ids),
                gid=draw(ids),
                linkname=draw(_NAME) if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE) else "",
            )
        )
    return tar_format, members


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(archive=archives(), chunk=st.integers(1, 700), skip_every=st.integers(1, 4))
def test_random_archives_read_as_tarfile_reads_them(
    archive: tuple[int, list[Member]], chunk: int, skip_every: int
) -> None:
    tar_format, members = archive
    try:
        data = write_tar(members, tar_format)
    except ValueError:  # a name or link too long for plain ustar
        assume(False)
        raise
    expected = stdlib_view(data)
    reader = TarReader(io.BytesIO(data), LABEL)
    headers = []
    for index, header in enumerate(reader):
        headers.append(header)
        if index % skip_every:
            continue  # leave the contents for the reader to skip
        parts = []
        while piece := reader.read_content(chunk):
            parts.append(piece)
        regular = members[index].type in (tarfile.REGTYPE, tarfile.CONTTYPE)
        assert b"".join(parts) == (members[index].data if regular else b"")
    assert reader_view(headers) == expected
    assert [h.name.rstrip("/") for h in headers] == [m.name for m in members]
    assert [h.linkname for h in headers] == [m.linkname for m in members]
    assert [(h.uid, h.gid, h.mode) for h in headers] == [(m.uid, m.gid, m.mode) for m in members]
    assert reader.ended_cleanly
