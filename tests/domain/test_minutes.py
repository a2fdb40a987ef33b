"""The minutes' record, wording and signature rules (R14, R15a), pure."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import minutes as rules
from domain.minutes import (
    AgendaItem,
    FileKind,
    MinutesRecord,
    SeatAttendance,
    Signatories,
    Signatory,
    VoteRecord,
)


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "cero"),
        (1, "uno"),
        (15, "quince"),
        (16, "dieciséis"),
        (21, "veintiuno"),
        (22, "veintidós"),
        (26, "veintiséis"),
        (30, "treinta"),
        (31, "treinta y uno"),
        (59, "cincuenta y nueve"),
        (100, "cien"),
        (101, "ciento uno"),
        (500, "quinientos"),
        (999, "novecientos noventa y nueve"),
        (1000, "mil"),
        (2022, "dos mil veintidós"),
        (2026, "dos mil veintiséis"),
        (21000, "veintiún mil"),
        (31000, "treinta y un mil"),
        (101000, "ciento un mil"),
        (100000, "cien mil"),
    ],
)
def test_number_words(n: int, words: str) -> None:
    assert rules.number_words(n) == words


@pytest.mark.parametrize("n", [-1, 1_000_000])
def test_number_words_range(n: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        rules.number_words(n)


@given(st.integers(0, 9999), st.integers(0, 9999))
def test_number_words_are_distinct(a: int, b: int) -> None:
    """Two numbers never read the same (the acta writes figures and words)."""
    if a != b:
        assert rules.number_words(a) != rules.number_words(b)


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (time(10, 5), "diez horas con cinco minutos"),
        (time(1, 1), "una hora con un minuto"),
        (time(12, 0), "doce horas"),
        (time(0, 30), "cero horas con treinta minutos"),
    ],
)
def test_time_in_words(moment: time, words: str) -> None:
    assert rules.time_in_words(moment) == words


def test_date_in_words() -> None:
    assert (
        rules.date_in_words(date(2026, 12, 7)) == "lunes siete de diciembre de dos mil veintiséis"
    )


def _record(**changes: object) -> MinutesRecord:
    base = MinutesRecord(
        secretariat="Zamora",
        title="Primera Sesión Ordinaria 2026",
        number=1,
        kind="ordinaria",
        place="Sala de Cabildo",
        day=date(2026, 12, 7),
        installed_at=time(10, 5),
        concluded_at=time(12, 30),
        time_zone="America/Mexico_City",
        seats_present=4,
        seats_total=5,
        quorum_required=3,
        attendance=(SeatAttendance("Academia", True, "Marta Ruiz", "suplente"),),
        facilitator="Claudia Yanira Solís Cázares",
        facilitator_present=True,
        observers=(),
        agenda=(AgendaItem(1, "Lista de asistencia", ("Se pasó lista.",)),),
        agenda_vote=None,
        votes=(),
        agreements=(),
        signatories=(),
        garante="Organismo garante local",
        convened_on=date(2026, 11, 27),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_sentences_read_like_a_municipal_acta() -> None:
    record = _record()
    opening = rules.opening_sentence(record)
    assert opening.startswith(
        "En la ciudad de Zamora, siendo las 10:05 (diez horas con cinco minutos) del día lunes "
        "siete de diciembre de dos mil veintiséis, en Sala de Cabildo,"
    )
    assert "Primera Sesión Ordinaria 2026 (sesión número 1)" in opening
    assert "convocada el 27 de noviembre de 2026" in opening
    assert "presencia de 4 de los 5 asientos" in rules.quorum_sentence(record)  # R9
    assert "quórum requerido" in rules.quorum_sentence(record)
    assert "siendo las 12:30 (doce horas con treinta minutos)" in rules.closing_sentence(record)
    assert "en la misma fecha" in rules.closing_sentence(_record(concluded_at=None))


@pytest.mark.parametrize(
    ("vote", "expected"),
    [
        (
            VoteRecord(3, "Calendario 2027", "Aprobado por mayoría", 3, 1, 1),
            "«Calendario 2027», con el resultado siguiente: 3 votos a favor, 1 voto en contra y "
            "1 abstención. Resultado: Aprobado por mayoría.",
        ),
        (
            VoteRecord(1, "Orden del día", "Aprobado por consenso", 1, 0, 0, agenda=True),
            "el orden del día, con el resultado siguiente: 1 voto a favor, 0 votos en contra y "
            "0 abstenciones. Resultado: Aprobado por consenso.",
        ),
        (VoteRecord(4, "Sin cerrar", None, 0, 0, 0), "no se cerró durante la sesión"),
    ],
)
def test_vote_sentence_uses_r12_wording(vote: VoteRecord, expected: str) -> None:
    assert expected in rules.vote_sentence(vote)


def test_fingerprint_follows_the_record() -> None:
    assert rules.fingerprint(_record()) == rules.fingerprint(_record())
    changed = _record(agenda=(AgendaItem(1, "Lista de asistencia", ("Otra nota.",)),))
    assert rules.fingerprint(changed) != rules.fingerprint(_record())
    assert len(rules.fingerprint(_record())) == 64


F = Signatory(1, "Claudia", "facilitador")
T1, T2 = (
    Signatory(2, "Felipe", "titular", "Gobierno"),
    Signatory(3, "Roberto", "titular", "Garante"),
)
S4 = Signatory(7, "Marta", "suplente", "Academia")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (Signatories.PRESENTES, (F, T1, S4)),  # who represented each present seat (R14)
        (Signatories.TODOS, (F, T1, T2)),  # every seat's titular
    ],
)
def test_signatories(rule: Signatories, expected: tuple[Signatory, ...]) -> None:
    got = rules.signatories(rule, facilitator=F, representatives=[T1, S4], titulars=[T1, T2])
    assert got == expected


def test_signatories_never_twice_and_missing() -> None:
    got = rules.signatories(
        Signatories.PRESENTES, facilitator=F, representatives=[F, T1, T1], titulars=[]
    )
    assert got == (F, T1)
    assert rules.missing_signatories(got, [1]) == (T1,)
    assert rules.missing_signatories(got, [1, 2]) == ()


def _docx(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("acta.pdf", PDF, FileKind.PDF),
        ("ACTA.PDF", PDF, FileKind.PDF),
        ("acta.docx", _docx("[Content_Types].xml", "word/document.xml"), FileKind.DOCX),
        ("acta.pdf", _docx("word/document.xml"), None),  # a renamed Word file
        ("acta.docx", PDF, None),
        ("acta.docx", _docx("xl/workbook.xml"), None),  # a spreadsheet renamed .docx
        ("acta.docx", b"PK\x03\x04 truncated", None),
        ("acta.pdf", PDF[:20], None),  # truncated: no %%EOF
        ("acta.doc", b"\xd0\xcf\x11\xe0", None),  # old Word: not accepted
        ("acta.exe", b"MZ", None),
        (None, PDF, None),
    ],
)
def test_upload_kind_checks_name_and_content(
    name: str | None, data: bytes, kind: FileKind | None
) -> None:
    assert rules.upload_kind(name, data) is kind


def test_retry_delays_grow_and_cap() -> None:
    delays = [rules.retry_delay(n) for n in range(1, 12)]
    assert delays[0] == timedelta(minutes=1)
    assert delays == sorted(delays)
    assert max(delays) == rules.MAX_RETRY_DELAY
    with pytest.raises(ValueError, match="1-based"):
        rules.retry_delay(0)
