"""Reminders end to end (R22, R23): each arrives once at its moment, across restarts and
downtime, re-checks the state before sending, and carries the buttons to act.

The clock is the injected ``FakeClock``; the reminder job is armed on the real job queue
for the moment the database implies (``next_wake``), and the tests fire it by hand once
the fake clock reaches that moment, exactly as the job queue would.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from scheduler import planner as scheduler
from storage.models import Meeting, Reminder
from tests.clock import FakeClock
from tests.e2e.test_cancellations import _request
from tests.e2e.test_sessions import SUPLENTE, _convene, _rsvp, _with_substitute
from tests.e2e.test_votes import _open_electronic, _vote
from tests.fakebot import FakeBotAPI
from tests.harness import ADMIN_ID, Harness, Zamora, start_harness

# The session of CONVOCAR: Monday 2026-12-07 10:00 in Mexico City (UTC-6) = 16:00 UTC.
# R22: 3 business days before is Wednesday 12-02, 1 is Friday 12-04, at 09:00 local.
RSVP_3D = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
RSVP_1D = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
QUORUM_2D = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
QUORUM_24H = datetime(2026, 12, 6, 16, 0, tzinfo=UTC)
SESSION_2H = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
STARTS = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)


async def fire(harness: Harness) -> None:
    """Run the armed reminder job now, as the job queue does when its moment comes."""
    jobs = harness.app.job_queue.get_jobs_by_name(scheduler.JOB_NAME)  # type: ignore[union-attr]
    assert len(jobs) == 1, "exactly one reminder job is armed"
    await jobs[0].run(harness.app)


def at(harness: Harness, moment: datetime) -> None:
    harness.clock.current = moment


def reminders_to(harness: Harness, chat_id: int, since: int, marker: str) -> list[str]:
    return [
        c.text or ""
        for c in harness.fake.sent_to(chat_id, since)
        if c.method == "sendMessage" and marker in (c.text or "")
    ]


async def press_in(harness: Harness, user: int, since: int, marker: str, label: str) -> None:
    """Press ``label`` on the first message to ``user`` since ``since`` that says ``marker``."""
    message = next(
        c
        for c in harness.fake.sent_to(user, since)
        if c.method == "sendMessage" and marker in (c.text or "")
    )
    data = dict(harness.fake.buttons(user, message.result["message_id"]))[label]
    await harness.press(user, user, message.result["message_id"], data)


async def ledger(harness: Harness) -> list[tuple[str, str, datetime, str]]:
    async with harness.db() as session:
        rows = await session.scalars(select(Reminder).order_by(Reminder.due_at, Reminder.id))
        return [(r.kind, r.target, r.due_at, r.status) for r in rows]


async def test_rsvp_reminders_arrive_once_at_their_moments_with_buttons(harness: Harness) -> None:
    z = await _with_substitute(harness)
    since = await _convene(harness, z)
    await _rsvp(harness, "gobierno", since, "Asistiré", z)
    # the earliest moment the database implies: 3 business days before, 09:00 local (R22)
    assert scheduler.next_wake(harness.app) == RSVP_3D
    at(harness, datetime(2026, 12, 2, 14, 59, tzinfo=UTC))
    mark = harness.fake.mark()
    await scheduler.tick(harness.app)  # a wake-up a minute early sends nothing
    assert reminders_to(harness, z.titulars["garante"], mark, "Recordatorio") == []
    at(harness, RSVP_3D)
    await fire(harness)
    for seat in ("garante", "sociedad_civil", "academia", "ciudadania"):
        texts = reminders_to(harness, z.titulars[seat], mark, "Recordatorio")
        assert len(texts) == 1, seat
        assert "STM de Zamora" in texts[0]
        assert "Aún no confirmas tu asistencia a la Primera Sesión Ordinaria 2026" in texts[0]
        assert "Sala de Cabildo" in texts[0]
    # R23: an answered RSVP is not reminded; the facilitator and the substitute neither
    assert reminders_to(harness, z.titulars["gobierno"], mark, "Recordatorio") == []
    assert reminders_to(harness, SUPLENTE, mark, "confirmar tu asistencia") == []
    # firing again (a second trigger, a restart) repeats nothing
    await fire(harness)
    await scheduler.run(harness.app, None)
    assert len(reminders_to(harness, z.titulars["garante"], mark, "Recordatorio")) == 1
    # the reminder carries the RSVP buttons, and they work
    assert "Asistiré" in await _rsvp(harness, "garante", mark, "Asistiré", z)
    # next moment: the quorum check two business days before, to the facilitator
    assert scheduler.next_wake(harness.app) == QUORUM_2D
    at(harness, QUORUM_2D)
    mark = harness.fake.mark()
    await fire(harness)
    quorum = reminders_to(harness, z.facilitator, mark, "Quórum en riesgo")
    assert len(quorum) == 1
    assert "Asientos confirmados: 2 de 5; se requieren 3" in quorum[0]
    assert "Sociedad" in quorum[0] or "sociedad" in quorum[0].lower()
    at(harness, RSVP_1D)
    await fire(harness)
    texts = reminders_to(harness, z.titulars["ciudadania"], mark, "Recordatorio")
    assert len(texts) == 1  # the 1-day one; garante answered and gets none
    assert reminders_to(harness, z.titulars["garante"], mark, "Recordatorio") == []
    rows = await ledger(harness)
    assert all(status == "enviado" for *_, status in rows)
    assert len(rows) == len({(k, t, d) for k, t, d, _ in rows})  # (kind, target, due) once


async def test_session_day_and_quorum_assured(harness: Harness) -> None:
    z = await _with_substitute(harness)
    since = await _convene(harness, z)
    for seat in ("gobierno", "garante"):
        await _rsvp(harness, seat, since, "Asistiré", z)
    await _rsvp(harness, "academia", since, "Asistirá mi suplente", z)
    # the substitute was asked: their reminder carries the "in representation" buttons
    at(harness, RSVP_3D)
    mark = harness.fake.mark()
    await scheduler.run(harness.app, None)
    asked = [
        c
        for c in harness.fake.sent_to(SUPLENTE, mark)
        if "pidió que asistas en su representación" in (c.text or "")
    ]
    assert len(asked) == 1
    labels = [label for label, _ in harness.fake.buttons(SUPLENTE, asked[0].result["message_id"])]
    assert labels == ["Asistiré en representación", "No podré asistir"]
    assert "Confirmar asistencia en representación del asiento Academia" in (
        await harness.say(SUPLENTE, "/pendientes")
    )
    data = dict(harness.fake.buttons(SUPLENTE, asked[0].result["message_id"]))
    await harness.press(
        SUPLENTE, SUPLENTE, asked[0].result["message_id"], data["Asistiré en representación"]
    )
    # quorum is now assured (3 of 5): the 24 h quorum reminder is stale and not sent (R23)
    at(harness, QUORUM_24H)
    mark = harness.fake.mark()
    await scheduler.run(harness.app, None)
    assert reminders_to(harness, z.facilitator, mark, "Quórum en riesgo") == []
    assert scheduler.next_wake(harness.app) == SESSION_2H
    at(harness, SESSION_2H)
    await fire(harness)
    for chat in (z.titulars["gobierno"], z.titulars["garante"], SUPLENTE):
        texts = reminders_to(harness, chat, mark, "Hoy sesiona el STM de Zamora")
        assert len(texts) == 1, chat
        assert "10:00" in texts[0]
        assert "Sala de Cabildo, Guerrero Ote. 82" in texts[0]
        assert "Seguimiento del PAM" in texts[0]
    assert reminders_to(harness, z.titulars["academia"], mark, "Hoy sesiona") == []
    assert reminders_to(harness, z.titulars["ciudadania"], mark, "Hoy sesiona") == []


@pytest.mark.parametrize("when", ["before", "after"])
async def test_a_restart_around_a_due_moment_neither_loses_nor_repeats(
    fake: FakeBotAPI, database_url: str, clock: FakeClock, when: str
) -> None:
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}) as first:
        z = await _with_substitute(first)
        await _convene(first, z)
        mark = fake.mark()
        if when == "before":  # the bot stops 30 s before the moment
            at(first, datetime(2026, 12, 2, 14, 59, 30, tzinfo=UTC))
        else:  # the bot sends at the moment and stops a second later
            at(first, RSVP_3D)
            await fire(first)
            assert len(reminders_to(first, z.titulars["garante"], mark, "Recordatorio")) == 1
            at(first, datetime(2026, 12, 2, 15, 0, 1, tzinfo=UTC))
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}) as second:
        # the restarted bot derives its next moment from the database alone
        if when == "before":
            assert scheduler.next_wake(second.app) == RSVP_3D
            assert reminders_to(second, z.titulars["garante"], mark, "Recordatorio") == []
            at(second, RSVP_3D)
            await fire(second)
        else:
            assert scheduler.next_wake(second.app) == QUORUM_2D
        at(second, datetime(2026, 12, 2, 15, 1, tzinfo=UTC))
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}) as third:
        await scheduler.run(third.app, None)
        for seat in ("garante", "ciudadania"):
            assert len(reminders_to(third, z.titulars[seat], mark, "Recordatorio")) == 1


async def test_downtime_sends_the_latest_missed_reminder_and_drops_the_older(
    fake: FakeBotAPI, database_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}) as first:
        z = await _with_substitute(first)
        await _convene(first, z)
    # down from Friday 11-27 until Friday 12-04 10:00 local: 3d and 1d both passed
    clock.current = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    mark = fake.mark()
    with caplog.at_level(logging.INFO, logger="scheduler.planner"):
        async with start_harness(fake, database_url, clock, admins={ADMIN_ID}) as second:
            texts = reminders_to(second, z.titulars["garante"], mark, "Recordatorio")
            assert len(texts) == 1  # only the latest of the series, at start-up (R23)
            rows = {(k, t, d): s for k, t, d, s in await ledger(second) if k == "asistencia"}
    garante = next(t for (k, t, d) in rows if d == RSVP_1D and rows[(k, t, d)] == "enviado")
    assert rows[("asistencia", garante, RSVP_3D)] == "omitido"
    assert rows[("asistencia", garante, RSVP_1D)] == "enviado"
    assert "reminder dropped: asistencia" in caplog.text
    assert "reminder sent late (missed while down): asistencia" in caplog.text
    # the quorum series: 2 business days before (12-03) was missed and is sent now
    facilitator = reminders_to(second, z.facilitator, mark, "Quórum en riesgo")
    assert len(facilitator) == 1


async def test_downtime_past_the_session_drops_everything(
    fake: FakeBotAPI, database_url: str, clock: FakeClock
) -> None:
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}) as first:
        z = await _with_substitute(first)
        await _convene(first, z)
    clock.current = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)  # an hour after the start
    mark = fake.mark()
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}) as second:
        assert reminders_to(second, z.titulars["garante"], mark, "Recordatorio") == []
        assert reminders_to(second, z.facilitator, mark, "Quórum") == []
        statuses = {s for k, _, _, s in await ledger(second) if k != "mensual"}
    # nothing was useful any more, and nothing is recorded: the series ended with the session
    assert statuses <= {"omitido"}


async def test_two_racing_triggers_send_once(harness: Harness) -> None:
    z = await _with_substitute(harness)
    await _convene(harness, z)
    at(harness, RSVP_3D)
    mark = harness.fake.mark()
    await asyncio.gather(
        scheduler.run(harness.app, None), scheduler.run(harness.app, None), fire(harness)
    )
    for seat in ("garante", "ciudadania"):
        assert len(reminders_to(harness, z.titulars[seat], mark, "Recordatorio")) == 1


async def _install_and_conclude(harness: Harness, z: Zamora) -> None:
    await _convene(harness, z)
    at(harness, datetime(2026, 12, 7, 15, 55, tzinfo=UTC))
    await harness.say(z.facilitator, "/iniciar 1")
    for number in (2, 3, 4):
        await harness.say(z.facilitator, f"/presente {number}")
    assert "Sesión instalada" in await harness.say(z.facilitator, "/instalar")
    assert "Sesión concluida" in await harness.say(z.facilitator, "/concluir")


async def test_minutes_reminders_until_marked_sent(harness: Harness) -> None:
    z = await _with_substitute(harness)
    await _install_and_conclude(harness, z)
    actas = await harness.say(z.titulars["garante"], "/actas", chat_id=z.group)
    assert "#1 Primera Sesión Ordinaria 2026 (2026-12-07): plazo 2026-12-31 — pendiente" in (actas)
    # R15 + R22: 5 business days before Thursday 12-31 is Wednesday 12-23 (25th a holiday)
    at(harness, datetime(2026, 12, 23, 15, 0, tzinfo=UTC))
    mark = harness.fake.mark()
    await scheduler.run(harness.app, None)
    texts = reminders_to(harness, z.facilitator, mark, "vence el plazo para enviar")
    assert len(texts) == 1
    assert "El miércoles 2026-12-31" not in texts[0]
    assert "jueves 2026-12-31" in texts[0]
    assert "/acta_enviada 1" in texts[0]
    # overdue: first on the 1st business day after (Monday 2027-01-04), then every 3rd
    at(harness, datetime(2027, 1, 4, 15, 0, tzinfo=UTC))
    mark = harness.fake.mark()
    await scheduler.run(harness.app, None)
    overdue = reminders_to(harness, z.facilitator, mark, "Acta vencida")
    assert len(overdue) == 1  # the 2d and day-of moments were missed: dropped, not sent
    assert scheduler.next_wake(harness.app) is not None
    assert "vencida" in await harness.say(z.facilitator, "/actas")
    assert "Enviar al Organismo garante local el acta de la Primera Sesión Ordinaria 2026" in (
        await harness.say(z.facilitator, "/pendientes")
    )
    # marking it sent stops them, with who, when and the note
    answer = await harness.say(z.facilitator, "/acta_enviada 1 Oficio STM/001/2027 <urgente>")
    assert "enviada fuera de plazo" in answer
    assert "Oficio STM/001/2027 <urgente>" in answer
    at(harness, datetime(2027, 1, 7, 15, 0, tzinfo=UTC))
    mark = harness.fake.mark()
    await scheduler.run(harness.app, None)
    assert reminders_to(harness, z.facilitator, mark, "Acta") == []
    assert "enviada fuera de plazo, registrada el 2027-01-04 09:00" in await harness.say(
        z.facilitator, "/actas"
    )
    # refusals change nothing
    assert "ya está registrada como enviada" in await harness.say(
        z.facilitator, "/acta_enviada 1 otra"
    )
    assert "No hay una sesión #9" in await harness.say(z.facilitator, "/acta_enviada 9")
    assert "Se usa así" in await harness.say(z.facilitator, "/acta_enviada uno")


async def test_minutes_sent_on_time_and_a_session_without_minutes(harness: Harness) -> None:
    z = await _with_substitute(harness)
    await _install_and_conclude(harness, z)
    at(harness, datetime(2026, 12, 10, 18, 0, tzinfo=UTC))
    assert "enviada a tiempo" in await harness.say(z.facilitator, "/acta_enviada 1")
    # a session never installed has no minutes
    since = await _convene(
        harness,
        z,
        "/convocar extraordinaria 2026-12-18 10:00 Sala de Cabildo\n1. Punto único",
    )
    assert since
    assert "no se instaló" in await harness.say(z.facilitator, "/acta_enviada 2")


async def test_electronic_vote_reminders_to_seats_that_have_not_voted(harness: Harness) -> None:
    z = await _with_substitute(harness)
    since = await _open_electronic(harness, z, "Aprobar el calendario 2027")
    # opened Friday 16:00 UTC with 48 h: deadline Sunday 11-29 16:00 UTC; 24 h and 2 h before
    await _vote(harness, z.titulars["gobierno"], since, "A favor")
    await _vote(harness, SUPLENTE, since, "En contra")  # academia has a ballot
    assert scheduler.next_wake(harness.app) == datetime(2026, 11, 28, 16, 0, tzinfo=UTC)
    at(harness, datetime(2026, 11, 28, 16, 0, tzinfo=UTC))
    mark = harness.fake.mark()
    await fire(harness)
    for seat in ("garante", "sociedad_civil", "ciudadania"):
        texts = reminders_to(harness, z.titulars[seat], mark, "aún no vota en la votación #1")
        assert len(texts) == 1, seat
    for user in (z.titulars["gobierno"], z.titulars["academia"], SUPLENTE):
        assert reminders_to(harness, user, mark, "aún no vota") == []
    # the reminder's buttons cast the ballot; then the 2 h reminder skips that seat
    await press_in(harness, z.titulars["garante"], mark, "aún no vota", "A favor")
    at(harness, datetime(2026, 11, 29, 14, 0, tzinfo=UTC))
    mark = harness.fake.mark()
    await fire(harness)
    assert reminders_to(harness, z.titulars["garante"], mark, "aún no vota") == []
    assert len(reminders_to(harness, z.titulars["ciudadania"], mark, "aún no vota")) == 1


async def test_cancellation_reminder_six_hours_before_approvals_close(harness: Harness) -> None:
    z = await _with_substitute(harness)
    since = await _request(harness, z)
    await press_in(
        harness,
        z.titulars["gobierno"],
        since,
        "Solicitud de cancelación",
        "Apruebo la cancelación",
    )
    assert "Responder la solicitud de cancelar la Primera Sesión Ordinaria 2026" in (
        await harness.say(SUPLENTE, "/pendientes")
    )
    assert "Responder la solicitud" not in await harness.say(z.titulars["gobierno"], "/pendientes")
    # approvals close at start − 24 h = 12-06 16:00 UTC; the reminder is 6 h before
    at(harness, datetime(2026, 12, 6, 10, 0, tzinfo=UTC))
    mark = harness.fake.mark()
    await scheduler.run(harness.app, None)
    assert reminders_to(harness, z.titulars["gobierno"], mark, "solicitud de cancelar") == []
    for user in (z.titulars["garante"], z.titulars["academia"], SUPLENTE):
        texts = [
            c
            for c in harness.fake.sent_to(user, mark)
            if "aún no responde la solicitud de cancelar" in (c.text or "")
        ]
        assert len(texts) == 1, user
        labels = [label for label, _ in harness.fake.buttons(user, texts[0].result["message_id"])]
        assert labels == ["Apruebo la cancelación", "No apruebo"]


async def test_monthly_ordinary_session_reminders(harness: Harness) -> None:
    z = await _with_substitute(harness)
    # December 2026 has no ordinary session: the last day to convene one is Tuesday 12-22
    # (R7: 23, 24, 28, 29, 30 lie between it and Thursday 12-31; the 25th is a holiday);
    # 10 business days before it is Tuesday 12-08, at 09:00 local (R22).
    assert scheduler.next_wake(harness.app) == datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
    at(harness, datetime(2026, 12, 8, 15, 0, tzinfo=UTC))
    mark = harness.fake.mark()
    await fire(harness)
    texts = reminders_to(harness, z.facilitator, mark, "último día para convocar")
    assert len(texts) == 1
    assert "El martes 2026-12-22 es el último día" in texts[0]
    assert "diciembre de 2026" in texts[0]
    pending = await harness.say(z.facilitator, "/pendientes")
    assert "Convocar la sesión ordinaria de diciembre de 2026" in pending
    # down from 12-09 to Wednesday 12-23 10:00: the 2d and day-of reminders were missed;
    # only the "no longer possible" notice goes out
    at(harness, datetime(2026, 12, 23, 16, 0, tzinfo=UTC))
    mark = harness.fake.mark()
    await scheduler.run(harness.app, None)
    closed = reminders_to(harness, z.facilitator, mark, "ya no puede tener sesión ordinaria")
    assert len(closed) == 1
    assert reminders_to(harness, z.facilitator, mark, "es el último día para convocar") == []


async def test_convening_the_month_stops_its_reminders(harness: Harness) -> None:
    z = await _with_substitute(harness)
    at(harness, datetime(2026, 12, 8, 15, 0, tzinfo=UTC))
    await fire(harness)
    await _convene(
        harness,
        z,
        "/convocar ordinaria 2026-12-21 10:00 Sala de Cabildo\n1. Seguimiento del PAM",
    )
    at(harness, datetime(2026, 12, 18, 15, 0, tzinfo=UTC))
    mark = harness.fake.mark()
    await scheduler.run(harness.app, None)
    assert reminders_to(harness, z.facilitator, mark, "es el último día para convocar") == []
    assert "Convocar la sesión ordinaria de diciembre" not in await harness.say(
        z.facilitator, "/pendientes"
    )


async def test_pendientes_and_recordatorios(harness: Harness) -> None:
    z = await _with_substitute(harness)
    since = await _convene(harness, z)
    await _open_electronic(harness, z, "Aprobar el calendario 2027")
    await _rsvp(harness, "gobierno", since, "Asistiré", z)
    mine = await harness.say(z.titulars["garante"], "/pendientes")
    assert "STM de Zamora" in mine
    assert "Confirmar asistencia: Primera Sesión Ordinaria 2026 (sesión #1)" in mine
    assert "Votar en la votación #1" in mine
    gobierno = await harness.say(z.titulars["gobierno"], "/pendientes")
    assert "Confirmar asistencia" not in gobierno  # answered
    assert "Votar en la votación #1" in gobierno
    facilitator = await harness.say(z.facilitator, "/pendientes")
    # December has its ordinary session; November's window closed before the secretariat
    # existed, so it is not the facilitator's to do
    assert "Nada pendiente." in facilitator
    schedule = await harness.say(z.facilitator, "/recordatorios", chat_id=z.group)
    assert "Hora de los recordatorios por día: 09:00 (America/Mexico_City)" in schedule
    assert "Confirmar asistencia" in schedule
    assert "3d,1d" in schedule
    assert "2026-11-28 10:00 — votar, votación #1 (6 personas)" in schedule
    assert "2026-12-02 09:00 — confirmar asistencia, sesión #1 (4 personas)" in schedule
    # a setting change re-derives the schedule at once
    await harness.say(z.facilitator, "/ajustar recordar_asistencia 2d")
    await harness.say(z.facilitator, "/ajustar recordar_votacion no")
    schedule = await harness.say(z.facilitator, "/recordatorios")
    assert "2026-12-03 09:00 — confirmar asistencia, sesión #1" in schedule
    assert "2026-12-02 09:00 — confirmar asistencia" not in schedule
    assert "votar" not in schedule.split("Próximos envíos")[1]
    refused = await harness.say(z.facilitator, "/ajustar recordar_acta 2h")
    assert "recordar_acta" in refused
    assert "/pendientes" in await harness.say(
        z.titulars["garante"], "/pendientes", chat_id=z.group
    )


async def test_a_cancelled_session_is_not_reminded(harness: Harness) -> None:
    z = await _with_substitute(harness)
    since = await _request(harness, z)
    for user in z.titulars.values():
        await press_in(harness, user, since, "Solicitud de cancelación", "Apruebo la cancelación")
    async with harness.db() as session:
        state = await session.scalar(select(Meeting.state).where(Meeting.number == 1))
    assert state == "cancelada"
    # R23: a reminder about a cancelled session is never sent, at any of its moments
    mark = harness.fake.mark()
    for moment in (RSVP_3D, QUORUM_2D, RSVP_1D, QUORUM_24H, SESSION_2H):
        at(harness, moment)
        await scheduler.run(harness.app, None)
    for user in (*z.titulars.values(), SUPLENTE, z.facilitator):
        assert reminders_to(harness, user, mark, "Recordatorio") == []
        assert reminders_to(harness, user, mark, "Quórum en riesgo") == []
    assert [row for row in await ledger(harness) if row[0] != "mensual"] == []


async def test_a_blocked_member_is_recorded_as_failed_and_not_retried(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    z = await _with_substitute(harness)
    await _convene(harness, z)
    harness.fake.block(z.titulars["garante"])
    at(harness, RSVP_3D)
    with caplog.at_level(logging.WARNING, logger="scheduler.planner"):
        await fire(harness)
    rows = {
        target: status
        for kind, target, due, status in await ledger(harness)
        if kind == "asistencia" and due == RSVP_3D
    }
    assert sorted(rows.values()) == ["enviado"] * 4 + ["fallido"]
    assert "reminder not delivered: asistencia" in caplog.text
    assert "bloqueado" in caplog.text
    harness.fake.unblock(z.titulars["garante"])
    mark = harness.fake.mark()
    await scheduler.run(harness.app, None)
    assert reminders_to(harness, z.titulars["garante"], mark, "Recordatorio") == []


async def test_moments_follow_declared_days_hour_and_time_zone(harness: Harness) -> None:
    z = await _with_substitute(harness)
    await _convene(harness, z)
    assert scheduler.next_wake(harness.app) == RSVP_3D
    # R8 + R22: declaring Wednesday 12-02 non-working moves "3 business days before" to
    # Tuesday 12-01; the next wake moves with it at once
    await harness.say(z.facilitator, "/inhabil 2026-12-02 Acuerdo de Cabildo 50/2026")
    assert scheduler.next_wake(harness.app) == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    await harness.say(z.facilitator, "/ajustar hora_recordatorios 08:30")
    assert scheduler.next_wake(harness.app) == datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
    # the local date and hour decide: in Tijuana (UTC-8) 08:30 is 16:30 UTC
    await harness.say(z.facilitator, "/ajustar zona_horaria America/Tijuana")
    assert scheduler.next_wake(harness.app) == datetime(2026, 12, 1, 16, 30, tzinfo=UTC)
    await harness.say(z.facilitator, "/habil 2026-12-02")
    assert scheduler.next_wake(harness.app) == datetime(2026, 12, 2, 16, 30, tzinfo=UTC)
    assert len(harness.app.job_queue.get_jobs_by_name(scheduler.JOB_NAME)) == 1  # type: ignore[union-attr]
