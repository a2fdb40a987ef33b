"""The minutes' files (R14): both drafts say the record, the signed PDF stamps and seals it.

The files are read back the way a person's software would: the PDFs' text with pypdf, the
Word file's paragraphs and tables with python-docx, the seal with pyHanko's validator
against a CA made here. Text is compared with whitespace collapsed, since a long name or
note wraps where the page ends.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from docx import Document
from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject

from bot import minutes_files
from bot.minutes_files import (
    Seal,
    SealError,
    load_seal,
    render_docx,
    render_pdf,
    sha256_hex,
    signed_pdf,
)
from domain.minutes import (
    AgendaItem,
    FileKind,
    MinutesRecord,
    SeatAttendance,
    SeatBallotLine,
    Signatory,
    SignatureLine,
    VoteRecord,
    fingerprint,
    opening_sentence,
    quorum_sentence,
    vote_sentence,
)

# WeasyPrint warns once, when first imported, that the system lacks libharfbuzz-subset (it
# then subsets fonts with fontTools); bot.minutes_files imports it on first render, so the
# warning is raised inside a test. It is about the machine, not about our code.
pytestmark = pytest.mark.filterwarnings(
    "ignore:HarfBuzz-Subset will be required:DeprecationWarning"
)

LONG_NAME = (
    "María de los Ángeles Guadalupe Concepción Villaseñor Sahagún de la Peña y "
    "Hernández-Ochoa Arreola Zúñiga"
)
SEATS = (
    "Gobierno municipal",
    "Organismo garante local",
    "Sociedad civil organizada",
    "Academia",
    "Ciudadanía",
)
PEOPLE = {
    "Gobierno municipal": ("José de Jesús Michel Sahagún", "titular"),
    "Organismo garante local": ("Lorenza Capiz Hernández", "suplente"),
    "Sociedad civil organizada": (LONG_NAME, "titular"),
    "Academia": ("Rubén Muñoz Ibáñez", "titular"),
}
FACILITATOR = "Ana Sofía Ñúñez Ortega"
OBSERVERS = ("Citlali Muñoz", "Jesús Ávalos Peña")
SHA_A = "a" * 64


def ballots(choices: tuple[str | None, ...]) -> tuple[SeatBallotLine, ...]:
    lines = []
    for seat, choice in zip(SEATS, choices, strict=True):
        person, role = PEOPLE.get(seat, (None, None))
        lines.append(SeatBallotLine(seat, choice, person if choice else None, role))
    return tuple(lines)


AGENDA_VOTE = VoteRecord(
    1, "Orden del día", "Aprobado por consenso", 4, 0, 0,
    ballots(("A favor", "A favor", "A favor", "A favor", None)), agenda=True,
)  # fmt: skip
VOTES = (
    VoteRecord(
        2, "Aprobar el Plan de Acción Municipal 2026–2027", "Aprobado por mayoría", 3, 1, 0,
        ballots(("A favor", "En contra", "A favor", "A favor", None)),
    ),
    VoteRecord(
        3, "Publicar el padrón de proveedores", "Rechazado por mayoría", 1, 2, 1,
        ballots(("A favor", "En contra", "En contra", "Abstención", None)),
    ),
    VoteRecord(
        4, "Calendario de sesiones", "Empate: no aprobado", 2, 2, 0,
        ballots(("A favor", "En contra", "A favor", "En contra", None)),
    ),
    VoteRecord(5, "Invitar a la Contraloría", None, 1, 0, 0, ballots((None,) * 5)),
)  # fmt: skip


def zamora(**changes: object) -> MinutesRecord:
    """The first ordinary session of Zamora's secretariat, one seat absent."""
    record = MinutesRecord(
        secretariat="Zamora",
        title="Primera Sesión Ordinaria 2026",
        number=3,
        kind="ordinaria",
        place="la Sala de Cabildo del Palacio Municipal",
        day=date(2026, 11, 27),
        installed_at=time(10, 5),
        concluded_at=time(12, 40),
        time_zone="America/Mexico_City",
        seats_present=4,
        seats_total=5,
        quorum_required=3,
        attendance=tuple(
            SeatAttendance(seat, True, *PEOPLE[seat])
            if seat in PEOPLE
            else SeatAttendance(seat, False)
            for seat in SEATS
        ),
        facilitator=FACILITATOR,
        facilitator_present=True,
        observers=OBSERVERS,
        agenda=(
            AgendaItem(1, "Lista de asistencia y declaración de quórum"),
            AgendaItem(
                2,
                "Seguimiento del Plan de Acción Municipal",
                (
                    "La Academia presentó el avance del compromiso 3.",
                    "Se acordó revisar la meta de datos abiertos:\nprimero el padrón.",
                ),
            ),
            AgendaItem(3, "Asuntos generales", ("Sin asuntos adicionales.",)),
        ),
        agenda_vote=AGENDA_VOTE,
        votes=VOTES,
        agreements=("Aprobar el Plan de Acción Municipal 2026–2027",),
        signatories=(
            Signatory(1, FACILITATOR, "facilitador"),
            *(
                Signatory(10 + i, person, role, seat)
                for i, (seat, (person, role)) in enumerate(PEOPLE.items())
            ),
        ),
        garante="Instituto Michoacano de Transparencia",
        convened_on=date(2026, 11, 18),
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def big_record() -> MinutesRecord:
    """40 items with 2 notes each and 30 votes of 7 seats: a long session's acta."""
    seats = (*SEATS, "Colegio de Ingenieros", "Cámara de Comercio")
    votes = tuple(
        VoteRecord(
            100 + n, f"Propuesta número {n} sobre el compromiso {n % 7}", "Aprobado por mayoría",
            4, 2, 1,
            tuple(
                SeatBallotLine(seat, ("A favor", "En contra", "Abstención")[(n + i) % 3],
                               f"Persona {i} del asiento", "titular")
                for i, seat in enumerate(seats)
            ),
        )
        for n in range(1, 31)
    )  # fmt: skip
    return zamora(
        seats_total=7,
        attendance=tuple(SeatAttendance(s, True, f"Persona {i}", "titular") for i, s in
                         enumerate(seats)),
        agenda=tuple(
            AgendaItem(n, f"Asunto número {n} del orden del día",
                       (f"Primera nota del asunto {n}. " + "Texto de la relatoría. " * 12,
                        f"Segunda nota del asunto {n}."))
            for n in range(1, 41)
        ),
        votes=votes,
        agreements=tuple(v.text for v in votes),
    )  # fmt: skip


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_pages(data: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def docx_text(data: bytes) -> tuple[str, str, list[list[list[str]]]]:
    """(body paragraphs, footer, tables as rows of cell texts) of a Word file."""
    document = Document(io.BytesIO(data))
    body = flat(" ".join(p.text for p in document.paragraphs))
    footer = flat(" ".join(p.text for p in document.sections[0].footer.paragraphs))
    tables = [[[flat(c.text) for c in row.cells] for row in t.rows] for t in document.tables]
    return body, footer, tables


def expected_texts(record: MinutesRecord) -> list[str]:
    """What every draft must say, whatever its layout."""
    texts = [
        f"Secretariado Técnico Municipal de Gobierno Abierto de {record.secretariat}",
        f"Acta circunstanciada de la {record.title}",
        f"Sesión #{record.number}",
        opening_sentence(record),
        quorum_sentence(record),
        record.place,
        *(f"{item.number}. {item.text}" for item in record.agenda),
        *(note for item in record.agenda for note in item.notes),
        *(vote_sentence(v) for v in (record.agenda_vote, *record.votes) if v),
        *record.agreements,
        *record.observers,
    ]
    return [flat(t) for t in texts]


@pytest.fixture(scope="module")
def record() -> MinutesRecord:
    return zamora()


@pytest.fixture(scope="module")
def draft_pdf(record: MinutesRecord) -> bytes:
    return render_pdf(record, version=1, fingerprint=fingerprint(record))


@pytest.fixture(scope="module")
def draft_docx(record: MinutesRecord) -> bytes:
    return render_docx(record, version=1, fingerprint=fingerprint(record))


# ---------------------------------------------------------------- the PDF draft


def test_pdf_says_everything_the_record_says(record: MinutesRecord, draft_pdf: bytes) -> None:
    text = " ".join(pdf_pages(draft_pdf))
    for expected in expected_texts(record):
        assert expected in text
    assert "En la ciudad de Zamora, siendo las 10:05" in text
    assert "4 de los 5 asientos" in text
    assert "siendo 3 el quórum requerido" in text


@pytest.mark.parametrize(
    ("seat", "person", "role"),
    [
        ("Gobierno municipal", "José de Jesús Michel Sahagún", "Titular"),
        ("Organismo garante local", "Lorenza Capiz Hernández", "Suplente"),
        ("Sociedad civil organizada", LONG_NAME, "Titular"),
        ("Academia", "Rubén Muñoz Ibáñez", "Titular"),
        ("Ciudadanía", "Ausente", "—"),
    ],
)
def test_pdf_attendance_rows(draft_pdf: bytes, seat: str, person: str, role: str) -> None:
    text = " ".join(pdf_pages(draft_pdf))
    assert f"{seat} {person} {role}" in text


@pytest.mark.parametrize(
    "outcome",
    [
        "Resultado: Aprobado por consenso.",
        "Resultado: Aprobado por mayoría.",
        "Resultado: Rechazado por mayoría.",
        "Resultado: Empate: no aprobado.",
        "la votación no se cerró durante la sesión y no consta resultado",
    ],
)
def test_pdf_every_vote_outcome_in_r12_words(draft_pdf: bytes, outcome: str) -> None:
    assert outcome in " ".join(pdf_pages(draft_pdf))


def test_pdf_facilitator_observers_and_signatories(
    record: MinutesRecord, draft_pdf: bytes
) -> None:
    text = " ".join(pdf_pages(draft_pdf))
    assert f"Facilitador(a): {FACILITATOR} (presente)." in text
    assert "Personas observadoras presentes: Citlali Muñoz, Jesús Ávalos Peña." in text
    assert f"{FACILITATOR} Facilitador(a) —" in text
    assert "Lorenza Capiz Hernández Suplente Organismo garante local" in text
    assert "Academia A favor Rubén Muñoz Ibáñez Titular" in text
    assert "Ciudadanía No votó — —" in text


def test_pdf_every_page_is_footed(record: MinutesRecord, draft_pdf: bytes) -> None:
    pages = pdf_pages(draft_pdf)
    prefix = fingerprint(record)[:12]
    assert len(pages) >= 2
    for number, text in enumerate(pages, 1):
        assert f"Página {number} de {len(pages)}" in text
        assert f"Versión 1 · Huella del registro: {prefix}" in text
        assert "Acta circunstanciada de la Primera Sesión Ordinaria 2026" in text


def test_pdf_is_letter_sized(draft_pdf: bytes) -> None:
    for page in PdfReader(io.BytesIO(draft_pdf)).pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
            612,
            792,
        )


def test_drafts_are_deterministic(
    record: MinutesRecord, draft_pdf: bytes, draft_docx: bytes
) -> None:
    again = fingerprint(record)
    assert render_docx(record, version=1, fingerprint=again) == draft_docx
    # The PDF's bytes also hold the font subset's "modified" time when fontTools subsets
    # (no libharfbuzz-subset): its text and metadata are what must not vary.
    pdf = render_pdf(record, version=1, fingerprint=again)
    assert pdf_pages(pdf) == pdf_pages(draft_pdf)
    assert PdfReader(io.BytesIO(pdf)).metadata == PdfReader(io.BytesIO(draft_pdf)).metadata
    assert PdfReader(io.BytesIO(pdf)).metadata["/CreationDate"].startswith("D:20261127")


@pytest.mark.parametrize(
    "hostile",
    [
        '<b>Ana & "Sol"</b>',
        "<script>alert(1)</script>",
        "{{ acta.heading }} {% raw %}",
        "<img src='file:///etc/passwd'>",
    ],
)
def test_user_text_is_printed_literally(hostile: str) -> None:
    record = zamora(
        observers=(hostile,),
        facilitator=hostile,
        agenda=(AgendaItem(1, hostile, (f"Nota: {hostile}",)),),
        title=f"Sesión {hostile}",
    )
    digest = fingerprint(record)
    text = " ".join(pdf_pages(render_pdf(record, version=2, fingerprint=digest)))
    body, _footer, _ = docx_text(render_docx(record, version=2, fingerprint=digest))
    for shown in (text, body):
        assert f"Personas observadoras presentes: {hostile}." in shown
        assert f"1. {hostile}" in shown
        assert f"Nota: {hostile}" in shown
        assert f"Acta circunstanciada de la Sesión {hostile}" in shown
    page = " ".join(
        pdf_pages(
            signed_pdf(
                b"docx", FileKind.DOCX, record_title=record.title, secretariat=hostile,
                number=3, version=2, version_sha256=sha256_hex(b"docx"),
                signatures=(SignatureLine(hostile, "titular", hostile, "2026-12-01 10:30"),),
                issued_at=hostile,
            )
        )
    )  # fmt: skip
    assert f"Acta circunstanciada de la Sesión {hostile}" in page
    assert f"Gobierno Abierto de {hostile}" in page
    assert f"emitido el {hostile}." in page
    assert "&lt;" not in page  # escaped once, for HTML, and never shown escaped
    assert "&amp;" not in page


def test_control_characters_do_not_break_the_files() -> None:
    record = zamora(agenda=(AgendaItem(1, "Asunto\x00 con\x0b control\x1f", ("a\x07b",)),))
    digest = fingerprint(record)
    assert "1. Asunto con control" in " ".join(
        pdf_pages(render_pdf(record, version=1, fingerprint=digest))
    )
    body, _, _ = docx_text(render_docx(record, version=1, fingerprint=digest))
    assert "1. Asunto con control" in body
    assert "ab" in body


@pytest.mark.parametrize(("version", "digest"), [(0, SHA_A), (1, "abc"), (1, "A" * 64)])
def test_bad_version_or_fingerprint_is_refused(version: int, digest: str) -> None:
    with pytest.raises(ValueError, match=r"version|fingerprint"):
        render_pdf(zamora(), version=version, fingerprint=digest)
    with pytest.raises(ValueError, match=r"version|fingerprint"):
        render_docx(zamora(), version=version, fingerprint=digest)


def test_empty_sections_say_so() -> None:
    record = zamora(agenda=(), agenda_vote=None, votes=(), agreements=(), observers=(),
                    facilitator=None, concluded_at=None)  # fmt: skip
    digest = fingerprint(record)
    text = " ".join(pdf_pages(render_pdf(record, version=1, fingerprint=digest)))
    body, _, _ = docx_text(render_docx(record, version=1, fingerprint=digest))
    for shown in (text, body):
        assert "El orden del día no registró asuntos." in shown
        assert "El orden del día no se sometió a votación." in shown
        assert "No se sometieron otros asuntos a votación." in shown
        assert "No se adoptaron acuerdos." in shown
        assert "Personas observadoras presentes: ninguna." in shown
        assert "se dio por concluida la sesión en la misma fecha" in shown


# ---------------------------------------------------------------- the Word draft


def test_docx_says_everything_the_record_says(record: MinutesRecord, draft_docx: bytes) -> None:
    body, footer, tables = docx_text(draft_docx)
    cells = " ".join(" ".join(" ".join(row) for row in t) for t in tables)
    for expected in expected_texts(record):
        assert expected in body or expected in cells
    assert "En la ciudad de Zamora, siendo las 10:05" in body
    assert footer.startswith(f"Versión 1 · Huella del registro: {fingerprint(record)[:12]}")
    assert "Página" in footer


def test_docx_tables(draft_docx: bytes) -> None:
    _, _, tables = docx_text(draft_docx)
    attendance, *vote_tables, signatures = tables
    assert attendance == [
        ["Asiento", "Representado por", "Carácter"],
        ["Gobierno municipal", "José de Jesús Michel Sahagún", "Titular"],
        ["Organismo garante local", "Lorenza Capiz Hernández", "Suplente"],
        ["Sociedad civil organizada", LONG_NAME, "Titular"],
        ["Academia", "Rubén Muñoz Ibáñez", "Titular"],
        ["Ciudadanía", "Ausente", "—"],
    ]
    assert len(vote_tables) == 1 + len(VOTES)
    assert vote_tables[1][1:] == [
        ["Gobierno municipal", "A favor", "José de Jesús Michel Sahagún", "Titular"],
        ["Organismo garante local", "En contra", "Lorenza Capiz Hernández", "Suplente"],
        ["Sociedad civil organizada", "A favor", LONG_NAME, "Titular"],
        ["Academia", "A favor", "Rubén Muñoz Ibáñez", "Titular"],
        ["Ciudadanía", "No votó", "—", "—"],
    ]
    assert signatures[1] == [FACILITATOR, "Facilitador(a)", "—"]
    assert signatures[3] == ["Lorenza Capiz Hernández", "Suplente", "Organismo garante local"]


def test_docx_keeps_a_note_line_break(draft_docx: bytes) -> None:
    document = Document(io.BytesIO(draft_docx))
    notes = [p.text for p in document.paragraphs if p.text.startswith("Se acordó")]
    assert notes == ["Se acordó revisar la meta de datos abiertos:\nprimero el padrón."]


# ---------------------------------------------------------------- a long session


@pytest.fixture(scope="module")
def big() -> tuple[MinutesRecord, bytes, bytes]:
    record = big_record()
    digest = fingerprint(record)
    return (
        record,
        render_pdf(record, version=3, fingerprint=digest),
        render_docx(record, version=3, fingerprint=digest),
    )


def test_big_record_renders_every_item(big: tuple[MinutesRecord, bytes, bytes]) -> None:
    record, pdf, docx = big
    pages = pdf_pages(pdf)
    assert len(pages) > 5
    text = " ".join(pages)
    body, _, tables = docx_text(docx)
    for expected in expected_texts(record):
        assert expected in text
        assert expected in body or any(expected in c for t in tables for r in t for c in r)
    for number, page in enumerate(pages, 1):
        assert f"Página {number} de {len(pages)}" in page
        assert fingerprint(record)[:12] in page


def test_big_record_tables_repeat_their_header(big: tuple[MinutesRecord, bytes, bytes]) -> None:
    _, pdf, _ = big
    # A vote's table split by a page break starts the next page with its header row.
    continued = [p for p in pdf_pages(pdf) if "Asiento Voto Emitido por Carácter" in p]
    assert len(continued) > 5


# ---------------------------------------------------------------- the signed file

SIGNERS = (
    SignatureLine(FACILITATOR, "facilitador", None, "2026-12-01 09:12 America/Mexico_City"),
    SignatureLine("José de Jesús Michel Sahagún", "titular", "Gobierno municipal",
                  "2026-12-01 10:30 America/Mexico_City"),
    SignatureLine("Lorenza Capiz Hernández", "suplente", "Organismo garante local",
                  "2026-12-02 17:45 America/Mexico_City"),
    SignatureLine(LONG_NAME, "titular", "Sociedad civil organizada",
                  "2026-12-03 08:01 America/Mexico_City"),
)  # fmt: skip


def sign(version_file: bytes, kind: FileKind = FileKind.PDF, seal: Seal | None = None) -> bytes:
    return signed_pdf(
        version_file,
        kind,
        record_title="Primera Sesión Ordinaria 2026",
        secretariat="Zamora",
        number=3,
        version=2,
        version_sha256=sha256_hex(version_file),
        signatures=SIGNERS,
        issued_at="2026-12-03 08:05 America/Mexico_City",
        seal=seal,
    )


@pytest.fixture(scope="module")
def signed(draft_pdf: bytes) -> bytes:
    return sign(draft_pdf)


def test_signed_pdf_stamps_every_sheet(draft_pdf: bytes, signed: bytes) -> None:
    original = pdf_pages(draft_pdf)
    pages = pdf_pages(signed)
    assert len(pages) == len(original) + 1
    prefix = sha256_hex(draft_pdf)[:16]
    for sheet, (text, before) in enumerate(zip(pages, [*original, ""], strict=True), 1):
        assert f"Hoja {sheet} de {len(pages)} · Versión 2 · SHA-256 {prefix}" in text
        assert before in text  # the approved page's own text is all still there


def test_signed_pdf_signature_page(draft_pdf: bytes, signed: bytes) -> None:
    last = pdf_pages(signed)[-1]
    assert sha256_hex(draft_pdf) in last.replace(" ", "")
    assert "Sesión #3" in last
    assert "Versión 2" in last
    assert "Acta circunstanciada de la Primera Sesión Ordinaria 2026" in last
    assert "que ocupa las hojas 1 a" in last
    assert "emitido el 2026-12-03 08:05 America/Mexico_City" in last


@pytest.mark.parametrize(
    ("row", "line"),
    [
        (f"{FACILITATOR} Facilitador(a) — 2026-12-01 09:12", SIGNERS[0]),
        ("José de Jesús Michel Sahagún Titular Gobierno municipal 2026-12-01 10:30", SIGNERS[1]),
        ("Lorenza Capiz Hernández Suplente Organismo garante local 2026-12-02 17:45", SIGNERS[2]),
        (None, SIGNERS[3]),  # its name wraps: the cells' lines interleave in the text
    ],
)
def test_signed_pdf_lists_every_signer(
    signed: bytes, row: str | None, line: SignatureLine
) -> None:
    last = pdf_pages(signed)[-1]
    if row is not None:
        assert row in last
    for part in (*line.name.split(), line.role.capitalize(), *str(line.seat).split()):
        assert part in last or line.seat is None
    assert line.signed_at.split()[1] in last


def test_signed_pdf_keeps_the_pages_content(draft_pdf: bytes, signed: bytes) -> None:
    before = PdfReader(io.BytesIO(draft_pdf))
    after = PdfReader(io.BytesIO(signed))
    for old, new in zip(before.pages, after.pages, strict=False):
        assert new.get_contents().get_data().startswith(b"q\n" + old.get_contents().get_data())


def test_signed_pdf_refuses_a_wrong_sha(draft_pdf: bytes) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        signed_pdf(
            draft_pdf, FileKind.PDF, record_title="x", secretariat="Zamora", number=1,
            version=1, version_sha256=SHA_A, signatures=SIGNERS, issued_at="hoy",
        )  # fmt: skip


def foreign_pdf(boxes: list[tuple[float, float, int]]) -> bytes:
    """An uploaded PDF: pages of the given (width, height, /Rotate), with some text."""
    source = PdfReader(io.BytesIO(render_pdf(zamora(), version=1, fingerprint=SHA_A)))
    writer = PdfWriter()
    for width, height, rotation in boxes:
        page = writer.add_page(source.pages[0])
        page.mediabox = RectangleObject((0, 0, width, height))
        page.cropbox = RectangleObject((0, 0, width, height))
        if rotation:
            page.rotate(rotation)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_signed_pdf_of_an_upload_of_any_page_size_and_rotation() -> None:
    boxes = [(595.28, 841.89, 0), (612, 792, 90), (841.89, 595.28, 180), (612, 1008, 270)]
    upload = foreign_pdf(boxes)
    reader = PdfReader(io.BytesIO(sign(upload)))
    assert len(reader.pages) == len(boxes) + 1
    for sheet, page in enumerate(reader.pages[: len(boxes)], 1):
        width, height, rotation = boxes[sheet - 1]
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
            (width, height)
        )
        assert page.rotation == rotation
        assert f"Hoja {sheet} de 5" in flat(page.extract_text())


