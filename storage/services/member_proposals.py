"""Members' proposals (R17): submit, list, put on a draft's agenda, forward to the garante.

Numbers ``P-n`` are given under the secretariat's row lock, one past the highest ever
given, so two submissions never share one and none is reused. A proposal is forwarded
once: :func:`forward_pending` runs inside ``convocations.send``, in the unit of work that
marks the session convened, so the convocation and the record of what went to the garante
with it (one ``ProposalForwarding`` per convocation) commit together or not at all. The
delivery itself happens after the commit (``bot.proposal_forwarding``), and its outcome —
the mail server's Message-ID or the Telegram message ids, or why it failed — is recorded
on that row, which is what ``/propuestas`` reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import member_proposals as rules
from domain.errors import AgendaFull, ProposalAlreadyOnAgenda, StaleButton
from domain.member_proposals import Channel, State, Status
from domain.roles import Role, Target
from storage.models import (
    Meeting,
    Member,
    Proposal,
    ProposalForwarding,
    Seat,
    Secretariat,
    StoredFile,
)
from storage.services import audit, meetings, numbering
from storage.services.mail_attempts import Failed, record_failure
from storage.services.meetings import local_stamp
from storage.services.minutes_versions import register_file
from storage.services.secretariats import settings_of

#: ``storage.services.convocations.draft`` keeps at most this many agenda items.
AGENDA_LIMIT = 50
#: Characters of a proposal's text in ``/propuestas`` (the whole text went to the garante).
LIST_TEXT = 300


@dataclass(frozen=True)
class FileRef:
    """A proposal's document, already written to the file store by its SHA-256."""

    sha256: str
    size: int
    media_type: str
    filename: str


@dataclass(frozen=True)
class ProposalView:
    """What chat shows of a proposal."""

    id: int
    number: str
    text: str
    summary: str  # the text on one line, shortened for lists
    author: str
    role: str
    seat: str | None
    received: str
    file_name: str | None
    status: Status
    via: str | None
    sent_on: str | None  # the local day the garante's mail server or chat took it
    failure: str | None
    attempts: int
    agenda_session: int | None  # the convened session whose agenda holds it


@dataclass(frozen=True)
class Submitted:
    """A stored proposal and who to tell (R17: the facilitator receives them)."""

    view: ProposalView
    facilitator_chat: int | None
    file_sha256: str | None


async def _facilitator_chat(session: AsyncSession, secretariat_id: int) -> int | None:
    return await session.scalar(
        select(Member.telegram_user_id).where(
            Member.secretariat_id == secretariat_id,
            Member.active,
            Member.role == Role.FACILITADOR.value,
        )
    )


async def _garante_titular(session: AsyncSession, secretariat_id: int) -> Member | None:
    """The active titular of the seat with clave ``garante`` (R1), if there is one."""
    return await session.scalar(
        select(Member)
        .join(Seat, Seat.id == Member.seat_id)
        .where(
            Seat.secretariat_id == secretariat_id,
            Seat.key == rules.GARANTE_SEAT,
            Seat.active,
            Member.active,
            Member.role == Role.TITULAR.value,
        )
    )


async def submit(
    session: AsyncSession, *, now: datetime, target: Target, text: str, file: FileRef | None
) -> Submitted:
    """A titular's or substitute's proposal, numbered ``P-n`` (R17)."""
    secretariat = await session.get_one(Secretariat, target.secretariat_id, with_for_update=True)
    member = await session.get_one(Member, target.membership.member_id)
    used = await numbering.highest(
        session, Proposal.number, Proposal.secretariat_id == secretariat.id
    )
    if file is not None:
        await register_file(
            session, now=now, sha256=file.sha256, size=file.size, media_type=file.media_type
        )
    proposal = Proposal(
        secretariat_id=secretariat.id,
        number=rules.next_number([used]),
        member_id=member.id,
        seat_id=member.seat_id,
        text=text,
        file_sha256=file.sha256 if file else None,
        file_name=file.filename[:255] if file else None,
        received_at=now,
    )
    session.add(proposal)
    await session.flush()
    audit.record(
        session,
        now=now,
        action="proposal.submitted",
        secretariat_id=secretariat.id,
        member_id=member.id,
        number=proposal.number,
        file_sha256=proposal.file_sha256,
    )
    (view,) = await _views(session, secretariat, [proposal])
    return Submitted(view, await _facilitator_chat(session, secretariat.id), proposal.file_sha256)


