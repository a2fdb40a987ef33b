"""Removal requests (R4): request, back, put on the agenda, open the session's vote.

``/remocion n motivo`` stores the request with its requester as first sponsor, under the
secretariat's row lock (numbers ``#n`` never shared nor reused; one open request per
member, also a partial unique index). ``Respaldo la solicitud`` adds a sponsor of another
seat; with two seats the request is ``respaldada``. The next convocation drafted carries
its agenda item (:func:`put_on_agenda`, called by ``convocations.draft``) and sending it
makes the request ``en_agenda`` of that session (:func:`convened`). Once that session is
installed, the facilitator opens the vote with one button (:func:`open_vote`), a session
vote of the seats present through ``votes.open_vote`` (R13) with purpose ``remocion``;
``removal_outcome.settle`` applies its result when it closes (R12).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain import removal as rules
from domain.errors import (
    EntryInactive,
    EntryNotFound,
    NotYourButton,
    Refusal,
    RemovalAlreadyRequested,
    RemovalClosed,
    RemovalNotInSession,
    RemovalVoteAlreadyOpen,
    StaleButton,
)
from domain.removal import Person, State
from domain.roles import Role, Target
from storage.models import Meeting, Member, RemovalRequest, RemovalSponsor, Seat, Secretariat
from storage.services import access, audit, meetings, numbering, votes
from storage.services.meetings import local_stamp

#: The vote purpose that links a session vote to its request (``votes.purpose``).
PURPOSE = "remocion"
#: Sessions (or drafts) that ended without holding a vote: their items go to the next one.
_MISSED = ("borrador", "cancelada", "sin_quorum", "concluida")


@dataclass(frozen=True)
class SponsorView:
    """One sponsor as chat names them (names and seats are public acts, R21)."""

    name: str
    role: str
    seat: str


@dataclass(frozen=True)
class RequestView:
    """What chat shows of a removal request."""

    id: int
    number: int
    member_number: int
    member_name: str
    member_role: str
    member_seat: str | None
    reason: str
    state: State
    requested: str
    sponsors: tuple[SponsorView, ...]
    session_number: int | None  # the convened session whose agenda carries it
    vote_id: int | None

    @property
    def item(self) -> str:
        """Its agenda item (R4)."""
        return rules.agenda_item(self.member_name)


async def _seat_names(session: AsyncSession, secretariat_id: int) -> dict[int, str]:
    return dict(
        (
            await session.execute(
                select(Seat.id, Seat.name).where(Seat.secretariat_id == secretariat_id)
            )
        )
        .tuples()
        .all()
    )


async def _views(session: AsyncSession, rows: list[RemovalRequest]) -> list[RequestView]:
    """Views of many requests in a few queries."""
    if not rows:
        return []
    secretariat = await session.get_one(Secretariat, rows[0].secretariat_id)
    seats = await _seat_names(session, secretariat.id)
    members = {
        m.id: m
        for m in await session.scalars(
            select(Member).where(Member.secretariat_id == secretariat.id)
        )
    }
    sponsors: dict[int, list[SponsorView]] = {}
    for s in await session.scalars(
        select(RemovalSponsor)
        .where(RemovalSponsor.request_id.in_([r.id for r in rows]))
        .order_by(RemovalSponsor.id)
    ):
        sponsors.setdefault(s.request_id, []).append(
            SponsorView(members[s.member_id].full_name or "", s.role, seats.get(s.seat_id, ""))
        )
    numbers = await meetings.numbers_of(session, {r.meeting_id for r in rows})
    views = []
    for r in rows:
        member = members[r.member_id]
        views.append(
            RequestView(
                id=r.id,
                number=r.number,
                member_number=member.number,
                member_name=member.full_name or "",
                member_role=member.role,
                member_seat=seats.get(member.seat_id) if member.seat_id else None,
                reason=r.reason,
                state=State(r.state),
                requested=local_stamp(r.requested_at, secretariat.time_zone),
                sponsors=tuple(sponsors.get(r.id, ())),
                session_number=numbers.get(r.meeting_id) if r.meeting_id else None,
                vote_id=r.vote_id,
            )
        )
    return views


async def view(session: AsyncSession, request_id: int) -> RequestView:
    """One request's view."""
    (one,) = await _views(session, [await session.get_one(RemovalRequest, request_id)])
    return one


def _person(member: Member, seats: dict[int, str]) -> Person:
    return Person(
        member.id,
        Role(member.role),
        member.seat_id,
        seats.get(member.seat_id) if member.seat_id else None,
    )


