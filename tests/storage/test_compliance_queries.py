"""Compliance of many secretariats in a fixed number of queries (R6, R15, R16), on SQLite
and PostgreSQL.

A garante's liaison may sit on a hundred secretariats and the public page lists every
secretariat of a state: the service must not read per secretariat or per month. Rows are
written here as the bot writes them (numbered, installed sessions with the minutes' sending
time; agreements with a due date and status), with moments at the edges of the local
month, and the figures must be those of ``domain.compliance``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event

from domain.follow_up_report import Month
from storage.db import Database, engine_of
from storage.models import Agreement, Meeting, Member, Secretariat
from storage.services import compliance

CREATED = datetime(2026, 1, 5, 16, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)  # 10:00 in Mexico City
# Mexico City is UTC-6 all year: 2026-11-01 00:30 local is 06:30 UTC; 10-31 23:30 is 05:30.
LAST_MINUTE_OF_OCTOBER = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    engine = engine_of(db).sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def _seed(db: Database, how_many: int, *, state: str = "Michoacán") -> list[int]:
    """``how_many`` secretariats, each with an ordinary session in October (minutes sent
    on time), one in November held at 23:30 on October 31st local (October's: minutes
    sent late, on November 1st), an ordinary session without quorum in November,
    and an agreement due 2026-11-15 still pending."""
    ids = []
    async with db.begin() as session:
        for n in range(how_many):
            s = Secretariat(
                name=f"Municipio {state} {n:03d}", created_at=CREATED, created_by=1, state=state
            )
            session.add(s)
            await session.flush()
            facilitator = Member(
                secretariat_id=s.id, number=1, role="facilitador", full_name="F",
                created_at=CREATED,
            )  # fmt: skip
            session.add(facilitator)
            await session.flush()
            meetings = [
                _meeting(s.id, facilitator.id, 1, datetime(2026, 10, 8, 16, 0, tzinfo=UTC),
                         sent=datetime(2026, 10, 20, 16, 0, tzinfo=UTC)),
                _meeting(s.id, facilitator.id, 2, LAST_MINUTE_OF_OCTOBER,
                         sent=datetime(2026, 11, 1, 18, 0, tzinfo=UTC)),
                _meeting(s.id, facilitator.id, 3, datetime(2026, 11, 19, 16, 0, tzinfo=UTC),
                         installed=False),
            ]  # fmt: skip
            session.add_all(meetings)
            await session.flush()
            agreement = Agreement(
                secretariat_id=s.id, year=2026, sequence=1, code="ACU-2026-001",
                meeting_id=meetings[0].id, text="Publicar", due_date=date(2026, 11, 15),
                status="pendiente", created_at=CREATED, created_by=facilitator.id,
            )  # fmt: skip
            session.add(agreement)
            ids.append(s.id)
    return ids


def _meeting(
    secretariat_id: int,
    member_id: int,
    number: int,
    at: datetime,
    *,
    sent: datetime | None = None,
    installed: bool = True,
) -> Meeting:
    return Meeting(
        secretariat_id=secretariat_id, number=number,
        kind="ordinaria",
        title=f"Sesión {number}", starts_at=at, place="Sala", agenda=["Lista"],
        state="concluida" if installed else "sin_quorum", created_at=at - timedelta(days=10),
        created_by=member_id, installed_at=at + timedelta(minutes=5) if installed else None,
        minutes_sent_at=sent,
    )  # fmt: skip


async def test_the_figures_of_each_secretariat(db: Database) -> None:
    (only,) = await _seed(db, 1)
    async with db() as session:
        (view,) = await compliance.for_secretariats(session, [only], now=NOW)
    assert (view.state, view.state_slug) == ("Michoacán", "michoacan")
    assert view.today == date(2026, 12, 2)
    months = {m.month: m for m in view.report.months}
    assert next(iter(months)) == Month(2026, 1)  # created in January: 12 months up to December
    october, november = months[Month(2026, 10)], months[Month(2026, 11)]
    # the session at 23:30 on October 31st (local) is October's: its minutes, sent on
    # November 1st, are late (R15: by the last day of the session's month)
    assert (october.ordinary_held, october.minutes_on_time, october.minutes_late) == (2, 1, 1)
    assert november.without_ordinary
    assert november.ordinary_without_quorum == 1
    assert november.agreements_overdue == 1
    assert view.report.agreements_overdue == 1
    assert view.report.months_without_ordinary == 10  # Jan–Sep and November


async def test_a_hundred_secretariats_in_three_queries(db: Database) -> None:
    ids = await _seed(db, 120)
    await _seed(db, 5, state="Jalisco")
    async with db() as session:
        with counting(db) as few:
            await compliance.for_secretariats(session, ids[:3], now=NOW)
        with counting(db) as many:
            started = time.perf_counter()
            views = await compliance.for_secretariats(session, ids, now=NOW)
            elapsed = time.perf_counter() - started
        with counting(db) as state:
            michoacan = await compliance.for_state(session, "Michoacán", now=NOW)
        states = await compliance.states(session)
    assert len(few) == len(many) == 3, many
    assert len(state) == 3
    assert len(views) == len(michoacan) == 120
    assert all(v.report.minutes_late == 1 for v in views)
    assert [(s.name, s.slug, s.secretariats) for s in states] == [
        ("Jalisco", "jalisco", 5),
        ("Michoacán", "michoacan", 120),
    ]
    assert elapsed < 5.0, f"120 secretariats took {elapsed:.2f} s"
