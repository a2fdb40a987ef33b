"""The register of agreements end to end (R16): from a vote or typed, codes, responsible,
due date, follow-up by the right people only, lists, and the minutes listing them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from scheduler import planner as scheduler
from storage.models import Agreement, AgreementChange
from tests.clock import FakeClock
from tests.e2e.test_minutes import SUPLENTE, draft, flat, held_session, pdf_text
from tests.fakebot import FakeBotAPI
from tests.harness import ADMIN_ID, Harness, start_harness


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


async def test_a_long_register_is_one_message_with_pages(harness: Harness) -> None:
    """17 open agreements: one message of 15 and a ``Siguientes`` button that edits it
    (rather than messages arriving at ~1/s); a stranger's or a forged press changes nothing."""
    h = harness
    z = await held_session(h)
    for n in range(1, 18):
        assert f"ACU-2026-{n:03d}" in await h.say(z.facilitator, f"/acuerdo Acuerdo número {n}")
    call = await h.send(z.titulars["gobierno"], "/acuerdos")
    text = call.text or ""
    assert "(1–15 de 17, página 1 de 2)" in text
    assert "ACU-2026-015" in text
    assert "ACU-2026-016" not in text
    chat, message_id = z.titulars["gobierno"], call.result["message_id"]
    pages = dict(h.fake.buttons(chat, message_id))
    assert list(pages) == ["Siguientes ▶"]
    # someone who is not a member cannot page through it
    h.fake.add_user(7777, "Extraño")
    query = await h.press(7777, chat, message_id, pages["Siguientes ▶"], forge=True)
    assert (h.fake.answer_for(query).text or "") != ""  # type: ignore[union-attr]
    assert "ACU-2026-016" not in (h.fake.message(chat, message_id).text or "")  # type: ignore[union-attr]
    await h.press(chat, chat, message_id, pages["Siguientes ▶"])
    edited = h.fake.message(chat, message_id)
    assert edited is not None
    assert "(16–17 de 17, página 2 de 2)" in (edited.text or "")
    assert "ACU-2026-017" in (edited.text or "")
    assert "ACU-2026-001" not in (edited.text or "")
    assert list(dict(h.fake.buttons(chat, message_id))) == ["◀ Anteriores"]
    # a forged page beyond the end shows the last page; a forged secretariat is refused
    await h.press(chat, chat, message_id, "gp:1:0:99", forge=True)
    assert "página 2 de 2" in (h.fake.message(chat, message_id).text or "")  # type: ignore[union-attr]
    query = await h.press(chat, chat, message_id, "gp:999:0:0", forge=True)
    assert "página 2 de 2" in (h.fake.message(chat, message_id).text or "")  # type: ignore[union-attr]
    # /acuerdos todos after closing one: still 17, the closed one among them
    await h.say(z.facilitator, "/seguimiento ACU-2026-001 cumplido")
    assert "(1–15 de 16, página 1 de 2)" in await h.say(chat, "/acuerdos")
    assert "(1–15 de 17, página 1 de 2)" in await h.say(chat, "/acuerdos todos")


async def test_a_restart_keeps_open_agreements_their_history_and_reminders(
    fake: FakeBotAPI, database_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    """R16 + R23 across a restart: codes go on where they were, the history is whole, the
    responsible seat still follows up, and the due-date reminder derived from stored state
    goes out once, after the restart, from the new process."""
    data_dir = tmp_path / "data"
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}, data_dir=data_dir) as h:
        z = await held_session(h)
        await h.say(z.facilitator, "/acuerdo Publicar el calendario")
        await h.say(z.facilitator, "/responsable ACU-2026-001 academia")
        await h.say(z.facilitator, "/plazo ACU-2026-001 2026-12-18")
        await h.say(z.titulars["academia"], "/seguimiento ACU-2026-001 en_proceso Oficio 3")
    clock.current = datetime(2026, 12, 17, 15, 0, tzinfo=UTC)  # 1 business day before
    mark = fake.mark()
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}, data_dir=data_dir) as h:
        await h.app.quiet()
        reminded = [
            c
            for c in h.fake.sent_to(z.titulars["academia"], mark)
            if "ACU-2026-001" in (c.text or "")
        ]
        assert len(reminded) == 1  # at start-up, from stored state
        assert "ACU-2026-002" in await h.say(z.facilitator, "/acuerdo Segundo acuerdo")
        listing = await h.say(z.titulars["ciudadania"], "/acuerdos")
        assert "en proceso" in listing
        assert "Academia" in listing
        assert "cumplido" in await h.say(SUPLENTE, "/seguimiento ACU-2026-001 cumplido Hecho")
        async with h.db() as session:
            history = list(
                await session.scalars(
                    select(AgreementChange.kind)
                    .join(Agreement, Agreement.id == AgreementChange.agreement_id)
                    .where(Agreement.code == "ACU-2026-001")
                    .order_by(AgreementChange.id)
                )
            )
        assert history == ["registro", "responsable", "plazo", "estado", "estado"]
        await scheduler.run(h.app, None)  # a second derivation sends nothing more (R23)
        again = [
            c
            for c in h.fake.sent_to(z.titulars["academia"], mark)
            if "ACU-2026-001" in (c.text or "")
        ]
        assert len(again) == 1
