"""A removal vote's result applied to its request and the roster (R4, R12, R21).

``votes.close`` calls :func:`settle` in the unit of work that closes a vote with purpose
``remocion``, so the result, the request's state and the roster change commit together:
an approved removal deactivates the member exactly as ``/baja`` does (``roster.retire``:
the entry and its history stay, the Telegram id is erased), a rejected one (a tie too,
R12) leaves the roster as it was. A module of its own because ``votes`` depends on it,
while opening the vote (``removals``) depends on ``votes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import removal as rules
from domain.removal import State
from domain.roles import Role
from storage.models import Member, RemovalRequest, Secretariat, Vote
from storage.services import audit, roster


@dataclass(frozen=True)
class Settled:
    """What a closed removal vote decided, and who to tell."""

    number: int
    member_name: str
    member_role: str
    seat_name: str | None
    approved: bool
    outcome: str
    secretariat_name: str
    facilitator_chat: int | None
    group_chat_id: int | None
    #: The removed person's former account, to tell them and refresh their menu (R21:
    #: held in memory for that notice only; the row no longer has it).
    former_telegram_user_id: int | None


async def settle(
    session: AsyncSession, *, now: datetime, vote: Vote, approved: bool
) -> Settled | None:
    """Apply the vote's outcome to its request; ``None`` if it lapsed meanwhile."""
    row = await session.scalar(
        select(RemovalRequest).where(RemovalRequest.vote_id == vote.id).with_for_update()
    )
    if row is None or State(row.state) is not State.EN_AGENDA:
        return None  # the member left the roster while the vote was open: caducada
    member = await session.get_one(Member, row.member_id)
    row.state = rules.outcome_state(approved).value
    row.closed_at = now
    audit.record(
        session,
        now=now,
        action=f"removal.{row.state}",
        secretariat_id=row.secretariat_id,
        member_id=vote.created_by,
        number=row.number,
        vote_id=vote.id,
        outcome=vote.outcome,
    )
    removed = (
        await roster.retire(
            session, now=now, member=member, by_member_id=vote.created_by, removal=str(row.number)
        )
        if approved
        else None
    )
    secretariat = await session.get_one(Secretariat, row.secretariat_id)
    facilitator = await session.scalar(
        select(Member.telegram_user_id).where(
            Member.secretariat_id == row.secretariat_id,
            Member.active,
            Member.role == Role.FACILITADOR.value,
        )
    )
    return Settled(
        number=row.number,
        member_name=member.full_name or "",
        member_role=member.role,
        seat_name=removed.seat_name if removed else None,
        approved=approved,
        outcome=vote.outcome or "",
        secretariat_name=secretariat.name,
        facilitator_chat=facilitator,
        group_chat_id=secretariat.group_chat_id,
        former_telegram_user_id=removed.former_telegram_user_id if removed else None,
    )
