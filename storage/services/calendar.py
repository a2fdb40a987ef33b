"""Declared non-working days and the customary days proposed each year (R8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.calendar import BusinessCalendar, expand_range
from domain.errors import BadRange, DayAlreadyDeclared, DayNotDeclared, StaleButton
from domain.notice import local_date
from domain.proposals import customary_to_propose
from domain.roles import Target
from domain.roster import clean_name
from storage.models import CustomaryProposal, Member, NonWorkingDay, Secretariat
from storage.services import audit


async def calendar_for(session: AsyncSession, secretariat_id: int) -> BusinessCalendar:
    """The secretariat's business calendar: official holidays plus its declared days."""
    days = await session.scalars(
        select(NonWorkingDay.day).where(NonWorkingDay.secretariat_id == secretariat_id)
    )
    return BusinessCalendar(declared=frozenset(days))


@dataclass(frozen=True)
class Declared:
    """Outcome of ``/inhabil``."""

    days: list[date]
    already: list[date]
    reason: str


async def declare(
    session: AsyncSession,
    *,
    now: datetime,
    target: Target,
    start: date,
    end: date | None,
    reason: str,
) -> Declared:
    """Declare one day or a range non-working, with its reason or source (R8)."""
    reason = clean_name(reason, command="inhabil", limit=200)
    try:
        days = expand_range(start, end or start)
    except ValueError:
        raise BadRange(start.isoformat(), (end or start).isoformat()) from None
    existing = set(
        await session.scalars(
            select(NonWorkingDay.day).where(
                NonWorkingDay.secretariat_id == target.secretariat_id,
                NonWorkingDay.day.in_(days),
            )
        )
    )
    new = [day for day in days if day not in existing]
    if not new:
        raise DayAlreadyDeclared(start.isoformat())
    for day in new:
        session.add(
            NonWorkingDay(
                secretariat_id=target.secretariat_id,
                day=day,
                reason=reason,
                created_at=now,
                created_by=target.membership.member_id,
            )
        )
    audit.record(
        session,
        now=now,
        action="calendar.declared",
        secretariat_id=target.secretariat_id,
        member_id=target.membership.member_id,
        days=[d.isoformat() for d in new],
        reason=reason,
    )
    return Declared(new, sorted(existing), reason)


async def undeclare(session: AsyncSession, *, now: datetime, target: Target, day: date) -> str:
    """``/habil``: remove a declared day; official holidays cannot be removed (R8)."""
    row = await session.scalar(
        select(NonWorkingDay).where(
            NonWorkingDay.secretariat_id == target.secretariat_id, NonWorkingDay.day == day
        )
    )
    if row is None:
        raise DayNotDeclared(day.isoformat(), BusinessCalendar().official_holiday(day))
    reason = row.reason
    await session.execute(delete(NonWorkingDay).where(NonWorkingDay.id == row.id))
    audit.record(
        session,
        now=now,
        action="calendar.undeclared",
        secretariat_id=target.secretariat_id,
        member_id=target.membership.member_id,
        day=day.isoformat(),
        reason=reason,
    )
    return reason


@dataclass(frozen=True)
class Proposal:
    """A customary day waiting for the facilitator's decision."""

    id: int
    day: date
    label: str


@dataclass(frozen=True)
class CalendarView:
    """``/inhabiles``."""

    declared: list[tuple[date, str]]
    holidays: list[tuple[date, str]]
    proposals: list[Proposal]


async def overview(session: AsyncSession, secretariat_id: int, today: date) -> CalendarView:
    """Declared days from today on, official holidays of the next year, pending proposals."""
    declared = await session.execute(
        select(NonWorkingDay.day, NonWorkingDay.reason)
        .where(NonWorkingDay.secretariat_id == secretariat_id, NonWorkingDay.day >= today)
        .order_by(NonWorkingDay.day)
    )
    calendar = BusinessCalendar()
    holidays = []
    for offset in range(366):
        day = today + timedelta(days=offset)
        name = calendar.official_holiday(day)
        if name:
            holidays.append((day, name))
    return CalendarView(
        [(d, r) for d, r in declared],
        holidays,
        await pending_proposals(session, secretariat_id),
    )


