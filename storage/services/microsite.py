"""Read models of the microsite's home and index pages (R19), in a few queries each.

Only public acts are read here (R21): sessions, agreements, seats' names. Nothing about
who members are on Telegram is selected, so nothing of it can reach a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Agreement, Commitment, Meeting, Secretariat

#: Sessions that were held (their minutes and votes are public acts).
HELD_STATES = ("concluida", "sin_quorum", "instalada", "en_curso")
LATEST_AGREEMENTS = 5


@dataclass(frozen=True)
class Listed:
    """A secretariat on the index page."""

    slug: str
    name: str


async def listed(session: AsyncSession) -> list[Listed]:
    """Every secretariat, by name."""
    rows = await session.execute(
        select(Secretariat.slug, Secretariat.name).order_by(Secretariat.name)
    )
    return [Listed(slug, name) for slug, name in rows]


@dataclass(frozen=True)
class UpcomingSession:
    """A convened session that has not started."""

    number: int | None
    title: str
    kind: str
    starts_at: datetime
    place: str
    agenda: list[str]


@dataclass(frozen=True)
class LatestAgreement:
    """One of the latest agreements on the home page."""

    code: str
    text: str
    status: str
    due_date: date | None


@dataclass(frozen=True)
class Home:
    """The home page's figures."""

    upcoming: UpcomingSession | None
    agreements: list[LatestAgreement]
    held: int
    agreements_total: int
    commitments: int


async def home(session: AsyncSession, secretariat_id: int, *, now: datetime) -> Home:
    """Next session, latest agreements and totals (four queries)."""
    meeting = await session.scalar(
        select(Meeting)
        .where(
            Meeting.secretariat_id == secretariat_id,
            Meeting.state == "convocada",
            Meeting.starts_at >= now,
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )
    upcoming = (
        UpcomingSession(
            meeting.number,
            meeting.title or "Sesión",
            meeting.kind,
            meeting.starts_at,
            meeting.place,
            list(meeting.agenda),
        )
        if meeting is not None
        else None
    )
    rows = await session.execute(
        select(Agreement.code, Agreement.text, Agreement.status, Agreement.due_date)
        .where(Agreement.secretariat_id == secretariat_id)
        .order_by(Agreement.id.desc())
        .limit(LATEST_AGREEMENTS)
    )
    latest = [LatestAgreement(*row) for row in rows]
    held = await session.scalar(
        select(func.count())
        .select_from(Meeting)
        .where(Meeting.secretariat_id == secretariat_id, Meeting.state.in_(HELD_STATES))
    )
    totals = (
        await session.execute(
            select(
                select(func.count())
                .select_from(Agreement)
                .where(Agreement.secretariat_id == secretariat_id)
                .scalar_subquery(),
                select(func.count())
                .select_from(Commitment)
                .where(Commitment.secretariat_id == secretariat_id)
                .scalar_subquery(),
            )
        )
    ).one()
    return Home(upcoming, latest, held or 0, totals[0] or 0, totals[1] or 0)


async def database_answers(session: AsyncSession) -> bool:
    """``/healthz``: one trivial query."""
    return (await session.scalar(select(1))) == 1
