"""Sessions: convene (R6, R7), deliver with evidence, RSVP with substitutes (R3), quorum
and roll call (R9)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import attendance, convocation
from domain.attendance import Answer, SeatState, SubstituteAnswer, TitularAnswer
from domain.errors import (
    AlreadyRecorded,
    EntryNotFound,
    NoLinkedGroup,
    NotSessionDay,
    NotYourButton,
    NoUpcomingSession,
    SessionNotFound,
    StaleButton,
    WrongSessionState,
)
from domain.notice import SessionKind, local_date
from domain.roles import Role, Target
from domain.secretariat_settings import SecretariatSettings
from domain.titles import session_title
from storage.models import (
    AttendanceAnswer,
    Delivery,
    Meeting,
    Member,
    Presence,
    Seat,
    Secretariat,
    Vote,
)
from storage.services import access, audit
from storage.services.calendar import calendar_for
from storage.services.secretariats import settings_of

STATE_NAMES = {
    "borrador": "en borrador",
    "convocada": "convocada",
    "en_curso": "en curso (pase de lista abierto)",
    "instalada": "instalada",
    "sin_quorum": "celebrada sin quórum",
    "concluida": "concluida",
    "cancelada": "cancelada",
}


@dataclass(frozen=True)
class MeetingView:
    """What templates show of a session."""

    id: int
    number: int | None
    title: str
    kind: str
    starts_at: datetime
    local_day: str
    local_time: str
    weekday: str
    time_zone: str
    place: str
    agenda: list[str]
    state: str
    state_name: str
    secretariat_name: str
    non_business_reason: str | None = None
    next_business: str | None = None
    needs_confirmation: bool = False
    agenda_vote: str | None = None  # R10: the agenda-approval result, or "en votación"


_WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def weekday_name(day: date) -> str:
    """The Spanish weekday of ``day`` ("martes")."""
    return _WEEKDAYS[day.weekday()]


def local_stamp(moment: datetime, tz: str) -> str:
    """``AAAA-MM-DD HH:MM`` in the secretariat's zone, as commands.md writes moments."""
    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def view_of(
    meeting: Meeting,
    secretariat: Secretariat,
    *,
    admissible: convocation.Admissible | None = None,
) -> MeetingView:
    """The template-facing view, in the secretariat's time zone."""
    local = meeting.starts_at.astimezone(ZoneInfo(secretariat.time_zone))
    title = meeting.title or _tentative_title(meeting)
    return MeetingView(
        id=meeting.id,
        number=meeting.number,
        title=title,
        kind=meeting.kind,
        starts_at=meeting.starts_at,
        local_day=local.date().isoformat(),
        local_time=local.strftime("%H:%M"),
        weekday=weekday_name(local.date()),
        time_zone=secretariat.time_zone,
        place=meeting.place,
        agenda=list(meeting.agenda),
        state=meeting.state,
        state_name=STATE_NAMES[meeting.state],
        secretariat_name=secretariat.name,
        non_business_reason=admissible.non_business_reason if admissible else None,
        next_business=admissible.next_business if admissible else None,
        needs_confirmation=bool(admissible and admissible.needs_confirmation),
    )


def _tentative_title(meeting: Meeting) -> str:
    kind = "Ordinaria" if meeting.kind == SessionKind.ORDINARIA else "Extraordinaria"
    return f"Sesión {kind} (se numerará al enviarse)"


async def _secretariat(session: AsyncSession, target: Target) -> Secretariat:
    return await session.get_one(Secretariat, target.secretariat_id)


async def _admissible(
    session: AsyncSession, meeting: Meeting, secretariat: Secretariat, now: datetime
) -> convocation.Admissible:
    return convocation.check(
        kind=SessionKind(meeting.kind),
        starts_at=meeting.starts_at,
        place=meeting.place,
        agenda=meeting.agenda,
        now=now,
        calendar=await calendar_for(session, secretariat.id),
        settings=settings_of(secretariat),
    )