async def _views(
    session: AsyncSession, secretariat: Secretariat, rows: list[Proposal]
) -> list[ProposalView]:
    """Views of many proposals in three queries, whatever their number (``/propuestas``)."""
    if not rows:
        return []
    authors = {
        member.id: (member.full_name or "", member.role, seat)
        for member, seat in await session.execute(
            select(Member, Seat.name)
            .outerjoin(Seat, Seat.id == Member.seat_id)
            .where(Member.id.in_({p.member_id for p in rows}))
        )
    }
    forwardings = {
        f.id: f
        for f in await session.scalars(
            select(ProposalForwarding).where(
                ProposalForwarding.id.in_({p.forwarding_id for p in rows if p.forwarding_id})
            )
        )
    }
    agenda = await meetings.numbers_of(session, {p.agenda_meeting_id for p in rows})
    tz = secretariat.time_zone
    views = []
    for p in rows:
        author, role, seat = authors[p.member_id]
        forwarding = forwardings.get(p.forwarding_id) if p.forwarding_id else None
        state = State(forwarding.state) if forwarding else None
        views.append(
            ProposalView(
                id=p.id,
                number=rules.format_number(p.number),
                text=p.text,
                summary=rules.shorten(p.text, LIST_TEXT),
                author=author,
                role=role,
                seat=seat,
                received=local_stamp(p.received_at, tz),
                file_name=p.file_name,
                status=rules.status_of(state),
                via=forwarding.via if forwarding else None,
                sent_on=(
                    local_stamp(forwarding.sent_at, tz)[:10]
                    if forwarding and forwarding.sent_at
                    else None
                ),
                failure=forwarding.last_error if forwarding else None,
                attempts=forwarding.attempts if forwarding else 0,
                agenda_session=agenda.get(p.agenda_meeting_id) if p.agenda_meeting_id else None,
            )
        )
    return views


async def listing(session: AsyncSession, target: Target) -> list[ProposalView]:
    """``/propuestas``: every proposal of the secretariat, by number, with its status."""
    secretariat = await session.get_one(Secretariat, target.secretariat_id)
    rows = await session.scalars(
        select(Proposal).where(Proposal.secretariat_id == secretariat.id).order_by(Proposal.number)
    )
    return await _views(session, secretariat, list(rows))


# ---------------------------------------------------------------- the convocation preview


@dataclass(frozen=True)
class PendingProposal:
    """A proposal the next convocation forwards to the garante."""

    id: int
    number: str
    summary: str
    on_agenda: bool  # already an item of this draft's agenda


@dataclass(frozen=True)
class PreviewProposals:
    """What the convocation preview says of the proposals it will forward (R17)."""

    pending: tuple[PendingProposal, ...]
    via: Channel
    recipient: str | None  # the garante's address, or the seat's titular (None: vacant)
    linked: bool  # by Telegram: the titular linked their account

    @property
    def addable(self) -> list[tuple[int, str]]:
        """``(id, "P-n")`` of the pending proposals not yet on this draft's agenda."""
        return [(p.id, p.number) for p in self.pending if not p.on_agenda]


def _not_forwarded() -> Any:
    """Proposals still owed to the garante: never forwarded, or forwarded with a convocation
    whose forwarding failed for good (the garante seat vacant or unlinked, the titular
    blocked the bot, a permanent mail refusal). Those go again with the next convocation:
    R17 wants every proposal to reach the garante, and the failed row stays as the record
    of that convocation's attempt (its audit entry names the proposals it carried)."""
    failed = select(ProposalForwarding.id).where(ProposalForwarding.state == State.FALLIDA.value)
    return or_(Proposal.forwarding_id.is_(None), Proposal.forwarding_id.in_(failed))


async def _channel(
    session: AsyncSession, secretariat: Secretariat, *, mail: bool
) -> tuple[Channel, str | None, Member | None]:
    address = settings_of(secretariat).garante_email
    via = rules.channel_for(garante_email=address, mail_configured=mail)
    if via is Channel.CORREO:
        return via, address, None
    titular = await _garante_titular(session, secretariat.id)
    return via, (titular.full_name or "") if titular else None, titular


async def for_preview(
    session: AsyncSession, *, secretariat_id: int, meeting_id: int, mail: bool
) -> PreviewProposals:
    """The pending proposals (none forwarded yet) and how they would go (R17)."""
    secretariat = await session.get_one(Secretariat, secretariat_id)
    rows = await session.scalars(
        select(Proposal)
        .where(Proposal.secretariat_id == secretariat_id, _not_forwarded())
        .order_by(Proposal.number)
    )
    via, recipient, titular = await _channel(session, secretariat, mail=mail)
    return PreviewProposals(
        tuple(
            PendingProposal(
                p.id,
                rules.format_number(p.number),
                rules.shorten(p.text, rules.AGENDA_TEXT),
                p.agenda_meeting_id == meeting_id,
            )
            for p in rows
        ),
        via,
        recipient,
        titular is not None and titular.telegram_user_id is not None,
    )


