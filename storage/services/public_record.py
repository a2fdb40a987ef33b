"""Read models of the public record pages (R19 a, b): minutes and evidence, the action
plan, the agenda and its feed, and the files they link (the attendance and voting record
is ``storage.services.public_attendance``).

Each page is a handful of queries whatever the number of sessions, votes or files: rows
are read per secretariat (joined to its sessions), never per session or per row, and
put together here. Only public acts are selected (R21): sessions, seats' names,
agreements, files and their hashes. No Telegram id, chat, username or e-mail address is
read, so none can reach a page.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import public_record as rules
from domain.action_plan import Level
from domain.notice import local_date
from domain.reminders import MinutesStatus, minutes_status
from storage.models import (
    Agreement,
    Cancellation,
    Communique,
    GaranteMailing,
    Meeting,
    Seat,
    Secretariat,
    SessionEvidence,
    SignedMinutes,
    StoredFile,
    Vote,
)
from storage.services.action_plan import CommitmentView, overview
from storage.services.meetings import STATE_NAMES
from storage.services.microsite import HELD_STATES
from storage.services.minutes import deadline_of
from storage.services.secretariats import settings_of
from storage.services.signed_minutes import signed_filename

__all__ = [
    "HELD_STATES",
    "Agenda",
    "AgendaSession",
    "Download",
    "FeedSession",
    "HeldSession",
    "Minutes",
    "Plan",
    "agenda",
    "download",
    "feed",
    "minutes",
    "plan",
]


# --- /actas (R19 a) ------------------------------------------------------------------


@dataclass(frozen=True)
class SignedFile:
    """The signed minutes of a session (R14): the file people download."""

    sha256: str
    filename: str
    size: int
    signed_at: datetime  # the last signature
    sealed: bool  # PAdES seal (FIRMA_P12)


@dataclass(frozen=True)
class Sending:
    """Where the minutes stand with the garante (R15, R15a)."""

    status: MinutesStatus
    deadline: date
    sent_at: datetime | None
    via: str | None  # manual | correo
    mail_state: str | None  # the e-mail's state while not accepted: pendiente | fallido


@dataclass(frozen=True)
class VoteResult:
    """A session's vote and its result (R12)."""

    id: int
    text: str
    agenda: bool  # the agenda-approval vote (R10)
    state: str
    outcome: str | None
    a_favor: int
    en_contra: int
    abstencion: int


@dataclass(frozen=True)
class AgreementLine:
    """An agreement adopted in the session (R16)."""

    code: str
    text: str
    status: str
    responsible: str | None
    due_date: date | None


@dataclass(frozen=True)
class EvidenceItem:
    """A file the facilitator attached to the session (``/evidencia``)."""

    number: int
    kind: str  # foto | video | audio | documento
    caption: str
    filename: str
    media_type: str
    size: int
    sha256: str
    created_at: datetime

    @property
    def size_text(self) -> str:
        """``3.1 MB``."""
        return rules.human_size(self.size)


@dataclass(frozen=True)
class HeldSession:
    """A held session on the minutes page."""

    id: int
    number: int | None
    title: str
    kind: str
    state: str
    state_name: str
    starts_at: datetime
    place: str
    agenda: tuple[str, ...]
    installed: bool
    quorum_required: int | None
    seats_present: int | None
    seats_total: int | None
    signed: SignedFile | None
    sending: Sending | None  # only installed sessions have minutes owed to the garante
    votes: tuple[VoteResult, ...]
    agreements: tuple[AgreementLine, ...]
    evidence: tuple[EvidenceItem, ...]


@dataclass(frozen=True)
class CommuniqueLine:
    """A communiqué of the facilitator (R18, R19 a)."""

    number: int
    text: str
    created_at: datetime


@dataclass(frozen=True)
class Minutes:
    """``/<slug>/actas``."""

    sessions: tuple[HeldSession, ...]
    communiques: tuple[CommuniqueLine, ...]


