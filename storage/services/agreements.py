"""The register of agreements (R16): register, responsible, due date, follow-up, lists.

Codes are given under the secretariat's row lock, one past the highest of the year, so
two registrations never share a code and a cancelled agreement's code is never reused.
Every change is a row of ``agreement_changes`` (who, when, note) and an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import agreements as rules
from domain.agreements import Page, Status, page_of
from domain.dissemination import PostKind
from domain.errors import (
    AgreementAlreadyRegistered,
    AgreementClosed,
    AgreementNotFound,
    NotResponsible,
    StaleButton,
    VoteNotApproved,
)
from domain.outcomes import Outcome
from domain.roles import Role, Target
from domain.roster import clean_name
from storage.models import Agreement, AgreementChange, Meeting, Member, Seat, Secretariat, Vote
from storage.services import act_chain, audit, channel_posts, numbering
from storage.services.meetings import latest_held, local_stamp

_APPROVED = (Outcome.APROBADO_CONSENSO.value, Outcome.APROBADO_MAYORIA.value)


@dataclass(frozen=True)
class AgreementView:
    """What chat shows of an agreement."""

    code: str
    text: str
    meeting_number: int
    meeting_title: str
    vote_id: int | None
    responsible: str | None
    due_date: str | None
    status: Status
    registered_at: str


async def _view(session: AsyncSession, agreement: Agreement) -> AgreementView:
    return (await _views(session, [agreement]))[0]


async def view_of(session: AsyncSession, agreement_id: int) -> AgreementView | None:
    """One agreement by id, as chat shows it (its post in the public channel, R18)."""
    agreement = await session.get(Agreement, agreement_id)
    return await _view(session, agreement) if agreement is not None else None


async def _views(session: AsyncSession, rows: list[Agreement]) -> list[AgreementView]:
    """Views of many agreements in four queries, whatever their number (``/acuerdos``)."""
    if not rows:
        return []
    secretariat = await session.get_one(Secretariat, rows[0].secretariat_id)
    meetings = {
        m.id: m
        for m in await session.scalars(
            select(Meeting).where(Meeting.id.in_({a.meeting_id for a in rows}))
        )
    }
    seats = {
        s.id: s.name
        for s in await session.scalars(select(Seat).where(Seat.secretariat_id == secretariat.id))
    }
    titulars = dict(
        (
            await session.execute(
                select(Member.seat_id, Member.full_name).where(
                    Member.secretariat_id == secretariat.id,
                    Member.active,
                    Member.role == Role.TITULAR.value,
                )
            )
        )
        .tuples()
        .all()
    )
    views = []
    for agreement in rows:
        meeting = meetings[agreement.meeting_id]
        responsible = agreement.responsible_name
        if agreement.responsible_seat_id is not None:  # a seat: its sector and current titular
            seat = seats[agreement.responsible_seat_id]
            titular = titulars.get(agreement.responsible_seat_id)
            responsible = f"{seat} ({titular})" if titular else seat
        views.append(
            AgreementView(
                agreement.code,
                agreement.text,
                meeting.number or 0,
                meeting.title or "",
                agreement.vote_id,
                responsible,
                agreement.due_date.isoformat() if agreement.due_date else None,
                Status(agreement.status),
                local_stamp(agreement.created_at, secretariat.time_zone),
            )
        )
    return views


async def _change(
    session: AsyncSession,
    agreement: Agreement,
    *,
    now: datetime,
    target: Target,
    kind: str,
    note: str | None = None,
) -> None:
    change = AgreementChange(
        agreement_id=agreement.id,
        at=now,
        member_id=target.membership.member_id,
        kind=kind,
        status=agreement.status,
        note=note,
    )
    session.add(change)
    await act_chain.agreement_changed(session, change, agreement, now=now)  # issue 15
    audit.record(
        session,
        now=now,
        action=f"agreement.{kind}",
        secretariat_id=agreement.secretariat_id,
        member_id=target.membership.member_id,
        code=agreement.code,
        status=agreement.status,
        note=note,
    )


async def register(
    session: AsyncSession, *, now: datetime, target: Target, text: str | None, vote_id: int | None
) -> AgreementView:
    """A new agreement: from an approved session vote, or typed (``/acuerdo``)."""
    secretariat = await session.get_one(Secretariat, target.secretariat_id, with_for_update=True)
    if vote_id is not None:
        vote = await session.get(Vote, vote_id)
        if vote is None or vote.secretariat_id != secretariat.id or vote.meeting_id is None:
            raise StaleButton()
        if vote.state != "cerrada" or vote.outcome not in _APPROVED:
            raise VoteNotApproved(vote.id)
        existing = await session.scalar(select(Agreement.code).where(Agreement.vote_id == vote.id))
        if existing is not None:
            raise AgreementAlreadyRegistered(existing)
        meeting = await session.get_one(Meeting, vote.meeting_id)
        text = vote.text
    else:
        meeting = await latest_held(session, target)  # in progress, or the latest held
    assert text is not None
    year = meeting.starts_at.astimezone(ZoneInfo(secretariat.time_zone)).year
    used = await numbering.highest(
        session,
        Agreement.sequence,
        Agreement.secretariat_id == secretariat.id,
        Agreement.year == year,
    )
    sequence = rules.next_sequence([used])
    agreement = Agreement(
        secretariat_id=secretariat.id,
        year=year,
        sequence=sequence,
        code=rules.format_code(year, sequence),
        meeting_id=meeting.id,
        vote_id=vote_id,
        text=text[: rules.MAX_TEXT],
        status=Status.PENDIENTE.value,
        created_at=now,
        created_by=target.membership.member_id,
    )
    session.add(agreement)
    await session.flush()
    await _change(session, agreement, now=now, target=target, kind="registro")
    # R18: owed to the public channel with the registration itself (same unit of work).
    await channel_posts.owe(
        session,
        now=now,
        secretariat_id=secretariat.id,
        kind=PostKind.ACUERDO,
        subject_id=agreement.id,
    )
    return await _view(session, agreement)


async def by_code(session: AsyncSession, target: Target, raw: str) -> Agreement:
    """The caller's secretariat's agreement with that code."""
    code = rules.parse_code(raw)
    agreement = (
        await session.scalar(
            select(Agreement).where(
                Agreement.secretariat_id == target.secretariat_id, Agreement.code == str(code)
            )
        )
        if code is not None
        else None
    )
    if agreement is None:
        raise AgreementNotFound(raw.strip()[:20] or "?")
    return agreement


async def seat_by_key(session: AsyncSession, secretariat_id: int, raw: str) -> Seat | None:
    """The active seat whose clave is ``raw`` (any case), else ``None``: a responsible typed
    as a clave is that seat (R16 agreements, R16a commitments), anything else is a name."""
    return await session.scalar(
        select(Seat).where(
            Seat.secretariat_id == secretariat_id,
            Seat.key == raw.strip().lower(),
            Seat.active,
        )
    )


async def set_responsible(
    session: AsyncSession, *, now: datetime, target: Target, code: str, who: str
) -> AgreementView:
    """A seat (by its clave) or a named person (R16)."""
    agreement = await by_code(session, target, code)
    seat = await seat_by_key(session, target.secretariat_id, who)
    if seat is not None:
        agreement.responsible_seat_id, agreement.responsible_name = seat.id, None
    else:
        agreement.responsible_seat_id, agreement.responsible_name = (
            None,
            clean_name(who, command="responsable"),
        )
    await _change(session, agreement, now=now, target=target, kind="responsable", note=who.strip())
    return await _view(session, agreement)


async def set_due(
    session: AsyncSession, *, now: datetime, target: Target, code: str, day: date
) -> AgreementView:
    """The agreement's due date (reminders follow it: R16, R22)."""
    agreement = await by_code(session, target, code)
    agreement.due_date = day
    await _change(session, agreement, now=now, target=target, kind="plazo", note=day.isoformat())
    return await _view(session, agreement)


