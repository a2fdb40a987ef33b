"""Who will attend: RSVPs with substitutes (R3) and the ``/quorum`` forecast (R3, R9).

Answers are appended, never overwritten, so each change keeps its time; a titular who
sends their substitute hands the seat over until they answer again (R3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import attendance
from domain.attendance import Answer, SeatState, SubstituteAnswer, TitularAnswer
from domain.errors import AlreadyRecorded, NotYourButton, StaleButton
from domain.roles import Role, Target
from storage.models import AttendanceAnswer, Meeting, Member, Seat, Secretariat
from storage.services import access, act_chain, audit, meetings
from storage.services.convocations import Recipient
from storage.services.meetings import MeetingView, by_number, next_meeting, view_of
from storage.services.secretariats import settings_of


async def _meeting_for_button(session: AsyncSession, meeting_id: int, now: datetime) -> Meeting:
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None or meeting.state != "convocada" or now >= meeting.starts_at:
        raise StaleButton()
    return meeting


async def _seat_member(
    session: AsyncSession, meeting: Meeting, telegram_user_id: int, role: Role
) -> Member:
    member = await access.member_of(session, meeting.secretariat_id, telegram_user_id)
    if member is None or member.role != role.value or member.seat_id is None:
        raise NotYourButton()
    return member


async def _latest(
    session: AsyncSession, meeting_id: int, seat_id: int, role: str
) -> AttendanceAnswer | None:
    return await session.scalar(
        select(AttendanceAnswer)
        .where(
            AttendanceAnswer.meeting_id == meeting_id,
            AttendanceAnswer.seat_id == seat_id,
            AttendanceAnswer.role == role,
        )
        .order_by(AttendanceAnswer.id.desc())
        .limit(1)
    )


async def _holder(session: AsyncSession, seat_id: int, role: Role) -> Member | None:
    return await session.scalar(
        select(Member).where(Member.seat_id == seat_id, Member.role == role.value, Member.active)
    )


async def _store_answer(
    session: AsyncSession, meeting: Meeting, member: Member, role: Role, answer: str, now: datetime
) -> None:
    """Append an answer (never overwrite: each change keeps its time), chain and audit it."""
    assert member.seat_id is not None
    row = AttendanceAnswer(
        meeting_id=meeting.id,
        seat_id=member.seat_id,
        member_id=member.id,
        role=role.value,
        answer=answer,
        at=now,
    )
    session.add(row)
    await act_chain.answered(session, row, secretariat_id=meeting.secretariat_id, now=now)
    audit.record(
        session,
        now=now,
        action=f"rsvp.{role.value}",
        secretariat_id=meeting.secretariat_id,
        member_id=member.id,
        meeting_id=meeting.id,
        answer=answer,
    )


@dataclass(frozen=True)
class RsvpOutcome:
    """A titular's answer, stored; and whom to ask or tell next."""

    meeting: MeetingView
    seat_name: str
    answer: TitularAnswer
    substitute: Recipient | None  # to be asked to cover the seat
    no_substitute: bool


async def rsvp(
    session: AsyncSession, *, now: datetime, meeting_id: int, telegram_user_id: int, answer: str
) -> RsvpOutcome:
    """Store a titular's RSVP; a repeat of the current answer changes nothing (R3)."""
    meeting = await _meeting_for_button(session, meeting_id, now)
    member = await _seat_member(session, meeting, telegram_user_id, Role.TITULAR)
    value = TitularAnswer(answer)
    assert member.seat_id is not None
    latest = await _latest(session, meeting.id, member.seat_id, Role.TITULAR.value)
    if latest is not None and latest.answer == value.value:
        raise AlreadyRecorded(TITULAR_LABELS[value])
    await _store_answer(session, meeting, member, Role.TITULAR, value.value, now)
    seat = await session.get_one(Seat, member.seat_id)
    substitute = await _holder(session, seat.id, Role.SUPLENTE)
    asks = attendance.asks_substitute(value, substitute is not None)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    return RsvpOutcome(
        view_of(meeting, secretariat),
        seat.name,
        value,
        Recipient(
            substitute.id,
            substitute.number,
            substitute.full_name or "",
            substitute.role,
            seat.name,
            substitute.telegram_user_id,
        )
        if asks and substitute is not None
        else None,
        no_substitute=value is TitularAnswer.SUPLENTE and substitute is None,
    )


