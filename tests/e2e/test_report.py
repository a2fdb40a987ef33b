"""``/reporte`` end to end (R16a, R16, II.6): the month's follow-up report as a PDF.

Everything is made through the bot as people would, with the clock placing each event:
a session held in December 2026 with an agreement and two commitments (action-plan
commands), then in January 2027 a milestone marked, a level set by hand, the agreement
followed up and a second session held; on February 2nd the facilitator asks for the
report. The PDF is read back with pypdf.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.e2e.test_minutes import data_of, docs, flat, held_session, pdf_text
from tests.e2e.test_sessions import _convene
from tests.harness import Harness, Zamora, setup_zamora

AGUA = (
    "/compromiso Agua <potable> & drenaje\n"
    "problema: Colonias sin servicio\n"
    "responsable: academia\n"
    "inicio: 2026-12-01\n"
    "fin: 2027-06-30"
)
JANUARY_SESSION = (
    "/convocar ordinaria 2027-01-14 10:00 Sala de Cabildo, Guerrero Ote. 82\n"
    "1. Lista de asistencia y declaración de quórum\n2. Seguimiento del PAM"
)


async def report(h: Harness, uid: int, text: str, *, chat_id: int | None = None) -> list[str]:
    """Send ``/reporte …`` and wait until it is handled; the texts the bot answered."""
    since = h.fake.mark()
    await h.settled(h.fake.send_text(uid, text, chat_id=chat_id), timeout=60)
    return [c.text or "" for c in h.fake.sent_to(chat_id or uid, since) if c.text]


async def the_pdf(h: Harness, uid: int, text: str) -> tuple[str, str, str]:
    """``/reporte …``'s document: (file name, caption, the PDF's text, flattened)."""
    since = h.fake.mark()
    await h.settled(h.fake.send_text(uid, text), timeout=60)
    (call,) = docs(h, uid, since)
    data = data_of(h, call)
    assert data.startswith(b"%PDF-")
    document = call.result["document"]
    return document["file_name"], call.params.get("caption", ""), flat(pdf_text(data))


async def plan_and_january(h: Harness) -> Zamora:
    """December: session #1, ACU-2026-001, C-1 (two milestones) and C-2. January: C-1.1
    done, C-2's level by hand, ACU-2026-001 in progress, session #2 held with one
    agreement. The clock then stands on 2027-02-02."""
    z = await held_session(h)  # session #1, 2026-12-07
    assert "ACU-2026-001" in await h.say(z.facilitator, "/acuerdo Publicar el calendario")
    await h.say(z.facilitator, "/responsable ACU-2026-001 academia")
    await h.say(z.facilitator, "/plazo ACU-2026-001 2027-01-20")
    assert "C-1" in await h.say(z.facilitator, AGUA)
    assert "C-1.1" in await h.say(z.facilitator, "/hito C-1 2027-01-15 Diagnóstico de colonias")
    assert "C-1.2" in await h.say(z.facilitator, "/hito C-1 2027-05-31 3 Obra de drenaje")
    assert "C-2" in await h.say(z.facilitator, "/compromiso Datos abiertos municipales")
    # January 2027 (Monday 4th, 10:00 in Zamora)
    h.clock.current = datetime(2027, 1, 4, 16, 0, tzinfo=UTC)
    answer = await h.say(z.titulars["academia"], "/avance C-1.1 hecho https://zamora.mx/diag")
    assert "C-1.1" in answer
    await h.say(z.facilitator, "/nivel C-2 sustancial Portal publicado por el municipio")
    await h.say(z.facilitator, "/seguimiento ACU-2026-001 en_proceso Oficio STM/004")
    await _convene(h, z, JANUARY_SESSION)
    h.clock.current = datetime(2027, 1, 14, 16, 5, tzinfo=UTC)  # Thursday 14th, 10:05
    await h.say(z.facilitator, "/iniciar")
    for number in (2, 3, 4, 5):  # gobierno, garante, sociedad civil, academia
        await h.say(z.facilitator, f"/presente {number}")
    assert "Sesión instalada con quórum: 4 de 5" in await h.say(z.facilitator, "/instalar")
    assert "ACU-2027-001" in await h.say(z.facilitator, "/acuerdo Difundir el PAM en radio")
    h.clock.advance(hours=2)
    await h.say(z.facilitator, "/concluir")
    # February 2nd, 09:00 in Zamora: C-1.2 done after the period (not in January's report)
    h.clock.current = datetime(2027, 2, 1, 18, 0, tzinfo=UTC)
    await h.say(z.facilitator, "/avance C-1.2 hecho Obra concluida")
    h.clock.current = datetime(2027, 2, 2, 15, 0, tzinfo=UTC)
    return z


async def test_the_report_of_january(harness: Harness) -> None:
    h = harness
    z = await plan_and_january(h)
    name, caption, text = await the_pdf(h, z.facilitator, "/reporte 2027-01")
    assert name == "informe-seguimiento-2027-01.pdf"
    assert "Informe de seguimiento de enero de 2027" in caption
    assert (
        "2 compromisos (2 cambios en el periodo) · 2 acuerdos (1 vencido) · 1 sesión celebrada"
        in caption
    )
    for part in (
        "Secretariado Técnico Municipal de Gobierno Abierto de Zamora",
        "Informe de seguimiento del Plan de Acción Municipal — enero de 2027",
        "Periodo: del 1 de enero de 2027 al 31 de enero de 2027",
        "Generado: 2027-02-02 09:00",
        # commitments at the end of January: C-1.1 (weight 1 of 4) done, C-2 set by hand
        "C-1 Agua <potable> & drenaje limitado 25 % 1 de 2",
        "C-2 Datos abiertos municipales sustancial (fijado) 0 % 0 de 0",
        # the chart's own labels
        "C-1 Agua <potable> & drenaje 25 % · limitado",
        "C-2 Datos abiertos municipales 0 % · sustancial",
        # the period's changes (registrations and milestones were in December)
        "2027-01-04 10:00 C-1.1 avance de hito limitado https://zamora.mx/diag",
        "2027-01-04 10:00 C-2 nivel fijado sustancial Portal publicado por el municipio",
        # agreements at the end of January
        "ACU-2026-001 Publicar el calendario Academia (Lorenza Capiz Hernández) 2027-01-20 "
        "en proceso (vencido)",
        "ACU-2027-001 Difundir el PAM en radio sin responsable sin plazo pendiente",
        "2027-01-04 10:00 ACU-2026-001 seguimiento en proceso Oficio STM/004",
        "pendiente: 1; en proceso: 1; cumplido: 0; cancelado: 0",
        # the session held in January, not December's
        "#2 (ordinaria) Primera Sesión Ordinaria 2027 14 de enero de 2027, 10:00 "
        "4 de 5 asientos 1",
    ):
        assert part in text, part
    assert "Obra concluida" not in text  # February's change
    assert "#1 (ordinaria)" not in text
    assert "Cambios en compromisos 2" in text


async def test_default_month_december_and_refusals(harness: Harness) -> None:
    h = harness
    z = await plan_and_january(h)
    # no month: the previous one in Zamora (February 2nd → January)
    name, _, text = await the_pdf(h, z.facilitator, "/reporte")
    assert name == "informe-seguimiento-2027-01.pdf"
    assert "enero de 2027" in text
    # December 2026: session #1 and the plan as registered, nothing of January
    name, _, text = await the_pdf(h, z.facilitator, "/reporte 2026-12")
    assert name == "informe-seguimiento-2026-12.pdf"
    assert "C-1 Agua <potable> & drenaje no iniciado 0 % 0 de 2" in text
    assert "C-2 Datos abiertos municipales no iniciado 0 % 0 de 0" in text
    assert "#1 (ordinaria) Primera Sesión Ordinaria 2026 7 de diciembre de 2026" in text
    assert "ACU-2027-001" not in text
    assert "ACU-2026-001 Publicar el calendario" in text
    # the month in progress may be reported; figures as of now
    _, caption, text = await the_pdf(h, z.facilitator, "/reporte 2027-02")
    assert "(mes en curso)" in caption
    assert "mes en curso: las cifras son las de ese momento" in text
    assert "C-1.2 avance de hito" in text
    # a month long before: a valid PDF that says there was nothing
    _, caption, text = await the_pdf(h, z.facilitator, "/reporte 2025-06")
    assert "Sin actividad registrada" in caption
    assert "No hubo nada que informar en el periodo" in text
    # refusals: nothing is sent but the answer
    for typed, expected in (
        ("/reporte 2027-13", "Se usa así"),
        ("/reporte enero", "Se usa así"),
        ("/reporte 2027-1", "Se usa así"),
        ("/reporte 2027-03", "El informe de marzo de 2027 aún no puede prepararse"),
    ):
        since = h.fake.mark()
        answers = await report(h, z.facilitator, typed)
        assert any(expected in a for a in answers), (typed, answers)
        assert not docs(h, z.facilitator, since)
    since = h.fake.mark()
    answers = await report(h, z.titulars["academia"], "/reporte 2027-01")
    assert any("solo lo puede usar" in a for a in answers), answers
    answers = await report(h, z.facilitator, "/reporte 2027-01", chat_id=z.group)
    assert any("se usa en el chat privado" in a for a in answers), answers
    assert not docs(h, z.titulars["academia"], since)
    assert not docs(h, z.group, since)


async def test_an_empty_secretariat_gets_a_valid_report(harness: Harness) -> None:
    h = harness
    z = await setup_zamora(h, link_group=False)
    name, caption, text = await the_pdf(h, z.facilitator, "/reporte")
    assert name == "informe-seguimiento-2026-10.pdf"  # 2026-11-27 → October
    assert "Sin actividad registrada" in caption
    for part in (
        "No hubo nada que informar en el periodo",
        "No hay compromisos registrados al cierre del periodo.",
        "No se celebraron sesiones en el periodo.",
    ):
        assert part in text, part
