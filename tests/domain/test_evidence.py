"""Session evidence (R19 a), pure: the command's arguments, what each carrier may bring,
the kind a file is shown as, its stored name, and the refusals before and after download."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import (
    EvidenceCaptionTooLong,
    EvidenceFileTooLarge,
    NotAnEvidenceFile,
    Usage,
)
from domain.evidence import (
    FILENAME_MAX,
    MAX_CAPTION,
    MAX_FILE_BYTES,
    Carrier,
    EvidenceKind,
    Request,
    accepted_types,
    check_before_download,
    clean_filename,
    identify,
    kind_of,
    next_number,
    parse,
)
from domain.file_types import FileType

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00"
PDF = b"%PDF-1.4\n%%EOF\n"
OGG = b"OggS\x00\x02\x00\x00OpusHead"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  "


@pytest.mark.parametrize(
    ("args", "request_"),
    [
        ("1", Request(1, "")),
        ("12 Foto de la instalación", Request(12, "Foto de la instalación")),
        ("  3   Pase   de\nlista  ", Request(3, "Pase de lista")),
        ("3\nRecorrido", Request(3, "Recorrido")),
        ("4 <b>negritas</b> & más", Request(4, "<b>negritas</b> & más")),  # escaped later
        ("5 Texto\u202econ\u200b marcas", Request(5, "Textocon marcas")),  # invisible dropped
    ],
)
def test_parse(args: str, request_: Request) -> None:
    assert parse(args) == request_


@pytest.mark.parametrize("args", ["", "   ", "uno", "0", "-1", "1.5", "٣", "3x Foto", "9" * 10])
def test_parse_refuses_a_missing_or_invalid_number(args: str) -> None:
    with pytest.raises(Usage) as refused:
        parse(args)
    assert refused.value.command == "evidencia"


def test_a_long_caption_is_refused_not_cut() -> None:
    assert parse("1 " + "x" * MAX_CAPTION).caption == "x" * MAX_CAPTION
    with pytest.raises(EvidenceCaptionTooLong) as refused:
        parse("1 " + "x" * (MAX_CAPTION + 1))
    assert (refused.value.limit, refused.value.length) == (MAX_CAPTION, MAX_CAPTION + 1)


@pytest.mark.parametrize(
    ("carrier", "filename", "data", "kind", "name", "media_type"),
    [
        (Carrier.PHOTO, None, JPEG, EvidenceKind.FOTO, "foto.jpg", "image/jpeg"),
        (Carrier.VOICE, None, OGG, EvidenceKind.AUDIO, "nota-de-voz.ogg", "audio/ogg"),
        (Carrier.VIDEO, "recorrido.mp4", MP4, EvidenceKind.VIDEO, "recorrido.mp4", "video/mp4"),
        (
            Carrier.VIDEO,
            "IMG_0042.MOV",
            MOV,
            EvidenceKind.VIDEO,
            "IMG_0042.MOV",
            "video/quicktime",
        ),
        # a media file's name that does not match its bytes is replaced, not trusted
        (Carrier.VIDEO, "recorrido.mp4", MOV, EvidenceKind.VIDEO, "video.mov", "video/quicktime"),
        (Carrier.VIDEO_NOTE, None, MP4, EvidenceKind.VIDEO, "video.mp4", "video/mp4"),
        (Carrier.AUDIO, "sesión.ogg", OGG, EvidenceKind.AUDIO, "sesión.ogg", "audio/ogg"),
        (
            Carrier.DOCUMENT,
            "orden.pdf",
            PDF,
            EvidenceKind.DOCUMENTO,
            "orden.pdf",
            "application/pdf",
        ),
        # a picture sent "as a file" is still a photo on the page
        (Carrier.DOCUMENT, "plano.png", PNG, EvidenceKind.FOTO, "plano.png", "image/png"),
        (
            Carrier.DOCUMENT,
            "../../etc/acta.pdf",
            PDF,
            EvidenceKind.DOCUMENTO,
            "etcacta.pdf",  # no path, no leading dots
            "application/pdf",
        ),
    ],
)
def test_identify(
    carrier: Carrier,
    filename: str | None,
    data: bytes,
    kind: EvidenceKind,
    name: str,
    media_type: str,
) -> None:
    found = identify(carrier, filename, data)
    assert (found.kind, found.filename, found.media_type, found.size) == (
        kind,
        name,
        media_type,
        len(data),
    )


@pytest.mark.parametrize(
    ("carrier", "filename", "data"),
    [
        (Carrier.PHOTO, None, PDF),
        (Carrier.VOICE, None, JPEG),
        (Carrier.VIDEO_NOTE, None, OGG),
        (Carrier.DOCUMENT, "acta.pdf", JPEG),
        (Carrier.DOCUMENT, "acta.pdf", PDF[:8]),
        (Carrier.DOCUMENT, "programa.exe", b"MZ"),
        (Carrier.DOCUMENT, None, PDF),
    ],
)
def test_identify_refuses_what_the_bytes_do_not_show(
    carrier: Carrier, filename: str | None, data: bytes
) -> None:
    with pytest.raises(NotAnEvidenceFile):
        identify(carrier, filename, data)


def test_identify_refuses_an_oversized_download() -> None:
    with pytest.raises(EvidenceFileTooLarge) as refused:
        identify(Carrier.DOCUMENT, "a.pdf", b"%PDF-" + b"0" * MAX_FILE_BYTES + b"%%EOF")
    assert refused.value.limit_mib == 20


def test_check_before_download() -> None:
    check_before_download(Carrier.PHOTO, None, MAX_FILE_BYTES)  # at the limit: fine
    check_before_download(Carrier.DOCUMENT, "Minuta.DOCX", None)
    with pytest.raises(EvidenceFileTooLarge):
        check_before_download(Carrier.VIDEO, "clip.mp4", MAX_FILE_BYTES + 1)
    with pytest.raises(NotAnEvidenceFile) as refused:
        check_before_download(Carrier.DOCUMENT, "datos.csv", 10)
    assert refused.value.filename == "datos.csv"
    with pytest.raises(NotAnEvidenceFile):
        check_before_download(Carrier.DOCUMENT, None, 10)


def test_every_accepted_type_has_a_kind() -> None:
    for carrier in Carrier:
        for file_type in accepted_types(carrier):
            assert kind_of(file_type) in EvidenceKind
    assert set(accepted_types(Carrier.DOCUMENT)) == set(FileType)
    assert {kind_of(t) for t in accepted_types(Carrier.PHOTO)} == {EvidenceKind.FOTO}
    assert {kind_of(t) for t in accepted_types(Carrier.VOICE)} == {EvidenceKind.AUDIO}


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (None, ""),
        ("  acta de la sesión.pdf ", "acta de la sesión.pdf"),
        ('a<b>:"c"|d?.pdf', "abcd.pdf"),
        ("\u202efdp.exe", "fdp.exe"),
        ("...", ""),
        ("x" * 300 + ".pdf", "x" * (FILENAME_MAX - 4) + ".pdf"),
    ],
)
def test_clean_filename(raw: str | None, clean: str) -> None:
    assert clean_filename(raw) == clean


@given(st.text(max_size=400))
def test_clean_filename_is_always_storable(raw: str) -> None:
    name = clean_filename(raw)
    assert len(name) <= FILENAME_MAX
    assert not any(ch in name for ch in '/\\:*?"<>|\n\r\t')


@given(st.text(max_size=700))
def test_parse_never_raises_anything_but_a_refusal(raw: str) -> None:
    try:
        request = parse(raw)
    except (Usage, EvidenceCaptionTooLong):
        return
    assert request.number >= 1
    assert len(request.caption) <= MAX_CAPTION
    assert "\n" not in request.caption


def test_numbers_are_one_past_the_highest() -> None:
    assert next_number([]) == 1
    assert next_number([3]) == 4