def _sponsor(sponsor: RemovalSponsor, seats: dict[int, str]) -> Person:
    """A recorded backing as R4's check sees it: the role and seat it was given with."""
    return Person(
        sponsor.member_id, Role(sponsor.role), sponsor.seat_id, seats.get(sponsor.seat_id)
    )


async def _facilitator_chat(session: AsyncSession, secretariat_id: int) -> int | None:
    return await session.scalar(
        select(Member.telegram_user_id).where(
            Member.secretariat_id == secretariat_id,
            Member.active,
            Member.role == Role.FACILITADOR.value,
        )
    )


@dataclass(frozen=True)
class Backer:
    """A member of another seat who is asked to back the request."""

    member_id: int
    full_name: str
    chat_id: int | None


@dataclass(frozen=True)
class Requested:
    """A stored request, who is asked to back it, and the facilitator to tell."""

    request: RequestView
    backers: tuple[Backer, ...]
    facilitator_chat: int | None
    secretariat_name: str


async def request(
    session: AsyncSession, *, now: datetime, target: Target, number: int, reason: str
) -> Requested:
    """``/remocion n motivo``: the caller sponsors the removal of member ``n`` (R4)."""
    secretariat = await session.get_one(Secretariat, target.secretariat_id, with_for_update=True)
    seats = await _seat_names(session, secretariat.id)
    concerned = await session.scalar(
        select(Member).where(Member.secretariat_id == secretariat.id, Member.number == number)
    )
    if concerned is None:
        raise EntryNotFound(number)
    if not concerned.active:
        raise EntryInactive(number)
    requester = await session.get_one(Member, target.membership.member_id)
    rules.check_removable(_person(concerned, seats), number)
    rules.check_requester(_person(requester, seats), _person(concerned, seats))
    existing = await session.scalar(
        select(RemovalRequest).where(
            RemovalRequest.member_id == concerned.id,
            RemovalRequest.state.in_([s.value for s in rules.OPEN]),
        )
    )
    if existing is not None:
        raise RemovalAlreadyRequested(
            existing.number, concerned.full_name or "", State(existing.state).label
        )
    used = await numbering.highest(
        session, RemovalRequest.number, RemovalRequest.secretariat_id == secretariat.id
    )
    row = RemovalRequest(
        secretariat_id=secretariat.id,
        number=used + 1,
        member_id=concerned.id,
        reason=reason,
        state=State.SOLICITADA.value,
        requested_by=requester.id,
        requested_at=now,
    )
    session.add(row)
    await session.flush()
    assert requester.seat_id is not None  # check_requester: a seat's titular or substitute
    session.add(
        RemovalSponsor(
            request_id=row.id,
            member_id=requester.id,
            seat_id=requester.seat_id,
            role=requester.role,
            at=now,
        )
    )
    audit.record(
        session,
        now=now,
        action="removal.requested",
        secretariat_id=secretariat.id,
        member_id=requester.id,
        number=row.number,
        concerned=concerned.number,
    )
    others = await session.scalars(
        select(Member)
        .where(
            Member.secretariat_id == secretariat.id,
            Member.active,
            Member.role.in_([Role.TITULAR.value, Role.SUPLENTE.value]),
            Member.seat_id.is_not(None),
            Member.seat_id != requester.seat_id,
            Member.id != concerned.id,
        )
        .order_by(Member.number)
    )
    backers = tuple(Backer(m.id, m.full_name or "", m.telegram_user_id) for m in others)
    return Requested(
        await view(session, row.id),
        backers,
        await _facilitator_chat(session, secretariat.id),
        secretariat.name,
    )


@dataclass(frozen=True)
class Backed:
    """A backing recorded; ``complete`` when it was the second seat (R4)."""

    request: RequestView
    complete: bool
    facilitator_chat: int | None
    requester_chat: int | None


