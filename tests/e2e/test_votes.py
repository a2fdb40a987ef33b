"""Votes end to end: electronic and session votes (R13), ballots (R2, R3), outcomes (R12),
agenda approval (R10)."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from storage.models import Ballot, Vote
from tests.e2e.test_sessions import SUPLENTE, _convene, _with_substitute
from tests.harness import Harness, Zamora, bind, setup_zamora, token_in


async def _ballot_message(harness: Harness, user: int, since: int) -> tuple[int, dict[str, str]]:
    call = next(
        c
        for c in harness.fake.sent_to(user, since)
        if c.method == "sendMessage" and "Votación #" in (c.text or "")
    )
    message_id = call.result["message_id"]
    return message_id, dict(harness.fake.buttons(user, message_id))


async def _vote(harness: Harness, user: int, since: int, label: str) -> str:
    message_id, buttons = await _ballot_message(harness, user, since)
    query = await harness.press(user, user, message_id, buttons[label])
    answer = harness.fake.answer_for(query)
    assert answer is not None
    return answer.text or ""


async def _open_electronic(harness: Harness, z: Zamora, text: str) -> int:
    asked = await harness.send(z.facilitator, f"/votar {text}")
    assert "votación electrónica" in (asked.text or "")
    buttons = dict(harness.fake.buttons(z.facilitator, asked.result["message_id"]))
    assert list(buttons) == ["24 h", "48 h", "72 h"]
    since = harness.fake.mark()
    await harness.press(z.facilitator, z.facilitator, asked.result["message_id"], buttons["48 h"])
    return since


async def test_electronic_vote_closes_when_every_seat_voted(harness: Harness) -> None:
    z = await _with_substitute(harness)
    since = await _open_electronic(harness, z, "Aprobar el calendario de sesiones 2027")
    assert "Tu voto quedó registrado: A favor" in await _vote(
        harness, z.titulars["gobierno"], since, "A favor"
    )
    assert "ya estaba registrado" in await _vote(harness, z.titulars["gobierno"], since, "A favor")
    await _vote(harness, z.titulars["gobierno"], since, "En contra")  # changed: last counts
    await _vote(harness, z.titulars["gobierno"], since, "A favor")
    # R3: the substitute votes first, the titular's own ballot replaces it
    await _vote(harness, SUPLENTE, since, "En contra")
    await _vote(harness, z.titulars["academia"], since, "A favor")
    for seat in ("garante", "sociedad_civil"):
        await _vote(harness, z.titulars[seat], since, "A favor")
    mark = harness.fake.mark()
    await _vote(harness, z.titulars["ciudadania"], since, "Abstención")
    result = await harness.fake.wait_for("sendMessage", since=mark, chat_id=z.group)
    text = result.text or ""
    assert "Resultado de la votación #1: Aprobado por mayoría" in text  # R12 (an abstention)
    assert "A favor: 4 · En contra: 0 · Abstención: 1" in text
    assert "Academia: A favor (Lorenza Capiz Hernández, titular)" in text
    async with harness.db() as session:
        vote = await session.scalar(select(Vote))
        history = await session.scalar(select(func.count()).select_from(Ballot))
    assert vote is not None
    assert vote.state == "cerrada"
    assert vote.outcome == "Aprobado por mayoría"
    assert history == 8  # every accepted press kept (the repeated one changed nothing)
    late = await _vote(harness, z.titulars["garante"], since, "En contra")
    assert "ya no es válido" in late


async def test_who_may_not_vote(harness: Harness) -> None:
    z = await _with_substitute(harness)
    harness.fake.add_user(3009, "Olga")
    await bind(harness, 3009, token_in(await harness.say(z.facilitator, "/alta observador Olga")))
    since = await _open_electronic(harness, z, "Propuesta")
    message_id, buttons = await _ballot_message(harness, z.titulars["gobierno"], since)
    harness.fake.add_user(7777, "Extraño", started=True)
    for intruder in (z.facilitator, 3009, 7777):  # R2: voice without vote; strangers
        query = await harness.press(
            intruder, z.titulars["gobierno"], message_id, buttons["A favor"], forge=True
        )
        assert "no es para ti" in (harness.fake.answer_for(query).text or "")
    for forged in ("v:1:9", "v:999:1", "v:1"):
        query = await harness.press(
            z.titulars["gobierno"], z.titulars["gobierno"], message_id, forged, forge=True
        )
        assert "ya no es válido" in (harness.fake.answer_for(query).text or "")
    async with harness.db() as session:
        assert await session.scalar(select(func.count()).select_from(Ballot)) == 0


async def test_deadline_closes_the_vote(harness: Harness) -> None:
    z = await setup_zamora(harness)
    since = await _open_electronic(harness, z, "Propuesta con plazo")
    await _vote(harness, z.titulars["gobierno"], since, "En contra")
    (job,) = harness.app.job_queue.get_jobs_by_name("vote:1")  # type: ignore[union-attr]
    harness.clock.advance(hours=49)
    mark = harness.fake.mark()
    await job.run(harness.app)
    result = await harness.fake.wait_for("sendMessage", since=mark, chat_id=z.group)
    assert "Rechazado por consenso" in (result.text or "")
    assert "Garante" not in (result.text or "") or "no votó" in (result.text or "")
    assert "Rechazado por consenso" in await harness.say(z.titulars["garante"], "/votaciones")


async def test_session_vote_among_present_seats_and_agenda_approval(harness: Harness) -> None:
    z = await _with_substitute(harness)
    await _convene(harness, z)
    harness.clock.advance(days=10)
    await harness.say(z.facilitator, "/iniciar")
    for number in (2, 3, 7):  # gobierno, garante titulars; academia's substitute
        await harness.say(z.facilitator, f"/presente {number}")
    since = harness.fake.mark()
    assert "Sesión instalada con quórum: 3 de 5" in await harness.say(z.facilitator, "/instalar")
    agenda = await harness.fake.wait_for("sendMessage", since=since, chat_id=z.group, ok=True)
    while "Votación #" not in (agenda.text or ""):
        agenda = await harness.fake.wait_for(
            "sendMessage", since=agenda.index + 1, chat_id=z.group, ok=True
        )
    assert "Aprobación del orden del día" in (agenda.text or "")  # R10
    assert "Faltan: Gobierno municipal, Organismo garante local, Academia" in agenda.text
    # only seats present vote (R13); the substitute votes for academia (R3)
    await _vote(harness, z.titulars["gobierno"], since, "A favor")
    await _vote(harness, SUPLENTE, since, "A favor")
    absent = z.titulars["ciudadania"]
    message_id, buttons = await _ballot_message(harness, z.titulars["gobierno"], since)
    query = await harness.press(
        absent, z.titulars["gobierno"], message_id, buttons["A favor"], forge=True
    )
    assert "no es para ti" in (harness.fake.answer_for(query).text or "")
    await _vote(harness, z.titulars["garante"], since, "A favor")
    mark = harness.fake.mark()
    await harness.say(z.facilitator, "/cerrar")
    result = await harness.fake.wait_for("sendMessage", since=mark, chat_id=z.group)
    assert "Aprobado por consenso" in (result.text or "")
    assert "Academia: A favor (Marta Ruiz, suplente)" in (result.text or "")
    assert "Ciudadanía" not in (result.text or "")  # not entitled: absent
    assert "No hay una votación abierta" in await harness.say(z.facilitator, "/cerrar")
    sessions = await harness.say(z.titulars["garante"], "/sesiones")
    assert "instalada; orden del día: Aprobado por consenso" in sessions  # R10


async def test_live_count_is_edited_in_place(harness: Harness) -> None:
    z = await setup_zamora(harness)
    since = await _open_electronic(harness, z, "Propuesta")
    post = await harness.fake.wait_for("sendMessage", since=since, chat_id=z.group)
    for seat in ("gobierno", "garante"):
        await _vote(harness, z.titulars[seat], since, "A favor")
    edit = await harness.fake.wait_for(
        "editMessageText",
        since=since,
        timeout=10,
        chat_id=z.group,
        message_id=post.result["message_id"],
    )
    assert "A favor: 2" in (edit.text or "")
    assert "Faltan: Sociedad civil, Academia, Ciudadanía" in (edit.text or "")
    await asyncio.sleep(0)
    edits = [c for c in harness.fake.calls[since:] if c.method == "editMessageText"]
    assert len(edits) == 1  # two presses, one coalesced edit


async def test_typed_deadline(harness: Harness) -> None:
    z = await setup_zamora(harness)
    asked = await harness.say(z.facilitator, "/votar Propuesta con fecha")
    assert "AAAA-MM-DD HH:MM" in asked
    assert "ya pasó" in await harness.say(z.facilitator, "2026-11-01 10:00")
    since = harness.fake.mark()
    opened = await harness.say(z.facilitator, "2026-12-01 18:30")
    assert "abierta hasta 2026-12-01 18:30" in opened
    await harness.fake.wait_for("sendMessage", since=since, chat_id=z.titulars["garante"])
    (job,) = harness.app.job_queue.get_jobs_by_name("vote:1")  # type: ignore[union-attr]
    assert job is not None
    assert "/ayuda" in await harness.say(z.facilitator, "2026-12-02 10:00")  # consumed once


async def test_facilitator_is_told_when_every_present_seat_voted(harness: Harness) -> None:
    z = await setup_zamora(harness)
    await _convene(harness, z)
    harness.clock.advance(days=10)
    await harness.say(z.facilitator, "/iniciar")
    for number in (2, 3, 4):
        await harness.say(z.facilitator, f"/presente {number}")
    since = harness.fake.mark()
    await harness.say(z.facilitator, "/instalar")
    await harness.fake.wait_for("sendMessage", since=since, chat_id=z.titulars["sociedad_civil"])
    for seat in ("gobierno", "garante"):
        await _vote(harness, z.titulars[seat], since, "A favor")
    mark = harness.fake.mark()
    await _vote(harness, z.titulars["sociedad_civil"], since, "En contra")
    told = await harness.fake.wait_for("sendMessage", since=mark, chat_id=z.facilitator)
    assert "ya votaron en la votación #1" in (told.text or "")
    async with harness.db() as session:
        state = await session.scalar(select(Vote.state))
    assert state == "abierta"  # a session vote waits for /cerrar


async def test_cerrar_asks_which_when_several_are_open(harness: Harness) -> None:
    z = await setup_zamora(harness)
    await _open_electronic(harness, z, "Primera propuesta")
    await _open_electronic(harness, z, "Segunda propuesta")
    asked = await harness.send(z.facilitator, "/cerrar")
    assert "varias votaciones abiertas" in (asked.text or "")
    buttons = harness.fake.buttons(z.facilitator, asked.result["message_id"])
    assert [label for label, _ in buttons] == ["Primera propuesta", "Segunda propuesta"]
    query = await harness.press(
        z.titulars["gobierno"],
        z.facilitator,
        asked.result["message_id"],
        buttons[1][1],
        forge=True,
    )
    assert "no es para ti" in (harness.fake.answer_for(query).text or "")
    mark = harness.fake.mark()
    await harness.press(z.facilitator, z.facilitator, asked.result["message_id"], buttons[1][1])
    result = await harness.fake.wait_for("sendMessage", since=mark, chat_id=z.group)
    assert "Resultado de la votación #2: Empate: no aprobado" in (result.text or "")
    listing = await harness.say(z.titulars["garante"], "/votaciones")
    assert "#1 Primera propuesta — abierta" in listing
    assert "#2 Segunda propuesta — Empate: no aprobado" in listing
