"""Cancellation of a convened session: every seat approves, 24 h ahead at the latest (R11)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import ballots as ballot_rules
from domain.ballots import Cast, VoteKind
from domain.cancellation import (
    CancellationState,
    approvals_close_at,
    can_request,
    cancellation_state,
)
from domain.errors import (
    AlreadyRecorded,
    ApprovalsClosed,
    CancellationPending,
    NotYourButton,
    StaleButton,
    TooLateToCancel,
    WrongSessionState,
)
from domain.outcomes import Choice
from domain.roles import Role, Target
from storage.models import Cancellation, CancellationAnswer, Meeting, Member, Seat, Secretariat
from storage.services import access, act_chain, audit
from storage.services.meetings import STATE_NAMES, MeetingView, by_number, local_stamp, view_of


@dataclass(frozen=True)
class CancellationView:
    """A request with its meeting, reason and where each seat stands."""

    id: int
    meeting: MeetingView
    reason: str
    closes_at: str
    state: str
    approved: list[str]
    pending: list[str]


async def _seat_answers(
    session: AsyncSession, request: Cancellation, seats: list[Seat]
) -> dict[int, bool]:
    """Each seat's answer: the titular's replaces the substitute's (R3, electronic)."""
    rows = list(
        await session.scalars(
            select(CancellationAnswer)
            .where(CancellationAnswer.cancellation_id == request.id)
            .order_by(CancellationAnswer.id)
        )
    )
    counted = ballot_rules.counted(
        [
            Cast(
                r.seat_id,
                r.role,
                r.member_id,
                Choice.A_FAVOR if r.approve else Choice.EN_CONTRA,
                r.at,
            )
            for r in rows
        ],
        kind=VoteKind.ELECTRONICA,
        eligible_seats={s.id for s in seats},
    )
    return {seat: cast.choice is Choice.A_FAVOR for seat, cast in counted.items()}


async def _view(session: AsyncSession, request: Cancellation) -> CancellationView:
    meeting = await session.get_one(Meeting, request.meeting_id)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    seats = await _seats(session, secretariat.id)
    answers = await _seat_answers(session, request, seats)
    return CancellationView(
        request.id,
        view_of(meeting, secretariat),
        request.reason,
        local_stamp(request.closes_at, secretariat.time_zone),
        request.state,
        [s.name for s in seats if answers.get(s.id) is True],
        [s.name for s in seats if s.id not in answers],
    )


async def _seats(session: AsyncSession, secretariat_id: int) -> list[Seat]:
    return list(
        await session.scalars(
            select(Seat)
            .where(Seat.secretariat_id == secretariat_id, Seat.active)
            .order_by(Seat.position)
        )
    )


@dataclass(frozen=True)
class Requested:
    """A request, and who is asked (titulars and substitutes of every seat)."""

    request: CancellationView
    asked: list[int]
    group_chat_id: int | None
    closes_at: datetime


async def request(
    session: AsyncSession, *, now: datetime, target: Target, number: int, reason: str
) -> Requested:
    """``/cancelar n motivo``: ask every seat, unless less than 24 h are left (R11)."""
    meeting = await by_number(session, target, number)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    if meeting.state != "convocada":
        raise WrongSessionState(
            number, STATE_NAMES[meeting.state], "solo una sesión convocada se cancela."
        )
    if not can_request(now, meeting.starts_at):
        raise TooLateToCancel(
            number, local_stamp(approvals_close_at(meeting.starts_at), secretariat.time_zone)
        )
    pending = await session.scalar(
        select(Cancellation.id).where(
            Cancellation.meeting_id == meeting.id,
            Cancellation.state == CancellationState.PENDIENTE,
        )
    )
    if pending is not None:
        raise CancellationPending(number)
    row = Cancellation(
        meeting_id=meeting.id,
        reason=" ".join(reason.split())[:1000],
        requested_at=now,
        requested_by=target.membership.member_id,
        closes_at=approvals_close_at(meeting.starts_at),
        state=CancellationState.PENDIENTE.value,
    )
    session.add(row)
    await session.flush()
    await act_chain.cancellation_requested(  # issue 15
        session, row, secretariat_id=secretariat.id, now=now
    )
    audit.record(
        session,
        now=now,
        action="cancellation.requested",
        secretariat_id=secretariat.id,
        member_id=target.membership.member_id,
        meeting_id=meeting.id,
        cancellation_id=row.id,
    )
    asked = await session.scalars(
        select(Member.telegram_user_id).where(
            Member.secretariat_id == secretariat.id,
            Member.active,
            Member.role.in_((Role.TITULAR.value, Role.SUPLENTE.value)),
            Member.telegram_user_id.is_not(None),
        )
    )
    return Requested(
        await _view(session, row),
        [a for a in asked if a is not None],
        secretariat.group_chat_id,
        row.closes_at,
    )


