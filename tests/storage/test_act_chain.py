"""Appending to the hash chain (issue 15): in the act's unit of work, linear under concurrency."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from domain import act_chain as chain
from domain.act_chain import GENESIS, Act
from storage.db import Database, make_engine, make_sessionmaker
from storage.models import ChainEntry, ChainHead, Secretariat
from storage.services import act_chain

NOW = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)


async def secretariats(db: Database, *names: str) -> list[int]:
    async with db.begin() as session:
        rows = [Secretariat(name=name, created_at=NOW, created_by=1) for name in names]
        session.add_all(rows)
        await session.flush()
        return [r.id for r in rows]


def act(k: int) -> dict[str, object]:
    return chain.rsvp(
        meeting_id=1, seat_id=1, member_id=2, role="titular", answer="asistire",
        at=NOW + timedelta(seconds=k),
    )  # fmt: skip


async def test_an_append_commits_or_rolls_back_with_its_unit_of_work(db: Database) -> None:
    """A refused act leaves no entry and no head; a committed one leaves both."""
    (sid,) = await secretariats(db, "Zamora")

    class Refused(Exception):
        pass

    async def refused_act() -> None:
        async with db.begin() as session:
            await act_chain.append(
                session, secretariat_id=sid, kind=Act.ASISTENCIA, source_id=1, payload=act(0),
                now=NOW,
            )  # fmt: skip
            raise Refused

    with pytest.raises(Refused):
        await refused_act()
    async with db() as session:
        assert await session.scalar(select(func.count()).select_from(ChainEntry)) == 0
        assert await act_chain.head(session, sid) == (0, GENESIS)
    async with db.begin() as session:
        first = await act_chain.append(
            session, secretariat_id=sid, kind=Act.ASISTENCIA, source_id=1, payload=act(0),
            now=NOW,
        )  # fmt: skip
    assert (first.position, first.prev_hash) == (1, GENESIS)
    async with db() as session:
        head = await session.get_one(ChainHead, sid)
    assert (head.position, head.hash) == (1, first.hash)


async def test_chains_are_per_secretariat(db: Database) -> None:
    """Each secretariat's chain starts at 1 from the genesis hash."""
    zamora, jacona = await secretariats(db, "Zamora", "Jacona")
    async with db.begin() as session:
        for sid in (zamora, jacona, zamora):
            await act_chain.append(
                session, secretariat_id=sid, kind=Act.ASISTENCIA, source_id=1, payload=act(sid),
                now=NOW,
            )  # fmt: skip
    async with db() as session:
        assert await act_chain.head(session, zamora) != await act_chain.head(session, jacona)
        assert (await act_chain.head(session, zamora))[0] == 2
        assert (await act_chain.head(session, jacona))[0] == 1


async def test_concurrent_appends_on_postgresql_keep_the_chain_linear(
    postgres_ready: str,
) -> None:
    """Twelve units of work append at once, each holding its transaction a while: they
    queue on the head's row lock, and the chain has positions 1..12, each linked to the
    one before (no fork, no gap, no duplicate)."""
    from tests.databases import truncate_postgres

    await truncate_postgres(postgres_ready)
    engine = make_engine(postgres_ready, pool_size=12)
    try:
        db = make_sessionmaker(engine)
        (sid,) = await secretariats(db, "Zamora")

        async def one(k: int) -> None:
            async with db.begin() as session:
                await act_chain.append(
                    session, secretariat_id=sid, kind=Act.ASISTENCIA, source_id=k,
                    payload=act(k), now=NOW,
                )  # fmt: skip
                await asyncio.sleep(0.05)  # others wait on the head's lock meanwhile

        await asyncio.gather(*(one(k) for k in range(12)))
        async with db() as session:
            entries = await act_chain.entries_of(await session.connection(), sid)
            head = await act_chain.head(session, sid)
    finally:
        await engine.dispose()
    assert [e.position for e in entries] == list(range(1, 13))
    expected = {
        claim.key: claim.expected
        for e in entries
        for claim in chain.claims(e.kind, e.source, json.loads(e.payload))
    }
    assert chain.verify(entries, expected, head) is None  # every link and hash holds
    sources = sorted(e.source for e in entries)
    assert sources == sorted(f"attendance_answers/{k}" for k in range(12))
