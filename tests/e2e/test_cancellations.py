"""Cancellation end to end (R11): every seat approves, 24 h ahead; one "No" rejects."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Meeting
from tests.e2e.test_sessions import SUPLENTE, _convene, _with_substitute
from tests.harness import Harness, Zamora


async def _request(harness: Harness, z: Zamora) -> int:
    await _convene(harness, z)
    since = harness.fake.mark()
    answer = await harness.say(z.facilitator, "/cancelar 1 Contingencia por lluvias")
    assert "Solicitud de cancelación enviada" in answer
    return since


async def _answer(harness: Harness, user: int, since: int, label: str) -> str:
    call = next(
        c
        for c in harness.fake.sent_to(user, since)
        if c.method == "sendMessage" and "Solicitud de cancelación" in (c.text or "")
    )
    data = dict(harness.fake.buttons(user, call.result["message_id"]))[label]
    query = await harness.press(user, user, call.result["message_id"], data)
    answer = harness.fake.answer_for(query)
    assert answer is not None
    return answer.text or ""


async def _state(harness: Harness) -> str:
    async with harness.db() as session:
        return str(await session.scalar(select(Meeting.state).where(Meeting.number == 1)))


async def test_every_seat_approving_cancels_and_notifies_everyone(harness: Harness) -> None:
    z = await _with_substitute(harness)
    since = await _request(harness, z)
    request = await harness.fake.wait_for("sendMessage", since=since, chat_id=z.group)
    assert "antes del 2026-12-06 10:00" in (request.text or "")  # start − 24 h (R11)
    # the substitute answers for academia; the titular's answer would replace it (R3)
    assert "Registrado: Apruebo" in await _answer(
        harness, SUPLENTE, since, "Apruebo la cancelación"
    )
    for seat in ("gobierno", "garante", "sociedad_civil"):
        await _answer(harness, z.titulars[seat], since, "Apruebo la cancelación")
    assert await _state(harness) == "convocada"
    mark = harness.fake.mark()
    await _answer(harness, z.titulars["ciudadania"], since, "Apruebo la cancelación")
    assert await _state(harness) == "cancelada"
    for chat in (z.group, z.titulars["gobierno"], SUPLENTE, z.facilitator):
        notice = await harness.fake.wait_for("sendMessage", since=mark, chat_id=chat)
        assert "Sesión cancelada: Primera Sesión Ordinaria 2026" in (notice.text or "")
    # buttons of a cancelled session are stale: RSVP, and the request itself
    late = await _answer(harness, z.titulars["garante"], since, "No apruebo")
    assert "ya no es válido" in late


async def test_one_no_rejects_at_once(harness: Harness) -> None:
    z = await _with_substitute(harness)
    since = await _request(harness, z)
    await _answer(harness, z.titulars["gobierno"], since, "Apruebo la cancelación")
    mark = harness.fake.mark()
    await _answer(harness, z.titulars["garante"], since, "No apruebo")
    told = await harness.fake.wait_for("sendMessage", since=mark, chat_id=z.facilitator)
    assert "fue rechazada" in (told.text or "")
    assert await _state(harness) == "convocada"


async def test_refusals_and_the_window(harness: Harness) -> None:
    z = await _with_substitute(harness)
    since = await _request(harness, z)
    assert "Ya hay una solicitud" in await harness.say(z.facilitator, "/cancelar 1 Otra vez")
    assert "No hay una sesión #9" in await harness.say(z.facilitator, "/cancelar 9 Motivo")
    assert "Falta el nombre" in await harness.say(z.facilitator, "/cancelar 1")
    assert "solo lo puede usar" in await harness.say(z.titulars["gobierno"], "/cancelar 1 x")
    call = next(
        c
        for c in harness.fake.sent_to(z.titulars["gobierno"], since)
        if "Solicitud de cancelación" in (c.text or "")
    )
    data = dict(harness.fake.buttons(z.titulars["gobierno"], call.result["message_id"]))
    query = await harness.press(
        z.facilitator,
        z.titulars["gobierno"],
        call.result["message_id"],
        data["No apruebo"],
        forge=True,
    )
    assert "no es para ti" in (harness.fake.answer_for(query).text or "")  # R2
    # the window closes at start − 24 h: a late answer changes nothing, the request lapses
    harness.clock.advance(days=9, hours=1)  # 2026-12-06 11:00, less than 24 h left
    late = await _answer(harness, z.titulars["gobierno"], since, "No apruebo")
    assert "Las aprobaciones cerraron el 2026-12-06 10:00" in late
    (job,) = harness.app.job_queue.get_jobs_by_name("cancellation:1")  # type: ignore[union-attr]
    mark = harness.fake.mark()
    await job.run(harness.app)
    told = await harness.fake.wait_for("sendMessage", since=mark, chat_id=z.facilitator)
    assert "venció" in (told.text or "")
    assert await _state(harness) == "convocada"
    too_late = await harness.say(z.facilitator, "/cancelar 1 Ya muy tarde")
    assert "Ya es tarde para cancelar la sesión #1" in too_late
