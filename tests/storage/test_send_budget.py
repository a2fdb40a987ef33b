"""The shared outgoing budget (issue 14): one timeline in ``send_slots``, PostgreSQL only.

Slots are compared on the database's clock, where they are exact multiples of the gap;
no test measures how long anything took.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from itertools import pairwise

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.services.send_budget import DEFAULT_HORIZON, OVERALL, SendBudget, reserve
from tests.databases import truncate_postgres

GAP = 0.25


@pytest.fixture
async def engine(postgres_ready: str) -> AsyncIterator[AsyncEngine]:
    """An autocommit engine on the (emptied) PostgreSQL test database."""
    await truncate_postgres(postgres_ready)
    engine = create_async_engine(postgres_ready, isolation_level="AUTOCOMMIT", pool_size=10)
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_concurrent_reservations_get_consecutive_slots_gap_apart(
    engine: AsyncEngine,
) -> None:
    """Eight replicas reserve at once while a ninth holds the row: they queue on its lock.

    The gap is longer than the hold, so the timeline is never idle in between.
    """
    gap = 2.0
    async with engine.connect() as holder:
        await holder.execution_options(isolation_level="READ COMMITTED")
        transaction = await holder.begin()  # this one is slow to commit
        first = await reserve(holder, gap=gap)
        connections = [await engine.connect() for _ in range(8)]
        try:
            pending = [asyncio.ensure_future(reserve(c, gap=gap)) for c in connections]
            await asyncio.sleep(0.2)  # they are all waiting for the row lock now
            assert not any(p.done() for p in pending)
            await transaction.commit()
            reservations = await asyncio.gather(*pending)
        finally:
            for connection in connections:
                await connection.close()
    slots = sorted([first, *reservations])
    assert slots[0] == first  # the holder's slot is the first
    step = timedelta(seconds=gap)
    assert [b.slot_at - a.slot_at for a, b in pairwise(slots)] == [step] * 8
    # the later the slot, the longer the wait; the first is due at once
    assert first.wait <= 0
    assert [r.wait for r in slots] == sorted(r.wait for r in slots)
    assert 0 < slots[-1].wait <= 8 * gap


async def test_reservations_in_turn_follow_each_other_and_restart_when_idle(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        one = await reserve(connection, gap=GAP)
        two = await reserve(connection, gap=GAP)
        three = await reserve(connection, gap=2 * GAP)  # an album of two
        four = await reserve(connection, gap=GAP)
        assert one.wait <= 0 < two.wait < three.wait < four.wait
        assert two.slot_at - one.slot_at == timedelta(seconds=GAP)
        assert four.slot_at - three.slot_at == timedelta(seconds=2 * GAP)
        await asyncio.sleep(four.wait + GAP + 0.05)  # the timeline is idle again
        again = await reserve(connection, gap=GAP)
        assert again.wait <= 0  # an idle budget does not bank slots: it starts from now
        assert again.slot_at >= four.slot_at + timedelta(seconds=GAP)


async def test_a_timeline_far_ahead_of_the_clock_is_capped_by_the_horizon(
    engine: AsyncEngine,
) -> None:
    """The database's clock stepped back an hour: sends wait at most the horizon."""
    async with engine.connect() as connection:
        await reserve(connection, gap=GAP)
        await connection.execute(
            text("UPDATE send_slots SET next_at = clock_timestamp() + interval '1 hour'")
        )
        capped = await reserve(connection, gap=GAP)
    assert 0 < capped.wait <= DEFAULT_HORIZON.total_seconds()


async def test_keys_are_separate_timelines(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await reserve(connection, gap=10.0)
        other = await reserve(connection, gap=GAP, key="otra")
        again = await reserve(connection, gap=GAP, key=OVERALL)
    assert other.wait <= 0
    assert again.wait > 9


async def test_the_budget_object_reserves_on_its_own_engine_and_can_reopen(
    postgres_ready: str, engine: AsyncEngine
) -> None:
    budget = SendBudget(postgres_ready)
    try:
        assert await budget.reserve(GAP) <= 0
        assert 0 < await budget.reserve(GAP) <= GAP
        await budget.close()
        assert GAP < await budget.reserve(GAP) <= 2 * GAP  # opened again after close
    finally:
        await budget.close()
    with pytest.raises(ValueError, match="positive"):
        async with engine.connect() as connection:
            await reserve(connection, gap=0)
