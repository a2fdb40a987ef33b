"""Read-only looks into the database, to prove what was (not) saved."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.db import Database
from storage.models import AuditEntry, Invitation, Member, Seat, Secretariat


async def count(db: Database, model: type) -> int:
    """Rows of a model."""
    async with db() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def snapshot(db: Database) -> tuple[int, ...]:
    """Row counts of every table a refusal must leave untouched."""
    return (
        await count(db, Secretariat),
        await count(db, Seat),
        await count(db, Member),
        await count(db, Invitation),
        await count(db, AuditEntry),
    )


async def member(db: Database, number: int, secretariat: str = "Zamora") -> Member:
    """A roster entry by number."""
    async with db() as session:
        found = await session.scalar(
            select(Member)
            .join(Secretariat, Secretariat.id == Member.secretariat_id)
            .where(Secretariat.name == secretariat, Member.number == number)
        )
        assert found is not None
        return found


async def audit_actions(db: Database) -> list[str]:
    """Audit actions in order."""
    async with db() as session:
        return list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