async def back(
    session: AsyncSession, *, now: datetime, request_id: int, telegram_user_id: int
) -> Backed:
    """``Respaldo la solicitud``: the presser backs the request, if R4 allows them."""
    row = await session.get(RemovalRequest, request_id, with_for_update=True)
    if row is None:
        raise StaleButton()
    member = await access.member_of(session, row.secretariat_id, telegram_user_id)
    if member is None:
        raise NotYourButton()
    seats = await _seat_names(session, row.secretariat_id)
    concerned = await session.get_one(Member, row.member_id)
    existing = list(
        await session.scalars(select(RemovalSponsor).where(RemovalSponsor.request_id == row.id))
    )
    sponsors = [_sponsor(s, seats) for s in existing]
    rules.check_sponsor(
        _person(member, seats),
        concerned=_person(concerned, seats),
        sponsors=sponsors,
        state=State(row.state),
        request=row.number,
    )
    assert member.seat_id is not None  # check_sponsor: a seat's titular or substitute
    session.add(
        RemovalSponsor(
            request_id=row.id,
            member_id=member.id,
            seat_id=member.seat_id,
            role=member.role,
            at=now,
        )
    )
    try:
        await session.flush()
    except IntegrityError:  # the same seat backed it at the same moment (R4's constraint)
        raise StaleButton() from None
    complete = rules.is_backed([*sponsors, _person(member, seats)])
    if complete:
        row.state = State.RESPALDADA.value
        row.backed_at = now
    audit.record(
        session,
        now=now,
        action="removal.backed",
        secretariat_id=row.secretariat_id,
        member_id=member.id,
        number=row.number,
        complete=complete,
    )
    requester = await session.get_one(Member, row.requested_by)
    return Backed(
        await view(session, row.id),
        complete,
        await _facilitator_chat(session, row.secretariat_id),
        requester.telegram_user_id if requester.active else None,
    )


async def to_back(
    session: AsyncSession, secretariat_id: int, telegram_user_id: int
) -> list[RequestView]:
    """``/pendientes``: the open requests this person may still back, oldest first.

    The same check as the button (``rules.check_sponsor``), so a request is listed exactly
    when pressing ``Respaldo la solicitud`` would record a backing (R4).
    """
    member = await access.member_of(session, secretariat_id, telegram_user_id)
    if member is None or member.seat_id is None:
        return []
    rows = list(
        await session.scalars(
            select(RemovalRequest)
            .where(
                RemovalRequest.secretariat_id == secretariat_id,
                RemovalRequest.state == State.SOLICITADA.value,
            )
            .order_by(RemovalRequest.number)
        )
    )
    if not rows:
        return []
    seats = await _seat_names(session, secretariat_id)
    sponsors: dict[int, list[Person]] = {}
    for s in await session.scalars(
        select(RemovalSponsor).where(RemovalSponsor.request_id.in_([r.id for r in rows]))
    ):
        sponsors.setdefault(s.request_id, []).append(_sponsor(s, seats))
    me = _person(member, seats)
    open_to_me = []
    for row in rows:
        concerned = await session.get_one(Member, row.member_id)
        try:
            rules.check_sponsor(
                me,
                concerned=_person(concerned, seats),
                sponsors=sponsors.get(row.id, []),
                state=State(row.state),
                request=row.number,
            )
        except Refusal:
            continue
        open_to_me.append(row)
    return await _views(session, open_to_me)


async def listing(session: AsyncSession, secretariat_id: int) -> list[RequestView]:
    """``/remociones``: every request of the secretariat, the newest first."""
    rows = await session.scalars(
        select(RemovalRequest)
        .where(RemovalRequest.secretariat_id == secretariat_id)
        .order_by(RemovalRequest.number.desc())
        .limit(30)
    )
    return await _views(session, list(rows))


# ---------------------------------------------------------------- the agenda (R4)


async def put_on_agenda(session: AsyncSession, *, now: datetime, meeting: Meeting) -> list[str]:
    """Every backed request joins a new draft's agenda: ``Propuesta de remoción de …``.

    Called by ``convocations.draft``, so the preview shows the items and ``Enviar`` sends
    them. A request on another (unsent) draft moves to this one, whose agenda loses
    nothing else: the draft that is sent is the one whose agenda counts. A request whose
    session ended without its vote (held without quorum, concluded or cancelled first)
    goes to this next one: R4 wants it voted, and its session never did.
    """
    missed = select(Meeting.id).where(
        Meeting.secretariat_id == meeting.secretariat_id, Meeting.state.in_(_MISSED)
    )
    rows = list(
        await session.scalars(
            select(RemovalRequest)
            .where(
                RemovalRequest.secretariat_id == meeting.secretariat_id,
                or_(
                    RemovalRequest.state == State.RESPALDADA.value,
                    and_(
                        RemovalRequest.state == State.EN_AGENDA.value,
                        RemovalRequest.vote_id.is_(None),
                        RemovalRequest.meeting_id.in_(missed),
                    ),
                ),
            )
            .order_by(RemovalRequest.number)
            .with_for_update()
        )
    )
    added = []
    for row in rows:
        name = (await session.get_one(Member, row.member_id)).full_name or ""
        item = rules.agenda_item(name)
        if row.meeting_id is not None and row.meeting_id != meeting.id:
            previous = await session.get(Meeting, row.meeting_id, with_for_update=True)
            if previous is not None and previous.state == "borrador":
                previous.agenda = [i for i in previous.agenda if i != item]
        row.meeting_id = meeting.id
        if item not in meeting.agenda:
            meeting.agenda = [*meeting.agenda, item]
        added.append(item)
        audit.record(
            session,
            now=now,
            action="removal.on_draft",
            secretariat_id=meeting.secretariat_id,
            number=row.number,
            meeting_id=meeting.id,
        )
    return added


