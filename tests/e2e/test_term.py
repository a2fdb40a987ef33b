"""End of term end to end (R5, I.6): the 60/30/10-day reminders, ``/informe`` and ``/entrega``.

Everything goes through the real application and the fake Bot API over SQLite and
PostgreSQL. The reminders are fired by the planner at the moments the fake clock reaches,
once each, and not again after a restart (R23's ledger). The report is read back with
pypdf and python-docx; the package is unzipped and every file checked against the
manifest's SHA-256; a second package over the same record has the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import UTC, datetime

from docx import Document
from sqlalchemy import select

from domain import handover
from scheduler import planner as scheduler
from storage.models import AuditEntry, Reminder, SignedMinutes, StoredFile
from tests.clock import FakeClock
from tests.e2e.test_minutes import data_of, docs, flat, pdf_text, signed_session
from tests.fakebot import FakeBotAPI
from tests.harness import ADMIN_ID, Harness, setup_zamora, start_harness

# periodo_fin 2027-01-31: 60, 30 and 10 days before, at 09:00 in Mexico City (UTC-6).
TERM_60 = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
TERM_30 = datetime(2027, 1, 1, 15, 0, tzinfo=UTC)
TERM_10 = datetime(2027, 1, 21, 15, 0, tzinfo=UTC)
MARKER = "Recordatorio de fin de periodo"


def term_reminders(h: Harness, chat: int, since: int) -> list[str]:
    return [
        c.text or ""
        for c in h.fake.sent_to(chat, since)
        if c.method == "sendMessage" and MARKER in (c.text or "")
    ]


async def term_rows(h: Harness) -> list[tuple[str, datetime, str]]:
    async with h.db() as session:
        rows = await session.scalars(
            select(Reminder).where(Reminder.kind == "periodo").order_by(Reminder.due_at)
        )
        return [(r.target, r.due_at, r.status) for r in rows]


async def set_term(h: Harness, facilitator: int, start: str, end: str) -> None:
    assert start in await h.say(facilitator, f"/ajustar periodo_inicio {start}")
    assert end in await h.say(facilitator, f"/ajustar periodo_fin {end}")


async def test_term_reminders_fire_once_each_and_not_again_after_a_restart(
    fake: FakeBotAPI, database_url: str, clock: FakeClock
) -> None:
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}) as first:
        z = await setup_zamora(first)
        await set_term(first, z.facilitator, "2024-09-01", "2027-01-31")
        schedule = await first.say(z.facilitator, "/recordatorios")
        assert "Fin del periodo (facilitación): 60, 30 y 10 días antes" in schedule
        assert "2026-12-02 09:00 — fin del periodo, periodo que termina el 2027-01-31" in schedule
        assert "fin del periodo" not in await first.say(z.facilitator, "/pendientes")  # not yet
        mark = fake.mark()
        first.clock.current = TERM_60
        await scheduler.run(first.app, None)
        todo = await first.say(z.facilitator, "/pendientes")  # from the first reminder on (R5)
        assert "Preparar el fin del periodo, que termina en 60 días, el domingo 2027-01-31" in (
            todo
        )
        assert "/informe" in todo
        assert "/entrega" in todo
        assert "fin del periodo" not in await first.say(z.titulars["gobierno"], "/pendientes")
        (text,) = term_reminders(first, z.facilitator, mark)
        assert "STM de Zamora" in text
        assert "termina en 60 días, el domingo 2027-01-31" in text
        assert "elección" in text
        assert "rotación" in text
        assert "sociedad civil" in text
        assert "/informe" in text
        assert "/entrega" in text
        await scheduler.run(first.app, None)  # the same moment again: nothing new
        assert len(term_reminders(first, z.facilitator, mark)) == 1
        first.clock.current = datetime(2026, 12, 2, 15, 1, tzinfo=UTC)
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}) as second:
        await scheduler.run(second.app, None)
        assert len(term_reminders(second, z.facilitator, mark)) == 1  # not again (R23)
        for moment, days in ((TERM_30, 30), (TERM_10, 10)):
            since = fake.mark()
            second.clock.current = moment
            await scheduler.run(second.app, None)
            (text,) = term_reminders(second, z.facilitator, since)
            assert f"termina en {days} días" in text
            await scheduler.run(second.app, None)
            assert len(term_reminders(second, z.facilitator, since)) == 1
        rows = await term_rows(second)
    assert [(due, status) for _, due, status in rows] == [
        (TERM_60, "enviado"),
        (TERM_30, "enviado"),
        (TERM_10, "enviado"),
    ]
    assert {target for target, _, _ in rows} == {rows[0][0]}


async def test_downtime_sends_only_the_latest_term_reminder(
    fake: FakeBotAPI, database_url: str, clock: FakeClock
) -> None:
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}) as first:
        z = await setup_zamora(first)
        await set_term(first, z.facilitator, "2024-09-01", "2027-01-31")
    clock.current = datetime(2027, 1, 2, 16, 0, tzinfo=UTC)  # down through 60 and 30 days
    mark = fake.mark()
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}) as second:
        (text,) = term_reminders(second, z.facilitator, mark)
        assert "termina en 29 días" in text
        assert "(aviso de 30 días" in text
        rows = await term_rows(second)
    assert [(due, status) for _, due, status in rows] == [
        (TERM_60, "omitido"),
        (TERM_30, "enviado"),
    ]


async def test_moving_the_term_end_moves_its_reminders(harness: Harness) -> None:
    h = harness
    z = await setup_zamora(h)
    await set_term(h, z.facilitator, "2024-09-01", "2027-01-31")
    await set_term(h, z.facilitator, "2024-09-01", "2027-08-31")
    h.clock.current = TERM_60
    mark = h.fake.mark()
    await scheduler.run(h.app, None)
    assert term_reminders(h, z.facilitator, mark) == []  # 2027-01-31 is no longer the end
    h.clock.current = datetime(2027, 7, 2, 15, 0, tzinfo=UTC)  # 60 days before 08-31
    await scheduler.run(h.app, None)
    (text,) = term_reminders(h, z.facilitator, mark)
    assert "termina en 60 días, el martes 2027-08-31" in text


async def _the_term(h: Harness) -> tuple[int, int]:
    """Session #1 (2026-12-07) held and signed; term 2026-09-01 … 2027-08-31; an
    agreement; the clock on 2027-01-05 (December has ended). (facilitator, titular)."""
    z, _ = await signed_session(h)
    assert "ACU-2026-001" in await h.say(z.facilitator, "/acuerdo Publicar el calendario")
    assert "C-1" in await h.say(z.facilitator, "/compromiso Agua <potable> & drenaje")
    await h.say(z.facilitator, "/acta_enviada 1 Oficio STM/001")
    await set_term(h, z.facilitator, "2026-09-01", "2027-08-31")
    h.clock.current = datetime(2027, 1, 5, 16, 0, tzinfo=UTC)
    return z.facilitator, z.titulars["gobierno"]


async def test_informe_pdf_and_docx_from_the_record(harness: Harness) -> None:
    h = harness
    facilitator, _ = await _the_term(h)
    since = h.fake.mark()
    await h.settled(h.fake.send_text(facilitator, "/informe"), timeout=90)
    pdf_call, docx_call = docs(h, facilitator, since)
    assert pdf_call.result["document"]["file_name"] == (
        "informe-periodo-2026-09-01-a-2027-08-31.pdf"
    )
    assert docx_call.result["document"]["file_name"] == (
        "informe-periodo-2026-09-01-a-2027-08-31.docx"
    )
    pdf, docx = data_of(h, pdf_call), data_of(h, docx_call)
    caption = pdf_call.params.get("caption", "")
    assert hashlib.sha256(pdf).hexdigest() in caption
    assert hashlib.sha256(docx).hexdigest() in docx_call.params.get("caption", "")
    assert "1 sesión celebrada" in caption
    text = flat(pdf_text(pdf))
    for part in (
        "Secretariado Técnico Municipal de Gobierno Abierto de Zamora",
        "Informe de actividades del periodo 2026-09-01 a 2027-08-31",
        "Sesiones celebradas: 1 (1 ordinarias, 0 extraordinarias; 0 sin quórum)",
        # every month of the term, months without sessions included
        "septiembre de 2026 0 0 0 sin sesión ordinaria (R6)",
        "diciembre de 2026 1 0 1",
        "enero de 2027 0 0 0 en curso",
        "agosto de 2027 0 0 0 en curso",
        # attendance per seat: academia by its substitute, ciudadanía absent
        "Gobierno municipal 1 1 0 0 100 %",
        "Academia 1 0 1 0 100 %",
        "Ciudadanía 1 0 0 1 0 %",
        # the agenda's approval (R10) and the vote on the calendar (R12, R13)
        "Seguimiento del PAM 4 0 0 0 Aprobado por consenso",
        "#2 #1 Aprobar el calendario de sesiones 2027 2 1 1 0 Aprobado por mayoría",
        "Votaciones: 2 (Aprobado por consenso: 1; Aprobado por mayoría: 1)",
        "Meses sin sesión ordinaria (R6): septiembre de 2026, octubre de 2026, noviembre de 2026",
        "ACU-2026-001 Publicar el calendario pendiente",
        "C-1 Agua <potable> & drenaje no iniciado 0 %",
        "#1 2026-12-07 enviadas a tiempo sí",
        # the charts' own labels are text in the PDF
        "Sesiones celebradas por mes",
        "Asistencia por asiento",
    ):
        assert part in text, part
    document = Document(io.BytesIO(docx))
    body = flat("\n".join(p.text for p in document.paragraphs))
    assert "Informe de actividades del periodo 2026-09-01 a 2027-08-31" in body
    assert "Sesiones celebradas: 1 (1 ordinarias" in body
    cells = {flat(" ".join(c.text for c in row.cells)) for t in document.tables for row in t.rows}
    assert "diciembre de 2026 1 0 1" in cells
    assert "Ciudadanía 1 0 0 1 0 %" in cells
    assert "C-1 Agua <potable> & drenaje no iniciado 0 %" in cells
    assert len(document.inline_shapes) >= 4  # the charts, as PNG
    # stored by SHA-256 and audited
    async with h.db() as session:
        stored = set(await session.scalars(select(StoredFile.sha256)))
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert {hashlib.sha256(pdf).hexdigest(), hashlib.sha256(docx).hexdigest()} <= stored
    assert "informe" in actions
    assert h.app.files.get(hashlib.sha256(pdf).hexdigest()) == pdf
    # the same record, asked again later the same day: the same files
    h.clock.advance(minutes=30)
    since = h.fake.mark()
    await h.settled(h.fake.send_text(facilitator, "/informe"), timeout=90)
    again = docs(h, facilitator, since)
    assert [data_of(h, c) for c in again] == [pdf, docx]


async def test_entrega_zip_matches_its_manifest_and_is_deterministic(harness: Harness) -> None:
    h = harness
    facilitator, _ = await _the_term(h)
    since = h.fake.mark()
    await h.settled(h.fake.send_text(facilitator, "/entrega"), timeout=120)
    (call,) = docs(h, facilitator, since)
    assert call.result["document"]["file_name"] == "entrega-zamora-2026-09-01-a-2027-08-31.zip"
    data = data_of(h, call)
    sha = hashlib.sha256(data).hexdigest()
    assert sha in call.params.get("caption", "")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        manifest = archive.read(handover.MANIFEST_NAME).decode()
        sums = archive.read(handover.SUMS_NAME).decode()
        contents = {name: archive.read(name) for name in names}
        dates = {info.date_time for info in archive.infolist()}
    assert names == sorted(names)
    rows = list(csv.DictReader(io.StringIO(manifest)))
    listed = {row["archivo"]: row for row in rows}
    assert set(listed) == set(names) - {handover.MANIFEST_NAME, handover.SUMS_NAME}
    for name, row in listed.items():
        assert hashlib.sha256(contents[name]).hexdigest() == row["sha256"], name
        assert len(contents[name]) == int(row["bytes"]), name
        assert f"{row['sha256']}  {name}\n" in sums
    for expected in (
        "actas/acta-firmada-sesion-1.pdf",
        "informes/informe-seguimiento-2026-12.pdf",
        "informes/informe-periodo-2026-09-01-a-2027-08-31.pdf",
        "informes/informe-periodo-2026-09-01-a-2027-08-31.docx",
        "datos/datapackage.json",
        "datos/sesiones.csv",
        "datos/sesiones.json",
        "datos/actas.csv",
        "datos/votaciones.json",
    ):
        assert expected in listed, expected
    assert "informes/informe-seguimiento-2026-11.pdf" not in listed  # nothing happened then
    # the signed minutes are the stored signed file itself
    async with h.db() as session:
        signed_sha = await session.scalar(select(SignedMinutes.sha256))
    assert listed["actas/acta-firmada-sesion-1.pdf"]["sha256"] == signed_sha
    assert len(dates) == 1  # every entry dated with the record's cut
    december = flat(pdf_text(contents["informes/informe-seguimiento-2026-12.pdf"]))
    assert "Plan de Acción Municipal — diciembre de 2026" in december
    assert "Generado: 2027-01-01 00:00" in december  # the month's close, not the clock
    # a second run over the same record, an hour later: the same bytes
    h.clock.advance(hours=1)
    since = h.fake.mark()
    await h.settled(h.fake.send_text(facilitator, "/entrega"), timeout=120)
    (again,) = docs(h, facilitator, since)
    assert data_of(h, again) == data
    async with h.db() as session:
        assert sha in set(await session.scalars(select(StoredFile.sha256)))
        assert "entrega" in set(await session.scalars(select(AuditEntry.action)))


async def test_refusals(harness: Harness) -> None:
    h = harness
    z = await setup_zamora(h)
    for command in ("/informe", "/entrega"):
        # the term is not set: how to set it
        answer = await h.say(z.facilitator, command)
        assert "/ajustar periodo_inicio" in answer, answer
        assert "/ajustar periodo_fin" in answer
    await set_term(h, z.facilitator, "2024-09-01", "2027-08-31")
    for command in ("/informe", "/entrega"):
        # not the facilitator
        answer = await h.say(z.titulars["gobierno"], command)
        assert "solo lo puede usar" in answer, answer
        # in the group
        answer = await h.say(z.facilitator, command, chat_id=z.group)
        assert "se usa en el chat privado" in answer, answer
        # extra words
        answer = await h.say(z.facilitator, f"{command} ya")
        assert "Se usa así" in answer, answer
    since = h.fake.mark()
    await h.settled(h.fake.send_text(z.titulars["gobierno"], "/entrega"))
    assert docs(h, z.titulars["gobierno"], since) == []
    async with h.db() as session:
        actions = set(await session.scalars(select(AuditEntry.action)))
    assert not {"informe", "entrega"} & actions


async def test_an_empty_term_still_has_its_report_and_data(harness: Harness) -> None:
    h = harness
    z = await setup_zamora(h)
    await set_term(h, z.facilitator, "2026-09-01", "2027-08-31")
    since = h.fake.mark()
    await h.settled(h.fake.send_text(z.facilitator, "/entrega"), timeout=120)
    (call,) = docs(h, z.facilitator, since)
    with zipfile.ZipFile(io.BytesIO(data_of(h, call))) as archive:
        names = archive.namelist()
        report = flat(
            pdf_text(archive.read("informes/informe-periodo-2026-09-01-a-2027-08-31.pdf"))
        )
    assert not [n for n in names if n.startswith("actas/")]
    assert not [n for n in names if "seguimiento" in n]
    assert "datos/datapackage.json" in names
    assert "Sesiones celebradas: 0" in report
    assert "No hubo votaciones en el periodo." in report