async def draft(
    session: AsyncSession,
    *,
    now: datetime,
    target: Target,
    kind: SessionKind,
    day: date,
    at: time,
    place: str,
    agenda: list[str],
    chat_id: int,
) -> MeetingView:
    """Validate a convocation and keep it as a draft for the preview (R7)."""
    secretariat = await _secretariat(session, target)
    if secretariat.group_chat_id is None:
        raise NoLinkedGroup()
    starts_at = convocation.session_start(day, at, secretariat.time_zone)
    place = " ".join(place.split())[:200]
    agenda = [" ".join(item.split())[:500] for item in agenda][:50]
    meeting = Meeting(
        secretariat_id=secretariat.id,
        kind=kind.value,
        starts_at=starts_at,
        place=place,
        agenda=agenda,
        created_at=now,
        created_by=target.membership.member_id,
        draft_chat_id=chat_id,
    )
    admissible = await _admissible(session, meeting, secretariat, now)
    meeting.non_business_day = admissible.non_business_reason is not None
    session.add(meeting)
    await session.flush()
    audit.record(
        session,
        now=now,
        action="meeting.drafted",
        secretariat_id=secretariat.id,
        member_id=target.membership.member_id,
        meeting_id=meeting.id,
    )
    return view_of(meeting, secretariat, admissible=admissible)


async def _draft_of(session: AsyncSession, target: Target, meeting_id: int) -> Meeting:
    meeting = await session.get(Meeting, meeting_id, with_for_update=True)
    if meeting is None or meeting.secretariat_id != target.secretariat_id:
        raise StaleButton()
    if meeting.state != "borrador":
        raise StaleButton()
    return meeting


async def discard(
    session: AsyncSession, *, now: datetime, target: Target, meeting_id: int
) -> None:
    """Drop a draft; nothing was sent."""
    meeting = await _draft_of(session, target, meeting_id)
    meeting.state = "cancelada"
    meeting.concluded_at = now
    audit.record(
        session,
        now=now,
        action="meeting.discarded",
        secretariat_id=target.secretariat_id,
        member_id=target.membership.member_id,
        meeting_id=meeting.id,
    )


@dataclass(frozen=True)
class Recipient:
    """Someone the convocation goes to."""

    member_id: int
    number: int
    full_name: str
    role: str
    seat_name: str | None
    chat_id: int | None


@dataclass(frozen=True)
class Convened:
    """A convocation ready to deliver (already committed as ``convocada``)."""

    meeting: MeetingView
    recipients: list[Recipient]
    group_chat_id: int
    facilitator_chat_id: int | None


@dataclass(frozen=True)
class NeedsConfirmation:
    """The day is not a business day and the setting asks for a second confirmation."""

    meeting: MeetingView


async def send(
    session: AsyncSession,
    *,
    now: datetime,
    target: Target,
    meeting_id: int,
    confirmed_non_business: bool,
) -> Convened | NeedsConfirmation:
    """Number the session and mark it convened; notice is re-checked now (R7)."""
    meeting = await _draft_of(session, target, meeting_id)
    secretariat = await _secretariat(session, target)
    if secretariat.group_chat_id is None:
        raise NoLinkedGroup()
    admissible = await _admissible(session, meeting, secretariat, now)
    if admissible.needs_confirmation and not confirmed_non_business:
        return NeedsConfirmation(view_of(meeting, secretariat, admissible=admissible))
    tz = secretariat.time_zone
    year = local_date(meeting.starts_at, tz).year
    numbers = await session.execute(
        select(Meeting.number, Meeting.kind, Meeting.ordinal, Meeting.starts_at).where(
            Meeting.secretariat_id == secretariat.id, Meeting.number.is_not(None)
        )
    )
    rows = list(numbers)
    meeting.number = max((r.number for r in rows), default=0) + 1
    meeting.ordinal = (
        max(
            (
                r.ordinal
                for r in rows
                if r.kind == meeting.kind and local_date(r.starts_at, tz).year == year
            ),
            default=0,
        )
        + 1
    )
    meeting.title = session_title(SessionKind(meeting.kind), meeting.ordinal, year)
    meeting.state = "convocada"
    meeting.convened_at = now
    meeting.non_business_confirmed = admissible.needs_confirmation
    audit.record(
        session,
        now=now,
        action="meeting.convened",
        secretariat_id=secretariat.id,
        member_id=target.membership.member_id,
        meeting_id=meeting.id,
        number=meeting.number,
        title=meeting.title,
        starts_at=meeting.starts_at.isoformat(),
    )
    recipients = await _recipients(session, secretariat.id)
    facilitator = next((r.chat_id for r in recipients if r.role == Role.FACILITADOR), None)
    return Convened(
        view_of(meeting, secretariat, admissible=admissible),
        recipients,
        secretariat.group_chat_id,
        facilitator,
    )


