"""No chat waits for another (issue 10): the seven situations found from outside.

Each test makes one chat slow the way Telegram can (``fake.hold``: its messages hang,
like a chat waiting out a 429 or a group waiting for its 20-per-minute window) and shows
that every other person is still answered — without measuring time: a held chat never
answers, so anything that waited for it would never arrive. On the code before issue 10
each of these failed (checked against ``62df99e``): updates were handled one at a time
and handlers awaited their notices to other chats.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Iterator

from sqlalchemy import select

from bot.ratelimit import DeliveryRateLimiter
from domain.ballots import Cast, VoteKind, counted
from domain.outcomes import Choice, Tally, tally
from storage.models import Ballot, Vote
from tests.clock import FakeClock
from tests.e2e.test_sessions import CONVOCAR, SUPLENTE, _convene, _with_substitute
from tests.e2e.test_votes import _ballot_message
from tests.fakebot import FakeBotAPI
from tests.fakebot.models import CallbackAnswer
from tests.harness import (
    ADMIN_ID,
    Harness,
    Zamora,
    setup_zamora,
    start_harness,
    token_in,
)

EVERYONE_VOTED = "Todos los asientos con derecho ya votaron"


async def answered(h: Harness, query: str, timeout: float = 5.0) -> CallbackAnswer:  # noqa: ASYNC109
    """The press's answer, once the bot gave it (the update need not be over)."""
    for _ in range(int(timeout / 0.01)):
        answer = h.fake.answer_for(query)
        if answer is not None:
            return answer
        await asyncio.sleep(0.01)
    raise AssertionError(f"press {query} was not answered within {timeout} s")


@contextlib.contextmanager
def held(h: Harness, chat_id: int) -> Iterator[None]:
    """The chat is slow while the block runs; released even if the test fails."""
    h.fake.hold(chat_id)
    try:
        yield
    finally:
        h.fake.release(chat_id)


def texts_to(h: Harness, chat_id: int, since: int = 0) -> list[str]:
    return [c.text or "" for c in h.fake.sent_to(chat_id, since) if c.method == "sendMessage"]


async def end_of_linking_minute(h: Harness) -> None:
    """The grouped linking notice's minute ends (its job run by hand, as tests do)."""
    for job in h.app.job_queue.get_jobs_by_name("link-notices:1"):
        job.schedule_removal()
        h.clock.advance(minutes=1)
        await job.run(h.app)
    await h.app.quiet()


async def installed_session(h: Harness, z: Zamora) -> int:
    """Convened, on its day, all five titulars present, installed: returns the mark."""
    await _convene(h, z)
    h.clock.advance(days=10)
    await h.say(z.facilitator, "/iniciar")
    for number in (2, 3, 4, 5, 6):
        await h.say(z.facilitator, f"/presente {number}")
    since = h.fake.mark()
    assert "Sesión instalada con quórum: 5 de 5" in await h.say(z.facilitator, "/instalar")
    return since  # the agenda-approval vote (#1) is open: a session vote (R10, R13)


async def test_1_seats_changing_their_minds_never_wait_for_the_facilitator(
    harness: Harness,
) -> None:
    """Situation 1: "every seat voted" once, when the set completes; presses never wait."""
    z = await setup_zamora(harness)
    since = await installed_session(harness, z)
    ballots = {uid: await _ballot_message(harness, uid, since) for uid in z.titulars.values()}
    mark = harness.fake.mark()
    last: dict[int, str] = {}
    with held(harness, z.facilitator):  # the facilitator's chat is slow (a 429, say)
        for round_ in range(4):  # the debate goes back and forth
            choice = ("A favor", "En contra")[round_ % 2]
            for uid, (message_id, buttons) in ballots.items():
                query = harness.fake.press(
                    uid, chat_id=uid, message_id=message_id, data=buttons[choice]
                )
                answer = await answered(harness, query)  # would hang behind the held chat
                assert f"Tu voto quedó registrado: {choice}" in (answer.text or "")
                last[uid] = choice
    await harness.app.quiet()
    told = [t for t in texts_to(harness, z.facilitator, mark) if EVERYONE_VOTED in t]
    assert len(told) == 1  # fired when the set became complete, not on every change
    async with harness.db() as session:
        vote = await session.scalar(select(Vote).where(Vote.id == 1))
        assert vote is not None
        stored = Tally(vote.a_favor, vote.en_contra, vote.abstencion)
    assert stored == tally(Choice.EN_CONTRA for _ in last)  # the last round counts