def _sending(
    meeting: Meeting,
    secretariat: Secretariat,
    mail: GaranteMailing | None,
    today: date,
) -> Sending:
    deadline = deadline_of(
        meeting, secretariat.time_zone, settings_of(secretariat).minutes_deadline
    )
    sent_on = (
        local_date(meeting.minutes_sent_at, secretariat.time_zone)
        if meeting.minutes_sent_at
        else None
    )
    return Sending(
        minutes_status(deadline, sent_on=sent_on, today=today),
        deadline,
        meeting.minutes_sent_at,
        meeting.minutes_sent_via,
        mail.state if mail is not None and mail.state != "aceptado" else None,
    )


async def minutes(session: AsyncSession, secretariat_id: int, *, now: datetime) -> Minutes:
    """Held sessions, newest first, with their signed minutes, sending status, votes,
    agreements and evidence, and every communiqué, newest first (nine queries)."""
    secretariat = await session.get_one(Secretariat, secretariat_id)
    today = local_date(now, secretariat.time_zone)
    meetings = list(
        await session.scalars(
            select(Meeting)
            .where(Meeting.secretariat_id == secretariat_id, Meeting.state.in_(HELD_STATES))
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        )
    )
    of_secretariat = Meeting.secretariat_id == secretariat_id
    signed = {
        meeting_id: (row, size)
        for row, meeting_id, size in await session.execute(
            select(SignedMinutes, SignedMinutes.meeting_id, StoredFile.size)
            .join(Meeting, Meeting.id == SignedMinutes.meeting_id)
            .join(StoredFile, StoredFile.sha256 == SignedMinutes.sha256)
            .where(of_secretariat)
        )
    }
    mails = {
        row.meeting_id: row
        for row in await session.scalars(
            select(GaranteMailing)
            .join(Meeting, Meeting.id == GaranteMailing.meeting_id)
            .where(of_secretariat)
        )
    }
    votes: dict[int, list[VoteResult]] = defaultdict(list)
    for vote in await session.scalars(
        select(Vote)
        .where(Vote.secretariat_id == secretariat_id, Vote.meeting_id.is_not(None))
        .order_by(Vote.id)
    ):
        assert vote.meeting_id is not None
        votes[vote.meeting_id].append(
            VoteResult(
                vote.id,
                vote.text,
                vote.purpose == "orden_del_dia",
                vote.state,
                vote.outcome if vote.state == "cerrada" else None,
                vote.a_favor,
                vote.en_contra,
                vote.abstencion,
            )
        )
    seat_names = dict(
        (
            await session.execute(
                select(Seat.id, Seat.name).where(Seat.secretariat_id == secretariat_id)
            )
        )
        .tuples()
        .all()
    )
    agreements: dict[int, list[AgreementLine]] = defaultdict(list)
    for row in await session.scalars(
        select(Agreement)
        .where(Agreement.secretariat_id == secretariat_id)
        .order_by(Agreement.year, Agreement.sequence)
    ):
        responsible = (
            seat_names.get(row.responsible_seat_id)
            if row.responsible_seat_id is not None
            else row.responsible_name
        )
        agreements[row.meeting_id].append(
            AgreementLine(row.code, row.text, row.status, responsible, row.due_date)
        )
    evidence: dict[int, list[EvidenceItem]] = defaultdict(list)
    for item in await session.scalars(
        select(SessionEvidence)
        .join(Meeting, Meeting.id == SessionEvidence.meeting_id)
        .where(of_secretariat)
        .order_by(SessionEvidence.meeting_id, SessionEvidence.number)
    ):
        evidence[item.meeting_id].append(
            EvidenceItem(
                item.number,
                item.kind,
                item.caption,
                item.filename,
                item.media_type,
                item.size,
                item.sha256,
                item.created_at,
            )
        )
    communiques = tuple(
        CommuniqueLine(c.number, c.text, c.created_at)
        for c in await session.scalars(
            select(Communique)
            .where(Communique.secretariat_id == secretariat_id)
            .order_by(Communique.number.desc())
        )
    )
    sessions = []
    for meeting in meetings:
        file = None
        if meeting.id in signed:
            row, size = signed[meeting.id]
            assert row.sha256 is not None
            file = SignedFile(
                row.sha256, signed_filename(meeting.number or 0), size, row.signed_at, row.sealed
            )
        installed = meeting.installed_at is not None
        sessions.append(
            HeldSession(
                id=meeting.id,
                number=meeting.number,
                title=meeting.title or "Sesión",
                kind=meeting.kind,
                state=meeting.state,
                state_name=STATE_NAMES.get(meeting.state, meeting.state),
                starts_at=meeting.starts_at,
                place=meeting.place,
                agenda=tuple(meeting.agenda),
                installed=installed,
                quorum_required=meeting.quorum_required,
                seats_present=meeting.seats_present,
                seats_total=meeting.seats_total,
                signed=file,
                sending=(
                    _sending(meeting, secretariat, mails.get(meeting.id), today)
                    if installed
                    else None
                ),
                votes=tuple(votes.get(meeting.id, ())),
                agreements=tuple(agreements.get(meeting.id, ())),
                evidence=tuple(evidence.get(meeting.id, ())),
            )
        )
    return Minutes(tuple(sessions), communiques)


