"""The reminder ledger's unique key decides who sends (R23), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from domain.reminders import Kind, Moment
from storage.db import Database
from storage.models import Reminder, Secretariat
from storage.services import reminder_ledger, reminders

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


async def _series(db: Database) -> reminders.Series:
    async with db.begin() as session:
        row = Secretariat(name="Zamora", created_at=NOW, created_by=1)
        session.add(row)
    moments = (Moment(NOW, datetime(2026, 12, 7, 16, 0, tzinfo=UTC)),)
    return reminders.Series(row.id, Kind.ASISTENCIA, "m1:p2", 2102, moments, {})


async def test_racing_claims_of_one_moment_let_exactly_one_send(db: Database) -> None:
    series = await _series(db)

    async def claim() -> int:
        async with db.begin() as session:
            won = await reminder_ledger.claim(session, [(series, series.moments[0])], now=NOW)
        return len(won)

    results = await asyncio.gather(*(claim() for _ in range(8)))
    assert sorted(results) == [0] * 7 + [1]
    async with db() as session:
        rows = list(await session.scalars(select(Reminder)))
    assert [(r.kind, r.target, r.due_at, r.status) for r in rows] == [
        ("asistencia", "m1:p2", NOW, "pendiente")
    ]


async def test_a_dropped_moment_cannot_be_claimed_later(db: Database) -> None:
    series = await _series(db)
    moment = series.moments[0]
    async with db.begin() as session:
        await reminder_ledger.drop(session, [(series, moment, "reemplazado")], now=NOW)
    async with db.begin() as session:
        assert await reminder_ledger.claim(session, [(series, moment)], now=NOW) == []
    async with db() as session:
        settled = await reminder_ledger.settled_until(
            session, {("asistencia", "m1:p2"), ("asistencia", "m9:p9")}
        )
    assert settled == {("asistencia", "m1:p2"): NOW}


async def test_settle_marks_sent_and_failed(db: Database) -> None:
    series = await _series(db)
    other = reminders.Series(
        series.secretariat_id, Kind.ASISTENCIA, "m1:p3", 2103, series.moments, {}
    )
    async with db.begin() as session:
        won = await reminder_ledger.claim(
            session, [(series, series.moments[0]), (other, other.moments[0])], now=NOW
        )
    by_target = {c.series.target: c.id for c in won}
    async with db.begin() as session:
        await reminder_ledger.settle(
            session, {by_target["m1:p2"]: None, by_target["m1:p3"]: "bloqueado"}
        )
    async with db() as session:
        rows = {r.target: (r.status, r.detail) for r in await session.scalars(select(Reminder))}
    assert rows == {"m1:p2": ("enviado", None), "m1:p3": ("fallido", "bloqueado")}


async def test_only_claims_that_never_left_are_unsettled(db: Database) -> None:
    """Issue 14: ``pendiente`` (queued) is the next leader's to send; ``enviando`` (on the
    wire when its sender died) is not sent again; ``abandon`` drops only what never left."""
    series = await _series(db)
    others = [
        reminders.Series(
            series.secretariat_id, Kind.ASISTENCIA, f"m1:p{n}", 2100 + n, series.moments, {}
        )
        for n in (3, 4, 5)
    ]
    async with db.begin() as session:
        claimed = await reminder_ledger.claim(
            session, [(s, s.moments[0]) for s in [series, *others]], now=NOW
        )
    queued, on_wire, sent, stale = (item.id for item in claimed)
    async with db.begin() as session:
        await reminder_ledger.on_wire(session, on_wire)
        await reminder_ledger.on_wire(session, sent)
        await reminder_ledger.settle(session, {sent: None})
        await reminder_ledger.on_wire(session, sent)  # a retry after it was accepted: no-op
    async with db() as session:
        assert [row.id for row in await reminder_ledger.unsettled(session)] == [queued, stale]
    async with db.begin() as session:
        await reminder_ledger.abandon(session, [stale, on_wire], "interrumpido")
    async with db() as session:
        statuses = dict(
            (await session.execute(select(Reminder.id, Reminder.status))).tuples().all()
        )
        assert [row.id for row in await reminder_ledger.unsettled(session)] == [queued]
    assert statuses == {
        queued: "pendiente",
        on_wire: "enviando",
        sent: "enviado",
        stale: "omitido",
    }