async def follow_up(
    session: AsyncSession,
    *,
    now: datetime,
    target: Target,
    code: str,
    status: Status,
    note: str | None,
) -> AgreementView:
    """``/seguimiento``: the facilitator, or the responsible seat's titular or substitute."""
    agreement = await by_code(session, target, code)
    role = target.membership.role
    if role is not Role.FACILITADOR:
        member = await session.get_one(Member, target.membership.member_id)
        if (
            agreement.responsible_seat_id is None
            or member.seat_id != agreement.responsible_seat_id
        ):
            raise NotResponsible()
    if Status(agreement.status).closed:
        raise AgreementClosed(agreement.code, Status(agreement.status).label)
    agreement.status = status.value
    await _change(session, agreement, now=now, target=target, kind="estado", note=note)
    return await _view(session, agreement)


@dataclass(frozen=True)
class Listing:
    """One page of ``/acuerdos [todos]``."""

    agreements: list[AgreementView]
    page: Page
    everything: bool


async def listing(
    session: AsyncSession, target: Target, *, everything: bool, page: int = 0
) -> Listing:
    """``/acuerdos [todos]``: open agreements (or all), by code, one page of them.

    Only the page's rows are read and viewed (a count, then ``LIMIT``/``OFFSET``), so a
    register of any size costs the same per page.
    """
    where = [Agreement.secretariat_id == target.secretariat_id]
    if not everything:
        where.append(Agreement.status.in_((Status.PENDIENTE.value, Status.EN_PROCESO.value)))
    total = await session.scalar(select(func.count()).select_from(Agreement).where(*where)) or 0
    bounds = page_of(total, page)
    rows = await session.scalars(
        select(Agreement)
        .where(*where)
        .order_by(Agreement.year, Agreement.sequence)
        .offset(bounds.start)
        .limit(bounds.stop - bounds.start)
    )
    return Listing(await _views(session, list(rows)), bounds, everything)


async def of_meeting(session: AsyncSession, meeting_id: int) -> list[str]:
    """The agreements adopted in a session, for its minutes (R14): "ACU-2027-003: text"."""
    rows = await session.scalars(
        select(Agreement)
        .where(Agreement.meeting_id == meeting_id)
        .order_by(Agreement.year, Agreement.sequence)
    )
    return [f"{a.code}: {a.text}" for a in rows]
