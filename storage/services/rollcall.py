"""The roll call: open it, mark who is present, install with quorum, conclude (R9).

``/iniciar`` puts the session "en curso" on its day; members with a seat press
``Presente`` (or the facilitator marks them, ``/presente n``); ``/instalar`` counts
seats present against the quorum rule, or records the session as held without quorum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import attendance
from domain.errors import (
    AlreadyRecorded,
    EntryNotFound,
    NotSessionDay,
    NotYourButton,
    NoUpcomingSession,
    StaleButton,
    WrongSessionState,
)
from domain.notice import local_date
from domain.roles import Role, Target
from domain.secretariat_settings import SecretariatSettings
from storage.models import Meeting, Member, Presence, Seat, Secretariat
from storage.services import access, act_chain, audit, convocations, meetings
from storage.services.convocations import Recipient
from storage.services.meetings import STATE_NAMES, MeetingView, by_number, next_meeting, view_of
from storage.services.secretariats import settings_of


@dataclass(frozen=True)
class RollCall:
    """``/iniciar``: who gets the ``Presente`` button."""

    meeting: MeetingView
    group_chat_id: int | None
    voters: list[Recipient]


async def open_roll_call(
    session: AsyncSession, *, now: datetime, target: Target, number: int | None
) -> RollCall:
    """Open today's roll call: the session goes "en curso" (R9)."""
    meeting = (
        await by_number(session, target, number)
        if number is not None
        else await next_meeting(session, target, now)
    )
    secretariat = await meetings.secretariat(session, target)
    if meeting.state != "convocada":
        raise WrongSessionState(
            meeting.number or 0, STATE_NAMES[meeting.state], "el pase de lista ya se abrió."
        )
    today = local_date(now, secretariat.time_zone)
    day = local_date(meeting.starts_at, secretariat.time_zone)
    if today != day:
        raise NotSessionDay(meeting.number or 0, day.isoformat())
    meeting.state = "en_curso"
    meeting.roll_call_at = now
    audit.record(
        session,
        now=now,
        action="meeting.roll_call",
        secretariat_id=secretariat.id,
        member_id=target.membership.member_id,
        meeting_id=meeting.id,
    )
    recipients = await convocations.recipients(session, secretariat.id)
    voters = [r for r in recipients if r.role in (Role.TITULAR, Role.SUPLENTE)]
    return RollCall(view_of(meeting, secretariat), secretariat.group_chat_id, voters)


