"""What a received file is, by its name and its bytes (R14, R17, R19 a): the one table the
minutes, proposals and evidence uploads share."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.file_types import (
    ALL_TYPES,
    MAX_DOWNLOAD_BYTES,
    FileType,
    by_name,
    content_matches,
    identify,
    sniff,
)


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
DOCX = _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"})
XLSX = _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<w/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00"
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  "
M4A = b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom"
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01webm"
MP3_ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x00"
MP3_FRAME = b"\xff\xfb\x90\x64\x00"
OGG = b"OggS\x00\x02\x00\x00\x00\x00OpusHead"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt "

SAMPLES = {
    FileType.PDF: PDF,
    FileType.DOCX: DOCX,
    FileType.ODT: ODT,
    FileType.XLSX: XLSX,
    FileType.JPEG: JPEG,
    FileType.PNG: PNG,
    FileType.MP4: MP4,
    FileType.MOV: MOV,
    FileType.WEBM: WEBM,
    FileType.MP3: MP3_ID3,
    FileType.M4A: M4A,
    FileType.OGG: OGG,
    FileType.WAV: WAV,
}


def test_every_type_has_a_sample_a_media_type_and_an_extension() -> None:
    assert set(SAMPLES) == set(FileType)
    for kind, data in SAMPLES.items():
        assert content_matches(kind, data), kind
        assert by_name(f"archivo.{kind.extension}") is kind
        assert identify(f"archivo.{kind.extension}", data) is kind
        assert kind.media_type.split("/")[0] in ("application", "image", "video", "audio")
    assert FileType.JPEG.extension == "jpg"
    assert MAX_DOWNLOAD_BYTES == 20 * 1024 * 1024  # the Bot API's getFile limit


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("Acta Final.PDF", PDF, FileType.PDF),
        ("foto.jpeg", JPEG, FileType.JPEG),
        ("grabación.opus", OGG, FileType.OGG),
        ("entrevista.mp3", MP3_FRAME, FileType.MP3),
        ("clip.m4v", MP4, FileType.MP4),
        # the name and the content must agree: renamed or truncated files are refused
        ("acta.pdf", PDF[:-7], None),
        ("acta.pdf", JPEG, None),
        ("foto.jpg", PNG, None),
        ("oficio.docx", XLSX, None),
        ("oficio.docx", b"PK\x03\x04 not a zip", None),
        ("proyecto.odt", DOCX, None),
        ("video.webm", MP4, None),
        ("audio.wav", b"RIFF\x24\x00\x00\x00AVI ", None),
        ("audio.mp3", b"\xff\xf9\x00", None),  # layer bits 00: no MPEG audio frame
        ("audio.mp3", JPEG, None),
        ("programa.exe", b"MZ", None),
        ("sin_extension", PDF, None),
        (None, PDF, None),
    ],
)
def test_identify_checks_name_and_content(
    name: str | None, data: bytes, kind: FileType | None
) -> None:
    assert identify(name, data) is kind


def test_allowed_narrows_what_a_path_takes() -> None:
    minutes = (FileType.PDF, FileType.DOCX)
    assert by_name("foto.jpg", minutes) is None
    assert identify("foto.jpg", JPEG, minutes) is None
    assert identify("acta.docx", DOCX, minutes) is FileType.DOCX


@pytest.mark.parametrize(
    ("data", "allowed", "kind"),
    [
        (JPEG, (FileType.JPEG, FileType.PNG), FileType.JPEG),
        (PNG, (FileType.JPEG, FileType.PNG), FileType.PNG),
        (MOV, (FileType.MP4, FileType.MOV, FileType.WEBM), FileType.MOV),
        (MP4, (FileType.MP4, FileType.MOV, FileType.WEBM), FileType.MP4),
        (M4A, (FileType.OGG, FileType.MP3, FileType.M4A), FileType.M4A),
        (M4A, (FileType.MP4,), FileType.MP4),  # an ISO file where only MP4 is taken
        (OGG, (FileType.OGG, FileType.MP3, FileType.M4A), FileType.OGG),
        (PDF, (FileType.JPEG, FileType.PNG), None),
        (b"", ALL_TYPES, None),
    ],
)
def test_sniff_by_bytes_alone(
    data: bytes, allowed: tuple[FileType, ...], kind: FileType | None
) -> None:
    assert sniff(data, allowed) is kind


@given(st.binary(max_size=400), st.sampled_from([f"a.{k.extension}" for k in FileType]))
def test_hostile_bytes_never_raise(data: bytes, name: str) -> None:
    kind = identify(name, data)
    assert kind is None or kind is by_name(name)
    found = sniff(data, ALL_TYPES)
    assert found is None or content_matches(found, data)
