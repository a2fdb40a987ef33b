"""Convening a session: draft, preview, discard, number and send (R6, R7, R17).

The notice is checked at the draft and again when it is sent (R7); ``send`` commits the
session as ``convocada`` and names its recipients, and ``record_deliveries`` keeps every
attempt as the evidence that notice was given, and when (R7). In the same unit of work
``send`` forwards the members' pending proposals to the garante (R17), and the preview
can put them on the draft's agenda (``add_proposal``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import convocation
from domain.errors import NoLinkedGroup, StaleButton
from domain.notice import SessionKind, local_date
from domain.roles import Role, Target
from domain.titles import session_title
from storage.models import Delivery, Meeting, Member, Seat, Secretariat
from storage.services import act_chain, audit, meetings, member_proposals, removals
from storage.services.calendar import calendar_for
from storage.services.meetings import MeetingView, view_of
from storage.services.secretariats import settings_of


async def _admissible(
    session: AsyncSession, meeting: Meeting, secretariat: Secretariat, now: datetime
) -> convocation.Admissible:
    return convocation.check(
        kind=SessionKind(meeting.kind),
        starts_at=meeting.starts_at,
        place=meeting.place,
        agenda=meeting.agenda,
        now=now,
        calendar=await calendar_for(session, secretariat.id),
        settings=settings_of(secretariat),
    )


async def draft(
    session: AsyncSession,
    *,
    now: datetime,
    target: Target,
    kind: SessionKind,
    day: date,
    at: time,
    place: str,
    agenda: list[str],
    chat_id: int,
) -> MeetingView:
    """Validate a convocation and keep it as a draft for the preview (R7)."""
    secretariat = await meetings.secretariat(session, target)
    if secretariat.group_chat_id is None:
        raise NoLinkedGroup()
    starts_at = convocation.session_start(day, at, secretariat.time_zone)
    place = " ".join(place.split())[:200]
    agenda = [" ".join(item.split())[:500] for item in agenda][:50]
    meeting = Meeting(
        secretariat_id=secretariat.id,
        kind=kind.value,
        starts_at=starts_at,
        place=place,
        agenda=agenda,
        created_at=now,
        created_by=target.membership.member_id,
        draft_chat_id=chat_id,
    )
    admissible = await _admissible(session, meeting, secretariat, now)
    meeting.non_business_day = admissible.non_business_reason is not None
    session.add(meeting)
    await session.flush()
    await removals.put_on_agenda(session, now=now, meeting=meeting)  # R4: backed requests
    audit.record(
        session,
        now=now,
        action="meeting.drafted",
        secretariat_id=secretariat.id,
        member_id=target.membership.member_id,
        meeting_id=meeting.id,
    )
    return view_of(meeting, secretariat, admissible=admissible)


async def _draft_of(session: AsyncSession, target: Target, meeting_id: int) -> Meeting:
    meeting = await session.get(Meeting, meeting_id, with_for_update=True)
    if meeting is None or meeting.secretariat_id != target.secretariat_id:
        raise StaleButton()
    if meeting.state != "borrador":
        raise StaleButton()
    return meeting


async def discard(
    session: AsyncSession, *, now: datetime, target: Target, meeting_id: int
) -> None:
    """Drop a draft; nothing was sent."""
    meeting = await _draft_of(session, target, meeting_id)
    meeting.state = "cancelada"
    meeting.concluded_at = now
    audit.record(
        session,
        now=now,
        action="meeting.discarded",
        secretariat_id=target.secretariat_id,
        member_id=target.membership.member_id,
        meeting_id=meeting.id,
    )


@dataclass(frozen=True)
class Recipient:
    """Someone the convocation goes to."""

    member_id: int
    number: int
    full_name: str
    role: str
    seat_name: str | None
    chat_id: int | None


@dataclass(frozen=True)
class Convened:
    """A convocation ready to deliver (already committed as ``convocada``)."""

    meeting: MeetingView
    recipients: list[Recipient]
    group_chat_id: int
    facilitator_chat_id: int | None
    #: R17: the proposals forwarded to the garante with this convocation, if any.
    forwarding: member_proposals.Outgoing | None = None


@dataclass(frozen=True)
class NeedsConfirmation:
    """The day is not a business day and the setting asks for a second confirmation."""

    meeting: MeetingView


async def send(
    session: AsyncSession,
    *,
    now: datetime,
    target: Target,
    meeting_id: int,
    confirmed_non_business: bool,
    mail: bool = False,
) -> Convened | NeedsConfirmation:
    """Number the session and mark it convened; notice is re-checked now (R7).

    The proposals received since the previous convocation are forwarded with it (R17),
    by e-mail when ``mail`` (the bot can send mail) and ``garante_correo`` is set.
    """
    meeting = await _draft_of(session, target, meeting_id)
    secretariat = await meetings.secretariat(session, target)
    if secretariat.group_chat_id is None:
        raise NoLinkedGroup()
    admissible = await _admissible(session, meeting, secretariat, now)
    if admissible.needs_confirmation and not confirmed_non_business:
        return NeedsConfirmation(view_of(meeting, secretariat, admissible=admissible))
    tz = secretariat.time_zone
    year = local_date(meeting.starts_at, tz).year
    numbers = await session.execute(
        select(Meeting.number, Meeting.kind, Meeting.ordinal, Meeting.starts_at).where(
            Meeting.secretariat_id == secretariat.id, Meeting.number.is_not(None)
        )
    )
    rows = list(numbers)
    meeting.number = max((r.number for r in rows), default=0) + 1
    meeting.ordinal = (
        max(
            (
                r.ordinal
                for r in rows
                if r.kind == meeting.kind and local_date(r.starts_at, tz).year == year
            ),
            default=0,
        )
        + 1
    )
    meeting.title = session_title(SessionKind(meeting.kind), meeting.ordinal, year)
    meeting.state = "convocada"
    meeting.convened_at = now
    meeting.non_business_confirmed = admissible.needs_confirmation
    audit.record(
        session,
        now=now,
        action="meeting.convened",
        secretariat_id=secretariat.id,
        member_id=target.membership.member_id,
        meeting_id=meeting.id,
        number=meeting.number,
        title=meeting.title,
        starts_at=meeting.starts_at.isoformat(),
    )
    await act_chain.convened(session, meeting, now=now)  # issue 15
    await removals.convened(session, now=now, meeting=meeting)  # R4: en_agenda of this one
    forwarding = await member_proposals.forward_pending(
        session,
        now=now,
        meeting=meeting,
        secretariat=secretariat,
        member_id=target.membership.member_id,
        mail=mail,
    )
    everyone = await recipients(session, secretariat.id)
    facilitator = next((r.chat_id for r in everyone if r.role == Role.FACILITADOR), None)
    return Convened(
        view_of(meeting, secretariat, admissible=admissible),
        everyone,
        secretariat.group_chat_id,
        facilitator,
        forwarding,
    )


@dataclass(frozen=True)
class Preview:
    """The draft as its preview shows it again, after a proposal joined its agenda."""

    meeting: MeetingView
    proposals: member_proposals.PreviewProposals
    added: str  # "P-3"


async def add_proposal(
    session: AsyncSession,
    *,
    now: datetime,
    target: Target,
    meeting_id: int,
    proposal_id: int,
    mail: bool,
) -> Preview:
    """``Agregar P-n al orden del día`` (R17): only on a draft still unsent; notice is
    re-checked as for sending (R7), so the preview redrawn is the one "Enviar" sends."""
    meeting = await _draft_of(session, target, meeting_id)
    secretariat = await meetings.secretariat(session, target)
    added = await member_proposals.add_to_agenda(
        session, now=now, target=target, meeting=meeting, proposal_id=proposal_id
    )
    admissible = await _admissible(session, meeting, secretariat, now)
    proposals = await member_proposals.for_preview(
        session, secretariat_id=secretariat.id, meeting_id=meeting.id, mail=mail
    )
    return Preview(view_of(meeting, secretariat, admissible=admissible), proposals, added)


async def recipients(session: AsyncSession, secretariat_id: int) -> list[Recipient]:
    rows = await session.execute(
        select(Member, Seat.name)
        .outerjoin(Seat, Seat.id == Member.seat_id)
        .where(Member.secretariat_id == secretariat_id, Member.active)
        .order_by(Member.number)
    )
    return [
        Recipient(m.id, m.number, m.full_name or "", m.role, seat, m.telegram_user_id)
        for m, seat in rows
    ]


@dataclass(frozen=True)
class Attempt:
    """One delivery outcome to store."""

    member_id: int | None
    chat_id: int | None
    ok: bool
    message_ids: tuple[int, ...]
    failure: str | None
    at: datetime | None


async def record_deliveries(
    session: AsyncSession, *, now: datetime, meeting_id: int, purpose: str, attempts: list[Attempt]
) -> None:
    """Store every attempt: the evidence that notice was given, and when (R7)."""
    for attempt in attempts:
        session.add(
            Delivery(
                meeting_id=meeting_id,
                purpose=purpose,
                member_id=attempt.member_id,
                chat_id=attempt.chat_id,
                attempted_at=now,
                delivered_at=attempt.at if attempt.ok else None,
                ok=attempt.ok,
                message_ids=list(attempt.message_ids),
                failure=attempt.failure,
            )
        )
