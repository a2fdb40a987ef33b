"""The record the minutes are drafted from (R14), and the facilitator's notes (``/nota``).

Everything in :class:`domain.minutes.MinutesRecord` is read from what the bot stored while
the session ran: the roll call (``presences``), the frozen quorum figures, every vote with
each seat's counted ballot, and the notes. Nothing is typed again, so the minutes cannot
disagree with the record.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import minutes as rules
from domain.errors import (
    AgendaItemNotFound,
    MinutesAlreadySigned,
    NoteTooLong,
    SessionNotHeld,
)
from domain.minutes import (
    AgendaItem,
    MinutesRecord,
    SeatAttendance,
    SeatBallotLine,
    Signatory,
    VoteRecord,
)
from domain.outcomes import Outcome
from domain.roles import Role, Target
from storage.models import (
    Meeting,
    Member,
    MinutesNote,
    Presence,
    Seat,
    Secretariat,
    SignedMinutes,
    Vote,
)
from storage.services import agreements as agreement_register
from storage.services import audit
from storage.services import votes as vote_views
from storage.services.meetings import by_number, latest_held
from storage.services.secretariats import settings_of


async def held(session: AsyncSession, target: Target, number: int) -> Meeting:
    """Session ``number`` of the caller's secretariat, which must have been installed."""
    meeting = await by_number(session, target, number)
    if meeting.installed_at is None:
        raise SessionNotHeld(number)
    return meeting


async def ensure_not_signed(session: AsyncSession, meeting: Meeting) -> None:
    """A signed acta is closed: no notes, versions or signatures (R14)."""
    if await session.get(SignedMinutes, meeting.id) is not None:
        raise MinutesAlreadySigned(meeting.number or 0)


async def add_note(
    session: AsyncSession, *, now: datetime, target: Target, item: int, text: str
) -> tuple[Meeting, int]:
    """``/nota n texto`` on the latest held session; returns it and the item's note count."""
    meeting = await latest_held(session, target)
    await ensure_not_signed(session, meeting)
    if not 1 <= item <= len(meeting.agenda):
        raise AgendaItemNotFound(item, len(meeting.agenda), meeting.number or 0)
    if len(text) > rules.MAX_NOTE:
        raise NoteTooLong(rules.MAX_NOTE)
    session.add(
        MinutesNote(
            meeting_id=meeting.id,
            item=item,
            text=text,
            created_at=now,
            created_by=target.membership.member_id,
        )
    )
    audit.record(
        session,
        now=now,
        action="minutes.note",
        secretariat_id=target.secretariat_id,
        member_id=target.membership.member_id,
        meeting_id=meeting.id,
        item=item,
    )
    await session.flush()
    count = len(
        list(
            await session.scalars(
                select(MinutesNote.id).where(
                    MinutesNote.meeting_id == meeting.id, MinutesNote.item == item
                )
            )
        )
    )
    return meeting, count


def _signatory(member: Member, seats: dict[int, Seat]) -> Signatory:
    seat = seats.get(member.seat_id) if member.seat_id is not None else None
    return Signatory(
        member.id, member.full_name or "sin nombre", member.role, seat.name if seat else None
    )


