"""The Plan de Acción Municipal (R16a): commitments, milestones, levels, and the overview.

Numbers are given under the secretariat's row lock, one past the highest ever used, so
``C-n`` is never shared nor reused (like the agreements' codes, R16). A commitment's
level follows the weighted share of its milestones done (``domain.action_plan``) unless
the facilitator set it by hand with a reason; ``/nivel C-n auto`` gives it back to the
rule.

Every change is one ``commitment_changes`` row (and an audit entry); the follow-up
report (II.6, ``/reporte``) reads a period's rows, so their meaning is part of the
contract:

* ``kind`` — ``registro`` (the commitment was registered), ``hito`` (a milestone was
  added), ``avance`` (a milestone was marked done or pending), ``nivel`` (the level was
  set by hand, or given back to the rule);
* ``level`` — the commitment's level *after* the change, whatever the kind;
* ``milestone_id`` — the milestone for ``hito`` and ``avance``, else NULL;
* ``note`` — ``registro``: NULL; ``hito``: the milestone's text; ``avance``: for
  ``hecho`` the evidence as typed (NULL without one), for ``pendiente`` ``"pendiente"``
  or ``"pendiente: <nota>"``; ``nivel``: the reason typed, or ``"automático"`` /
  ``"automático: <motivo>"`` when the level went back to the rule.

A milestone is marked once per state: marking it done (or pending) again is refused and
adds no row, so every ``avance`` row is a real change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import commitments as parse
from domain.action_plan import Level, Milestone, level_of, progress_bar, share_done
from domain.commitments import CommitmentFields, MilestoneRequest
from domain.errors import (
    CommitmentNotFound,
    LevelAlreadyAutomatic,
    MilestoneNotFound,
    MilestoneUnchanged,
    NotCommitmentResponsible,
)
from domain.notice import local_date
from domain.roles import Role, Target
from storage.models import (
    Commitment,
    CommitmentChange,
    CommitmentMilestone,
    Member,
    Secretariat,
)
from storage.services import audit, numbering
from storage.services.agreements import seat_by_key

__all__ = [
    "CommitmentView",
    "MilestoneView",
    "Progress",
    "add_milestone",
    "by_code",
    "detail",
    "listing",
    "mark",
    "overview",
    "register",
    "set_level",
]


@dataclass(frozen=True)
class MilestoneView:
    """A milestone as chat and the follow-up report show it."""

    code: str  # C-n.m
    number: int
    text: str
    due: date
    weight: int
    done: bool
    done_at: datetime | None
    evidence: str | None
    overdue: bool  # pending and due before ``today`` (False when no ``today`` was given)


@dataclass(frozen=True)
class CommitmentView:
    """A commitment with its milestones and where it stands (R16a)."""

    code: str  # C-n
    number: int
    title: str
    problem: str | None
    objective: str | None
    institution: str | None  # the responsible institution (a seat's name when one is)
    responsible_seat_id: int | None
    supporters: str | None
    starts_on: date | None
    ends_on: date | None
    ogp_values: tuple[str, ...]
    level: Level
    level_manual: bool
    level_reason: str | None
    share: Fraction  # weighted share of milestones done, 0 … 1
    milestones: tuple[MilestoneView, ...]
    next_milestone: MilestoneView | None  # the earliest pending one, by due date

    @property
    def bar(self) -> str:
        """``▰▰▰▱▱▱▱▱▱▱ 30 %``."""
        return progress_bar(self.share)


def _milestone_view(
    commitment_number: int, row: CommitmentMilestone, today: date | None
) -> MilestoneView:
    return MilestoneView(
        code=parse.milestone_code(commitment_number, row.number),
        number=row.number,
        text=row.text,
        due=row.due_date,
        weight=row.weight,
        done=row.done,
        done_at=row.done_at,
        evidence=row.evidence,
        overdue=today is not None and not row.done and row.due_date < today,
    )


def _view(
    commitment: Commitment, rows: Iterable[CommitmentMilestone], today: date | None
) -> CommitmentView:
    milestones = tuple(
        _milestone_view(commitment.number, m, today) for m in sorted(rows, key=lambda m: m.number)
    )
    pending = sorted((m for m in milestones if not m.done), key=lambda m: (m.due, m.number))
    return CommitmentView(
        code=parse.commitment_code(commitment.number),
        number=commitment.number,
        title=commitment.title,
        problem=commitment.problem,
        objective=commitment.objective,
        institution=commitment.institution,
        responsible_seat_id=commitment.responsible_seat_id,
        supporters=commitment.supporters,
        starts_on=commitment.starts_on,
        ends_on=commitment.ends_on,
        ogp_values=tuple(v for v in commitment.ogp_values.split(",") if v),
        level=Level(commitment.level),
        level_manual=commitment.level_manual,
        level_reason=commitment.level_reason,
        share=share_done(Milestone(m.weight, m.done) for m in milestones),
        milestones=milestones,
        next_milestone=pending[0] if pending else None,
    )


async def overview(
    session: AsyncSession, secretariat_id: int, *, today: date | None = None
) -> list[CommitmentView]:
    """Every commitment of the secretariat by number, with its milestones (``/compromisos``,
    the follow-up report). Two queries whatever the number of commitments.

    ``today`` (in the secretariat's zone) marks pending milestones due before it as
    overdue; without it nothing is overdue.
    """
    commitments = list(
        await session.scalars(
            select(Commitment)
            .where(Commitment.secretariat_id == secretariat_id)
            .order_by(Commitment.number)
        )
    )
    if not commitments:
        return []
    by_commitment: dict[int, list[CommitmentMilestone]] = defaultdict(list)
    for row in await session.scalars(
        select(CommitmentMilestone)
        .join(Commitment, Commitment.id == CommitmentMilestone.commitment_id)
        .where(Commitment.secretariat_id == secretariat_id)
    ):
        by_commitment[row.commitment_id].append(row)
    return [_view(c, by_commitment[c.id], today) for c in commitments]


async def _today(session: AsyncSession, secretariat_id: int, now: datetime) -> date:
    secretariat = await session.get_one(Secretariat, secretariat_id)
    return local_date(now, secretariat.time_zone)


async def listing(session: AsyncSession, target: Target, *, now: datetime) -> list[CommitmentView]:
    """``/compromisos``: the overview, overdue as of today in the secretariat's zone."""
    today = await _today(session, target.secretariat_id, now)
    return await overview(session, target.secretariat_id, today=today)


async def detail(
    session: AsyncSession, target: Target, code: str, *, now: datetime
) -> CommitmentView:
    """``/compromisos C-n``: one commitment with every milestone."""
    view, _ = await _one(session, await by_code(session, target, code), now)
    return view


async def _one(
    session: AsyncSession, commitment: Commitment, now: datetime
) -> tuple[CommitmentView, list[CommitmentMilestone]]:
    rows = list(
        await session.scalars(
            select(CommitmentMilestone).where(CommitmentMilestone.commitment_id == commitment.id)
        )
    )
    today = await _today(session, commitment.secretariat_id, now)
    return _view(commitment, rows, today), rows


def _change(
    session: AsyncSession,
    commitment: Commitment,
    *,
    now: datetime,
    target: Target,
    kind: str,
    milestone: CommitmentMilestone | None = None,
    note: str | None = None,
) -> None:
    """One history row (the report's source, see the module docstring) and its audit."""
    session.add(
        CommitmentChange(
            commitment_id=commitment.id,
            milestone_id=milestone.id if milestone is not None else None,
            at=now,
            member_id=target.membership.member_id,
            kind=kind,
            level=commitment.level,
            note=note,
        )
    )
    audit.record(
        session,
        now=now,
        action=f"commitment.{kind}",
        secretariat_id=commitment.secretariat_id,
        member_id=target.membership.member_id,
        code=parse.commitment_code(commitment.number),
        milestone=(
            parse.milestone_code(commitment.number, milestone.number) if milestone else None
        ),
        level=commitment.level,
        note=note,
    )


def _follow_rule(commitment: Commitment, rows: Iterable[CommitmentMilestone]) -> None:
    """R16a: the level is the weighted share's, unless set by hand."""
    if not commitment.level_manual:
        commitment.level = level_of(Milestone(m.weight, m.done) for m in rows).value


async def register(
    session: AsyncSession, *, now: datetime, target: Target, fields: CommitmentFields
) -> CommitmentView:
    """``/compromiso``: a new ``C-n``. ``responsable:`` naming a seat's clave makes that
    seat responsible (its titular and substitute may then mark progress); any other text
    is the responsible institution as written."""
    secretariat = await session.get_one(Secretariat, target.secretariat_id, with_for_update=True)
    # never reused (R16a, like R16's codes)
    number = (
        await numbering.highest(
            session, Commitment.number, Commitment.secretariat_id == secretariat.id
        )
        + 1
    )
    institution, seat_id = fields.institution, None
    if institution is not None:
        seat = await seat_by_key(session, secretariat.id, institution)
        if seat is not None:
            institution, seat_id = seat.name, seat.id
    commitment = Commitment(
        secretariat_id=secretariat.id,
        number=number,
        title=fields.title,
        problem=fields.problem,
        objective=fields.objective,
        institution=institution,
        responsible_seat_id=seat_id,
        supporters=fields.supporters,
        starts_on=fields.starts_on,
        ends_on=fields.ends_on,
        ogp_values=",".join(fields.ogp_values),
        level=Level.NO_INICIADO.value,
        level_manual=False,
        created_at=now,
        created_by=target.membership.member_id,
    )
    session.add(commitment)
    await session.flush()
    _change(session, commitment, now=now, target=target, kind="registro")
    return _view(commitment, [], await _today(session, secretariat.id, now))  # no milestones yet


async def by_code(
    session: AsyncSession, target: Target, raw: str, *, lock: bool = False
) -> Commitment:
    """The caller's secretariat's commitment ``C-n`` (typed in any case)."""
    number = parse.parse_commitment_code(raw)
    commitment = None
    if number is not None:
        query = select(Commitment).where(
            Commitment.secretariat_id == target.secretariat_id, Commitment.number == number
        )
        commitment = await session.scalar(query.with_for_update() if lock else query)
    if commitment is None:
        raise CommitmentNotFound(raw.strip()[:20] or "?")
    return commitment


async def add_milestone(
    session: AsyncSession, *, now: datetime, target: Target, request: MilestoneRequest
) -> tuple[CommitmentView, MilestoneView]:
    """``/hito``: milestone ``C-n.m`` (one past the highest), the level recomputed."""
    commitment = await by_code(session, target, request.commitment, lock=True)
    _, rows = await _one(session, commitment, now)
    milestone = CommitmentMilestone(
        commitment_id=commitment.id,
        number=max((m.number for m in rows), default=0) + 1,
        text=request.text,
        due_date=request.due,
        weight=request.weight,
        done=False,
        created_at=now,
    )
    session.add(milestone)
    await session.flush()
    _follow_rule(commitment, [*rows, milestone])
    _change(
        session,
        commitment,
        now=now,
        target=target,
        kind="hito",
        milestone=milestone,
        note=request.text,
    )
    today = await _today(session, commitment.secretariat_id, now)
    view = _view(commitment, [*rows, milestone], today)  # the rows in hand: no re-read
    (added,) = (m for m in view.milestones if m.number == milestone.number)
    return view, added


@dataclass(frozen=True)
class Progress:
    """What ``/avance`` did, and whom to tell."""

    commitment: CommitmentView
    milestone: MilestoneView
    level_before: Level
    # The facilitator's chat when the level changed by someone else's hand (told once,
    # after the commit); None when there is nobody to tell.
    notify_chat_id: int | None
    actor_name: str | None


async def mark(
    session: AsyncSession,
    *,
    now: datetime,
    target: Target,
    code: str,
    done: bool,
    evidence: str | None,
) -> Progress:
    """``/avance``: the facilitator, or the responsible seat's titular or substitute
    (decided here on the stored responsible seat, like an agreement's follow-up)."""
    parsed = parse.parse_milestone_code(code)
    if parsed is None:
        raise MilestoneNotFound(code.strip()[:20] or "?")
    try:
        commitment = await by_code(session, target, parse.commitment_code(parsed[0]), lock=True)
    except CommitmentNotFound:
        raise MilestoneNotFound(code.strip()[:20]) from None
    facilitator = target.membership.role is Role.FACILITADOR
    member = await session.get_one(Member, target.membership.member_id)
    if not facilitator and (
        commitment.responsible_seat_id is None or member.seat_id != commitment.responsible_seat_id
    ):
        raise NotCommitmentResponsible(parse.commitment_code(commitment.number))
    _, rows = await _one(session, commitment, now)
    milestone = next((m for m in rows if m.number == parsed[1]), None)
    if milestone is None:
        raise MilestoneNotFound(code.strip()[:20])
    if milestone.done == done:
        raise MilestoneUnchanged(parse.milestone_code(commitment.number, milestone.number), done)
    before = Level(commitment.level)
    milestone.done = done
    milestone.done_at = now if done else None
    milestone.evidence = evidence if done else None
    _follow_rule(commitment, rows)
    note = evidence if done else ("pendiente" + (f": {evidence}" if evidence else ""))
    _change(
        session,
        commitment,
        now=now,
        target=target,
        kind="avance",
        milestone=milestone,
        note=note,
    )
    view = _view(commitment, rows, await _today(session, commitment.secretariat_id, now))
    (marked,) = (m for m in view.milestones if m.number == milestone.number)
    notify = None
    if not facilitator and view.level is not before:
        notify = await session.scalar(
            select(Member.telegram_user_id).where(
                Member.secretariat_id == commitment.secretariat_id,
                Member.active,
                Member.role == Role.FACILITADOR.value,
            )
        )
    return Progress(view, marked, before, notify, member.full_name)


async def set_level(
    session: AsyncSession,
    *,
    now: datetime,
    target: Target,
    code: str,
    level: Level | None,
    reason: str | None,
) -> CommitmentView:
    """``/nivel``: the level by hand with its reason, or (``level=None``) back to the rule."""
    commitment = await by_code(session, target, code, lock=True)
    _, rows = await _one(session, commitment, now)
    if level is None:
        if not commitment.level_manual:
            raise LevelAlreadyAutomatic(parse.commitment_code(commitment.number))
        commitment.level_manual, commitment.level_reason = False, None
        _follow_rule(commitment, rows)
        note = "automático" + (f": {reason}" if reason else "")
    else:
        assert reason, "the parser requires a reason for a level by hand (R16a)"
        commitment.level_manual, commitment.level_reason = True, reason
        commitment.level = level.value
        note = reason
    _change(session, commitment, now=now, target=target, kind="nivel", note=note)
    return _view(commitment, rows, await _today(session, commitment.secretariat_id, now))
