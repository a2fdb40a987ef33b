"""Who the caller is: every active role they hold, for the guard to authorize (R2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.roles import GARANTE_SEAT, VOTING_ROLES, Actor, Membership, Role
from storage.db import insert_for
from storage.models import Member, PublishedMenu, Seat, Secretariat


async def load_actor(session: AsyncSession, telegram_user_id: int, *, is_admin: bool) -> Actor:
    """The caller with all their active roster entries, in every secretariat."""
    rows = await session.execute(
        select(Member, Secretariat.name, Seat.key)
        .join(Secretariat, Secretariat.id == Member.secretariat_id)
        .outerjoin(Seat, Seat.id == Member.seat_id)
        .where(Member.telegram_user_id == telegram_user_id, Member.active)
        .order_by(Secretariat.name, Member.number)
    )
    memberships = tuple(
        Membership(
            secretariat_id=member.secretariat_id,
            secretariat_name=name,
            member_id=member.id,
            number=member.number,
            role=Role(member.role),
            seat_key=seat_key,
        )
        for member, name, seat_key in rows
    )
    return Actor(telegram_user_id=telegram_user_id, is_admin=is_admin, memberships=memberships)


async def secretariats_of(session: AsyncSession, telegram_user_id: int) -> set[int]:
    """The secretariats where this account holds an active role."""
    return set(
        await session.scalars(
            select(Member.secretariat_id).where(
                Member.telegram_user_id == telegram_user_id, Member.active
            )
        )
    )


async def group_secretariat(session: AsyncSession, chat_id: int) -> int | None:
    """The secretariat whose official channel this group is, if any."""
    return await session.scalar(select(Secretariat.id).where(Secretariat.group_chat_id == chat_id))


async def linked_accounts(session: AsyncSession) -> dict[int, set[Role]]:
    """Every bound Telegram account with its roles, to publish per-chat menus at start-up."""
    rows = await session.execute(
        select(Member.telegram_user_id, Member.role, Seat.key)
        .outerjoin(Seat, Seat.id == Member.seat_id)
        .where(Member.active, Member.telegram_user_id.is_not(None))
    )
    accounts: dict[int, set[Role]] = {}
    for user_id, role, seat_key in rows:
        held = accounts.setdefault(user_id, set())
        held.add(Role(role))
        # The garante seat's titular and substitute get /cumplimiento (Actor.roles, R1).
        if Role(role) in VOTING_ROLES and seat_key == GARANTE_SEAT:
            held.add(Role.ENLACE_GARANTE)
    return accounts


async def member_of(
    session: AsyncSession, secretariat_id: int, telegram_user_id: int
) -> Member | None:
    """The caller's active roster entry in one secretariat (every button re-checks it)."""
    return await session.scalar(
        select(Member).where(
            Member.secretariat_id == secretariat_id,
            Member.telegram_user_id == telegram_user_id,
            Member.active,
        )
    )


async def published_menus(session: AsyncSession) -> dict[int, str]:
    """The signature of the menu last published at start-up, per private chat."""
    rows = await session.execute(select(PublishedMenu.telegram_user_id, PublishedMenu.signature))
    return dict(rows.tuples().all())


async def remember_menus(
    session: AsyncSession, published: dict[int, str], *, now: datetime
) -> None:
    """Store what start-up just published (one row per chat, replaced)."""
    rows = [
        {"telegram_user_id": user_id, "signature": signature, "published_at": now}
        for user_id, signature in published.items()
    ]
    for start in range(0, len(rows), 500):
        statement = insert_for(session, PublishedMenu).values(rows[start : start + 500])
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["telegram_user_id"],
                set_={
                    "signature": statement.excluded.signature,
                    "published_at": statement.excluded.published_at,
                },
            )
        )
