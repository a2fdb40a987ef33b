"""What every part of a session shares: its view, its number, its place in the list.

``MeetingView`` is what templates show of a session (R6, R7); ``by_number`` and
``next_meeting`` find the session a command names or the next one due (R9); ``recent``
lists them for ``/sesiones`` with the agenda-approval result (R10). Convening lives in
``convocations``, RSVPs and ``/quorum`` in ``attendance``, the roll call in ``rollcall``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import convocation
from domain.calendar import WEEKDAY_NAMES
from domain.errors import NoHeldSession, NoUpcomingSession, SessionNotFound
from domain.notice import SessionKind
from domain.roles import Target
from storage.models import Meeting, Secretariat, Vote

STATE_NAMES = {
    "borrador": "en borrador",
    "convocada": "convocada",
    "en_curso": "en curso (pase de lista abierto)",
    "instalada": "instalada",
    "sin_quorum": "celebrada sin quórum",
    "concluida": "concluida",
    "cancelada": "cancelada",
}


@dataclass(frozen=True)
class MeetingView:
    """What templates show of a session."""

    id: int
    number: int | None
    title: str
    kind: str
    starts_at: datetime
    local_day: str
    local_time: str
    weekday: str
    time_zone: str
    place: str
    agenda: list[str]
    state: str
    state_name: str
    secretariat_name: str
    non_business_reason: str | None = None
    next_business: str | None = None
    needs_confirmation: bool = False
    agenda_vote: str | None = None  # R10: the agenda-approval result, or "en votación"


def weekday_name(day: date) -> str:
    """The Spanish weekday of ``day`` ("martes")."""
    return WEEKDAY_NAMES[day.weekday()]


def local_stamp(moment: datetime, tz: str) -> str:
    """``AAAA-MM-DD HH:MM`` in the secretariat's zone, as commands.md writes moments."""
    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def view_of(
    meeting: Meeting,
    secretariat: Secretariat,
    *,
    admissible: convocation.Admissible | None = None,
) -> MeetingView:
    """The template-facing view, in the secretariat's time zone."""
    local = meeting.starts_at.astimezone(ZoneInfo(secretariat.time_zone))
    title = meeting.title or _tentative_title(meeting)
    return MeetingView(
        id=meeting.id,
        number=meeting.number,
        title=title,
        kind=meeting.kind,
        starts_at=meeting.starts_at,
        local_day=local.date().isoformat(),
        local_time=local.strftime("%H:%M"),
        weekday=weekday_name(local.date()),
        time_zone=secretariat.time_zone,
        place=meeting.place,
        agenda=list(meeting.agenda),
        state=meeting.state,
        state_name=STATE_NAMES[meeting.state],
        secretariat_name=secretariat.name,
        non_business_reason=admissible.non_business_reason if admissible else None,
        next_business=admissible.next_business if admissible else None,
        needs_confirmation=bool(admissible and admissible.needs_confirmation),
    )


def _tentative_title(meeting: Meeting) -> str:
    kind = "Ordinaria" if meeting.kind == SessionKind.ORDINARIA else "Extraordinaria"
    return f"Sesión {kind} (se numerará al enviarse)"


async def secretariat(session: AsyncSession, target: Target) -> Secretariat:
    return await session.get_one(Secretariat, target.secretariat_id)


async def by_number(session: AsyncSession, target: Target, number: int) -> Meeting:
    meeting = await session.scalar(
        select(Meeting).where(
            Meeting.secretariat_id == target.secretariat_id, Meeting.number == number
        )
    )
    if meeting is None:
        raise SessionNotFound(number)
    return meeting


async def next_meeting(session: AsyncSession, target: Target, now: datetime) -> Meeting:
    """The next session by date that is not cancelled (today's included until it ends)."""
    meeting = await session.scalar(
        select(Meeting)
        .where(
            Meeting.secretariat_id == target.secretariat_id,
            Meeting.number.is_not(None),
            Meeting.state.in_(("convocada", "en_curso", "instalada")),
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )
    if meeting is None:
        raise NoUpcomingSession()
    return meeting


async def recent(session: AsyncSession, *, target: Target, now: datetime) -> list[MeetingView]:
    """``/sesiones``: every numbered session, upcoming first then the latest past ones."""
    owner = await secretariat(session, target)
    rows = list(
        await session.scalars(
            select(Meeting)
            .where(Meeting.secretariat_id == owner.id, Meeting.number.is_not(None))
            .order_by(Meeting.starts_at.desc())
            .limit(30)
        )
    )
    upcoming = sorted((m for m in rows if m.starts_at >= now), key=lambda m: m.starts_at)
    past = [m for m in rows if m.starts_at < now][:10]
    shown = [*upcoming, *past]
    agenda_votes = {
        meeting_id: outcome if state == "cerrada" else "en votación"
        for meeting_id, state, outcome in await session.execute(
            select(Vote.meeting_id, Vote.state, Vote.outcome).where(
                Vote.meeting_id.in_([m.id for m in shown]), Vote.purpose == "orden_del_dia"
            )
        )
    }
    return [replace(view_of(m, owner), agenda_vote=agenda_votes.get(m.id)) for m in shown]


async def secretariat_of(session: AsyncSession, meeting_id: int) -> int | None:
    """Which secretariat a button's session belongs to (to authorize the presser)."""
    return await session.scalar(select(Meeting.secretariat_id).where(Meeting.id == meeting_id))


async def latest_held(session: AsyncSession, target: Target) -> Meeting:
    """The secretariat's most recently installed session (in progress or concluded)."""
    meeting = await session.scalar(
        select(Meeting)
        .where(Meeting.secretariat_id == target.secretariat_id, Meeting.installed_at.is_not(None))
        .order_by(Meeting.installed_at.desc())
        .limit(1)
    )
    if meeting is None:
        raise NoHeldSession()
    return meeting


async def numbers_of(session: AsyncSession, ids: set[int | None]) -> dict[int, int | None]:
    """Sessions' ``#n`` by id, in one statement (listings that name the session an item
    went to: proposals, removal requests)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = await session.execute(select(Meeting.id, Meeting.number).where(Meeting.id.in_(wanted)))
    return dict(rows.tuples().all())