async def _current(session: AsyncSession, secretariat_id: int) -> Meeting | None:
    return await session.scalar(
        select(Meeting)
        .where(
            Meeting.secretariat_id == secretariat_id,
            Meeting.state.in_(("en_curso", "instalada", "sin_quorum")),
        )
        .order_by(Meeting.roll_call_at.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Present:
    """Someone marked present."""

    meeting: MeetingView
    full_name: str
    seat_name: str | None
    role: str
    seats_present: int


async def _mark(
    session: AsyncSession, meeting: Meeting, member: Member, now: datetime, by: int | None
) -> Present:
    exists = await session.scalar(
        select(Presence.id).where(
            Presence.meeting_id == meeting.id, Presence.member_id == member.id
        )
    )
    if exists is not None:
        raise AlreadyRecorded("Presente")
    presence = Presence(
        meeting_id=meeting.id,
        member_id=member.id,
        seat_id=member.seat_id,
        at=now,
        marked_by=by,
    )
    session.add(presence)
    await session.flush()
    # Issue 15: the presence is chained in this unit of work.
    await act_chain.present(session, presence, secretariat_id=meeting.secretariat_id, now=now)
    present = await _present_seats(session, meeting.id)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    seat = await session.get(Seat, member.seat_id) if member.seat_id else None
    audit.record(
        session,
        now=now,
        action="meeting.present",
        secretariat_id=meeting.secretariat_id,
        member_id=by or member.id,
        meeting_id=meeting.id,
        present=member.number,
    )
    return Present(
        view_of(meeting, secretariat),
        member.full_name or "",
        seat.name if seat else None,
        member.role,
        present,
    )


async def _present_seats(session: AsyncSession, meeting_id: int) -> int:
    seat_ids = await session.scalars(
        select(Presence.seat_id).where(Presence.meeting_id == meeting_id)
    )
    return attendance.seats_present(seat_ids)


async def present_by_button(
    session: AsyncSession, *, now: datetime, meeting_id: int, telegram_user_id: int
) -> Present:
    """The ``Presente`` button: members with a seat mark themselves (R9)."""
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None or meeting.state not in ("en_curso", "instalada"):
        raise StaleButton()  # late arrivals still count once installed
    member = await access.member_of(session, meeting.secretariat_id, telegram_user_id)
    if member is None or member.seat_id is None:
        raise NotYourButton()
    return await _mark(session, meeting, member, now, None)


async def present_by_number(
    session: AsyncSession, *, now: datetime, target: Target, number: int
) -> Present:
    """``/presente n``: the facilitator marks someone present in person."""
    meeting = await _current(session, target.secretariat_id)
    if meeting is None or meeting.state not in ("en_curso", "instalada"):
        raise NoUpcomingSession()
    member = await session.scalar(
        select(Member).where(
            Member.secretariat_id == target.secretariat_id, Member.number == number, Member.active
        )
    )
    if member is None:
        raise EntryNotFound(number)
    return await _mark(session, meeting, member, now, target.membership.member_id)


@dataclass(frozen=True)
class Installation:
    """``/instalar``."""

    meeting: MeetingView
    installed: bool
    present: int
    required: int
    seats: int
    group_chat_id: int | None


async def install(session: AsyncSession, *, now: datetime, target: Target) -> Installation:
    """Install with quorum (R9), or record the session as held without quorum."""
    meeting = await _current(session, target.secretariat_id)
    if meeting is None:
        raise NoUpcomingSession()
    if meeting.state != "en_curso":
        raise WrongSessionState(
            meeting.number or 0, STATE_NAMES[meeting.state], "ya se instaló o se cerró."
        )
    secretariat = await meetings.secretariat(session, target)
    settings: SecretariatSettings = settings_of(secretariat)
    seats = int(
        await session.scalar(
            select(func.count())
            .select_from(Seat)
            .where(Seat.secretariat_id == secretariat.id, Seat.active)
        )
        or 0
    )
    filled = int(
        await session.scalar(
            select(func.count(func.distinct(Member.seat_id))).where(
                Member.secretariat_id == secretariat.id,
                Member.active,
                Member.role == Role.TITULAR.value,
            )
        )
        or 0
    )
    present = await _present_seats(session, meeting.id)
    denominator = attendance.quorum_denominator(seats, filled, settings.quorum_base)
    required = attendance.quorum_required(denominator, settings.quorum_rule)
    installed = present >= required
    meeting.state = "instalada" if installed else "sin_quorum"
    meeting.installed_at = now if installed else None
    meeting.quorum_required = required
    meeting.seats_present = present
    meeting.seats_total = denominator
    audit.record(
        session,
        now=now,
        action="meeting.installed" if installed else "meeting.no_quorum",
        secretariat_id=secretariat.id,
        member_id=target.membership.member_id,
        meeting_id=meeting.id,
        present=present,
        required=required,
    )
    return Installation(
        view_of(meeting, secretariat),
        installed,
        present,
        required,
        denominator,
        secretariat.group_chat_id,
    )


async def conclude(session: AsyncSession, *, now: datetime, target: Target) -> MeetingView:
    """``/concluir``: close the session in progress."""
    meeting = await _current(session, target.secretariat_id)
    if meeting is None:
        raise NoUpcomingSession()
    meeting.state = "concluida"
    meeting.concluded_at = now
    audit.record(
        session,
        now=now,
        action="meeting.concluded",
        secretariat_id=target.secretariat_id,
        member_id=target.membership.member_id,
        meeting_id=meeting.id,
    )
    return view_of(meeting, await meetings.secretariat(session, target))