async def record_of(session: AsyncSession, meeting: Meeting) -> MinutesRecord:
    """The minutes' content for a held session, from the stored record (R14)."""
    assert meeting.installed_at is not None
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    zone = ZoneInfo(secretariat.time_zone)
    settings = settings_of(secretariat)
    seats = {
        s.id: s
        for s in await session.scalars(
            select(Seat).where(Seat.secretariat_id == secretariat.id).order_by(Seat.position)
        )
    }
    members = {
        m.id: m
        for m in await session.scalars(
            select(Member).where(Member.secretariat_id == secretariat.id)
        )
    }
    presences = list(
        await session.scalars(
            select(Presence).where(Presence.meeting_id == meeting.id).order_by(Presence.id)
        )
    )
    by_seat: dict[int, list[Member]] = {}
    for presence in presences:
        member = members[presence.member_id]
        if presence.seat_id is not None:
            by_seat.setdefault(presence.seat_id, []).append(member)
    attendance = []
    representatives = []
    for seat in seats.values():
        if not seat.active and seat.id not in by_seat:
            continue
        people = sorted(by_seat.get(seat.id, []), key=lambda m: m.role != Role.TITULAR.value)
        if people:  # R3: the titular represents the seat when both are there
            person = people[0]
            attendance.append(
                SeatAttendance(seat.name, True, person.full_name or "sin nombre", person.role)
            )
            representatives.append(_signatory(person, seats))
        else:
            attendance.append(SeatAttendance(seat.name, False))
    facilitator = next(
        (m for m in members.values() if m.role == Role.FACILITADOR.value and m.active),
        None,
    )
    observers = tuple(
        members[p.member_id].full_name or "sin nombre"
        for p in presences
        if members[p.member_id].role == Role.OBSERVADOR.value
    )
    titulars = [
        _signatory(m, seats)
        for seat in seats.values()
        if seat.active
        for m in members.values()
        if m.active and m.role == Role.TITULAR.value and m.seat_id == seat.id
    ]
    notes: dict[int, list[str]] = {}
    for note in await session.scalars(
        select(MinutesNote).where(MinutesNote.meeting_id == meeting.id).order_by(MinutesNote.id)
    ):
        notes.setdefault(note.item, []).append(note.text)
    agenda_vote = None
    votes: list[VoteRecord] = []
    for vote in await session.scalars(
        select(Vote).where(Vote.meeting_id == meeting.id).order_by(Vote.id)
    ):
        view = await vote_views.view(session, vote.id)
        assert view is not None
        record = VoteRecord(
            vote.id,
            vote.text,
            vote.outcome if vote.state == "cerrada" else None,
            view.tally.a_favor,
            view.tally.en_contra,
            view.tally.abstencion,
            tuple(
                SeatBallotLine(s.seat_name, s.choice, s.voter, s.voter_role) for s in view.seats
            ),
            agenda=vote.purpose == "orden_del_dia",
        )
        if record.agenda and agenda_vote is None:
            agenda_vote = record
        else:
            votes.append(record)
    approved = {Outcome.APROBADO_CONSENSO.value, Outcome.APROBADO_MAYORIA.value}
    registered = await agreement_register.of_meeting(session, meeting.id)
    facilitator_signatory = _signatory(facilitator, seats) if facilitator else None
    return MinutesRecord(
        secretariat=secretariat.name,
        title=meeting.title or f"Sesión {meeting.number}",
        number=meeting.number or 0,
        kind=meeting.kind,
        place=meeting.place,
        day=meeting.starts_at.astimezone(zone).date(),
        installed_at=meeting.installed_at.astimezone(zone).time().replace(second=0, microsecond=0),
        concluded_at=(
            meeting.concluded_at.astimezone(zone).time().replace(second=0, microsecond=0)
            if meeting.concluded_at
            else None
        ),
        time_zone=secretariat.time_zone,
        seats_present=meeting.seats_present or 0,
        seats_total=meeting.seats_total or 0,
        quorum_required=meeting.quorum_required or 0,
        attendance=tuple(attendance),
        facilitator=facilitator.full_name if facilitator else None,
        # The facilitator presides: /iniciar and /instalar are theirs alone, so the session
        # was installed in their presence whether or not they pressed "Presente" (seed VI).
        facilitator_present=facilitator is not None,
        observers=observers,
        agenda=tuple(
            AgendaItem(i, text, tuple(notes.get(i, ())))
            for i, text in enumerate(meeting.agenda, 1)
        ),
        agenda_vote=agenda_vote,
        votes=tuple(votes),
        # R16's register once it has this session's agreements; until then the approved votes.
        agreements=tuple(registered or (v.text for v in votes if v.outcome in approved)),
        signatories=rules.signatories(
            settings.minutes_signatories,
            facilitator=facilitator_signatory,
            representatives=representatives,
            titulars=titulars,
        ),
        garante=settings.garante_name,
        convened_on=meeting.convened_at.astimezone(zone).date() if meeting.convened_at else None,
    )