async def add_to_agenda(
    session: AsyncSession, *, now: datetime, target: Target, meeting: Meeting, proposal_id: int
) -> str:
    """``Agregar P-n al orden del día`` on a draft the caller already locked (R17).

    Only a pending proposal of the draft's own secretariat qualifies: a forged id, one
    of another secretariat or one already forwarded is a stale button; a second press is
    told so. One on another (unsent) draft's agenda moves to this one: the draft that is
    sent is the one whose agenda counts.
    """
    proposal = await session.scalar(
        select(Proposal).where(Proposal.id == proposal_id, _not_forwarded()).with_for_update()
    )
    if proposal is None or proposal.secretariat_id != meeting.secretariat_id:
        raise StaleButton()
    number = rules.format_number(proposal.number)
    if proposal.agenda_meeting_id == meeting.id:
        raise ProposalAlreadyOnAgenda(number)
    if len(meeting.agenda) >= AGENDA_LIMIT:
        raise AgendaFull(AGENDA_LIMIT)
    item = rules.agenda_item(proposal.number, proposal.text)
    if proposal.agenda_meeting_id is not None:  # moved from another draft: taken off it
        previous = await session.get(Meeting, proposal.agenda_meeting_id, with_for_update=True)
        if previous is not None and previous.state == "borrador":
            previous.agenda = [i for i in previous.agenda if i != item]
    meeting.agenda = [*meeting.agenda, item]
    proposal.agenda_meeting_id = meeting.id
    audit.record(
        session,
        now=now,
        action="proposal.on_agenda",
        secretariat_id=meeting.secretariat_id,
        member_id=target.membership.member_id,
        number=proposal.number,
        meeting_id=meeting.id,
    )
    return number


# ---------------------------------------------------------------- forwarding to the garante


@dataclass(frozen=True)
class OutgoingItem:
    """One proposal as the garante receives it."""

    number: str
    seat: str | None
    author: str
    role: str
    received: str
    text: str
    file_sha256: str | None
    attachment: str | None  # the name its document travels under (``P-3-…``)
    media_type: str | None


@dataclass(frozen=True)
class Outgoing:
    """A forwarding to deliver (or just recorded as undeliverable), with all it sends."""

    id: int
    meeting_id: int
    via: Channel
    state: State
    recipient: str
    chat_id: int | None  # by Telegram: the garante titular's chat, when linked
    failure: str | None
    garante: str
    secretariat: str
    session_title: str
    session_number: int
    items: tuple[OutgoingItem, ...]
    facilitator_chat: int | None
    attempts: int
    time_zone: str

    @property
    def numbers(self) -> list[str]:
        """``["P-1", "P-2"]``."""
        return [item.number for item in self.items]


#: Why a Telegram forwarding could not even be attempted.
NO_TITULAR = "sin_titular"
NOT_LINKED = "sin_vincular"


async def forward_pending(
    session: AsyncSession,
    *,
    now: datetime,
    meeting: Meeting,
    secretariat: Secretariat,
    member_id: int,
    mail: bool,
) -> Outgoing | None:
    """R17: every proposal not forwarded yet goes to the garante with this convocation.

    Called by ``convocations.send`` in its own unit of work, after the session got its
    number: the forwarding row and every proposal's ``forwarding_id`` commit with the
    convocation, so "remitida con la convocatoria n" can never disagree with what was
    sent. With nobody to write to in Telegram (the garante seat vacant, or its titular
    not linked) the row is recorded ``fallida`` at once and the facilitator is told.
    """
    rows = list(
        await session.scalars(
            select(Proposal)
            .where(Proposal.secretariat_id == secretariat.id, _not_forwarded())
            .order_by(Proposal.number)
            .with_for_update()
        )
    )
    if not rows:
        return None
    via, recipient, titular = await _channel(session, secretariat, mail=mail)
    failure = None
    if via is Channel.TELEGRAM:
        if titular is None:
            failure = NO_TITULAR
        elif titular.telegram_user_id is None:
            failure = NOT_LINKED
    forwarding = ProposalForwarding(
        meeting_id=meeting.id,
        created_at=now,
        via=via.value,
        recipient=(recipient or "")[:254],
        state=(State.FALLIDA if failure else State.PENDIENTE).value,
        attempts=0,
        next_attempt_at=now if via is Channel.CORREO else None,
        last_error=failure,
    )
    session.add(forwarding)
    await session.flush()
    for proposal in rows:
        proposal.forwarding_id = forwarding.id
    audit.record(
        session,
        now=now,
        action="proposal.forwarded",
        secretariat_id=secretariat.id,
        member_id=member_id,
        meeting_id=meeting.id,
        via=via.value,
        numbers=[p.number for p in rows],
        failure=failure,
    )
    return await _outgoing(session, forwarding, meeting, secretariat, rows)


