"""The follow-up report of a month (R16a, II.6): what ``/reporte`` lays out as PDF.

Everything is read as it stood at the *end of the period*, from the history rows, so the
report of a closed month never changes afterwards:

* a commitment's level is the ``level`` of its last ``commitment_changes`` row before the
  end (every row stores the level after it), and it was "fijado" when its last ``nivel``
  row before the end set it by hand (not ``automático``: the contract of
  ``storage.services.action_plan``);
* a milestone counts if it existed then, and was done then: every ``avance`` row toggles
  it (marking it twice the same way is refused and adds no row), so it was done when it
  had an odd number of them before the end; a milestone without any ``avance`` row (rows
  not written by that service) falls back on its ``done`` / ``done_at``;
* an agreement's status is the ``status`` of its last ``agreement_changes`` row before the
  end; its responsible and due date are today's (R16 keeps their changes, listed in the
  period's changes, but the report does not re-derive them);
* sessions held are those of the period installed with quorum, or held without it (R9).

The action plan's ``overview`` gives today's state, not the period's, so it is not used
here. The queries are batched — ten whatever the number of commitments, milestones,
agreements or sessions — so a plan of 200 commitments is read as fast as one of two.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import follow_up_report as rules
from domain.action_plan import Level, Milestone, share_done
from domain.agreements import Status
from domain.commitments import commitment_code, milestone_code
from domain.follow_up_report import (
    AgreementChangeLine,
    AgreementLine,
    CommitmentChangeLine,
    CommitmentLine,
    Month,
    Report,
    SessionLine,
)
from domain.notice import local_date
from domain.roles import Role, Target
from storage.models import (
    Agreement,
    AgreementChange,
    Commitment,
    CommitmentChange,
    CommitmentMilestone,
    Meeting,
    Member,
    Seat,
    Secretariat,
)
from storage.services.meetings import local_stamp

_AUTOMATIC = "automático"  # a ``nivel`` row that gave the level back to the rule


async def report(
    session: AsyncSession, *, now: datetime, target: Target, month: Month | None
) -> Report:
    """The report of ``month`` (default: the previous month in the secretariat's zone).

    Raises:
        ReportMonthAhead: ``month`` has not begun.
    """
    secretariat = await session.get_one(Secretariat, target.secretariat_id)
    tz = secretariat.time_zone
    today = local_date(now, tz)
    month = month or rules.default_month(today)
    rules.check_reportable(month, today)
    start, end = month.bounds(tz)
    in_progress = month == rules.month_of(today)
    commitments, commitment_changes = await _commitments(session, secretariat, start, end)
    agreements, agreement_changes, adopted = await _agreements(
        session, secretariat, start, end, as_of=today if in_progress else month.next.first_day
    )
    return Report(
        secretariat=secretariat.name,
        month=month,
        time_zone=tz,
        generated_at=local_stamp(now, tz),
        in_progress=in_progress,
        commitments=commitments,
        commitment_changes=commitment_changes,
        agreements=agreements,
        agreement_changes=agreement_changes,
        sessions=await _sessions(session, secretariat, start, end, adopted),
    )


async def _commitments(
    session: AsyncSession, secretariat: Secretariat, start: datetime, end: datetime
) -> tuple[tuple[CommitmentLine, ...], tuple[CommitmentChangeLine, ...]]:
    """Commitments registered by the end, at the end; and the period's changes (4 queries)."""
    rows = list(
        await session.scalars(
            select(Commitment)
            .where(Commitment.secretariat_id == secretariat.id, Commitment.created_at < end)
            .order_by(Commitment.number)
        )
    )
    of_secretariat = Commitment.secretariat_id == secretariat.id
    milestones = list(
        await session.scalars(
            select(CommitmentMilestone)
            .join(Commitment, Commitment.id == CommitmentMilestone.commitment_id)
            .where(of_secretariat, CommitmentMilestone.created_at < end)
        )
    )
    # Milestones with ``avance`` rows (at any time), and how many of them before the end.
    toggles = {
        milestone_id: int(by_end or 0)
        for milestone_id, by_end in await session.execute(
            select(
                CommitmentChange.milestone_id,
                func.sum(case((CommitmentChange.at < end, 1), else_=0)),
            )
            .join(Commitment, Commitment.id == CommitmentChange.commitment_id)
            .where(
                of_secretariat,
                CommitmentChange.kind == "avance",
                CommitmentChange.milestone_id.is_not(None),
            )
            .group_by(CommitmentChange.milestone_id)
        )
    }
    # The history up to the end, oldest first: the last row of each commitment says its
    # level then; the period's rows are the changes listed.
    history = (
        await session.execute(
            select(CommitmentChange, Commitment.number, CommitmentMilestone.number)
            .join(Commitment, Commitment.id == CommitmentChange.commitment_id)
            .outerjoin(
                CommitmentMilestone, CommitmentMilestone.id == CommitmentChange.milestone_id
            )
            .where(of_secretariat, CommitmentChange.at < end)
            .order_by(CommitmentChange.at, CommitmentChange.id)
        )
    ).all()
    level_at_end: dict[int, Level] = {}
    manual_at_end: dict[int, bool] = {}
    changes = []
    for change, number, milestone_number in history:
        level_at_end[change.commitment_id] = Level(change.level)
        if change.kind == "nivel":
            manual_at_end[change.commitment_id] = not (change.note or "").startswith(_AUTOMATIC)
        if change.at >= start:
            code = (
                milestone_code(number, milestone_number)
                if milestone_number is not None
                else commitment_code(number)
            )
            changes.append(
                CommitmentChangeLine(
                    local_stamp(change.at, secretariat.time_zone),
                    code,
                    change.kind,
                    Level(change.level),
                    change.note,
                )
            )
    by_commitment: dict[int, list[Milestone]] = defaultdict(list)
    for m in milestones:
        if m.id in toggles:  # every avance row toggles the milestone: odd = done
            done = toggles[m.id] % 2 == 1
        else:
            done = m.done and m.done_at is not None and m.done_at < end
        by_commitment[m.commitment_id].append(Milestone(m.weight, done))
    lines = []
    for c in rows:
        items = by_commitment[c.id]
        lines.append(
            CommitmentLine(
                code=commitment_code(c.number),
                title=c.title,
                level=level_at_end.get(c.id, Level(c.level)),
                level_manual=manual_at_end.get(c.id, False),
                share=share_done(items),
                done=sum(m.done for m in items),
                total=len(items),
            )
        )
    return tuple(lines), tuple(changes)


async def _agreements(
    session: AsyncSession,
    secretariat: Secretariat,
    start: datetime,
    end: datetime,
    *,
    as_of: date,
) -> tuple[tuple[AgreementLine, ...], tuple[AgreementChangeLine, ...], dict[int, int]]:
    """Agreements registered by the end, with their status then; the period's changes;
    and how many each session adopted (4 queries)."""
    rows = list(
        await session.scalars(
            select(Agreement)
            .where(Agreement.secretariat_id == secretariat.id, Agreement.created_at < end)
            .order_by(Agreement.year, Agreement.sequence)
        )
    )
    history = (
        await session.execute(
            select(AgreementChange, Agreement.code)
            .join(Agreement, Agreement.id == AgreementChange.agreement_id)
            .where(Agreement.secretariat_id == secretariat.id, AgreementChange.at < end)
            .order_by(AgreementChange.at, AgreementChange.id)
        )
    ).all()
    status_at_end: dict[int, Status] = {}
    changes = []
    for change, code in history:
        if change.status is not None:
            status_at_end[change.agreement_id] = Status(change.status)
        if change.at >= start:
            changes.append(
                AgreementChangeLine(
                    local_stamp(change.at, secretariat.time_zone),
                    code,
                    change.kind,
                    Status(change.status) if change.status else None,
                    change.note,
                )
            )
    responsible = await _responsibles(session, secretariat.id)
    lines = []
    adopted: dict[int, int] = defaultdict(int)
    for a in rows:
        status = status_at_end.get(a.id, Status(a.status))
        adopted[a.meeting_id] += 1
        lines.append(
            AgreementLine(
                code=a.code,
                text=a.text,
                responsible=(
                    responsible.get(a.responsible_seat_id)
                    if a.responsible_seat_id is not None
                    else a.responsible_name
                ),
                due_date=a.due_date,
                status=status,
                overdue=rules.overdue(a.due_date, status, as_of=as_of),
            )
        )
    return tuple(lines), tuple(changes), adopted


async def _responsibles(session: AsyncSession, secretariat_id: int) -> dict[int, str]:
    """Each seat as the register of agreements names a responsible: "Academia (titular)"."""
    seats = (
        await session.execute(
            select(Seat.id, Seat.name).where(Seat.secretariat_id == secretariat_id)
        )
    ).tuples()
    titulars = dict(
        (
            await session.execute(
                select(Member.seat_id, Member.full_name).where(
                    Member.secretariat_id == secretariat_id,
                    Member.active,
                    Member.role == Role.TITULAR.value,
                )
            )
        )
        .tuples()
        .all()
    )
    return {
        seat_id: f"{name} ({titulars[seat_id]})" if titulars.get(seat_id) else name
        for seat_id, name in seats
    }


async def _sessions(
    session: AsyncSession,
    secretariat: Secretariat,
    start: datetime,
    end: datetime,
    adopted: dict[int, int],
) -> tuple[SessionLine, ...]:
    """Numbered sessions of the period held with quorum or recorded without it (R9)."""
    meetings = await session.scalars(
        select(Meeting)
        .where(
            Meeting.secretariat_id == secretariat.id,
            Meeting.number.is_not(None),
            Meeting.starts_at >= start,
            Meeting.starts_at < end,
            or_(Meeting.installed_at.is_not(None), Meeting.state == "sin_quorum"),
        )
        .order_by(Meeting.starts_at, Meeting.number)
    )
    tz = secretariat.time_zone
    return tuple(
        SessionLine(
            number=m.number or 0,
            title=m.title or "",
            kind=m.kind,
            day=local_date(m.starts_at, tz),
            time=local_stamp(m.starts_at, tz)[11:],
            quorum=m.installed_at is not None,
            present=m.seats_present,
            seats=m.seats_total,
            agreements=adopted.get(m.id, 0),
        )
        for m in meetings
    )
