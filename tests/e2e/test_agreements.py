"""The register of agreements end to end (R16): from a vote or typed, codes, responsible,
due date, follow-up by the right people only, lists, and the minutes listing them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from scheduler import planner as scheduler
from storage.models import Agreement, AgreementChange
from tests.e2e.test_minutes import SUPLENTE, draft, flat, held_session, pdf_text
from tests.harness import Harness


async def test_agreements_register_and_follow_up(harness: Harness) -> None:
    h = harness
    since = h.fake.mark()
    z = await held_session(h)
    result = next(
        c
        for c in h.fake.sent_to(z.facilitator, since)
        if "Resultado de la votación #2" in (c.text or "")
    )
    buttons = dict(h.fake.buttons(z.facilitator, result.result["message_id"]))
    assert list(buttons) == ["Registrar acuerdo"]  # only the facilitator's copy carries it
    titular_copy = next(
        c
        for c in h.fake.sent_to(z.titulars["gobierno"], since)
        if "Resultado de la votación #2" in (c.text or "")
    )
    assert not h.fake.buttons(z.titulars["gobierno"], titular_copy.result["message_id"])
    mark = h.fake.mark()
    query = await h.press(
        z.facilitator, z.facilitator, result.result["message_id"], buttons["Registrar acuerdo"]
    )
    assert "ACU-2026-001" in (h.fake.answer_for(query).text or "")  # type: ignore[union-attr]
    registered = await h.fake.wait_for("sendMessage", since=mark, chat_id=z.facilitator)
    assert "Aprobar el calendario de sesiones 2027" in (registered.text or "")
    query = await h.press(  # a second press: the same vote is one agreement
        z.facilitator,
        z.facilitator,
        result.result["message_id"],
        buttons["Registrar acuerdo"],
        forge=True,
    )
    assert "ya está registrada como el acuerdo ACU-2026-001" in (
        h.fake.answer_for(query).text or ""  # type: ignore[union-attr]
    )
    assert "ACU-2026-002" in await h.say(z.facilitator, "/acuerdo Publicar el calendario")
    answer = await h.say(z.facilitator, "/responsable ACU-2026-001 academia")
    assert "Academia (Lorenza Capiz Hernández)" in answer
    assert "2027-01-29" in await h.say(z.facilitator, "/plazo acu-2026-001 2027-01-29")
    # only the facilitator and the responsible seat's people follow it up
    assert "Solo la facilitación" in await h.say(
        z.titulars["garante"], "/seguimiento ACU-2026-001 cumplido"
    )
    assert "en proceso" in await h.say(
        z.titulars["academia"], "/seguimiento ACU-2026-001 en_proceso Oficio STM/003"
    )
    assert "cumplido" in await h.say(SUPLENTE, "/seguimiento ACU-2026-001 cumplido")
    assert "estado final no cambia" in await h.say(
        z.facilitator, "/seguimiento ACU-2026-001 pendiente"
    )
    open_ = await h.say(z.titulars["ciudadania"], "/acuerdos")
    assert "ACU-2026-002" in open_
    assert "ACU-2026-001" not in open_
    assert "ACU-2026-001" in await h.say(z.titulars["ciudadania"], "/acuerdos todos")
    # refusals change nothing
    assert "No hay un acuerdo ACU-2026-009" in await h.say(
        z.facilitator, "/seguimiento ACU-2026-009 cumplido"
    )
    assert "Se usa así" in await h.say(z.facilitator, "/seguimiento ACU-2026-002 hecho")
    assert "Se usa así" in await h.say(z.facilitator, "/acuerdo")
    async with h.db() as session:
        assert await session.scalar(select(func.count()).select_from(Agreement)) == 2
        history = list(
            await session.scalars(select(AgreementChange.kind).order_by(AgreementChange.id))
        )
    assert history == ["registro", "registro", "responsable", "plazo", "estado", "estado"]
    # the minutes list the agreements adopted in the session (R14, R16)
    pdf, _, _ = await draft(h, z)
    assert "ACU-2026-001: Aprobar el calendario de sesiones 2027" in flat(pdf_text(pdf))


async def test_agreement_reminders_before_the_due_date_and_overdue(harness: Harness) -> None:
    """R16 + R22: ``recordar_acuerdo`` 5d,1d to the responsible seat and the facilitator,
    then overdue notices until cumplido; once closed, nothing more (R23)."""
    h = harness
    z = await held_session(h)
    await h.say(z.facilitator, "/acuerdo Publicar el calendario")
    await h.say(z.facilitator, "/responsable ACU-2026-001 academia")
    await h.say(z.facilitator, "/plazo ACU-2026-001 2026-12-18")  # Friday
    # 1 business day before: Thursday 12-17 at 09:00 (15:00 UTC)
    h.clock.current = datetime(2026, 12, 17, 15, 0, tzinfo=UTC)
    mark = h.fake.mark()
    await scheduler.run(h.app, None)
    told = {
        uid
        for uid in [z.facilitator, z.titulars["academia"], SUPLENTE, z.titulars["garante"]]
        if any("ACU-2026-001" in (c.text or "") for c in h.fake.sent_to(uid, mark))
    }
    assert told == {z.facilitator, z.titulars["academia"], SUPLENTE}
    assert "Dar seguimiento al acuerdo ACU-2026-001" in await h.say(SUPLENTE, "/pendientes")
    # overdue: the 1st business day after (Monday 12-21)
    h.clock.current = datetime(2026, 12, 21, 15, 0, tzinfo=UTC)
    mark = h.fake.mark()
    await scheduler.run(h.app, None)
    overdue = [c.text or "" for c in h.fake.sent_to(z.titulars["academia"], mark)]
    assert any("Acuerdo vencido" in t for t in overdue)
    await h.say(z.titulars["academia"], "/seguimiento ACU-2026-001 cumplido Publicado")
    h.clock.current = datetime(2026, 12, 24, 15, 0, tzinfo=UTC)
    mark = h.fake.mark()
    await scheduler.run(h.app, None)
    assert not [c for c in h.fake.sent_to(z.facilitator, mark) if "ACU-2026-001" in (c.text or "")]