TITULAR_LABELS = {
    TitularAnswer.ASISTIRE: "Asistiré",
    TitularAnswer.SUPLENTE: "Asistirá mi suplente",
    TitularAnswer.NO_ASISTIRE: "No asistiré",
}
SUBSTITUTE_LABELS = {
    SubstituteAnswer.SI: "Asistiré en representación",
    SubstituteAnswer.NO: "No podré asistir",
}


@dataclass(frozen=True)
class CoverOutcome:
    """A substitute's answer, and the titular to tell."""

    meeting: MeetingView
    seat_name: str
    substitute_name: str
    answer: SubstituteAnswer
    titular_chat_id: int | None


async def cover(
    session: AsyncSession, *, now: datetime, meeting_id: int, telegram_user_id: int, answer: str
) -> CoverOutcome:
    """Store a substitute's answer to "¿asistes en representación?" (R3)."""
    meeting = await _meeting_for_button(session, meeting_id, now)
    member = await _seat_member(session, meeting, telegram_user_id, Role.SUPLENTE)
    assert member.seat_id is not None
    titular_answer = await _latest(session, meeting.id, member.seat_id, Role.TITULAR.value)
    has_substitute = True
    if titular_answer is None or not attendance.asks_substitute(
        TitularAnswer(titular_answer.answer), has_substitute
    ):
        raise StaleButton()  # the titular took the seat back
    value = SubstituteAnswer(answer)
    latest = await _latest(session, meeting.id, member.seat_id, Role.SUPLENTE.value)
    if latest is not None and latest.answer == value.value and latest.at >= titular_answer.at:
        raise AlreadyRecorded(SUBSTITUTE_LABELS[value])
    await _store_answer(session, meeting, member, Role.SUPLENTE, value.value, now)
    seat = await session.get_one(Seat, member.seat_id)
    titular = await _holder(session, seat.id, Role.TITULAR)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    return CoverOutcome(
        view_of(meeting, secretariat),
        seat.name,
        member.full_name or "",
        value,
        titular.telegram_user_id if titular else None,
    )


@dataclass(frozen=True)
class SeatLine:
    """One seat in ``/quorum``."""

    seat_name: str
    state: SeatState
    titular: str | None
    substitute: str | None


@dataclass(frozen=True)
class QuorumView:
    """``/quorum``."""

    meeting: MeetingView
    seats: list[SeatLine]
    forecast: attendance.QuorumForecast
    rule: str


async def quorum(
    session: AsyncSession, *, now: datetime, target: Target, number: int | None
) -> QuorumView:
    """Per seat, who confirmed, declined or has not answered; the verdict (R3, R9)."""
    meeting = (
        await by_number(session, target, number)
        if number is not None
        else await next_meeting(session, target, now)
    )
    secretariat = await meetings.secretariat(session, target)
    settings = settings_of(secretariat)
    seats = list(
        await session.scalars(
            select(Seat)
            .where(Seat.secretariat_id == secretariat.id, Seat.active)
            .order_by(Seat.position)
        )
    )
    members = list(
        await session.scalars(
            select(Member).where(Member.secretariat_id == secretariat.id, Member.active)
        )
    )
    answers = list(
        await session.scalars(
            select(AttendanceAnswer)
            .where(AttendanceAnswer.meeting_id == meeting.id)
            .order_by(AttendanceAnswer.id)
        )
    )
    lines = []
    for seat in seats:
        titular = next(
            (m for m in members if m.seat_id == seat.id and m.role == Role.TITULAR), None
        )
        substitute = next(
            (m for m in members if m.seat_id == seat.id and m.role == Role.SUPLENTE), None
        )
        last: dict[str, Answer] = {}
        for row in answers:
            if row.seat_id == seat.id:
                last[row.role] = Answer(row.answer, row.at)
        state = attendance.seat_state(
            last.get(Role.TITULAR.value),
            last.get(Role.SUPLENTE.value),
            has_substitute=substitute is not None,
        )
        lines.append(
            SeatLine(
                seat.name,
                state,
                titular.full_name if titular else None,
                substitute.full_name if substitute else None,
            )
        )
    filled = len({m.seat_id for m in members if m.role == Role.TITULAR and m.seat_id})
    outlook = attendance.forecast(
        (line.state for line in lines),
        established=len(seats),
        filled=filled,
        rule=settings.quorum_rule,
        base=settings.quorum_base,
    )
    return QuorumView(view_of(meeting, secretariat), lines, outlook, settings.quorum_rule.value)
