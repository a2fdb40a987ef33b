"""deliver_all: a convocation-like fan-out through a real PTB Application and the fake.

Each member gets a message and then an ``.ics``; some never started the bot or blocked it.
Nothing is lost, failures are classified, and the outcomes come back in the jobs' order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pytest
from telegram import Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import ApplicationBuilder, Defaults, ExtBot

from bot.delivery import (
    BLOCKED,
    DEACTIVATED,
    NOT_STARTED,
    Job,
    Outcome,
    PartialDelivery,
    classify,
    deliver_all,
    in_order,
)
from bot.ratelimit import DeliveryRateLimiter
from tests.clock import FakeClock
from tests.fakebot import FakeBotAPI
from tests.harness import TOKEN

GROUP = -1001234567890
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
TEXT = "<b>Convocatoria</b> a la sesión ordinaria del 4 de diciembre"


@asynccontextmanager
async def running_bot(fake: FakeBotAPI, **limits: Any) -> AsyncIterator[ExtBot[Any]]:
    """The project's way of building the bot (HTML by default), with small limits."""
    params: dict[str, Any] = {
        "overall_rate": 30,
        "private_interval": 0.1,
        "group_interval": 0.1,
        "margin": 0.02,
        "backoff_base": 0.05,
    }
    params.update(limits)
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(fake.url + "/bot")
        .base_file_url(fake.url + "/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .rate_limiter(DeliveryRateLimiter(**params))
        .build()
    )
    async with app:
        yield app.bot


def convocation(bot: ExtBot[Any], chat_id: int, ics: bytes = ICS) -> Job:
    """A member's job: the message, then the calendar file."""
    return chat_id, in_order(
        lambda: bot.send_message(chat_id, TEXT),
        lambda: bot.send_document(chat_id, ics, filename="sesion.ics"),
    )


def add_people(fake: FakeBotAPI, ids: Sequence[int]) -> None:
    for user_id in ids:
        fake.add_user(user_id, f"Integrante {user_id}", started=True)


async def test_fanout_delivers_to_everyone_it_can_in_order(
    fake: FakeBotAPI, clock: FakeClock
) -> None:
    members = [401, 402, 403, 404, 405, 406, 407]
    add_people(fake, [401, 402, 404, 406, 407])
    fake.add_user(403, "Nunca abrió el bot", started=False)
    fake.add_user(405, "Bloqueó el bot", started=True, blocked=True)
    async with running_bot(fake) as bot:
        outcomes = await deliver_all(
            [convocation(bot, chat) for chat in members], clock=clock, concurrency=3
        )
    assert [o.chat_id for o in outcomes] == members
    by_chat = {o.chat_id: o for o in outcomes}
    assert by_chat[403] == Outcome(403, False, (), NOT_STARTED, None)
    assert by_chat[405] == Outcome(405, False, (), BLOCKED, None)
    for chat in (401, 402, 404, 406, 407):
        outcome = by_chat[chat]
        stored = fake.messages[chat]
        assert (outcome.ok, outcome.failure, outcome.at) == (True, None, clock.current)
        assert outcome.message_ids == tuple(m.message_id for m in stored)
        assert [m.text for m in stored] == [
            "Convocatoria a la sesión ordinaria del 4 de diciembre",
            None,
        ]
        assert stored[1].document is not None
        assert stored[1].document.filename == "sesion.ics"
    # A refusal is final: exactly one attempt each, and no .ics after it. (Three chats are
    # served at once, so which refusal the fake records first depends on the machine.)
    refused = [c.params["chat_id"] for c in fake.calls_to("sendMessage") if not c.ok]
    assert sorted(refused) == [403, 405]
    assert all(c.ok for c in fake.calls_to("sendDocument"))


async def test_group_post_and_members_under_telegrams_limits_lose_nothing(
    fake: FakeBotAPI, clock: FakeClock
) -> None:
    # Telegram's limits scaled down; the limiter gets the same numbers.
    fake.enforce_rate_limits(overall=(20, 1.0), private=(1, 0.25), private_burst=3, group=(3, 1.0))
    members = list(range(501, 509))
    add_people(fake, members)
    fake.add_group(GROUP, "STM Zamora")
    async with running_bot(
        fake, overall_rate=20, private_interval=0.25, group_rate=3, group_period=1.0
    ) as bot:
        jobs = [convocation(bot, chat) for chat in members]
        jobs.append((GROUP, in_order(lambda: bot.send_message(GROUP, TEXT))))
        outcomes = await deliver_all(jobs, clock=clock)
    assert all(o.ok for o in outcomes)
    assert fake.too_many_requests == 0
    assert [len(fake.messages[chat]) for chat in members] == [2] * len(members)
    assert len(fake.messages[GROUP]) == 1