def handmade_pdf() -> bytes:
    """Two pages sharing one content stream, with box, rotation and fonts inherited from
    the page tree: what some producers write, and what a stamp must not write through."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 /MediaBox [0 0 595 842] /Rotate 90"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Type /Page /Parent 2 0 R /Contents 6 0 R >>",
        b"<< /Type /Page /Parent 2 0 R /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>",
    ]
    text = b"BT /F1 14 Tf 72 720 Td (Hoja compartida del acta) Tj ET"
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_signed_pdf_stamps_shared_and_inherited_pages_one_by_one() -> None:
    reader = PdfReader(io.BytesIO(sign(handmade_pdf())))
    assert len(reader.pages) == 3
    for sheet, page in enumerate(reader.pages[:2], 1):
        text = flat(page.extract_text())
        assert "Hoja compartida del acta" in text
        assert text.count("Hoja ") == 2  # its own stamp, and no other sheet's
        assert f"Hoja {sheet} de 3" in text
        assert page.rotation == 90
        assert list(map(float, page.mediabox)) == [0, 0, 595, 842]


def test_signed_pdf_of_a_word_version_attaches_it_untouched(draft_docx: bytes) -> None:
    signed = sign(draft_docx, FileKind.DOCX)
    reader = PdfReader(io.BytesIO(signed))
    assert reader.attachments == {"acta-sesion-3-version-2.docx": [draft_docx]}
    pages = pdf_pages(signed)
    assert "acta-sesion-3-version-2.docx" in pages[0]
    assert sha256_hex(draft_docx) in pages[0].replace(" ", "")
    for sheet, text in enumerate(pages, 1):
        assert f"Hoja {sheet} de {len(pages)} · Versión 2 · SHA-256 " in text
    assert all(line.name in " ".join(pages) for line in SIGNERS)


# ---------------------------------------------------------------- the seal (PAdES)


def make_p12(folder: Path, password: bytes) -> tuple[Path, x509.Certificate]:
    """A CA and a seal certificate it issued, the latter as a PKCS#12 file."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA de pruebas STM")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Sello del STM de Zamora"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ayuntamiento de Zamora"),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"sello", key, certificate, [ca], serialization.BestAvailableEncryption(password)
    )
    path = folder / "sello.p12"
    path.write_bytes(data)
    return path, ca


