"""``action_plan.overview`` (``/compromisos``, the report): two queries for 200 commitments,
on SQLite and PostgreSQL, and one secretariat's plan only (R16a)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import event

from domain.action_plan import Level
from storage.db import Database, engine_of
from storage.models import Commitment, CommitmentMilestone, Member, Secretariat
from storage.services import action_plan

NOW = datetime(2027, 2, 1, 18, 0, tzinfo=UTC)


async def _seed(db: Database, name: str, commitments: int) -> int:
    async with db.begin() as session:
        secretariat = Secretariat(name=name, created_at=NOW, created_by=1)
        session.add(secretariat)
        await session.flush()
        member = Member(
            secretariat_id=secretariat.id, number=1, role="facilitador", created_at=NOW
        )
        session.add(member)
        await session.flush()
        rows = [
            Commitment(
                secretariat_id=secretariat.id,
                number=n,
                title=f"Compromiso {n}",
                ogp_values="transparencia",
                level="no_iniciado",
                level_manual=False,
                created_at=NOW,
                created_by=member.id,
            )
            for n in range(1, commitments + 1)
        ]
        session.add_all(rows)
        await session.flush()
        session.add_all(
            CommitmentMilestone(
                commitment_id=c.id,
                number=m,
                text=f"Hito {m}",
                due_date=date(2027, 1, 10 * m),
                weight=m,
                done=m <= c.number % 4,
                created_at=NOW,
            )
            for c in rows
            for m in (1, 2, 3)
        )
        return secretariat.id


async def test_overview_reads_200_commitments_in_two_queries(db: Database) -> None:
    zamora = await _seed(db, "Zamora", 200)
    await _seed(db, "Jacona", 3)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    sync_engine = engine_of(db).sync_engine
    async with db() as session:
        event.listen(sync_engine, "before_cursor_execute", count)
        try:
            views = await action_plan.overview(session, zamora, today=date(2027, 1, 25))
        finally:
            event.remove(sync_engine, "before_cursor_execute", count)
    assert len(statements) == 2, statements
    assert [v.code for v in views] == [f"C-{n}" for n in range(1, 201)]
    first, third = views[0], views[2]
    assert [m.code for m in first.milestones] == ["C-1.1", "C-1.2", "C-1.3"]
    assert first.share == Fraction(1, 6)  # weight 1 of 1+2+3
    assert third.share == 1
    assert third.next_milestone is None
    assert first.next_milestone is not None
    assert first.next_milestone.code == "C-1.2"  # due 2027-01-20, before today: overdue
    assert first.next_milestone.overdue
    assert not first.milestones[2].overdue  # due 2027-01-30
    assert first.level is Level.NO_INICIADO  # the stored level: these rows never set it
    assert first.ogp_values == ("transparencia",)
