"""Bad input gets a clear Spanish answer and changes nothing, end to end.

Fuzzing from outside found that digits ``str.isdigit()`` accepts but ``int()`` rejects
(``²``, ``①``) turned ``/quorum ⁹⁹`` and friends into "Lo siento, algo falló…", and that a
forged ``v:999999:①`` crashed every button handler and the reminder planner's
after-update hook: the press was never answered and the apology landed in whatever chat
held the message (the official group, or someone else's private chat). Now the commands
get their usage refusal, a forged press gets a "Este botón ya no es válido" alert only
the presser sees, and an unexpected error on a press is an alert too, never a message.
"""

from __future__ import annotations

import logging
import random

import pytest
from sqlalchemy import func, select, text

from storage.models import Ballot, Meeting, PendingChoice, Presence
from tests.e2e.queries import snapshot
from tests.e2e.test_multi_and_errors import LIAISON, _jacona
from tests.e2e.test_sessions import _convene
from tests.e2e.test_votes import _ballot_message, _open_electronic
from tests.harness import Harness, setup_zamora

USAGE = "No entendí el comando"
BAD_COMMANDS = {
    "/quorum ⁹⁹": "/quorum",
    "/baja ²": "/baja",
    "/iniciar ¹": "/iniciar",
    "/presente ①": "/presente",
    "/acta_enviada ³ nota": "/acta_enviada",
    "/cancelar ② motivo": "/cancelar",
    "/presente ٣": "/presente",  # an Arabic-Indic 3: refused, not read as entry #3
    "/baja ٣": "/baja",
}
_NOISE = random.Random(20261207)
FORGED = [
    "v:999999:①",
    "v:1:٣",
    "r:①:1",
    "a:¹",
    "v:1:1\x00",
    _NOISE.randbytes(16).decode("utf-8", errors="replace"),
    "v:" + _NOISE.randbytes(12).decode("utf-8", errors="replace"),
    "r:1:" + _NOISE.randbytes(8).decode("latin-1"),
]


async def _state(harness: Harness) -> tuple[object, ...]:
    async with harness.db() as session:
        meetings = tuple(
            (m.id, m.state) for m in await session.scalars(select(Meeting).order_by(Meeting.id))
        )
        presences = await session.scalar(select(func.count()).select_from(Presence))
        ballots = await session.scalar(select(func.count()).select_from(Ballot))
    return await snapshot(harness.db), meetings, presences, ballots


def _messages_to(harness: Harness, chat_id: int, since: int) -> list[str]:
    return [
        c.text or ""
        for c in harness.fake.sent_to(chat_id, since)
        if c.method in ("sendMessage", "editMessageText")
    ]


async def test_unicode_digits_in_commands_get_the_usage_refusal(harness: Harness) -> None:
    z = await setup_zamora(harness)
    await _convene(harness, z)
    harness.clock.advance(days=10, hours=-1)  # the session's day: /iniciar 1 would work
    before = await _state(harness)
    for command, usage in BAD_COMMANDS.items():
        since = harness.fake.mark()
        answer = await harness.say(z.facilitator, command)
        assert USAGE in answer, (command, answer)
        assert usage in answer, (command, answer)
        assert "algo falló" not in answer
        assert await _state(harness) == before, command
        assert _messages_to(harness, z.group, since) == [], command
    # the same commands with ASCII digits still work
    assert "Pase de lista abierto" in await harness.say(z.facilitator, "/iniciar 1")


async def test_forged_presses_are_answered_as_stale_alerts_and_post_nothing(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    z = await setup_zamora(harness)
    since = await _open_electronic(harness, z, "Aprobar el calendario de sesiones 2027")
    own = z.titulars["gobierno"]
    ballot_id, _ = await _ballot_message(harness, own, since)
    group_post = harness.fake.last_message(z.group).message_id
    before = await _state(harness)
    places = [
        (own, z.group, group_post),  # a real message in the official group
        (own, own, ballot_id),  # the presser's own ballot
        (z.titulars["garante"], own, ballot_id),  # someone else's private chat
    ]
    with caplog.at_level(logging.WARNING):
        for data in FORGED:
            for presser, chat, message_id in places:
                mark = harness.fake.mark()
                query = await harness.press(presser, chat, message_id, data, forge=True)
                answer = harness.fake.answer_for(query)
                assert answer is not None, (data, chat)
                assert answer.show_alert, (data, chat)
                assert "Este botón ya no es válido" in (answer.text or ""), (data, answer)
                for where in {chat, presser}:
                    assert _messages_to(harness, where, mark) == [], (data, where)
    assert await _state(harness) == before
    # neither the button handlers nor the planner's after-update hook raised
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    # the real ballot still works
    _, labels = await _ballot_message(harness, own, since)
    query = await harness.press(own, own, ballot_id, labels["A favor"])
    assert "Tu voto quedó registrado" in (harness.fake.answer_for(query).text or "")


async def test_an_unexpected_error_on_a_press_is_an_alert_not_a_message(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A real fault (a table gone) while handling a press: the apology is the press's
    alert, the error is logged, and nothing is posted in the chat."""
    await setup_zamora(harness, link_group=False)
    await _jacona(harness)
    asked = await harness.send(LIAISON, "/integrantes")
    message_id = asked.result["message_id"]
    data = harness.fake.buttons(LIAISON, message_id)[0][1]
    assert data is not None
    async with harness.db.begin() as session:
        await session.execute(text("DROP TABLE pending_choices"))
    try:
        mark = harness.fake.mark()
        with caplog.at_level(logging.ERROR):
            query = await harness.press(LIAISON, LIAISON, message_id, data)
        answer = harness.fake.answer_for(query)
        assert answer is not None
        assert answer.show_alert
        assert "algo falló de nuestro lado" in (answer.text or "")
        assert "<" not in (answer.text or "")  # plain text, as alerts are
        assert _messages_to(harness, LIAISON, mark) == []
        assert any("unhandled error in update" in r.getMessage() for r in caplog.records)
        assert "privacidad" in await harness.say(LIAISON, "/privacidad")  # still running
    finally:  # the PostgreSQL schema is shared by the whole run
        async with harness.db.begin() as session:
            await session.run_sync(
                lambda sync: PendingChoice.__table__.create(bind=sync.connection())
            )
