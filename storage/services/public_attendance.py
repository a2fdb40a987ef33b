"""Read model of the public attendance and voting record (``/<slug>/asistencia``; R19,
R3, R13): per seat and held session, who represented the seat at the roll call and each
seat's counted ballot in every closed vote, plus the electronic votes and each seat's
totals — six queries whatever the number of sessions, votes or seats.

Members' names, seats and per-seat ballots are public acts (R21); no Telegram id, chat or
username is selected, so none can reach the page.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import public_record as rules
from domain.ballots import Cast, SeatBallots, with_ballot
from domain.outcomes import Choice
from domain.public_record import Attendance
from storage.models import Meeting, Member, Presence, Seat, SeatBallot, Vote
from storage.services.meetings import STATE_NAMES
from storage.services.microsite import HELD_STATES

__all__ = [
    "AttendanceCell",
    "AttendanceRecord",
    "BallotCell",
    "SeatColumn",
    "SeatSummary",
    "SessionRecord",
    "VoteRow",
    "attendance",
]


@dataclass(frozen=True)
class SeatColumn:
    """A seat, in the roster's order."""

    id: int
    name: str
    active: bool


@dataclass(frozen=True)
class AttendanceCell:
    """One seat at one session: who represented it (R3)."""

    state: Attendance | None  # None: the seat did not exist or was not counted then
    name: str | None  # the person present for the seat (a public act, R21)


@dataclass(frozen=True)
class BallotCell:
    """One seat's counted ballot in one vote."""

    label: str  # A favor | En contra | Abstención | No votó | — (not entitled)
    choice: str | None
    role: str | None  # titular | suplente: who cast it for the seat


@dataclass(frozen=True)
class VoteRow:
    """A vote with each seat's ballot, in seat order (only once it closed)."""

    id: int
    text: str
    agenda: bool
    kind: str
    closed: bool
    closed_at: datetime | None
    outcome: str | None
    ballots: tuple[BallotCell, ...]


@dataclass(frozen=True)
class SessionRecord:
    """One held session: each seat's attendance and ballots."""

    id: int
    number: int | None
    title: str
    state_name: str
    starts_at: datetime
    attendance: tuple[AttendanceCell, ...]
    votes: tuple[VoteRow, ...]


@dataclass(frozen=True)
class SeatSummary:
    """A seat's totals across the held sessions."""

    seat: SeatColumn
    sessions: int
    titular: int
    suplente: int
    ausente: int
    ballots: int  # counted ballots in closed votes


@dataclass(frozen=True)
class AttendanceRecord:
    """``/<slug>/asistencia``."""

    seats: tuple[SeatColumn, ...]
    sessions: tuple[SessionRecord, ...]
    electronic: tuple[VoteRow, ...]
    summary: tuple[SeatSummary, ...]


NOT_ENTITLED = "—"


def _ballot_cells(
    vote: Vote, seats: tuple[SeatColumn, ...], kept: dict[int, SeatBallots]
) -> tuple[BallotCell, ...]:
    eligible = set(vote.eligible_seats)
    cells = []
    for seat in seats:
        if seat.id not in eligible:
            cells.append(BallotCell(NOT_ENTITLED, None, None))
            continue
        cast = kept[seat.id].counted if seat.id in kept else None
        choice = cast.choice.value if cast else None
        cells.append(
            BallotCell(rules.ballot_label(choice), choice, str(cast.voter_role) if cast else None)
        )
    return tuple(cells)