async def test_a_failed_part_keeps_the_evidence_of_the_parts_sent(
    fake: FakeBotAPI, clock: FakeClock
) -> None:
    add_people(fake, [601, 602])
    async with running_bot(fake) as bot:
        outcomes = await deliver_all(
            [convocation(bot, 601, ics=b""), convocation(bot, 602)], clock=clock
        )
    broken, fine = outcomes
    assert not broken.ok
    assert broken.failure is not None
    assert broken.failure.lower() == "error: file must be non-empty"
    assert broken.message_ids == (fake.messages[601][0].message_id,)
    assert broken.at is None
    assert fine.ok
    assert len(fine.message_ids) == 2


async def test_transient_failures_are_retried_so_nothing_is_lost(
    fake: FakeBotAPI, clock: FakeClock
) -> None:
    add_people(fake, [701, 702, 703])
    fake.fail_next("sendDocument", 500, times=2)
    fake.fail_next("sendMessage", 429, retry_after=1)
    async with running_bot(fake) as bot:
        outcomes = await deliver_all(
            [convocation(bot, chat) for chat in (701, 702, 703)], clock=clock
        )
    assert [o.ok for o in outcomes] == [True, True, True]
    assert [len(fake.messages[chat]) for chat in (701, 702, 703)] == [2, 2, 2]


async def test_a_crashing_job_does_not_stop_the_others(
    fake: FakeBotAPI, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    add_people(fake, [801, 802])

    async def broken() -> Sequence[Message]:
        raise RuntimeError("template bug")

    async with running_bot(fake) as bot:
        outcomes = await deliver_all(
            [convocation(bot, 801), (999, broken), convocation(bot, 802)], clock=clock
        )
    assert [(o.chat_id, o.ok, o.failure) for o in outcomes] == [
        (801, True, None),
        (999, False, "error: RuntimeError"),
        (802, True, None),
    ]
    assert any(r.levelno == logging.ERROR and r.name == "bot.delivery" for r in caplog.records)


async def test_texts_are_never_logged_and_chat_ids_only_at_debug(
    fake: FakeBotAPI, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    secret = "https://t.me/stm_prueba_bot?start=SECRETO123"
    add_people(fake, [901])
    fake.add_user(902, "Nunca", started=False)
    fake.fail_next("sendMessage", 429, retry_after=1)
    async with running_bot(fake) as bot:

        def invite(chat: int) -> Job:
            return chat, in_order(lambda: bot.send_message(chat, secret))

        await deliver_all([invite(901), invite(902)], clock=clock)
    ours = [r for r in caplog.records if r.name.startswith("bot.")]
    assert ours, "expected the limiter and delivery to log something"
    assert not any("SECRETO123" in r.getMessage() for r in ours)
    for record in ours:
        if record.levelno > logging.DEBUG:
            assert "901" not in record.getMessage()
            assert "902" not in record.getMessage()


async def test_outcomes_keep_job_order_and_concurrency_is_bounded(clock: FakeClock) -> None:
    running = 0
    most = 0

    def job(delay: float) -> Job:
        async def send() -> Sequence[Message]:
            nonlocal running, most
            running += 1
            most = max(most, running)
            await asyncio.sleep(delay)
            running -= 1
            return ()

        return int(delay * 1000), send

    delays = [0.05, 0.01, 0.04, 0.02, 0.03, 0.0]
    outcomes = await deliver_all([job(d) for d in delays], clock=clock, concurrency=2)
    assert [o.chat_id for o in outcomes] == [int(d * 1000) for d in delays]
    assert most == 2
    assert await deliver_all([], clock=clock) == []
    with pytest.raises(ValueError, match="concurrency"):
        await deliver_all([], clock=clock, concurrency=0)


async def test_cancelling_the_fanout_cancels_its_jobs(clock: FakeClock) -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def forever() -> Sequence[Message]:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return ()

    fanout = asyncio.create_task(deliver_all([(1, forever)], clock=clock))
    await started.wait()
    fanout.cancel()
    with pytest.raises(asyncio.CancelledError):
        await fanout
    assert cancelled.is_set()


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (Forbidden("Forbidden: bot can't initiate conversation with a user"), NOT_STARTED),
        (Forbidden("Forbidden: bot was blocked by the user"), BLOCKED),
        (Forbidden("Forbidden: user is deactivated"), DEACTIVATED),
        (
            Forbidden("Forbidden: bot was kicked from the supergroup chat"),
            "error: Forbidden: bot was kicked from the supergroup chat",
        ),
        (BadRequest("Bad Request: chat not found"), "error: Chat not found"),
        (NetworkError("Internal Server Error"), "error: Internal Server Error"),
        (RetryAfter(30), "error: Flood control exceeded. Retry in 0:00:30"),
        (KeyError("a secret text"), "error: KeyError"),
        (
            PartialDelivery([], Forbidden("Forbidden: bot was blocked by the user")),
            BLOCKED,
        ),
    ],
)
def test_failures_are_classified(error: Exception, failure: str) -> None:
    assert classify(error) == failure
