"""Ballots: presses in, applied to a vote's running tally in batches (R2, R3, R13).

Every press is appended to the history (``ballots``); the seat's latest ballot per role
(``vote_seat_ballots``) and the vote's counts are updated with ``domain.ballots.with_ballot``,
so a press never re-reads the vote's earlier ballots (issue 10). ``bot.voting.BallotBox``
hands a vote's concurrent presses here as one batch per unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import ballots as ballot_rules
from domain.ballots import Cast, SeatBallots, VoteKind, with_ballot
from domain.errors import BallotAlreadyCast, NotYourButton, Refusal, StaleButton
from domain.outcomes import Choice
from domain.roles import Role
from storage.models import Ballot, Member, SeatBallot, Vote
from storage.services import audit


async def seat_ballots(session: AsyncSession, vote_id: int) -> dict[int, SeatBallots]:
    """Each seat's latest ballot per role: the running tally's rows (at most 2 per seat)."""
    seats: dict[int, SeatBallots] = {}
    rows = await session.scalars(select(SeatBallot).where(SeatBallot.vote_id == vote_id))
    for row in rows:
        seats[row.seat_id] = with_ballot(
            seats.get(row.seat_id, SeatBallots()),
            Cast(row.seat_id, row.role, row.member_id, Choice(row.choice), row.at),
        )
    return seats


@dataclass(frozen=True)
class Press:
    """One press of a ballot button, as the handler received it."""

    telegram_user_id: int
    choice: str
    at: datetime


@dataclass(frozen=True)
class Casted:
    """A ballot stored and counted into the running tally.

    ``completed`` is true for exactly one press in a vote's life: the one with which the
    last entitled seat voted (the vote's ``complete_at`` is set then, under the vote's row
    lock), so "every seat has voted" is acted on once (issue 10), not on every change.
    """

    vote_id: int
    kind: str
    label: str
    everyone_voted: bool
    completed: bool


async def cast(
    session: AsyncSession, *, now: datetime, vote_id: int, telegram_user_id: int, choice: str
) -> Casted:
    """Store one ballot (see :func:`cast_many`); a refusal is raised."""
    (result,) = await cast_many(
        session, vote_id=vote_id, presses=[Press(telegram_user_id, choice, now)]
    )
    if isinstance(result, Refusal):
        raise result
    return result


async def cast_many(
    session: AsyncSession, *, vote_id: int, presses: Sequence[Press]
) -> list[Casted | Refusal]:
    """Store a batch of presses of one vote in one unit of work, in order (R2, R3, R13).

    The vote's row is locked first (``FOR UPDATE`` on PostgreSQL; SQLite units of work
    are serialised by ``storage.db.Database``), so concurrent presses are applied one
    after another: none lost, none counted twice. Each press appends its ballot to the
    history and updates its seat's latest ballot per role and the vote's counts; the
    earlier ballots are never re-read. A refused press (not entitled, the same choice
    again, the vote closed or past its deadline) gets its refusal in the result and
    changes nothing; the others are stored.
    """
    vote = await session.get(Vote, vote_id, with_for_update=True)
    if vote is None:
        return [StaleButton() for _ in presses]
    kind = VoteKind(vote.kind)
    eligible = set(vote.eligible_seats)
    present = set(vote.titular_present) if kind is VoteKind.SESION else None
    members = {
        m.telegram_user_id: m
        for m in await session.scalars(
            select(Member).where(
                Member.secretariat_id == vote.secretariat_id,
                Member.active,
                Member.telegram_user_id.in_({p.telegram_user_id for p in presses}),
            )
        )
    }
    rows = {
        (r.seat_id, r.role): r
        for r in await session.scalars(select(SeatBallot).where(SeatBallot.vote_id == vote.id))
    }
    results: list[Casted | Refusal] = []
    for press in presses:
        if vote.state != "abierta" or (vote.deadline and press.at >= vote.deadline):
            results.append(StaleButton())
            continue
        member = members.get(press.telegram_user_id)
        if member is None or not ballot_rules.may_vote(
            kind, member.role, member.seat_id or 0, eligible, present
        ):
            results.append(NotYourButton())
            continue
        assert member.seat_id is not None
        value = Choice(press.choice)
        row = rows.get((member.seat_id, member.role))
        if row is not None and row.member_id == member.id and row.choice == value.value:
            results.append(BallotAlreadyCast(value.label))
            continue
        _count(vote, rows, member, value, press.at)
        session.add(
            Ballot(
                vote_id=vote.id,
                seat_id=member.seat_id,
                member_id=member.id,
                role=member.role,
                choice=value.value,
                at=press.at,
            )
        )
        audit.record(
            session,
            now=press.at,
            action="vote.ballot",
            secretariat_id=vote.secretariat_id,
            member_id=member.id,
            vote_id=vote.id,
            choice=value.value,
        )
        everyone = vote.voted_seats >= len(eligible)
        completed = everyone and vote.complete_at is None
        if completed:
            vote.complete_at = press.at
        results.append(Casted(vote.id, vote.kind, value.label, everyone, completed))
    for row in rows.values():
        session.add(row)
    return results


def _count(
    vote: Vote,
    rows: dict[tuple[int, str], SeatBallot],
    member: Member,
    value: Choice,
    at: datetime,
) -> None:
    """Fold one authorized press into its seat and the vote's counts (R3)."""
    assert member.seat_id is not None
    seat = member.seat_id

    def seat_state() -> SeatBallots:
        state = SeatBallots()
        for role in ("titular", "suplente"):
            r = rows.get((seat, role))
            if r is not None:
                state = with_ballot(
                    state, Cast(seat, r.role, r.member_id, Choice(r.choice), r.at)
                )
        return state

    before = seat_state().counted
    after_state = with_ballot(seat_state(), Cast(seat, member.role, member.id, value, at))
    kept = after_state.titular if member.role == Role.TITULAR.value else after_state.suplente
    assert kept is not None
    row = rows.get((seat, member.role))
    if row is None:
        row = rows[(seat, member.role)] = SeatBallot(
            vote_id=vote.id, seat_id=seat, role=member.role, member_id=kept.voter_member_id,
            choice=kept.choice.value, at=kept.at,
        )
    else:
        row.member_id, row.choice, row.at = kept.voter_member_id, kept.choice.value, kept.at
    after = after_state.counted
    if before is not None:
        _add(vote, before.choice, -1)
    else:
        vote.voted_seats += 1
    assert after is not None
    _add(vote, after.choice, +1)


def _add(vote: Vote, choice: Choice, n: int) -> None:
    if choice is Choice.A_FAVOR:
        vote.a_favor += n
    elif choice is Choice.EN_CONTRA:
        vote.en_contra += n
    else:
        vote.abstencion += n
