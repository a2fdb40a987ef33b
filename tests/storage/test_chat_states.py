"""A chat's conversation in progress, in ``chat_states`` (issue 14), on SQLite and PostgreSQL.

Every replica reads and writes the same rows: values are JSON, an expired row reads as
absent, and ``pop`` hands one step to exactly one of several units of work racing for it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from storage.db import Database, make_engine, make_sessionmaker
from storage.models import ChatState
from storage.services import chat_states

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
CHAT = 2001
TEN_MINUTES = timedelta(minutes=10)


async def _rows(db: Database) -> list[tuple[int, str, str, datetime, datetime | None]]:
    async with db() as session:
        rows = await session.execute(
            select(
                ChatState.chat_id,
                ChatState.key,
                ChatState.value,
                ChatState.updated_at,
                ChatState.expires_at,
            ).order_by(ChatState.chat_id, ChatState.key)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_put_get_replace_and_pop_keep_json_per_chat_and_key(db: Database) -> None:
    value = {"secretariat_id": 3, "kind": "ordinaria", "day": "2026-12-07", "place": "Sala ñ"}
    async with db.begin() as session:
        await chat_states.put(
            session, now=NOW, chat_id=CHAT, key="guiada", value=value, ttl=timedelta(days=1)
        )
        await chat_states.put(session, now=NOW, chat_id=CHAT, key="plazo", value=7, ttl=None)
        await chat_states.put(
            session, now=NOW, chat_id=CHAT + 1, key="guiada", value=[1, None], ttl=None
        )
    async with db() as session:
        assert await chat_states.get(session, now=NOW, chat_id=CHAT, key="guiada") == value
        assert await chat_states.get(session, now=NOW, chat_id=CHAT, key="plazo") == 7
        assert await chat_states.get(session, now=NOW, chat_id=CHAT + 1, key="guiada") == [1, None]
        assert await chat_states.get(session, now=NOW, chat_id=CHAT, key="otra") is None
    later = NOW + timedelta(minutes=3)
    async with db.begin() as session:  # an upsert: the same row, its expiry starts again
        await chat_states.put(
            session, now=later, chat_id=CHAT, key="guiada", value={"a": 1}, ttl=TEN_MINUTES
        )
    rows = await _rows(db)
    assert rows[0] == (CHAT, "guiada", '{"a":1}', later, later + TEN_MINUTES)
    assert rows[1] == (CHAT, "plazo", "7", NOW, None)
    assert len(rows) == 3
    async with db.begin() as session:
        assert await chat_states.pop(session, now=later, chat_id=CHAT, key="guiada") == {"a": 1}
        assert await chat_states.pop(session, now=later, chat_id=CHAT, key="guiada") is None
        assert await chat_states.delete(session, now=later, chat_id=CHAT, key="plazo") is True
        assert await chat_states.delete(session, now=later, chat_id=CHAT, key="plazo") is False
    assert [r[:2] for r in await _rows(db)] == [(CHAT + 1, "guiada")]


async def test_an_expired_step_reads_as_absent_and_is_swept(db: Database) -> None:
    async with db.begin() as session:
        for key in ("verificar", "importar"):
            await chat_states.put(
                session, now=NOW, chat_id=CHAT, key=key, value={}, ttl=TEN_MINUTES
            )
        await chat_states.put(session, now=NOW, chat_id=CHAT, key="guiada", value={}, ttl=None)
    edge, past = NOW + TEN_MINUTES, NOW + TEN_MINUTES + timedelta(seconds=1)
    async with db() as session:  # valid up to and including the expiry, as before (<= TTL)
        assert await chat_states.get(session, now=edge, chat_id=CHAT, key="verificar") == {}
        assert await chat_states.get(session, now=past, chat_id=CHAT, key="verificar") is None
        assert await chat_states.get(session, now=past, chat_id=CHAT, key="guiada") == {}
    async with db.begin() as session:  # an expired pop finds nothing, and clears the row
        assert await chat_states.pop(session, now=past, chat_id=CHAT, key="verificar") is None
    assert [r[1] for r in await _rows(db)] == ["guiada", "importar"]
    async with db.begin() as session:
        assert await chat_states.purge_expired(session, now=edge) == 0
        assert await chat_states.purge_expired(session, now=past) == 1
    assert [r[1] for r in await _rows(db)] == ["guiada"]


async def test_racing_pops_of_one_step_let_exactly_one_take_it(db: Database) -> None:
    async with db.begin() as session:
        await chat_states.put(session, now=NOW, chat_id=CHAT, key="guiada", value=1, ttl=None)

    async def take() -> object:
        async with db.begin() as session:
            return await chat_states.pop(session, now=NOW, chat_id=CHAT, key="guiada")

    assert sorted(map(repr, await asyncio.gather(*(take() for _ in range(8))))) == [
        "1",
        *["None"] * 7,
    ]


async def test_two_engines_share_the_steps_like_two_replicas(database_url: str) -> None:
    """What one process stored, another reads and takes: the point of issue 14."""
    first, second = make_engine(database_url), make_engine(database_url)
    try:
        a, b = make_sessionmaker(first), make_sessionmaker(second)
        async with a.begin() as session:
            await chat_states.put(
                session, now=NOW, chat_id=CHAT, key="plazo", value={"vote_id": 4}, ttl=None
            )
        async with b() as session:
            got = await chat_states.get(session, now=NOW, chat_id=CHAT, key="plazo")
        assert got == {"vote_id": 4}
        async with b.begin() as session:
            assert await chat_states.pop(session, now=NOW, chat_id=CHAT, key="plazo") == got
        async with a() as session:
            assert await chat_states.get(session, now=NOW, chat_id=CHAT, key="plazo") is None
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_locked_step_makes_a_second_writer_wait_its_turn(database_url: str) -> None:
    """``lock``: two replicas advancing one conversation take turns (PostgreSQL rows;
    SQLite has a single writer anyway)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises every writer already")
    first, second = make_engine(database_url), make_engine(database_url)
    try:
        a, b = make_sessionmaker(first), make_sessionmaker(second)
        async with a.begin() as session:
            await chat_states.put(session, now=NOW, chat_id=CHAT, key="n", value=0, ttl=None)

        holding = asyncio.Event()

        async def increment(db: Database, *, first: bool) -> None:
            if not first:
                await holding.wait()  # the other replica holds the step now
            async with db.begin() as session:
                value = await chat_states.get(session, now=NOW, chat_id=CHAT, key="n", lock=True)
                if first:
                    holding.set()
                    await asyncio.sleep(0.3)  # the second one reads meanwhile, unless it waits
                await chat_states.put(
                    session, now=NOW, chat_id=CHAT, key="n", value=value + 1, ttl=None
                )

        await asyncio.gather(increment(a, first=True), increment(b, first=False))
        async with a() as session:
            assert await chat_states.get(session, now=NOW, chat_id=CHAT, key="n") == 2
            count = await session.scalar(select(func.count()).select_from(ChatState))
        assert count == 1
    finally:
        await first.dispose()
        await second.dispose()
