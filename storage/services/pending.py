"""What is pending, on demand: ``/pendientes`` and ``/recordatorios`` (R22, R23).

Both read the same derivation the scheduler uses (``reminders.plan``), so what a member
is shown as pending is exactly what they would be reminded of.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import reminders as rules
from domain.reminders import Kind
from domain.roles import Target
from domain.secretariat_settings import SecretariatSettings
from storage.models import Secretariat
from storage.services import access, removals
from storage.services.meetings import MeetingView, local_stamp
from storage.services.reminders import Series, plan
from storage.services.removals import RequestView
from storage.services.secretariats import settings_of

#: What /pendientes lists: the caller's own things to do, not the session-day notice.
_TODO = (
    Kind.ASISTENCIA,
    Kind.VOTACION,
    Kind.CANCELACION,
    Kind.FIRMA,
    Kind.ACUERDO,
    Kind.MENSUAL,
    Kind.ACTA,
    Kind.PERIODO,
)


def _listed(series: Series, now: datetime) -> bool:
    """The end of term (R5) is pending only from its first reminder (60 days before)."""
    if series.kind is Kind.PERIODO:
        return any(m.due <= now < m.useful_until for m in series.moments)
    return series.kind in _TODO


@dataclass(frozen=True)
class Pending:
    """One secretariat's pending items for the caller."""

    secretariat: str
    items: list[Series]
    backings: list[RequestView] = field(default_factory=list)  # R4: requests to back


async def pending_for(
    session: AsyncSession, *, now: datetime, telegram_user_id: int
) -> list[Pending]:
    """``/pendientes``: RSVPs, votes, approvals, removal requests the caller may back; for
    the facilitator, sessions, minutes and, from its first reminder on, the end of term."""
    ids = await access.secretariats_of(session, telegram_user_id)
    if not ids:
        return []
    derived = await plan(session, now=now, secretariat_ids=ids)
    names = dict(
        (
            await session.execute(
                select(Secretariat.id, Secretariat.name).where(Secretariat.id.in_(ids))
            )
        ).all()
    )
    out = []
    for sid in sorted(ids, key=lambda i: names[i]):
        items = [
            s
            for s in derived.series
            if s.secretariat_id == sid and s.chat_id == telegram_user_id and _listed(s, now)
        ]
        items.sort(key=lambda s: (_TODO.index(s.kind), s.target))
        backings = await removals.to_back(session, sid, telegram_user_id)
        out.append(Pending(names[sid], items, backings))
    return out


@dataclass(frozen=True)
class Upcoming:
    """One scheduled reminder moment, grouped by kind and subject for ``/recordatorios``."""

    due_local: str
    kind: Kind
    subject: str
    recipients: int


@dataclass(frozen=True)
class ScheduleView:
    """``/recordatorios``: the settings in force and what comes next."""

    secretariat: str
    settings: SecretariatSettings
    upcoming: list[Upcoming]


async def schedule(
    session: AsyncSession, *, now: datetime, target: Target, limit: int = 15
) -> ScheduleView:
    """The offsets and hour in force, and the next reminder moments still to come."""
    derived = await plan(session, now=now, secretariat_ids=[target.secretariat_id])
    secretariat = await session.get_one(Secretariat, target.secretariat_id)
    grouped: dict[tuple[datetime, Kind, str], int] = defaultdict(int)
    for series in derived.series:
        upcoming = rules.next_due(
            series.moments, recorded_until=derived.recorded_until(series), now=now
        )
        for moment in series.moments:
            if (
                upcoming is not None
                and moment.due >= upcoming
                and moment.due < moment.useful_until
            ):
                grouped[(moment.due, series.kind, _subject(series))] += 1
    rows = [
        Upcoming(local_stamp(due, secretariat.time_zone), kind, subject, count)
        for (due, kind, subject), count in sorted(grouped.items(), key=lambda i: i[0][0])
    ]
    return ScheduleView(secretariat.name, settings_of(secretariat), rows[:limit])


def _subject(series: Series) -> str:
    about = series.about
    if "meeting" in about:
        meeting: MeetingView = about["meeting"]
        return f"sesión #{meeting.number}" if meeting.number else meeting.title
    if "code" in about:
        return str(about["code"])
    if "vote_id" in about:
        return f"votación #{about['vote_id']}"
    if "term_end" in about:  # R5: the end-of-term series
        return f"periodo que termina el {about['term_end']}"
    return str(about.get("month", ""))
