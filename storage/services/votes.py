"""Votes: open (R13), cast (R2, R3), close with the outcome (R12), agenda approval (R10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import ballots as ballot_rules
from domain.ballots import VoteKind
from domain.convocation import session_start
from domain.dissemination import PostKind
from domain.errors import PastDate, StaleButton
from domain.outcomes import Tally, decide
from domain.roles import Role, Target
from storage.models import (
    Meeting,
    Member,
    Presence,
    Seat,
    Secretariat,
    Vote,
)
from storage.services import act_chain, audit, channel_posts, removal_outcome
from storage.services.ballots import seat_ballots
from storage.services.meetings import local_stamp


@dataclass(frozen=True)
class SeatLine:
    """One seat in a vote: the counted ballot and who cast it, if any."""

    seat_id: int
    seat_name: str
    choice: str | None
    voter: str | None
    voter_role: str | None


@dataclass(frozen=True)
class VoteView:
    """What templates show of a vote."""

    id: int
    text: str
    kind: str
    purpose: str
    state: str
    deadline: str | None
    tally: Tally
    outcome: str | None
    seats: list[SeatLine]
    secretariat_name: str

    @property
    def pending(self) -> list[str]:
        """Seats that have not voted yet."""
        return [s.seat_name for s in self.seats if s.choice is None]


@dataclass(frozen=True)
class Voter:
    """Someone who gets the ballot buttons privately."""

    member_id: int
    full_name: str
    chat_id: int | None


async def _view(session: AsyncSession, vote: Vote) -> VoteView:
    """From the running tally (R3, R13): no ballot history is read."""
    secretariat = await session.get_one(Secretariat, vote.secretariat_id)
    seats = {
        s.id: s
        for s in await session.scalars(
            select(Seat).where(Seat.secretariat_id == vote.secretariat_id)
        )
    }
    kept = await seat_ballots(session, vote.id)
    names = {
        m.id: m.full_name or ""
        for m in await session.scalars(
            select(Member).where(Member.secretariat_id == vote.secretariat_id)
        )
    }
    lines = []
    for seat_id in sorted(vote.eligible_seats, key=lambda i: seats[i].position):
        cast = kept[seat_id].counted if seat_id in kept else None
        lines.append(
            SeatLine(
                seat_id,
                seats[seat_id].name,
                cast.choice.label if cast else None,
                names.get(cast.voter_member_id) if cast else None,
                cast.voter_role if cast else None,
            )
        )
    deadline = local_stamp(vote.deadline, secretariat.time_zone) if vote.deadline else None
    counts = Tally(vote.a_favor, vote.en_contra, vote.abstencion)
    return VoteView(
        vote.id,
        vote.text,
        vote.kind,
        vote.purpose,
        vote.state,
        deadline,
        counts,
        vote.outcome,
        lines,
        secretariat.name,
    )


async def _installed_meeting(session: AsyncSession, secretariat_id: int) -> Meeting | None:
    return await session.scalar(
        select(Meeting)
        .where(Meeting.secretariat_id == secretariat_id, Meeting.state == "instalada")
        .order_by(Meeting.installed_at.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Opened:
    """A vote now open: its view, who gets ballots privately, and the group."""

    vote: VoteView
    voters: list[Voter]
    group_chat_id: int | None
    deadline: datetime | None = None


@dataclass(frozen=True)
class NeedsDeadline:
    """An electronic vote waiting for the facilitator to choose its deadline."""

    vote_id: int
    text: str


async def open_vote(
    session: AsyncSession,
    *,
    now: datetime,
    target: Target,
    text: str,
    purpose: str = "general",
) -> Opened | NeedsDeadline:
    """In an installed session, a vote of the seats present (R13); else an electronic one."""
    secretariat = await session.get_one(Secretariat, target.secretariat_id)
    meeting = await _installed_meeting(session, secretariat.id)
    vote = Vote(
        secretariat_id=secretariat.id,
        meeting_id=meeting.id if meeting else None,
        kind=VoteKind.SESION.value if meeting else VoteKind.ELECTRONICA.value,
        purpose=purpose,
        text=" ".join(text.split())[:3000],
        state="abierta" if meeting else "plazo",
        created_at=now,
        created_by=target.membership.member_id,
        group_chat_id=secretariat.group_chat_id,
        a_favor=0,
        en_contra=0,
        abstencion=0,
        voted_seats=0,
    )
    if meeting is not None:
        presences = list(
            await session.scalars(select(Presence).where(Presence.meeting_id == meeting.id))
        )
        titulars = {
            m.id
            for m in await session.scalars(
                select(Member).where(
                    Member.secretariat_id == secretariat.id, Member.role == Role.TITULAR.value
                )
            )
        }
        vote.eligible_seats = sorted({p.seat_id for p in presences if p.seat_id is not None})
        vote.titular_present = sorted(
            {p.seat_id for p in presences if p.seat_id is not None and p.member_id in titulars}
        )
        vote.opened_at = now
    else:
        vote.eligible_seats = sorted(
            await session.scalars(
                select(Seat.id).where(Seat.secretariat_id == secretariat.id, Seat.active)
            )
        )
    session.add(vote)
    await session.flush()
    audit.record(
        session,
        now=now,
        action="vote.created",
        secretariat_id=secretariat.id,
        member_id=target.membership.member_id,
        vote_id=vote.id,
        kind=vote.kind,
        purpose=purpose,
    )
    if meeting is None:
        return NeedsDeadline(vote.id, vote.text)
    return await _opened(session, vote)


async def _opened(session: AsyncSession, vote: Vote) -> Opened:
    members = list(
        await session.scalars(
            select(Member).where(
                Member.secretariat_id == vote.secretariat_id,
                Member.active,
                Member.seat_id.in_(vote.eligible_seats),
            )
        )
    )
    voters = [
        Voter(m.id, m.full_name or "", m.telegram_user_id)
        for m in members
        if ballot_rules.may_vote(
            VoteKind(vote.kind),
            m.role,
            m.seat_id or 0,
            set(vote.eligible_seats),
            set(vote.titular_present) if vote.kind == VoteKind.SESION else None,
        )
    ]
    return Opened(await _view(session, vote), voters, vote.group_chat_id, vote.deadline)


async def set_deadline(
    session: AsyncSession, *, now: datetime, target: Target, vote_id: int, deadline: datetime
) -> Opened:
    """Open an electronic vote with its deadline (the facilitator chose it)."""
    vote = await session.get(Vote, vote_id, with_for_update=True)
    if vote is None or vote.secretariat_id != target.secretariat_id or vote.state != "plazo":
        raise StaleButton()
    if deadline <= now:
        raise PastDate(deadline.isoformat(timespec="minutes"))
    vote.deadline = deadline
    vote.state = "abierta"
    vote.opened_at = now
    audit.record(
        session,
        now=now,
        action="vote.opened",
        secretariat_id=vote.secretariat_id,
        member_id=target.membership.member_id,
        vote_id=vote.id,
        deadline=deadline.isoformat(),
    )
    return await _opened(session, vote)


@dataclass(frozen=True)
class Closed:
    """A closed vote and everyone to tell."""

    vote: VoteView
    chats: list[int]
    group_chat_id: int | None
    group_message_id: int | None
    # R16: the facilitator's copy of an approved session vote offers "Registrar acuerdo".
    facilitator_chat: int | None = None
    registrable: bool = False
    # R18: the result owed to the public channel (None: the secretariat has none).
    secretariat_id: int | None = None
    channel_post: int | None = None
    # R4: a removal vote's result applied to its request and the roster, in this commit.
    removal: removal_outcome.Settled | None = None


async def close(session: AsyncSession, *, now: datetime, vote_id: int) -> Closed | None:
    """Close, freeze the entitled seats and the result (R12); ``None`` if already closed."""
    vote = await session.get(Vote, vote_id, with_for_update=True)
    if vote is None or vote.state != "abierta":
        return None
    vote.state = "cerrada"
    vote.closed_at = min(now, vote.deadline) if vote.deadline else now
    view = await _view(session, vote)
    counts = view.tally
    outcome = decide(counts)  # R12, on the counted ballots only
    vote.outcome = outcome.value
    vote.result = {
        "tally": {
            "a_favor": counts.a_favor,
            "en_contra": counts.en_contra,
            "abstencion": counts.abstencion,
        },
        "seats": [
            {"seat": s.seat_name, "choice": s.choice, "voter": s.voter, "role": s.voter_role}
            for s in view.seats
        ],
    }
    audit.record(
        session,
        now=now,
        action="vote.closed",
        secretariat_id=vote.secretariat_id,
        vote_id=vote.id,
        outcome=vote.outcome,
    )
    await act_chain.closed(session, vote, now=now)  # issue 15
    removal = (  # R4: an approved removal deactivates the entry in the same commit
        await removal_outcome.settle(session, now=now, vote=vote, approved=outcome.approved)
        if vote.purpose == "remocion"
        else None
    )
    # R18: owed to the public channel in this unit of work, so a closed vote's result is
    # published exactly when it closed, once (a second close finds it closed: None).
    channel_post = await channel_posts.owe(
        session,
        now=now,
        secretariat_id=vote.secretariat_id,
        kind=PostKind.VOTACION,
        subject_id=vote.id,
    )
    members = (
        await session.execute(
            select(Member.telegram_user_id, Member.role).where(
                Member.secretariat_id == vote.secretariat_id,
                Member.active,
                Member.telegram_user_id.is_not(None),
            )
        )
    ).all()
    facilitator = next((c for c, role in members if role == Role.FACILITADOR.value), None)
    final = await _view(session, vote)
    return Closed(
        final,
        [c for c, _ in members if c is not None],
        vote.group_chat_id,
        vote.group_message_id,
        facilitator,
        vote.meeting_id is not None and vote.purpose == "general" and outcome.approved,
        vote.secretariat_id,
        channel_post,
        removal,
    )


async def remember_group_message(session: AsyncSession, *, vote_id: int, message_id: int) -> None:
    """The group post whose live count is edited in place."""
    vote = await session.get_one(Vote, vote_id)
    vote.group_message_id = message_id


async def view(session: AsyncSession, vote_id: int) -> VoteView | None:
    """A vote's current view."""
    vote = await session.get(Vote, vote_id)
    return await _view(session, vote) if vote else None


