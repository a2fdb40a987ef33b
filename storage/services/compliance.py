"""Compliance of many secretariats at once (R6, R15, R16): ``/cumplimiento`` and the
microsite's ``/cumplimiento`` pages.

A garante's liaison may sit on a hundred secretariats, and the public page of a state
lists all of them, so the rows are read in three queries whatever the number of
secretariats or months — the secretariats, their sessions of the window, their open
agreements past due — and counted by ``domain.compliance``. Only public acts are read
(R21): dates and statuses of sessions, minutes and agreements; no person at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import compliance as rules
from domain.agreements import Status
from domain.mexican_states import state_slug
from domain.notice import local_date
from domain.secretariat_settings import MinutesDeadline
from storage.models import Agreement, Meeting, Secretariat

#: Sessions are read back this far: the window is at most 12 calendar months, and a
#: month and a half of slack covers any time zone and the month in progress.
_LOOKBACK = timedelta(days=(rules.WINDOW_MONTHS + 1) * 31 + 15)
_CLOSED = tuple(s.value for s in Status if s.closed)


@dataclass(frozen=True)
class SecretariatCompliance:
    """One secretariat's compliance, as chat and the pages show it."""

    id: int
    name: str
    slug: str
    state: str
    state_slug: str
    minutes_deadline: MinutesDeadline  # R15: the secretariat's own ``plazo_acta``
    today: date  # in its time zone
    report: rules.Compliance


@dataclass(frozen=True)
class StateListing:
    """A state with secretariats on this deployment (``/cumplimiento`` on the web)."""

    name: str
    slug: str
    secretariats: int


async def for_secretariats(
    session: AsyncSession, secretariat_ids: Iterable[int], *, now: datetime
) -> list[SecretariatCompliance]:
    """The compliance of each of ``secretariat_ids``, by name."""
    ids = sorted(set(secretariat_ids))
    if not ids:
        return []
    rows = list(
        await session.scalars(
            select(Secretariat).where(Secretariat.id.in_(ids)).order_by(Secretariat.name)
        )
    )
    return await _compliance_of(session, rows, now=now)


async def for_state(
    session: AsyncSession, state: str | None, *, now: datetime
) -> list[SecretariatCompliance]:
    """Every secretariat of one state (its short name), or of the deployment (``None``)."""
    query = select(Secretariat).order_by(Secretariat.name)
    if state is not None:
        query = query.where(Secretariat.state == state)
    return await _compliance_of(session, list(await session.scalars(query)), now=now)


async def states(session: AsyncSession) -> list[StateListing]:
    """The states that have secretariats here, by name, with how many each."""
    rows = await session.execute(
        select(Secretariat.state, func.count())
        .group_by(Secretariat.state)
        .order_by(Secretariat.state)
    )
    return [StateListing(name, state_slug(name), count) for name, count in rows]


async def _compliance_of(
    session: AsyncSession, secretariats: Sequence[Secretariat], *, now: datetime
) -> list[SecretariatCompliance]:
    ids = [s.id for s in secretariats]
    if not ids:
        return []
    zones = {s.id: s.time_zone for s in secretariats}
    sessions: dict[int, list[rules.SessionHeld]] = defaultdict(list)
    held = await session.execute(
        select(
            Meeting.secretariat_id,
            Meeting.starts_at,
            Meeting.kind,
            Meeting.installed_at,
            Meeting.minutes_sent_at,
        ).where(
            Meeting.secretariat_id.in_(ids),
            Meeting.number.is_not(None),
            Meeting.starts_at >= now - _LOOKBACK,
            # R14: held = installed; R9: recorded without quorum is shown beside it.
            or_(Meeting.installed_at.is_not(None), Meeting.state == "sin_quorum"),
        )
    )
    for secretariat_id, starts_at, kind, installed_at, sent_at in held:
        tz = zones[secretariat_id]
        sessions[secretariat_id].append(
            rules.SessionHeld(
                held_on=local_date(starts_at, tz),
                ordinary=kind == "ordinaria",
                installed=installed_at is not None,
                minutes_sent_on=local_date(sent_at, tz) if sent_at is not None else None,
            )
        )
    agreements: dict[int, list[rules.AgreementDue]] = defaultdict(list)
    due = await session.execute(
        select(Agreement.secretariat_id, Agreement.due_date, Agreement.status).where(
            Agreement.secretariat_id.in_(ids),
            Agreement.due_date.is_not(None),
            Agreement.status.not_in(_CLOSED),
            # Past due = due before the local today, which is at most the UTC date + 1.
            Agreement.due_date <= now.date(),
        )
    )
    for secretariat_id, due_date, status in due:
        agreements[secretariat_id].append(rules.AgreementDue(due_date, Status(status)))
    views = []
    for s in secretariats:
        today = local_date(now, s.time_zone)
        record = rules.Record(
            created_on=local_date(s.created_at, s.time_zone),
            following_month=s.minutes_deadline == MinutesDeadline.MES_SIGUIENTE.value,
            sessions=tuple(sessions[s.id]),
            agreements=tuple(agreements[s.id]),
            term_start=s.term_start,
            term_end=s.term_end,
        )
        views.append(
            SecretariatCompliance(
                id=s.id,
                name=s.name,
                slug=s.slug,
                state=s.state,
                state_slug=state_slug(s.state),
                minutes_deadline=MinutesDeadline(s.minutes_deadline),
                today=today,
                report=rules.compliance(record, today),
            )
        )
    return views