async def _outgoing(
    session: AsyncSession,
    forwarding: ProposalForwarding,
    meeting: Meeting,
    secretariat: Secretariat,
    rows: list[Proposal],
) -> Outgoing:
    views = {v.id: v for v in await _views(session, secretariat, rows)}
    media = dict(
        (
            await session.execute(
                select(StoredFile.sha256, StoredFile.media_type).where(
                    StoredFile.sha256.in_({p.file_sha256 for p in rows if p.file_sha256})
                )
            )
        )
        .tuples()
        .all()
    )
    chat_id = None
    if forwarding.via == Channel.TELEGRAM.value:
        titular = await _garante_titular(session, secretariat.id)
        chat_id = titular.telegram_user_id if titular else None
    items = tuple(
        OutgoingItem(
            views[p.id].number,
            views[p.id].seat,
            views[p.id].author,
            views[p.id].role,
            views[p.id].received,
            p.text,
            p.file_sha256,
            rules.attachment_name(p.number, p.file_name or "documento") if p.file_sha256 else None,
            media.get(p.file_sha256) if p.file_sha256 else None,
        )
        for p in rows
    )
    return Outgoing(
        id=forwarding.id,
        meeting_id=meeting.id,
        via=Channel(forwarding.via),
        state=State(forwarding.state),
        recipient=forwarding.recipient,
        chat_id=chat_id,
        failure=forwarding.last_error,
        garante=settings_of(secretariat).garante_name,
        secretariat=secretariat.name,
        session_title=meeting.title or "",
        session_number=meeting.number or 0,
        items=items,
        facilitator_chat=await _facilitator_chat(session, secretariat.id),
        attempts=forwarding.attempts,
        time_zone=secretariat.time_zone,
    )


async def outgoing(session: AsyncSession, forwarding_id: int) -> Outgoing | None:
    """The forwarding to attempt now, or ``None`` when it is settled (sent or given up)."""
    row = await session.get(ProposalForwarding, forwarding_id)
    if row is None or row.state != State.PENDIENTE.value:
        return None
    meeting = await session.get_one(Meeting, row.meeting_id)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    rows = list(
        await session.scalars(
            select(Proposal).where(Proposal.forwarding_id == row.id).order_by(Proposal.number)
        )
    )
    return await _outgoing(session, row, meeting, secretariat, rows)


async def pending(session: AsyncSession) -> list[tuple[int, Channel, datetime | None]]:
    """Forwardings not delivered nor given up, with when to try next (start-up)."""
    rows = await session.execute(
        select(
            ProposalForwarding.id, ProposalForwarding.via, ProposalForwarding.next_attempt_at
        ).where(ProposalForwarding.state == State.PENDIENTE.value)
    )
    return [(i, Channel(via), at) for i, via, at in rows.tuples()]


async def delivered(
    session: AsyncSession, *, now: datetime, forwarding_id: int, evidence: str
) -> bool:
    """The garante's mail server or chat took it: its evidence is the forwarding's record."""
    row = await session.get(ProposalForwarding, forwarding_id, with_for_update=True)
    if row is None or row.state != State.PENDIENTE.value:
        return False
    row.state = State.ENVIADA.value
    row.attempts += 1
    row.sent_at = now
    row.evidence = evidence[:255]
    row.next_attempt_at = None
    meeting = await session.get_one(Meeting, row.meeting_id)
    audit.record(
        session,
        now=now,
        action="proposal.delivered",
        secretariat_id=meeting.secretariat_id,
        meeting_id=meeting.id,
        via=row.via,
        evidence=row.evidence,
    )
    return True


async def failed(
    session: AsyncSession, *, now: datetime, forwarding_id: int, reason: str, permanent: bool
) -> Failed | None:
    """Record the failure; a temporary one is retried with the minutes' backoff (R15a)."""
    row = await session.get(ProposalForwarding, forwarding_id, with_for_update=True)
    if row is None or row.state != State.PENDIENTE.value:
        return None
    failed = record_failure(
        row, now=now, reason=reason, permanent=permanent, failed_state=State.FALLIDA.value
    )
    meeting = await session.get_one(Meeting, row.meeting_id)
    audit.record(
        session,
        now=now,
        action="proposal.delivery_failed",
        secretariat_id=meeting.secretariat_id,
        meeting_id=meeting.id,
        via=row.via,
        reason=row.last_error,
        permanent=permanent,
        attempts=row.attempts,
    )
    return failed