async def test_2_a_group_waiting_for_its_window_never_delays_private_ballots(
    harness: Harness,
) -> None:
    """Situation 2: consecutive votes while the group is at its 20-per-minute limit."""
    z = await setup_zamora(harness)
    await installed_session(harness, z)
    with held(harness, z.group):  # the group's window is full
        for motion in ("Moción 1", "Moción 2", "Moción 3"):
            mark = harness.fake.mark()
            harness.fake.send_text(z.facilitator, f"/votar {motion}")
            for uid in z.titulars.values():  # every present seat gets its private ballot
                ballot = await harness.fake.wait_for("sendMessage", since=mark, chat_id=uid)
                assert motion in (ballot.text or "")
        assert not [c for c in harness.fake.sent_to(z.group) if "Moción" in (c.text or "")]
    await harness.app.quiet()
    posts = [c.text or "" for c in harness.fake.sent_to(z.group) if "Moción" in (c.text or "")]
    assert [m for m in ("Moción 1", "Moción 2", "Moción 3") if any(m in p for p in posts)] == [
        "Moción 1",
        "Moción 2",
        "Moción 3",
    ]  # the group gets them all, in order, once its window opens


async def test_3_people_linking_at_once_are_answered_and_told_in_one_message(
    harness: Harness,
) -> None:
    """Situation 3: 20 people open their links together; the facilitator's chat is slow."""
    z = await setup_zamora(harness, link_group=False)
    tokens: dict[int, str] = {}
    for n in range(20):
        uid = 4000 + n
        harness.fake.add_user(uid, f"Persona{n}", "Prueba")
        answer = await harness.say(z.facilitator, f"/alta observador Persona{n} Prueba")
        tokens[uid] = token_in(answer)
    harness.clock.advance(minutes=5)  # a quiet minute since the last linking notice
    mark = harness.fake.mark()
    with held(harness, z.facilitator):
        for uid, token in tokens.items():
            harness.fake.send_text(uid, f"/start {token}")
        for uid in tokens:  # everyone is answered while the facilitator's chat hangs
            welcome = await harness.fake.wait_for("sendMessage", since=mark, chat_id=uid)
            assert "Listo" in (welcome.text or "")
    await harness.app.quiet()
    await end_of_linking_minute(harness)
    notices = [t for t in texts_to(harness, z.facilitator, mark) if "vincul" in t]
    assert 1 <= len(notices) <= 2  # grouped: not one message per person
    for n in range(20):
        assert sum(f"Persona{n} Prueba (" in t for t in notices) == 1  # each named once


async def test_4_an_answers_further_messages_leave_at_once(
    fake: FakeBotAPI, database_url: str, clock: FakeClock
) -> None:
    """Situation 4: a press that edits and sends, then the next command, in one chat.

    The fake enforces a per-chat bucket of 3 refilling only once a minute, and the bot runs
    the production limiter with the same shape: anything spaced a full interval apart, as
    before issue 10, would arrive a minute late and time the test out.
    """
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}) as h:
        z = await setup_zamora(h)
        await end_of_linking_minute(h)  # nothing left owed to the facilitator's chat
    fake.enforce_rate_limits(private=(1, 60.0), private_burst=3, group=(20, 60.0))
    limiter = DeliveryRateLimiter(private_interval=60.0, private_burst=3)
    async with start_harness(
        fake, database_url, clock, admins={ADMIN_ID}, rate_limiter=limiter
    ) as h:
        preview = await h.send(z.facilitator, CONVOCAR)
        send = next(
            data
            for label, data in fake.buttons(z.facilitator, preview.result["message_id"])
            if label.startswith("Enviar")
        )
        mark = fake.mark()
        query = fake.press(
            z.facilitator,
            chat_id=z.facilitator,
            message_id=preview.result["message_id"],
            data=send,
        )
        await answered(h, query)
        # the preview, its edit and the facilitator's own copy: one burst of three
        await fake.wait_for("editMessageReplyMarkup", since=mark, chat_id=z.facilitator, ok=True)
        copy = await fake.wait_for("sendMessage", since=mark, chat_id=z.facilitator, ok=True)
        assert "Sala de Cabildo" in (copy.text or "")
        assert fake.too_many_requests == 0  # the .ics, a 4th message, waits its turn


async def test_5_unicode_digits_are_refused_in_the_pressers_own_view(harness: Harness) -> None:
    """Situation 5 (full cover in test_bad_input.py): a forged ``v:999999:①`` press."""
    z = await setup_zamora(harness)
    since = await installed_session(harness, z)
    uid = z.titulars["gobierno"]
    message_id, _buttons = await _ballot_message(harness, uid, since)
    mark = harness.fake.mark()
    query = harness.fake.press(
        uid, chat_id=uid, message_id=message_id, data="v:999999:①", forge=True
    )
    answer = await answered(harness, query)
    assert answer.show_alert
    assert "ya no es válido" in (answer.text or "")
    assert texts_to(harness, uid, mark) == []  # no apology in the chat