async def _recipients(session: AsyncSession, secretariat_id: int) -> list[Recipient]:
    rows = await session.execute(
        select(Member, Seat.name)
        .outerjoin(Seat, Seat.id == Member.seat_id)
        .where(Member.secretariat_id == secretariat_id, Member.active)
        .order_by(Member.number)
    )
    return [
        Recipient(m.id, m.number, m.full_name or "", m.role, seat, m.telegram_user_id)
        for m, seat in rows
    ]


@dataclass(frozen=True)
class Attempt:
    """One delivery outcome to store."""

    member_id: int | None
    chat_id: int | None
    ok: bool
    message_ids: tuple[int, ...]
    failure: str | None
    at: datetime | None


async def record_deliveries(
    session: AsyncSession, *, now: datetime, meeting_id: int, purpose: str, attempts: list[Attempt]
) -> None:
    """Store every attempt: the evidence that notice was given, and when (R7)."""
    for attempt in attempts:
        session.add(
            Delivery(
                meeting_id=meeting_id,
                purpose=purpose,
                member_id=attempt.member_id,
                chat_id=attempt.chat_id,
                attempted_at=now,
                delivered_at=attempt.at if attempt.ok else None,
                ok=attempt.ok,
                message_ids=list(attempt.message_ids),
                failure=attempt.failure,
            )
        )


async def _meeting_for_button(session: AsyncSession, meeting_id: int, now: datetime) -> Meeting:
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None or meeting.state != "convocada" or now >= meeting.starts_at:
        raise StaleButton()
    return meeting


async def _seat_member(
    session: AsyncSession, meeting: Meeting, telegram_user_id: int, role: Role
) -> Member:
    member = await access.member_of(session, meeting.secretariat_id, telegram_user_id)
    if member is None or member.role != role.value or member.seat_id is None:
        raise NotYourButton()
    return member


async def _latest(
    session: AsyncSession, meeting_id: int, seat_id: int, role: str
) -> AttendanceAnswer | None:
    return await session.scalar(
        select(AttendanceAnswer)
        .where(
            AttendanceAnswer.meeting_id == meeting_id,
            AttendanceAnswer.seat_id == seat_id,
            AttendanceAnswer.role == role,
        )
        .order_by(AttendanceAnswer.id.desc())
        .limit(1)
    )


async def _holder(session: AsyncSession, seat_id: int, role: Role) -> Member | None:
    return await session.scalar(
        select(Member).where(Member.seat_id == seat_id, Member.role == role.value, Member.active)
    )


