"""Two replicas on one token stay within Telegram's 30 messages/s together (issue 14).

Telegram's overall limit is per bot token, not per process. Two real applications, built
by ``bot.app.build_application`` as production builds them, run on the same PostgreSQL
database against the same fake Bot API, which enforces Telegram's limits (a sliding
one-second window of 30 over the moments requests arrive; beyond it 429 and the message is
dropped). Each replica fans out to 90 private chats of its own through its outbox, both at
once. With the budget shared through ``send_slots`` no request is refused; with each
replica keeping only its own 30/s (``share_overall=False``, what SQLite deployments have)
the same scenario draws 429s — the test's teeth.

The replicas send only: neither polls (two pollers on one token get 409 Conflict, as on
Telegram; replicas receive by webhook). Nothing here measures time on the test's side;
the figures printed (``-s``) come from the fake's own clock.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial
from pathlib import Path

import pytest

from bot import messages
from bot.app import build_application
from bot.context import StmApplication
from bot.delivery import Outcome
from bot.ratelimit import DeliveryRateLimiter
from bot.settings import Settings
from storage.services.send_budget import SendBudget
from tests.clock import FakeClock
from tests.databases import truncate_postgres
from tests.fakebot import Call, FakeBotAPI
from tests.harness import ADMIN_ID, TOKEN

PER_REPLICA = 90
OVERALL = 30  # Telegram's messages per second, all chats together


@pytest.fixture
def pg_url(postgres_ready: str) -> str:
    """The PostgreSQL test database, emptied (skips with the reason when there is none)."""
    asyncio.run(truncate_postgres(postgres_ready))
    return postgres_ready


@asynccontextmanager
async def replica(
    fake: FakeBotAPI,
    database_url: str,
    clock: FakeClock,
    data_dir: Path,
    limiter: DeliveryRateLimiter | None,
) -> AsyncIterator[StmApplication]:
    """One replica as ``python -m bot`` runs it, minus receiving updates and the site."""
    settings = Settings(
        token=TOKEN,
        api_url=fake.url,
        database_url=database_url,
        admins=frozenset({ADMIN_ID}),
        data_dir=data_dir,
        web_port=None,
    )
    app = build_application(settings, clock=clock, rate_limiter=limiter)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()
        if app.post_stop is not None:
            await app.post_stop(app)
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
        await app.shutdown()


async def fan_out(app: StmApplication, chats: Sequence[int]) -> list[Outcome]:
    """A notice to each chat through the replica's outbox (background work, as a
    convocation's fan-out is)."""
    jobs = [(chat, partial(messages.send_text, app.bot, chat, f"Aviso {chat}")) for chat in chats]
    return await app.outbox.post_all(jobs)


def most_in_any_second(calls: Sequence[Call]) -> int:
    """The largest number of ``calls`` answered inside one window ``(t - 1, t]``."""
    times = sorted(c.at for c in calls)
    return max((sum(1 for s in times if t - 1.0 < s <= t) for t in times), default=0)


async def two_replicas_fan_out(
    fake: FakeBotAPI,
    database_url: str,
    clock: FakeClock,
    tmp_path: Path,
    limiters: tuple[DeliveryRateLimiter | None, DeliveryRateLimiter | None],
) -> tuple[list[StmApplication], list[Call]]:
    """Both replicas up, then both fan-outs at once; the delivered ``sendMessage`` calls."""
    fake.add_user(ADMIN_ID, "Ada", "Operadora")  # start-up publishes the admin's menu
    people = range(50_001, 50_001 + 2 * PER_REPLICA)
    for person in people:
        fake.add_user(person, f"Persona {person}", started=True)
    chats = [list(people[:PER_REPLICA]), list(people[PER_REPLICA:])]
    async with AsyncExitStack() as stack:
        apps = [
            await stack.enter_async_context(
                replica(fake, database_url, clock, tmp_path / f"r{n}", limiter)
            )
            for n, limiter in enumerate(limiters)
        ]
        fake.enforce_rate_limits(private_burst=3)  # Telegram's limits, from here on
        mark = fake.mark()
        outcomes = await asyncio.gather(*(fan_out(a, c) for a, c in zip(apps, chats, strict=True)))
        for app in apps:
            await app.quiet()
    assert all(o.ok for batch in outcomes for o in batch)
    sent = [c for c in fake.calls_to("sendMessage", mark) if c.ok]
    assert Counter(int(c.params["chat_id"]) for c in sent) == dict.fromkeys(people, 1)
    return apps, sent


def report(label: str, fake: FakeBotAPI, sent: Sequence[Call]) -> None:
    """The figures, on the fake's clock (shown with ``pytest -s``)."""
    span = max(c.at for c in sent) - min(c.at for c in sent)
    print(
        f"\n{label}: {len(sent)} messages in {span:.2f} s = {(len(sent) - 1) / span:.1f}/s, "
        f"at most {most_in_any_second(sent)} in one second, "
        f"{fake.too_many_requests} answered 429"
    )


async def test_two_replicas_sharing_the_budget_draw_no_429_and_deliver_everything_once(
    fake: FakeBotAPI, pg_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    # No limiter given: each replica gets production's, and bot.app shares it on PostgreSQL.
    apps, sent = await two_replicas_fan_out(fake, pg_url, clock, tmp_path, (None, None))
    report("shared budget", fake, sent)
    assert fake.too_many_requests == 0
    assert most_in_any_second(sent) <= OVERALL
    for app in apps:
        limiter = app.bot.rate_limiter
        assert isinstance(limiter, DeliveryRateLimiter)
        assert isinstance(limiter.shared_budget, SendBudget)
        assert limiter.stats.too_many_requests == limiter.stats.shared_failures == 0
        assert limiter.stats.shared_waits > 0  # each waited for the other's sends


async def test_without_the_shared_budget_the_same_fan_outs_draw_429s(
    fake: FakeBotAPI, pg_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    """The teeth: each replica within 30/s on its own makes 60/s together."""
    limiters = (DeliveryRateLimiter(share_overall=False), DeliveryRateLimiter(share_overall=False))
    apps, sent = await two_replicas_fan_out(fake, pg_url, clock, tmp_path, limiters)
    report("each replica alone", fake, sent)
    assert fake.too_many_requests > 0  # refused, then retried: still delivered once each
    assert all(limiter.shared_budget is None for limiter in limiters)
    assert sum(limiter.stats.too_many_requests for limiter in limiters) > 0
    assert len(apps) == 2