async def test_6_a_failed_edit_never_leaves_a_vote_nobody_can_vote_in(harness: Harness) -> None:
    """Situation 6: "24 h" commits the deadline; the edit after it fails."""
    z = await setup_zamora(harness)
    asked = await harness.send(z.facilitator, "/votar Aprobar el calendario 2027")
    buttons = dict(harness.fake.buttons(z.facilitator, asked.result["message_id"]))
    harness.fake.fail_next(
        "editMessageReplyMarkup",
        400,
        "Bad Request: message is not modified: specified new message content and reply "
        "markup are exactly the same as a current content and reply markup of the message",
    )
    mark = harness.fake.mark()
    await harness.press(z.facilitator, z.facilitator, asked.result["message_id"], buttons["24 h"])
    for uid in z.titulars.values():  # every seat got its ballot...
        ballot = await harness.fake.wait_for("sendMessage", since=mark, chat_id=uid)
        assert "Aprobar el calendario 2027" in (ballot.text or "")
    assert harness.app.job_queue.get_jobs_by_name("vote:1")  # ...and the vote will close
    assert "abierta hasta" in await harness.say(z.facilitator, "/votaciones")


async def test_7_a_group_reply_waiting_for_its_window_stalls_nobody(harness: Harness) -> None:
    """Situation 7: a command in the group waits for the group; private chats go on."""
    z = await setup_zamora(harness)
    with held(harness, z.group):
        asked = harness.fake.send_text(z.titulars["gobierno"], "/quorum", chat_id=z.group)
        await harness.fake.wait_delivered(asked)  # the bot has it: its answer now waits
        for uid in z.titulars.values():
            mark = harness.fake.mark()
            harness.fake.send_text(uid, "/ayuda")
            help_text = await harness.fake.wait_for("sendMessage", since=mark, chat_id=uid)
            assert "/votaciones" in (help_text.text or "")
    await harness.app.quiet()


async def test_many_concurrent_presses_of_one_vote_are_counted_exactly(harness: Harness) -> None:
    """Concurrency: 200 presses at once from 6 voters; none lost, none counted twice (R3)."""
    z = await _with_substitute(harness)
    # a sixth seat nobody holds: the electronic vote never completes, so it stays open
    assert "Asiento agregado" in await harness.say(
        z.facilitator, "/asiento ayuntamiento Ayuntamiento"
    )
    asked = await harness.send(z.facilitator, "/votar Propuesta de plan de acción")
    buttons = dict(harness.fake.buttons(z.facilitator, asked.result["message_id"]))
    since = harness.fake.mark()
    await harness.press(z.facilitator, z.facilitator, asked.result["message_id"], buttons["72 h"])
    voters = [*z.titulars.values(), SUPLENTE]
    ballots = {uid: await _ballot_message(harness, uid, since) for uid in voters}
    rnd = random.Random(10)
    labels = ("A favor", "En contra", "Abstención")
    queries: list[tuple[int, str, str]] = []
    for _ in range(200):
        uid = rnd.choice(voters)
        label = rnd.choice(labels)
        message_id, keys = ballots[uid]
        query = harness.fake.press(uid, chat_id=uid, message_id=message_id, data=keys[label])
        queries.append((uid, label, query))
    registered: dict[int, str] = {}
    for uid, label, query in queries:  # answered in each chat's order
        answer = await answered(harness, query, timeout=30)
        text = answer.text or ""
        assert "registrado" in text
        if "Tu voto quedó registrado" in text:
            registered[uid] = label
    await harness.app.quiet()
    async with harness.db() as session:
        vote = await session.scalar(select(Vote).where(Vote.id == 1))
        assert vote is not None
        rows = list(
            await session.scalars(select(Ballot).where(Ballot.vote_id == 1).order_by(Ballot.id))
        )
    accepted = 0
    for _uid, _label, query in queries:
        answer = harness.fake.answer_for(query)
        accepted += answer is not None and "quedó registrado" in (answer.text or "")
    assert len(rows) == accepted  # every acknowledged press is stored, nothing else
    recount = counted(
        [Cast(b.seat_id, b.role, b.member_id, Choice(b.choice), b.at) for b in rows],
        kind=VoteKind(vote.kind),
        eligible_seats=set(vote.eligible_seats),
    )
    assert Tally(vote.a_favor, vote.en_contra, vote.abstencion) == tally(
        c.choice for c in recount.values()
    )
    # each seat's counted ballot is its titular's last acknowledged press, else (academia)
    # its substitute's: the titular's own ballot replaces the substitute's (R3)
    expected = []
    for seat, uid in z.titulars.items():
        if uid in registered:
            expected.append(CHOICES[registered[uid]])
        elif seat == "academia" and SUPLENTE in registered:
            expected.append(CHOICES[registered[SUPLENTE]])
    assert Tally(vote.a_favor, vote.en_contra, vote.abstencion) == tally(expected)
    assert vote.voted_seats == len(recount) == len(expected)


CHOICES = {
    "A favor": Choice.A_FAVOR,
    "En contra": Choice.EN_CONTRA,
    "Abstención": Choice.ABSTENCION,
}