def _store_answer(
    session: AsyncSession, meeting: Meeting, member: Member, role: Role, answer: str, now: datetime
) -> None:
    """Append an answer (never overwrite: each change keeps its time) and audit it."""
    assert member.seat_id is not None
    session.add(
        AttendanceAnswer(
            meeting_id=meeting.id,
            seat_id=member.seat_id,
            member_id=member.id,
            role=role.value,
            answer=answer,
            at=now,
        )
    )
    audit.record(
        session,
        now=now,
        action=f"rsvp.{role.value}",
        secretariat_id=meeting.secretariat_id,
        member_id=member.id,
        meeting_id=meeting.id,
        answer=answer,
    )


@dataclass(frozen=True)
class RsvpOutcome:
    """A titular's answer, stored; and whom to ask or tell next."""

    meeting: MeetingView
    seat_name: str
    answer: TitularAnswer
    substitute: Recipient | None  # to be asked to cover the seat
    no_substitute: bool


async def rsvp(
    session: AsyncSession, *, now: datetime, meeting_id: int, telegram_user_id: int, answer: str
) -> RsvpOutcome:
    """Store a titular's RSVP; a repeat of the current answer changes nothing (R3)."""
    meeting = await _meeting_for_button(session, meeting_id, now)
    member = await _seat_member(session, meeting, telegram_user_id, Role.TITULAR)
    value = TitularAnswer(answer)
    assert member.seat_id is not None
    latest = await _latest(session, meeting.id, member.seat_id, Role.TITULAR.value)
    if latest is not None and latest.answer == value.value:
        raise AlreadyRecorded(TITULAR_LABELS[value])
    _store_answer(session, meeting, member, Role.TITULAR, value.value, now)
    seat = await session.get_one(Seat, member.seat_id)
    substitute = await _holder(session, seat.id, Role.SUPLENTE)
    asks = attendance.asks_substitute(value, substitute is not None)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    return RsvpOutcome(
        view_of(meeting, secretariat),
        seat.name,
        value,
        Recipient(
            substitute.id,
            substitute.number,
            substitute.full_name or "",
            substitute.role,
            seat.name,
            substitute.telegram_user_id,
        )
        if asks and substitute is not None
        else None,
        no_substitute=value is TitularAnswer.SUPLENTE and substitute is None,
    )


TITULAR_LABELS = {
    TitularAnswer.ASISTIRE: "Asistiré",
    TitularAnswer.SUPLENTE: "Asistirá mi suplente",
    TitularAnswer.NO_ASISTIRE: "No asistiré",
}
SUBSTITUTE_LABELS = {
    SubstituteAnswer.SI: "Asistiré en representación",
    SubstituteAnswer.NO: "No podré asistir",
}


@dataclass(frozen=True)
class CoverOutcome:
    """A substitute's answer, and the titular to tell."""

    meeting: MeetingView
    seat_name: str
    substitute_name: str
    answer: SubstituteAnswer
    titular_chat_id: int | None


async def cover(
    session: AsyncSession, *, now: datetime, meeting_id: int, telegram_user_id: int, answer: str
) -> CoverOutcome:
    """Store a substitute's answer to "¿asistes en representación?" (R3)."""
    meeting = await _meeting_for_button(session, meeting_id, now)
    member = await _seat_member(session, meeting, telegram_user_id, Role.SUPLENTE)
    assert member.seat_id is not None
    titular_answer = await _latest(session, meeting.id, member.seat_id, Role.TITULAR.value)
    has_substitute = True
    if titular_answer is None or not attendance.asks_substitute(
        TitularAnswer(titular_answer.answer), has_substitute
    ):
        raise StaleButton()  # the titular took the seat back
    value = SubstituteAnswer(answer)
    latest = await _latest(session, meeting.id, member.seat_id, Role.SUPLENTE.value)
    if latest is not None and latest.answer == value.value and latest.at >= titular_answer.at:
        raise AlreadyRecorded(SUBSTITUTE_LABELS[value])
    _store_answer(session, meeting, member, Role.SUPLENTE, value.value, now)
    seat = await session.get_one(Seat, member.seat_id)
    titular = await _holder(session, seat.id, Role.TITULAR)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    return CoverOutcome(
        view_of(meeting, secretariat),
        seat.name,
        member.full_name or "",
        value,
        titular.telegram_user_id if titular else None,
    )