async def open_ids(session: AsyncSession, secretariat_id: int) -> list[VoteView]:
    """Open votes of a secretariat (for ``/cerrar``)."""
    rows = await session.scalars(
        select(Vote)
        .where(Vote.secretariat_id == secretariat_id, Vote.state == "abierta")
        .order_by(Vote.id)
    )
    return [await _view(session, v) for v in rows]


async def recent(session: AsyncSession, secretariat_id: int) -> list[VoteView]:
    """``/votaciones``: open votes and the latest closed ones."""
    rows = await session.scalars(
        select(Vote)
        .where(Vote.secretariat_id == secretariat_id, Vote.state != "plazo")
        .order_by(Vote.id.desc())
        .limit(15)
    )
    return [await _view(session, v) for v in rows]


async def deadlines(session: AsyncSession) -> list[tuple[int, datetime]]:
    """Open electronic votes and their deadlines, to schedule at start-up (R23 style)."""
    rows = await session.execute(
        select(Vote.id, Vote.deadline).where(Vote.state == "abierta", Vote.deadline.is_not(None))
    )
    return [(vote_id, deadline) for vote_id, deadline in rows if deadline is not None]


async def secretariat_of(session: AsyncSession, vote_id: int) -> int | None:
    """The vote's secretariat, to authorize a facilitator's button."""
    return await session.scalar(select(Vote.secretariat_id).where(Vote.id == vote_id))


async def group_message(session: AsyncSession, vote_id: int) -> tuple[int, int] | None:
    """The group post with the live count, as (chat id, message id)."""
    vote = await session.get(Vote, vote_id)
    if vote is None or vote.group_chat_id is None or vote.group_message_id is None:
        return None
    return vote.group_chat_id, vote.group_message_id


async def set_deadline_local(
    session: AsyncSession, *, now: datetime, target: Target, vote_id: int, day: date, at: time
) -> Opened:
    """The deadline typed as ``AAAA-MM-DD HH:MM`` in the secretariat's time zone."""
    secretariat = await session.get_one(Secretariat, target.secretariat_id)
    deadline = session_start(day, at, secretariat.time_zone)
    return await set_deadline(session, now=now, target=target, vote_id=vote_id, deadline=deadline)


async def facilitator_chat(session: AsyncSession, vote_id: int) -> int | None:
    """The facilitator of the vote's secretariat (told when every seat voted)."""
    vote = await session.get(Vote, vote_id)
    if vote is None:
        return None
    return await session.scalar(
        select(Member.telegram_user_id).where(
            Member.secretariat_id == vote.secretariat_id,
            Member.role == Role.FACILITADOR.value,
            Member.active,
        )
    )