async def convened(session: AsyncSession, *, now: datetime, meeting: Meeting) -> list[int]:
    """The convocation was sent: its requests are ``en_agenda`` of that session."""
    rows = await session.scalars(
        select(RemovalRequest)
        .where(
            RemovalRequest.meeting_id == meeting.id,
            RemovalRequest.state.in_([State.RESPALDADA.value, State.EN_AGENDA.value]),
        )
        .with_for_update()
    )
    numbers = []
    for row in rows:
        row.state = State.EN_AGENDA.value
        numbers.append(row.number)
    if numbers:
        audit.record(
            session,
            now=now,
            action="removal.on_agenda",
            secretariat_id=meeting.secretariat_id,
            meeting_id=meeting.id,
            numbers=numbers,
        )
    return numbers


# ---------------------------------------------------------------- the session's vote (R4)


@dataclass(frozen=True)
class Votable:
    """A request on an installed session's agenda whose vote the facilitator may open."""

    id: int
    number: int
    item: str


async def votable(session: AsyncSession, *, meeting_id: int) -> list[Votable]:
    """The requests on this session's agenda without a vote yet (``/instalar``)."""
    rows = list(
        await session.scalars(
            select(RemovalRequest)
            .where(
                RemovalRequest.meeting_id == meeting_id,
                RemovalRequest.state == State.EN_AGENDA.value,
                RemovalRequest.vote_id.is_(None),
            )
            .order_by(RemovalRequest.number)
        )
    )
    return [Votable(v.id, v.number, v.item) for v in await _views(session, rows)]


async def votable_now(session: AsyncSession, secretariat_id: int) -> list[Votable]:
    """The same for the secretariat's installed session, if one is (``/remociones``)."""
    meeting_id = await session.scalar(
        select(Meeting.id)
        .where(Meeting.secretariat_id == secretariat_id, Meeting.state == "instalada")
        .order_by(Meeting.installed_at.desc())
        .limit(1)
    )
    return [] if meeting_id is None else await votable(session, meeting_id=meeting_id)


async def secretariat_of(session: AsyncSession, request_id: int) -> int | None:
    """The request's secretariat, to authorize the facilitator's button."""
    return await session.scalar(
        select(RemovalRequest.secretariat_id).where(RemovalRequest.id == request_id)
    )


@dataclass(frozen=True)
class OpenedRemoval:
    """The removal's session vote, now open, and the request it decides."""

    opened: votes.Opened
    number: int


async def open_vote(
    session: AsyncSession, *, now: datetime, target: Target, request_id: int
) -> OpenedRemoval:
    """``Abrir votación de remoción``: the session's vote of the seats present (R4, R13)."""
    row = await session.get(RemovalRequest, request_id, with_for_update=True)
    if row is None or row.secretariat_id != target.secretariat_id:
        raise StaleButton()
    if row.vote_id is not None:
        raise RemovalVoteAlreadyOpen(row.number)
    state = State(row.state)
    if state not in rules.OPEN:
        raise RemovalClosed(row.number, state.label)
    meeting = await session.get(Meeting, row.meeting_id) if row.meeting_id else None
    if state is not State.EN_AGENDA or meeting is None or meeting.state != "instalada":
        raise RemovalNotInSession(row.number, meeting.number if meeting else None)
    concerned = await session.get_one(Member, row.member_id)
    seats = await _seat_names(session, row.secretariat_id)
    text = rules.vote_text(
        concerned.full_name or "",
        seats.get(concerned.seat_id) if concerned.seat_id else None,
        concerned.role,
        row.reason,
    )
    opened = await votes.open_vote(session, now=now, target=target, text=text, purpose=PURPOSE)
    if not isinstance(opened, votes.Opened):  # pragma: no cover - installed: in session
        raise RemovalNotInSession(row.number, meeting.number)
    row.vote_id = opened.vote.id
    audit.record(
        session,
        now=now,
        action="removal.vote_opened",
        secretariat_id=row.secretariat_id,
        member_id=target.membership.member_id,
        number=row.number,
        vote_id=opened.vote.id,
    )
    return OpenedRemoval(opened, row.number)
