"""Members' proposals (R17), pure: their text, documents, numbers, agenda items, channel
and status."""

from __future__ import annotations

import io
import unicodedata
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ProposalTooLong, Usage
from domain.member_proposals import (
    AGENDA_TEXT,
    MAX_TEXT,
    Channel,
    DocumentKind,
    State,
    Status,
    agenda_item,
    attachment_name,
    channel_for,
    clean_text,
    document_kind,
    format_number,
    kind_by_name,
    next_number,
    shorten,
    status_of,
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
ODS = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00"


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("propuesta.pdf", PDF, DocumentKind.PDF),
        ("PROPUESTA.PDF", PDF, DocumentKind.PDF),
        ("oficio.docx", DOCX, DocumentKind.DOCX),
        ("presupuesto.xlsx", XLSX, DocumentKind.XLSX),
        ("proyecto.odt", ODT, DocumentKind.ODT),
        ("foto.jpg", JPEG, DocumentKind.JPEG),
        ("foto.jpeg", JPEG, DocumentKind.JPEG),
        ("plano.png", PNG, DocumentKind.PNG),
        # the name and the content must agree: renamed or truncated files are refused
        ("propuesta.pdf", PDF[:-7], None),
        ("propuesta.pdf", DOCX, None),
        ("oficio.docx", XLSX, None),
        ("presupuesto.xlsx", DOCX, None),
        ("proyecto.odt", ODS, None),
        ("proyecto.odt", DOCX, None),
        ("foto.jpg", PNG, None),
        ("plano.png", JPEG, None),
        ("oficio.docx", b"PK\x03\x04 not a zip", None),
        ("programa.exe", b"MZ", None),
        ("datos.csv", b"a,b\n", None),
        ("sin_extension", PDF, None),
        (None, PDF, None),
    ],
)
def test_document_kinds(name: str | None, data: bytes, kind: DocumentKind | None) -> None:
    assert document_kind(name, data) is kind


def test_kind_by_name_is_checked_before_downloading() -> None:
    assert kind_by_name("Diagnóstico Final.PDF") is DocumentKind.PDF
    assert kind_by_name("hoja.xls") is None
    assert kind_by_name("") is None
    assert DocumentKind.ODT.media_type == "application/vnd.oasis.opendocument.text"
    assert {k.media_type.split("/")[0] for k in DocumentKind} == {"application", "image"}


@given(st.binary(max_size=300), st.sampled_from(["a.pdf", "a.docx", "a.odt", "a.xlsx", "a.png"]))
def test_document_kind_never_raises(data: bytes, name: str) -> None:
    kind = document_kind(name, data)
    assert kind is None or kind is kind_by_name(name)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Crear   un portal  ", "Crear un portal"),
        ("Primero\r\n\r\n\r\n\r\nSegundo", "Primero\n\nSegundo"),
        ("Uno\nDos", "Uno\nDos"),
        ("Texto\u200b oculto\x07", "Texto oculto"),
        ("Cafe\u0301", "Café"),  # NFC
        ("<b>Ana & Sol</b>", "<b>Ana & Sol</b>"),  # kept: templates escape it
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize("raw", ["", "   ", "\n\n", "\u200b"])
def test_empty_text_is_the_usage(raw: str) -> None:
    with pytest.raises(Usage):
        clean_text(raw)


def test_too_long_is_refused_not_cut() -> None:
    assert clean_text("a" * MAX_TEXT) == "a" * MAX_TEXT
    with pytest.raises(ProposalTooLong) as refused:
        clean_text("a" * (MAX_TEXT + 1))
    assert (refused.value.limit, refused.value.length) == (MAX_TEXT, MAX_TEXT + 1)


@given(st.text(max_size=400))
def test_clean_text_is_idempotent_and_visible(raw: str) -> None:
    try:
        once = clean_text(raw)
    except Usage:
        return
    assert clean_text(once) == once
    assert once == once.strip()
    assert "\n\n\n" not in once
    assert all(ch == "\n" or unicodedata.category(ch)[0] != "C" for ch in once)


def test_numbers() -> None:
    assert format_number(3) == "P-3"
    assert next_number([]) == 1
    assert next_number({1, 2, 7}) == 8  # never reused
    with pytest.raises(ValueError, match="from 1"):
        format_number(0)


def test_agenda_item_and_attachment_name() -> None:
    assert agenda_item(3, "Crear un portal\nde datos") == "Propuesta P-3: Crear un portal de datos"
    long = agenda_item(4, "palabra " * 100)
    assert long.startswith("Propuesta P-4: palabra palabra")
    assert long.endswith("palabra…")
    assert attachment_name(2, "diagnóstico.pdf") == "P-2-diagnóstico.pdf"
    assert attachment_name(2, "../../etc/pass:wd.pdf") == "P-2-....etcpasswd.pdf"
    assert attachment_name(5, "") == "P-5-documento"


@given(st.text(max_size=600), st.integers(2, 300))
def test_shorten_is_one_line_within_the_limit(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert len(short) <= limit
    assert "\n" not in short
    flat = " ".join(text.split())
    assert short == flat or short.endswith("…")


@given(st.integers(1, 10_000), st.text(max_size=3000))
def test_agenda_items_fit_a_convocation(number: int, text: str) -> None:
    item = agenda_item(number, text)
    assert "\n" not in item
    assert len(item) <= len(f"Propuesta P-{number}: ") + AGENDA_TEXT  # draft() keeps 500


@pytest.mark.parametrize(
    ("email", "configured", "channel"),
    [
        ("garante@imaip.example.mx", True, Channel.CORREO),
        ("garante@imaip.example.mx", False, Channel.TELEGRAM),  # the bot cannot send mail
        ("", True, Channel.TELEGRAM),
        ("  ", True, Channel.TELEGRAM),
        ("", False, Channel.TELEGRAM),
    ],
)
def test_channel(email: str, configured: bool, channel: Channel) -> None:
    assert channel_for(garante_email=email, mail_configured=configured) is channel


def test_status() -> None:
    assert status_of(None) is Status.RECIBIDA
    assert status_of(State.PENDIENTE) is Status.EN_ENVIO
    assert status_of(State.ENVIADA) is Status.REMITIDA
    assert status_of(State.FALLIDA) is Status.NO_REMITIDA
    assert Status.REMITIDA.value == "remitida al garante"