def validate(data: bytes, ca: x509.Certificate) -> tuple[bool, bool, bool]:
    """(intact: the signed bytes hash as signed, valid: the signature checks, trusted)."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(data))
    (signature,) = reader.embedded_signatures
    assert signature.field_name == minutes_files.SEAL_FIELD
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(ca.public_bytes(serialization.Encoding.DER))],
        moment=datetime(2026, 12, 3, tzinfo=UTC),
    )
    status = validate_pdf_signature(signature, context)
    return status.intact, status.valid, status.bottom_line


def test_sealed_pdf_is_a_valid_pades_signature(tmp_path: Path, draft_pdf: bytes) -> None:
    path, ca = make_p12(tmp_path, b"contrase\xc3\xb1a")
    seal = load_seal(path, b"contrase\xc3\xb1a")
    assert "Sello del STM de Zamora" in seal.holder
    sealed = sign(draft_pdf, seal=seal)
    assert validate(sealed, ca) == (True, True, True)
    # The seal is an incremental update: the stamped file is still there, unchanged.
    stamped = pdf_pages(sign(draft_pdf))
    assert pdf_pages(sealed) == stamped
    assert len(PdfReader(io.BytesIO(sealed)).pages) == len(stamped)


def test_tampering_with_a_sealed_pdf_shows(tmp_path: Path, draft_docx: bytes) -> None:
    path, ca = make_p12(tmp_path, b"x")
    sealed = bytearray(sign(draft_docx, FileKind.DOCX, seal=load_seal(path, b"x")))
    assert validate(bytes(sealed), ca) == (True, True, True)
    # One byte of the header's binary comment: inside the signed range, harmless to parse.
    assert sealed[:9] == b"%PDF-1.7\n"
    assert sealed[9] == ord("%")
    sealed[11] ^= 0x01
    intact, _, bottom_line = validate(bytes(sealed), ca)
    assert not intact
    assert not bottom_line


@pytest.mark.parametrize(
    ("password", "given", "message"),
    [
        (b"correcta", b"incorrecta", "la contraseña es incorrecta"),
        (b"correcta", None, "la contraseña es incorrecta"),
    ],
)
def test_load_seal_with_a_wrong_password(
    tmp_path: Path, password: bytes, given: bytes | None, message: str
) -> None:
    path, _ = make_p12(tmp_path, password)
    with pytest.raises(SealError, match=message):
        load_seal(path, given)


def test_load_seal_of_a_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(SealError, match="No existe el archivo"):
        load_seal(tmp_path / "no-hay.p12", b"x")
    broken = tmp_path / "roto.p12"
    broken.write_bytes(b"esto no es un PKCS#12")
    with pytest.raises(SealError, match="no es un PKCS#12 válido"):
        load_seal(broken, b"x")
    with pytest.raises(SealError, match="No se pudo leer"):
        load_seal(tmp_path, b"x")  # a folder


def test_sha256_hex() -> None:
    assert sha256_hex(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
