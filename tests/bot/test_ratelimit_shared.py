"""DeliveryRateLimiter with the overall budget shared through PostgreSQL (issue 14).

Two limiters stand for two replicas: each its own PTB application and its own
``SendBudget``, on one PostgreSQL database and one fake Bot API. The fake's recorded order
of calls is asserted, never how long anything took.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest

from bot.background import Background
from bot.ratelimit import DeliveryRateLimiter
from storage.services.send_budget import SendBudget
from tests.bot.test_ratelimit import ANA, eventually, fast, most_in_any_window, running_bot
from tests.databases import truncate_postgres
from tests.fakebot import FakeBotAPI


@pytest.fixture
def pg_url(postgres_ready: str) -> str:
    """The PostgreSQL test database, emptied (skips with the reason when there is none)."""
    asyncio.run(truncate_postgres(postgres_ready))
    return postgres_ready


def replica_limiter(url: str, **overrides: Any) -> DeliveryRateLimiter:
    """A scaled-down limiter (5 messages/s) taking the overall budget from ``url``."""
    return fast(overall_rate=5, shared_budget=SendBudget(url), **overrides)


async def test_two_replicas_stay_within_one_overall_limit_together(
    fake: FakeBotAPI, pg_url: str
) -> None:
    fake.enforce_rate_limits(overall=(5, 1.0), private=(1, 0.2), group=(3, 1.0))
    chats = [range(401, 411), range(411, 421)]
    for chat in (*chats[0], *chats[1]):
        fake.add_user(chat, f"P{chat}", started=True)
    one, two = replica_limiter(pg_url), replica_limiter(pg_url)
    async with running_bot(fake, one) as bot_one, running_bot(fake, two) as bot_two:
        await asyncio.gather(
            *(bot_one.send_message(chat, "uno") for chat in chats[0]),
            *(bot_two.send_message(chat, "dos") for chat in chats[1]),
        )
    delivered = fake.calls_to("sendMessage")
    assert [c.ok for c in delivered] == [True] * 20
    assert fake.too_many_requests == 0
    assert most_in_any_window((c.at for c in delivered), 1.0) <= 5
    assert one.stats.shared_waits > 0
    assert two.stats.shared_waits > 0


async def test_a_reply_waits_for_one_background_slot_per_replica_not_for_the_fan_outs(
    fake: FakeBotAPI, pg_url: str
) -> None:
    """Each replica holds at most one background moment on the shared timeline."""
    chats = [range(301, 311), range(311, 321)]
    for chat in (*chats[0], *chats[1]):
        fake.add_user(chat, f"P{chat}", started=True)
    fake.add_user(ANA, "Ana", started=True)
    background = Background()
    one, two = replica_limiter(pg_url), replica_limiter(pg_url)
    async with running_bot(fake, one) as bot_one, running_bot(fake, two) as bot_two:
        for bot, group in ((bot_one, chats[0]), (bot_two, chats[1])):
            for chat in group:  # 20 messages at 5/s in all: four seconds of background work
                background.spawn(bot.send_message(chat, "convocatoria"), name=f"f:{chat}")
        await asyncio.sleep(0.3)  # both fan-outs are under way
        before = len(fake.calls_to("sendMessage"))
        await bot_one.send_message(ANA, "tu respuesta")  # an update's own reply
        await background.idle()
    order = [c.params["chat_id"] for c in fake.calls_to("sendMessage")]
    # What had left, then per replica at most the send already on the wire when ``before``
    # was read (the fake records it on arrival, so it may count after) and one pending
    # background moment, then Ana: never behind the fan-outs' 20.
    assert order.index(ANA) <= before + 4 < 20
    assert sorted(order) == sorted([*chats[0], *chats[1], ANA])  # nothing lost


async def test_a_send_that_wakes_too_late_for_its_moment_takes_a_new_one(
    fake: FakeBotAPI, pg_url: str
) -> None:
    """A stall while it slept: sent at the old moment, it would bunch up with others'."""
    for chat in (601, 602):
        fake.add_user(chat, f"P{chat}", started=True)
    one, two = replica_limiter(pg_url), replica_limiter(pg_url)  # moments 0.23 s apart
    async with running_bot(fake, one) as bot_one, running_bot(fake, two) as bot_two:
        await bot_one.send_message(601, "uno")
        second = asyncio.ensure_future(bot_two.send_message(602, "dos"))
        await eventually(lambda: two.stats.shared_waits > 0)  # asleep until its moment
        time.sleep(0.5)  # noqa: ASYNC251 - the event loop stalls past that moment
        await second
    assert two.stats.shared_late == 1
    assert [c.ok for c in fake.calls_to("sendMessage")] == [True, True]


async def test_an_unreachable_database_leaves_the_local_budget(
    fake: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """A send is never held back by the database: it goes within this process's 30/s."""
    for chat in range(501, 504):
        fake.add_user(chat, f"P{chat}", started=True)
    nowhere = SendBudget("postgresql+asyncpg://postgres@127.0.0.1:1/nadie", timeout=1.0)
    limiter = fast(shared_budget=nowhere)
    with caplog.at_level(logging.WARNING, logger="bot.ratelimit"):
        async with running_bot(fake, limiter) as bot:
            for chat in range(501, 504):
                await bot.send_message(chat, "hola")
    assert [c.ok for c in fake.calls_to("sendMessage")] == [True] * 3
    assert limiter.stats.shared_failures == 3
    unavailable = [r for r in caplog.records if "shared send budget unavailable" in r.message]
    assert len(unavailable) == 1  # once, not once per message


def test_the_shared_margin_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        DeliveryRateLimiter(shared_margin=-0.1)
