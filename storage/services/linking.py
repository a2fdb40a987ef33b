"""Linking notices to the facilitator, grouped and owed until sent (commands.md "Roster in bulk").

When a member opens their invitation link, the facilitator is told. Many people linking
within a minute (a facilitator who shared 150 links at once) must give the facilitator
one message naming them, not 150: so a linking only records that a notice is owed
(``members.link_noticed_at`` is NULL), and ``bot.linking`` decides when to send. The
facilitator's own linking owes nothing (there is nobody else to tell). A notice is claimed
(the column set) in the unit of work that sends it, so racing flushes and restarts never
name anyone twice, and what was owed when the bot stopped is sent at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Member, Seat, Secretariat


@dataclass(frozen=True)
class Linked:
    """One person named in a linking notice."""

    number: int
    full_name: str
    role: str
    seat_name: str | None


@dataclass(frozen=True)
class Notice:
    """One grouped notice: who linked since the last one, and where it goes."""

    secretariat_id: int
    secretariat_name: str
    facilitator_chat_id: int
    linked: list[Linked]


async def owed(session: AsyncSession) -> list[int]:
    """Secretariats that owe their facilitator a linking notice (start-up)."""
    rows = await session.scalars(
        select(Member.secretariat_id)
        .where(Member.linked_at.is_not(None), Member.link_noticed_at.is_(None), Member.active)
        .distinct()
    )
    return list(rows)


async def last_notice(session: AsyncSession, secretariat_id: int) -> datetime | None:
    """When the facilitator was last told of a linking (grouping starts from it)."""
    return await session.scalar(
        select(func.max(Member.link_noticed_at)).where(
            Member.secretariat_id == secretariat_id, Member.role != "facilitador"
        )
    )


async def claim(session: AsyncSession, *, secretariat_id: int, now: datetime) -> Notice | None:
    """Mark everyone owed as told and return the notice naming them; ``None`` if nobody.

    With no linked facilitator the notice is kept owed (the facilitator is told once they
    link). The update only touches rows still owed, so two flushes never name one person
    twice.
    """
    facilitator = await session.scalar(
        select(Member.telegram_user_id).where(
            Member.secretariat_id == secretariat_id,
            Member.role == "facilitador",
            Member.active,
            Member.telegram_user_id.is_not(None),
        )
    )
    if facilitator is None:
        return None
    ids = list(
        await session.scalars(
            update(Member)
            .where(
                Member.secretariat_id == secretariat_id,
                Member.linked_at.is_not(None),
                Member.link_noticed_at.is_(None),
                Member.active,
            )
            .values(link_noticed_at=now)
            .returning(Member.id)
        )
    )
    if not ids:
        return None
    rows = await session.execute(
        select(Member.number, Member.full_name, Member.role, Seat.name)
        .outerjoin(Seat, Seat.id == Member.seat_id)
        .where(Member.id.in_(ids), Member.role != "facilitador")
        .order_by(Member.linked_at, Member.number)
    )
    linked = [Linked(n, name or "", role, seat) for n, name, role, seat in rows]
    if not linked:
        return None
    secretariat = await session.get_one(Secretariat, secretariat_id)
    return Notice(secretariat_id, secretariat.name, facilitator, linked)