# --- /archivos/<sha256> (R19 a) -------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """A file the public may download: a session's signed minutes or evidence."""

    sha256: str
    filename: str
    media_type: str
    size: int


async def download(session: AsyncSession, secretariat_id: int, sha256: str) -> Download | None:
    """The file named ``sha256`` when it is this secretariat's signed minutes or session
    evidence; ``None`` otherwise (another secretariat's file, a draft version, unknown).

    Draft and superseded minutes versions are not public: only the signed file is (R14).
    """
    of_secretariat = Meeting.secretariat_id == secretariat_id
    row = (
        await session.execute(
            select(Meeting.number, StoredFile.media_type, StoredFile.size)
            .select_from(SignedMinutes)
            .join(Meeting, Meeting.id == SignedMinutes.meeting_id)
            .join(StoredFile, StoredFile.sha256 == SignedMinutes.sha256)
            .where(of_secretariat, SignedMinutes.sha256 == sha256)
            .limit(1)
        )
    ).first()
    if row is not None:
        number, media_type, size = row
        return Download(sha256, signed_filename(number or 0), media_type, size)
    row = (
        await session.execute(
            select(SessionEvidence.filename, SessionEvidence.media_type, SessionEvidence.size)
            .join(Meeting, Meeting.id == SessionEvidence.meeting_id)
            .where(of_secretariat, SessionEvidence.sha256 == sha256)
            .order_by(SessionEvidence.id)
            .limit(1)
        )
    ).first()
    if row is not None:
        filename, media_type, size = row
        return Download(sha256, filename, media_type, size)
    return None


# --- /compromisos (R19 b, R16a) -------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """The action plan as the public page shows it."""

    commitments: tuple[CommitmentView, ...]
    level_counts: dict[Level, int]
    milestones: int
    milestones_done: int

    @property
    def completed(self) -> int:
        """Commitments at ``completo``."""
        return self.level_counts[Level.COMPLETO]


async def plan(session: AsyncSession, secretariat_id: int, *, today: date) -> Plan:
    """Every commitment with its milestones (two queries: ``action_plan.overview``), and
    the figures of the page's summary."""
    commitments = await overview(session, secretariat_id, today=today)
    counts = Counter(c.level for c in commitments)
    return Plan(
        tuple(commitments),
        {level: counts.get(level, 0) for level in Level},
        sum(len(c.milestones) for c in commitments),
        sum(1 for c in commitments for m in c.milestones if m.done),
    )