async def by_number(session: AsyncSession, target: Target, number: int) -> Meeting:
    meeting = await session.scalar(
        select(Meeting).where(
            Meeting.secretariat_id == target.secretariat_id, Meeting.number == number
        )
    )
    if meeting is None:
        raise SessionNotFound(number)
    return meeting


async def _next(session: AsyncSession, target: Target, now: datetime) -> Meeting:
    """The next session by date that is not cancelled (today's included until it ends)."""
    meeting = await session.scalar(
        select(Meeting)
        .where(
            Meeting.secretariat_id == target.secretariat_id,
            Meeting.number.is_not(None),
            Meeting.state.in_(("convocada", "en_curso", "instalada")),
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )
    if meeting is None:
        raise NoUpcomingSession()
    return meeting


@dataclass(frozen=True)
class SeatLine:
    """One seat in ``/quorum``."""

    seat_name: str
    state: SeatState
    titular: str | None
    substitute: str | None


@dataclass(frozen=True)
class QuorumView:
    """``/quorum``."""

    meeting: MeetingView
    seats: list[SeatLine]
    forecast: attendance.QuorumForecast
    rule: str


async def quorum(
    session: AsyncSession, *, now: datetime, target: Target, number: int | None
) -> QuorumView:
    """Per seat, who confirmed, declined or has not answered; the verdict (R3, R9)."""
    meeting = (
        await by_number(session, target, number)
        if number is not None
        else await _next(session, target, now)
    )
    secretariat = await _secretariat(session, target)
    settings = settings_of(secretariat)
    seats = list(
        await session.scalars(
            select(Seat)
            .where(Seat.secretariat_id == secretariat.id, Seat.active)
            .order_by(Seat.position)
        )
    )
    members = list(
        await session.scalars(
            select(Member).where(Member.secretariat_id == secretariat.id, Member.active)
        )
    )
    answers = list(
        await session.scalars(
            select(AttendanceAnswer)
            .where(AttendanceAnswer.meeting_id == meeting.id)
            .order_by(AttendanceAnswer.id)
        )
    )
    lines = []
    for seat in seats:
        titular = next(
            (m for m in members if m.seat_id == seat.id and m.role == Role.TITULAR), None
        )
        substitute = next(
            (m for m in members if m.seat_id == seat.id and m.role == Role.SUPLENTE), None
        )
        last: dict[str, Answer] = {}
        for row in answers:
            if row.seat_id == seat.id:
                last[row.role] = Answer(row.answer, row.at)
        state = attendance.seat_state(
            last.get(Role.TITULAR.value),
            last.get(Role.SUPLENTE.value),
            has_substitute=substitute is not None,
        )
        lines.append(
            SeatLine(
                seat.name,
                state,
                titular.full_name if titular else None,
                substitute.full_name if substitute else None,
            )
        )
    filled = len({m.seat_id for m in members if m.role == Role.TITULAR and m.seat_id})
    outlook = attendance.forecast(
        (line.state for line in lines),
        established=len(seats),
        filled=filled,
        rule=settings.quorum_rule,
        base=settings.quorum_base,
    )
    return QuorumView(view_of(meeting, secretariat), lines, outlook, settings.quorum_rule.value)


async def recent(session: AsyncSession, *, target: Target, now: datetime) -> list[MeetingView]:
    """``/sesiones``: every numbered session, upcoming first then the latest past ones."""
    secretariat = await _secretariat(session, target)
    rows = list(
        await session.scalars(
            select(Meeting)
            .where(Meeting.secretariat_id == secretariat.id, Meeting.number.is_not(None))
            .order_by(Meeting.starts_at.desc())
            .limit(30)
        )
    )
    upcoming = sorted((m for m in rows if m.starts_at >= now), key=lambda m: m.starts_at)
    past = [m for m in rows if m.starts_at < now][:10]
    shown = [*upcoming, *past]
    agenda_votes = {
        meeting_id: outcome if state == "cerrada" else "en votación"
        for meeting_id, state, outcome in await session.execute(
            select(Vote.meeting_id, Vote.state, Vote.outcome).where(
                Vote.meeting_id.in_([m.id for m in shown]), Vote.purpose == "orden_del_dia"
            )
        )
    }
    return [replace(view_of(m, secretariat), agenda_vote=agenda_votes.get(m.id)) for m in shown]


@dataclass(frozen=True)
class RollCall:
    """``/iniciar``: who gets the ``Presente`` button."""

    meeting: MeetingView
    group_chat_id: int | None
    voters: list[Recipient]


async def open_roll_call(
    session: AsyncSession, *, now: datetime, target: Target, number: int | None
) -> RollCall:
    """Open today's roll call: the session goes "en curso" (R9)."""
    meeting = (
        await by_number(session, target, number)
        if number is not None
        else await _next(session, target, now)
    )
    secretariat = await _secretariat(session, target)
    if meeting.state != "convocada":
        raise WrongSessionState(
            meeting.number or 0, STATE_NAMES[meeting.state], "el pase de lista ya se abrió."
        )
    today = local_date(now, secretariat.time_zone)
    day = local_date(meeting.starts_at, secretariat.time_zone)
    if today != day:
        raise NotSessionDay(meeting.number or 0, day.isoformat())
    meeting.state = "en_curso"
    meeting.roll_call_at = now
    audit.record(
        session,
        now=now,
        action="meeting.roll_call",
        secretariat_id=secretariat.id,
        member_id=target.membership.member_id,
        meeting_id=meeting.id,
    )
    recipients = await _recipients(session, secretariat.id)
    voters = [r for r in recipients if r.role in (Role.TITULAR, Role.SUPLENTE)]
    return RollCall(view_of(meeting, secretariat), secretariat.group_chat_id, voters)


async def _current(session: AsyncSession, secretariat_id: int) -> Meeting | None:
    return await session.scalar(
        select(Meeting)
        .where(
            Meeting.secretariat_id == secretariat_id,
            Meeting.state.in_(("en_curso", "instalada", "sin_quorum")),
        )
        .order_by(Meeting.roll_call_at.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Present:
    """Someone marked present."""

    meeting: MeetingView
    full_name: str
    seat_name: str | None
    role: str
    seats_present: int


async def _mark(
    session: AsyncSession, meeting: Meeting, member: Member, now: datetime, by: int | None
) -> Present:
    exists = await session.scalar(
        select(Presence.id).where(
            Presence.meeting_id == meeting.id, Presence.member_id == member.id
        )
    )
    if exists is not None:
        raise AlreadyRecorded("Presente")
    session.add(
        Presence(
            meeting_id=meeting.id,
            member_id=member.id,
            seat_id=member.seat_id,
            at=now,
            marked_by=by,
        )
    )
    await session.flush()
    present = await _present_seats(session, meeting.id)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    seat = await session.get(Seat, member.seat_id) if member.seat_id else None
    audit.record(
        session,
        now=now,
        action="meeting.present",
        secretariat_id=meeting.secretariat_id,
        member_id=by or member.id,
        meeting_id=meeting.id,
        present=member.number,
    )
    return Present(
        view_of(meeting, secretariat),
        member.full_name or "",
        seat.name if seat else None,
        member.role,
        present,
    )


async def _present_seats(session: AsyncSession, meeting_id: int) -> int:
    seat_ids = await session.scalars(
        select(Presence.seat_id).where(Presence.meeting_id == meeting_id)
    )
    return attendance.seats_present(seat_ids)


async def present_by_button(
    session: AsyncSession, *, now: datetime, meeting_id: int, telegram_user_id: int
) -> Present:
    """The ``Presente`` button: members with a seat mark themselves (R9)."""
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None or meeting.state not in ("en_curso", "instalada"):
        raise StaleButton()  # late arrivals still count once installed
    member = await access.member_of(session, meeting.secretariat_id, telegram_user_id)
    if member is None or member.seat_id is None:
        raise NotYourButton()
    return await _mark(session, meeting, member, now, None)


async def present_by_number(
    session: AsyncSession, *, now: datetime, target: Target, number: int
) -> Present:
    """``/presente n``: the facilitator marks someone present in person."""
    meeting = await _current(session, target.secretariat_id)
    if meeting is None or meeting.state not in ("en_curso", "instalada"):
        raise NoUpcomingSession()
    member = await session.scalar(
        select(Member).where(
            Member.secretariat_id == target.secretariat_id, Member.number == number, Member.active
        )
    )
    if member is None:
        raise EntryNotFound(number)
    return await _mark(session, meeting, member, now, target.membership.member_id)


@dataclass(frozen=True)
class Installation:
    """``/instalar``."""

    meeting: MeetingView
    installed: bool
    present: int
    required: int
    seats: int
    group_chat_id: int | None


async def install(session: AsyncSession, *, now: datetime, target: Target) -> Installation:
    """Install with quorum (R9), or record the session as held without quorum."""
    meeting = await _current(session, target.secretariat_id)
    if meeting is None:
        raise NoUpcomingSession()
    if meeting.state != "en_curso":
        raise WrongSessionState(
            meeting.number or 0, STATE_NAMES[meeting.state], "ya se instaló o se cerró."
        )
    secretariat = await _secretariat(session, target)
    settings: SecretariatSettings = settings_of(secretariat)
    seats = int(
        await session.scalar(
            select(func.count())
            .select_from(Seat)
            .where(Seat.secretariat_id == secretariat.id, Seat.active)
        )
        or 0
    )
    filled = int(
        await session.scalar(
            select(func.count(func.distinct(Member.seat_id))).where(
                Member.secretariat_id == secretariat.id,
                Member.active,
                Member.role == Role.TITULAR.value,
            )
        )
        or 0
    )
    present = await _present_seats(session, meeting.id)
    denominator = attendance.quorum_denominator(seats, filled, settings.quorum_base)
    required = attendance.quorum_required(denominator, settings.quorum_rule)
    installed = present >= required
    meeting.state = "instalada" if installed else "sin_quorum"
    meeting.installed_at = now if installed else None
    meeting.quorum_required = required
    meeting.seats_present = present
    meeting.seats_total = denominator
    audit.record(
        session,
        now=now,
        action="meeting.installed" if installed else "meeting.no_quorum",
        secretariat_id=secretariat.id,
        member_id=target.membership.member_id,
        meeting_id=meeting.id,
        present=present,
        required=required,
    )
    return Installation(
        view_of(meeting, secretariat),
        installed,
        present,
        required,
        denominator,
        secretariat.group_chat_id,
    )


async def conclude(session: AsyncSession, *, now: datetime, target: Target) -> MeetingView:
    """``/concluir``: close the session in progress."""
    meeting = await _current(session, target.secretariat_id)
    if meeting is None:
        raise NoUpcomingSession()
    meeting.state = "concluida"
    meeting.concluded_at = now
    audit.record(
        session,
        now=now,
        action="meeting.concluded",
        secretariat_id=target.secretariat_id,
        member_id=target.membership.member_id,
        meeting_id=meeting.id,
    )
    return view_of(meeting, await _secretariat(session, target))


async def secretariat_of(session: AsyncSession, meeting_id: int) -> int | None:
    """Which secretariat a button's session belongs to (to authorize the presser)."""
    return await session.scalar(select(Meeting.secretariat_id).where(Meeting.id == meeting_id))