async def attendance(session: AsyncSession, secretariat_id: int) -> AttendanceRecord:
    """Per seat (seat order) and held session (newest first): who attended and each
    closed vote's ballots; the electronic votes; each seat's totals (six queries).

    A seat appears when it is active or was ever present (like the minutes); a seat
    created after a session has no cell for it. Open votes show no ballots yet.
    """
    seat_rows = list(
        await session.scalars(
            select(Seat).where(Seat.secretariat_id == secretariat_id).order_by(Seat.position)
        )
    )
    members = {
        m.id: (m.full_name or "sin nombre", m.role)
        for m in await session.scalars(
            select(Member).where(Member.secretariat_id == secretariat_id)
        )
    }
    meetings = list(
        await session.scalars(
            select(Meeting)
            .where(Meeting.secretariat_id == secretariat_id, Meeting.state.in_(HELD_STATES))
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        )
    )
    present: dict[tuple[int, int], list[tuple[str, str]]] = defaultdict(list)
    for meeting_id, seat_id, member_id in await session.execute(
        select(Presence.meeting_id, Presence.seat_id, Presence.member_id)
        .join(Meeting, Meeting.id == Presence.meeting_id)
        .where(Meeting.secretariat_id == secretariat_id, Presence.seat_id.is_not(None))
        .order_by(Presence.id)
    ):
        name, role = members.get(member_id, ("sin nombre", ""))
        present[(meeting_id, seat_id)].append((role, name))
    ever_present = {seat_id for _, seat_id in present}
    seats = tuple(
        SeatColumn(s.id, s.name, s.active) for s in seat_rows if s.active or s.id in ever_present
    )
    created = {s.id: s.created_at for s in seat_rows}
    votes = list(
        await session.scalars(
            select(Vote)
            .where(Vote.secretariat_id == secretariat_id, Vote.state.in_(("abierta", "cerrada")))
            .order_by(Vote.id)
        )
    )
    kept: dict[int, dict[int, SeatBallots]] = defaultdict(dict)
    for row in await session.scalars(
        select(SeatBallot)
        .join(Vote, Vote.id == SeatBallot.vote_id)
        .where(Vote.secretariat_id == secretariat_id, Vote.state == "cerrada")
    ):
        seat_ballots = kept[row.vote_id]
        seat_ballots[row.seat_id] = with_ballot(
            seat_ballots.get(row.seat_id, SeatBallots()),
            Cast(row.seat_id, row.role, row.member_id, Choice(row.choice), row.at),
        )
    rows_by_meeting: dict[int | None, list[VoteRow]] = defaultdict(list)
    for vote in votes:
        closed = vote.state == "cerrada"
        rows_by_meeting[vote.meeting_id].append(
            VoteRow(
                vote.id,
                vote.text,
                vote.purpose == "orden_del_dia",
                vote.kind,
                closed,
                vote.closed_at,
                vote.outcome if closed else None,
                _ballot_cells(vote, seats, kept[vote.id]) if closed else (),
            )
        )
    totals: dict[int, Counter[str]] = {s.id: Counter() for s in seats}
    records = []
    for meeting in meetings:
        moment = meeting.roll_call_at or meeting.starts_at
        cells = []
        for seat in seats:
            people = present.get((meeting.id, seat.id), [])
            if not people and created[seat.id] > moment:
                cells.append(AttendanceCell(None, None))
                continue
            state = rules.attendance_of(role for role, _ in people)
            name = next((n for r, n in people if r == state.value), None)
            cells.append(AttendanceCell(state, name))
            totals[seat.id]["sessions"] += 1
            totals[seat.id][state.value] += 1
        records.append(
            SessionRecord(
                meeting.id,
                meeting.number,
                meeting.title or "Sesión",
                STATE_NAMES.get(meeting.state, meeting.state),
                meeting.starts_at,
                tuple(cells),
                tuple(rows_by_meeting.get(meeting.id, ())),
            )
        )
    held = {m.id for m in meetings}
    for meeting_id, vote_rows in rows_by_meeting.items():
        if meeting_id is not None and meeting_id not in held:
            continue
        for vote_row in vote_rows:
            for seat, cell in zip(seats, vote_row.ballots, strict=False):
                if cell.choice is not None:
                    totals[seat.id]["ballots"] += 1
    summary = tuple(
        SeatSummary(
            seat,
            totals[seat.id]["sessions"],
            totals[seat.id][Attendance.TITULAR.value],
            totals[seat.id][Attendance.SUPLENTE.value],
            totals[seat.id][Attendance.AUSENTE.value],
            totals[seat.id]["ballots"],
        )
        for seat in seats
    )
    electronic = tuple(reversed(rows_by_meeting.get(None, [])))  # newest first
    return AttendanceRecord(seats, tuple(records), electronic, summary)