# --- /agenda and /agenda.ics (R19 b) --------------------------------------------------


@dataclass(frozen=True)
class AgendaSession:
    """A convened (or cancelled) session on the agenda."""

    id: int
    number: int | None
    title: str
    kind: str
    state: str
    starts_at: datetime
    place: str
    agenda: tuple[str, ...]
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None

    @property
    def cancelled(self) -> bool:
        """Whether every seat approved its cancellation (R11)."""
        return self.state == "cancelada"


@dataclass(frozen=True)
class Agenda:
    """``/<slug>/agenda``."""

    upcoming: tuple[AgendaSession, ...]
    cancelled: tuple[AgendaSession, ...]


async def _reasons(session: AsyncSession, secretariat_id: int) -> dict[int, str]:
    """The reason of each approved cancellation (R11), by session."""
    return dict(
        (
            await session.execute(
                select(Cancellation.meeting_id, Cancellation.reason)
                .join(Meeting, Meeting.id == Cancellation.meeting_id)
                .where(
                    Meeting.secretariat_id == secretariat_id,
                    Meeting.state == "cancelada",
                    Cancellation.state == "aprobada",
                )
            )
        )
        .tuples()
        .all()
    )


def _agenda_session(meeting: Meeting, reasons: dict[int, str]) -> AgendaSession:
    cancelled = meeting.state == "cancelada"
    return AgendaSession(
        meeting.id,
        meeting.number,
        meeting.title or "Sesión",
        meeting.kind,
        meeting.state,
        meeting.starts_at,
        meeting.place,
        tuple(meeting.agenda),
        meeting.concluded_at if cancelled else None,
        reasons.get(meeting.id) if cancelled else None,
    )


async def agenda(
    session: AsyncSession, secretariat_id: int, *, now: datetime, time_zone: str
) -> Agenda:
    """Upcoming convened sessions (from today, local time) by date, and the sessions
    cancelled in the last :data:`domain.public_record.RECENT_DAYS` days (two queries)."""
    since = min(rules.start_of_local_day(now, time_zone), rules.since_recent(now))
    meetings = list(
        await session.scalars(
            select(Meeting)
            .where(
                Meeting.secretariat_id == secretariat_id,
                Meeting.state.in_((*rules.ON_THE_AGENDA, "cancelada")),
                Meeting.starts_at >= since,
            )
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )
    reasons = (
        await _reasons(session, secretariat_id)
        if any(m.state == "cancelada" for m in meetings)
        else {}
    )
    upcoming = tuple(
        _agenda_session(m, reasons)
        for m in meetings
        if rules.in_agenda(m.state, m.starts_at, now=now, time_zone=time_zone)
    )
    cancelled = tuple(_agenda_session(m, reasons) for m in meetings if m.state == "cancelada")
    return Agenda(upcoming, cancelled)


@dataclass(frozen=True)
class FeedSession:
    """A session in the calendar feed, with when its event was last revised."""

    id: int
    title: str
    state: str
    starts_at: datetime
    place: str
    agenda: tuple[str, ...]
    revised_at: datetime  # convened, or cancelled


async def feed(
    session: AsyncSession, secretariat_id: int, *, since: datetime
) -> list[FeedSession]:
    """Every convened session (held, cancelled or to come) starting at or after ``since``,
    by date (one query). Drafts are never public."""
    rows = await session.scalars(
        select(Meeting)
        .where(
            Meeting.secretariat_id == secretariat_id,
            Meeting.state != "borrador",
            Meeting.number.is_not(None),
            Meeting.starts_at >= since,
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return [
        FeedSession(
            m.id,
            m.title or "Sesión",
            m.state,
            m.starts_at,
            m.place,
            tuple(m.agenda),
            (m.concluded_at if m.state == "cancelada" and m.concluded_at else None)
            or m.convened_at
            or m.created_at,
        )
        for m in rows
    ]