@dataclass(frozen=True)
class Decided:
    """The request's state after an answer (or its window closing)."""

    request: CancellationView
    state: CancellationState
    facilitator_chat_id: int | None
    everyone: list[int]  # every linked member, for the cancellation notice
    group_chat_id: int | None


async def _decided(session: AsyncSession, row: Cancellation, state: CancellationState) -> Decided:
    meeting = await session.get_one(Meeting, row.meeting_id)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    members = list(
        await session.scalars(
            select(Member).where(Member.secretariat_id == secretariat.id, Member.active)
        )
    )
    facilitator = next(
        (m.telegram_user_id for m in members if m.role == Role.FACILITADOR.value), None
    )
    return Decided(
        await _view(session, row),
        state,
        facilitator,
        [m.telegram_user_id for m in members if m.telegram_user_id is not None],
        secretariat.group_chat_id,
    )


async def answer(
    session: AsyncSession,
    *,
    now: datetime,
    cancellation_id: int,
    telegram_user_id: int,
    approve: bool,
) -> Decided:
    """One seat's answer; a "No apruebo" rejects at once, all approving cancels at once."""
    row = await session.get(Cancellation, cancellation_id, with_for_update=True)
    if row is None:
        raise StaleButton()
    meeting = await session.get_one(Meeting, row.meeting_id)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    if row.state != CancellationState.PENDIENTE:
        raise StaleButton()
    if now >= row.closes_at:
        raise ApprovalsClosed(local_stamp(row.closes_at, secretariat.time_zone))
    member = await access.member_of(session, secretariat.id, telegram_user_id)
    if (
        member is None
        or member.seat_id is None
        or member.role not in (Role.TITULAR.value, Role.SUPLENTE.value)
    ):
        raise NotYourButton()
    latest = await session.scalar(
        select(CancellationAnswer)
        .where(
            CancellationAnswer.cancellation_id == row.id, CancellationAnswer.member_id == member.id
        )
        .order_by(CancellationAnswer.id.desc())
        .limit(1)
    )
    if latest is not None and latest.approve == approve:
        raise AlreadyRecorded("Apruebo la cancelación" if approve else "No apruebo")
    answer = CancellationAnswer(
        cancellation_id=row.id,
        seat_id=member.seat_id,
        member_id=member.id,
        role=member.role,
        approve=approve,
        at=now,
    )
    session.add(answer)
    await session.flush()
    await act_chain.cancellation_answered(  # issue 15
        session, answer, secretariat_id=secretariat.id, now=now
    )
    audit.record(
        session,
        now=now,
        action="cancellation.answered",
        secretariat_id=secretariat.id,
        member_id=member.id,
        cancellation_id=row.id,
        approve=approve,
    )
    seats = await _seats(session, secretariat.id)
    answers = await _seat_answers(session, row, seats)
    state = cancellation_state(answers, {s.id for s in seats}, now, meeting.starts_at)
    if state is not CancellationState.PENDIENTE:
        row.state = state.value
        row.decided_at = now
        if state is CancellationState.APROBADA:
            meeting.state = "cancelada"
            meeting.concluded_at = now
        audit.record(
            session,
            now=now,
            action=f"cancellation.{state.value}",
            secretariat_id=secretariat.id,
            cancellation_id=row.id,
            meeting_id=meeting.id,
        )
        await act_chain.cancellation_decided(  # issue 15
            session, row, secretariat_id=secretariat.id, now=now
        )
    return await _decided(session, row, state)


async def lapse(session: AsyncSession, *, now: datetime, cancellation_id: int) -> Decided | None:
    """At start − 24 h: a request still pending lapses and the session stands (R11)."""
    row = await session.get(Cancellation, cancellation_id, with_for_update=True)
    if row is None or row.state != CancellationState.PENDIENTE or now < row.closes_at:
        return None
    row.state = CancellationState.VENCIDA.value
    row.decided_at = now
    meeting = await session.get_one(Meeting, row.meeting_id)
    audit.record(
        session,
        now=now,
        action="cancellation.vencida",
        secretariat_id=meeting.secretariat_id,
        cancellation_id=row.id,
        meeting_id=meeting.id,
    )
    await act_chain.cancellation_decided(  # issue 15
        session, row, secretariat_id=meeting.secretariat_id, now=now
    )
    return await _decided(session, row, CancellationState.VENCIDA)


async def pending(session: AsyncSession) -> list[tuple[int, datetime]]:
    """Pending requests and when their window closes, to schedule at start-up."""
    rows = await session.execute(
        select(Cancellation.id, Cancellation.closes_at).where(
            Cancellation.state == CancellationState.PENDIENTE.value
        )
    )
    return [(i, c) for i, c in rows]