async def pending_proposals(session: AsyncSession, secretariat_id: int) -> list[Proposal]:
    """Customary days still waiting for a decision."""
    rows = await session.scalars(
        select(CustomaryProposal)
        .where(
            CustomaryProposal.secretariat_id == secretariat_id,
            CustomaryProposal.status == "pendiente",
        )
        .order_by(CustomaryProposal.day)
    )
    return [Proposal(row.id, row.day, row.label) for row in rows]


async def propose_customary(
    session: AsyncSession, *, now: datetime, secretariat_id: int, today: date
) -> list[Proposal]:
    """Record the customary days ahead as proposals, once (R8: none applies until confirmed)."""
    known = set(
        await session.scalars(
            select(CustomaryProposal.day).where(CustomaryProposal.secretariat_id == secretariat_id)
        )
    )
    created = []
    for day, label in customary_to_propose(today):
        if day in known:
            continue
        row = CustomaryProposal(
            secretariat_id=secretariat_id, day=day, label=label, created_at=now
        )
        session.add(row)
        await session.flush()
        created.append(Proposal(row.id, day, label))
    return created


@dataclass(frozen=True)
class Decision:
    """A proposal confirmed or dismissed."""

    day: date
    label: str
    accepted: bool


async def decide(
    session: AsyncSession, *, now: datetime, target: Target, proposal_id: int, accept: bool
) -> Decision:
    """Apply (declare) or dismiss a customary day; each proposal is decided once."""
    row = await session.get(CustomaryProposal, proposal_id, with_for_update=True)
    if row is None or row.secretariat_id != target.secretariat_id or row.status != "pendiente":
        raise StaleButton()
    row.status = "confirmado" if accept else "descartado"
    row.decided_at = now
    if accept:
        exists = await session.scalar(
            select(NonWorkingDay.id).where(
                NonWorkingDay.secretariat_id == target.secretariat_id,
                NonWorkingDay.day == row.day,
            )
        )
        if exists is None:
            session.add(
                NonWorkingDay(
                    secretariat_id=target.secretariat_id,
                    day=row.day,
                    reason=f"{row.label} (día inhábil acostumbrado, confirmado por la persona "
                    "facilitadora)",
                    created_at=now,
                    created_by=target.membership.member_id,
                )
            )
    audit.record(
        session,
        now=now,
        action="calendar.proposal_decided",
        secretariat_id=target.secretariat_id,
        member_id=target.membership.member_id,
        day=row.day.isoformat(),
        accepted=accept,
    )
    return Decision(row.day, row.label, accept)


async def secretariat_of_proposal(session: AsyncSession, proposal_id: int) -> int | None:
    """Which secretariat a proposal button belongs to (to authorize the presser)."""
    return await session.scalar(
        select(CustomaryProposal.secretariat_id).where(CustomaryProposal.id == proposal_id)
    )


@dataclass(frozen=True)
class ToPropose:
    """New proposals for one secretariat's facilitator."""

    chat_id: int
    secretariat_name: str
    proposals: list[Proposal]


async def propose_everywhere(session: AsyncSession, *, now: datetime) -> list[ToPropose]:
    """Create the due proposals of every secretariat whose facilitator is bound."""
    rows = await session.execute(
        select(Secretariat.id, Secretariat.name, Secretariat.time_zone, Member.telegram_user_id)
        .join(Member, Member.secretariat_id == Secretariat.id)
        .where(
            Member.role == "facilitador",
            Member.active,
            Member.telegram_user_id.is_not(None),
        )
    )
    out = []
    for secretariat_id, name, tz, chat_id in list(rows):
        created = await propose_customary(
            session, now=now, secretariat_id=secretariat_id, today=local_date(now, tz)
        )
        if created:
            out.append(ToPropose(chat_id, name, created))
    return out
