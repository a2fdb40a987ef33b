"""Roster use cases: add, deactivate, re-invite and list members (R1–R3, R21)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import (
    CannotRemoveFacilitator,
    EntryAlreadyLinked,
    EntryInactive,
    EntryNotFound,
    SeatTaken,
    UnknownSector,
)
from domain.roles import Role, Target
from domain.roster import clean_name
from storage.models import Member, Seat, Secretariat
from storage.services import audit, invitations, removal_lapse


@dataclass(frozen=True)
class Invited:
    """A roster entry with a fresh invitation token."""

    number: int
    full_name: str
    role: str
    seat_name: str | None
    token: str


async def add_member(
    session: AsyncSession,
    *,
    now: datetime,
    target: Target,
    role: Role,
    name: str,
    seat_key: str | None,
    ttl: timedelta,
) -> Invited:
    """``/alta``: a titular or substitute for a seat, or an observer (R1, R2)."""
    full_name = clean_name(name, command="alta")
    seat: Seat | None = None
    if role in (Role.TITULAR, Role.SUPLENTE):
        seats = list(
            await session.scalars(
                select(Seat)
                .where(Seat.secretariat_id == target.secretariat_id, Seat.active)
                .order_by(Seat.position)
            )
        )
        seat = next((s for s in seats if s.key == (seat_key or "").lower()), None)
        if seat is None:
            raise UnknownSector(seat_key or "", [s.key for s in seats])
        holder = await session.scalar(
            select(Member.full_name).where(
                Member.seat_id == seat.id, Member.role == role.value, Member.active
            )
        )
        if holder is not None:
            raise SeatTaken(seat.name, role.value, holder)
    number = (
        await session.scalar(
            select(func.coalesce(func.max(Member.number), 0)).where(
                Member.secretariat_id == target.secretariat_id
            )
        )
        or 0
    ) + 1
    member = Member(
        secretariat_id=target.secretariat_id,
        number=number,
        role=role.value,
        seat_id=seat.id if seat else None,
        full_name=full_name,
        created_at=now,
    )
    session.add(member)
    try:
        await session.flush()
    except IntegrityError:
        # Another facilitator's /alta won the race for the same seat (R1's constraint).
        raise SeatTaken(seat.name if seat else "", role.value, "otra persona") from None
    token = await invitations.issue(session, member=member, now=now, ttl=ttl)
    audit.record(
        session,
        now=now,
        action="member.added",
        secretariat_id=target.secretariat_id,
        member_id=target.membership.member_id,
        number=number,
        role=role.value,
        seat=seat.key if seat else None,
        name=full_name,
    )
    return Invited(number, full_name, role.value, seat.name if seat else None, token)


async def _entry(session: AsyncSession, target: Target, number: int) -> Member:
    member = await session.scalar(
        select(Member).where(
            Member.secretariat_id == target.secretariat_id, Member.number == number
        )
    )
    if member is None:
        raise EntryNotFound(number)
    if not member.active:
        raise EntryInactive(number)
    return member


@dataclass(frozen=True)
class Removed:
    """Outcome of ``/baja``; the former account id lets the caller refresh that menu."""

    number: int
    full_name: str
    role: str
    seat_name: str | None
    former_telegram_user_id: int | None


async def deactivate(
    session: AsyncSession, *, now: datetime, target: Target, number: int
) -> Removed:
    """``/baja n``: deactivate, revoke pending invitations, erase the Telegram id (R21)."""
    member = await _entry(session, target, number)
    if member.role == Role.FACILITADOR.value:
        raise CannotRemoveFacilitator(number)
    return await retire(session, now=now, member=member, by_member_id=target.membership.member_id)


async def retire(
    session: AsyncSession, *, now: datetime, member: Member, by_member_id: int | None, **why: str
) -> Removed:
    """Deactivate an entry, revoke its invitations and erase its Telegram id (R21).

    ``/baja`` and an approved removal (R4) both end here, so leaving the roster means
    the same whichever way it happens: the entry and its history stay, the account goes,
    and the removal requests it was part of lapse (``removal_lapse``).
    """
    seat = await session.get(Seat, member.seat_id) if member.seat_id else None
    former = member.telegram_user_id
    member.active = False
    member.deactivated_at = now
    member.telegram_user_id = None
    await invitations.revoke_pending(session, member_id=member.id, now=now)
    await removal_lapse.member_left(session, now=now, member=member)  # R4
    audit.record(
        session,
        now=now,
        action="member.deactivated",
        secretariat_id=member.secretariat_id,
        member_id=by_member_id,
        number=member.number,
        **why,
    )
    return Removed(
        member.number, member.full_name or "", member.role, seat.name if seat else None, former
    )


async def reinvite(
    session: AsyncSession, *, now: datetime, target: Target, number: int, ttl: timedelta
) -> Invited:
    """``/invitar n``: a new link for an unbound entry (the old one stops working)."""
    member = await _entry(session, target, number)
    if member.telegram_user_id is not None:
        raise EntryAlreadyLinked(number)
    seat = await session.get(Seat, member.seat_id) if member.seat_id else None
    token = await invitations.issue(session, member=member, now=now, ttl=ttl)
    audit.record(
        session,
        now=now,
        action="invitation.reissued",
        secretariat_id=target.secretariat_id,
        member_id=target.membership.member_id,
        number=number,
    )
    return Invited(number, member.full_name or "", member.role, seat.name if seat else None, token)


@dataclass(frozen=True)
class Entry:
    """One roster line; Telegram ids never leave storage (R21)."""

    number: int
    full_name: str | None
    linked: bool


@dataclass(frozen=True)
class SeatLine:
    """A seat with its titular and substitute."""

    key: str
    name: str
    titular: Entry | None
    suplente: Entry | None


@dataclass(frozen=True)
class RosterView:
    """``/integrantes``."""

    secretariat_name: str
    group_title: str | None
    facilitator: Entry | None
    seats: list[SeatLine]
    observers: list[Entry]


async def roster(session: AsyncSession, secretariat_id: int) -> RosterView:
    """The active roster by seat, then the observers."""
    secretariat = await session.get_one(Secretariat, secretariat_id)
    seats = list(
        await session.scalars(
            select(Seat)
            .where(Seat.secretariat_id == secretariat_id, Seat.active)
            .order_by(Seat.position)
        )
    )
    members = list(
        await session.scalars(
            select(Member)
            .where(Member.secretariat_id == secretariat_id, Member.active)
            .order_by(Member.number)
        )
    )

    def entry(member: Member) -> Entry:
        return Entry(member.number, member.full_name, member.telegram_user_id is not None)

    by_seat = {(m.seat_id, m.role): entry(m) for m in members if m.seat_id is not None}
    facilitator = next((entry(m) for m in members if m.role == Role.FACILITADOR.value), None)
    return RosterView(
        secretariat_name=secretariat.name,
        group_title=secretariat.group_title,
        facilitator=facilitator,
        seats=[
            SeatLine(
                seat.key,
                seat.name,
                by_seat.get((seat.id, Role.TITULAR.value)),
                by_seat.get((seat.id, Role.SUPLENTE.value)),
            )
            for seat in seats
        ],
        observers=[entry(m) for m in members if m.role == Role.OBSERVADOR.value],
    )
