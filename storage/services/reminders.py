"""Pending reminders derived from stored state (R22, R23).

Nothing about a reminder is stored before it is settled: what is pending (an RSVP not
answered, a vote not cast, minutes not sent…) is read from the tables that hold those
facts, each time, so a reminder can never outlive the state that called for it. Only
the moments already sent or dropped are stored (``reminder_ledger``), keyed by (kind,
target, due moment). Every query here spans many secretariats at once: start-up derives all of
them in a handful of queries, not a handful per secretariat.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import attendance
from domain import ballots as ballot_rules
from domain import reminders as rules
from domain.attendance import Answer, SeatState
from domain.ballots import Cast, VoteKind
from domain.calendar import MONTH_NAMES, BusinessCalendar
from domain.notice import SessionKind, local_date
from domain.outcomes import Choice
from domain.reminders import Kind, Moment
from domain.roles import Role
from domain.secretariat_settings import SecretariatSettings
from storage.models import (
    Agreement,
    AttendanceAnswer,
    Ballot,
    Cancellation,
    CancellationAnswer,
    Meeting,
    Member,
    MinutesSignature,
    MinutesVersion,
    NonWorkingDay,
    Seat,
    Secretariat,
    SignedMinutes,
    Vote,
)
from storage.services import access
from storage.services import reminder_ledger as ledger
from storage.services.meetings import local_stamp, view_of, weekday_name
from storage.services.minutes import deadline_of
from storage.services.secretariats import settings_of

#: Sessions that count as "the month has its ordinary session" (R6).
_HOLDING = ("convocada", "en_curso", "instalada", "sin_quorum", "concluida")
_FAR = timedelta(days=365 * 100)  # "until the minutes are marked sent"


@dataclass(frozen=True)
class Series:
    """Every moment of one reminder to one chat, with what the message says (R23)."""

    secretariat_id: int
    kind: Kind
    target: str
    chat_id: int
    moments: tuple[Moment, ...]
    about: Mapping[str, Any]
    button: tuple[str, int] | None = None  # ("rsvp" | "cover" | "ballot" | "cancel" | "sign", id)

    @property
    def key(self) -> tuple[str, str]:
        """(kind, target): the series; the due moment completes R23's key."""
        return (self.kind.value, self.target)


@dataclass
class Plan:
    """Everything pending for some secretariats, and what is already settled."""

    secretariat_ids: list[int]
    series: list[Series] = field(default_factory=list)
    recorded: dict[tuple[str, str], datetime] = field(default_factory=dict)

    def recorded_until(self, series: Series) -> datetime | None:
        """The latest moment of ``series`` already sent or dropped."""
        return self.recorded.get(series.key)


@dataclass
class _Stm:
    """One secretariat as derivation needs it."""

    row: Secretariat
    settings: SecretariatSettings
    calendar: BusinessCalendar
    seats: list[Seat]
    members: list[Member]

    def holder(self, seat_id: int, role: Role) -> Member | None:
        return next(
            (m for m in self.members if m.seat_id == seat_id and m.role == role.value), None
        )

    @property
    def facilitator(self) -> Member | None:
        return next((m for m in self.members if m.role == Role.FACILITADOR.value), None)

    def local(self, moment: datetime) -> str:
        return local_stamp(moment, self.row.time_zone)


def _in(column: Any, ids: Collection[int] | None) -> Any:
    return True if ids is None else column.in_(ids)


async def _load(session: AsyncSession, ids: Collection[int] | None) -> dict[int, _Stm]:
    secretariats = list(await session.scalars(select(Secretariat).where(_in(Secretariat.id, ids))))
    declared: dict[int, set[date]] = defaultdict(set)
    for sid, day in await session.execute(
        select(NonWorkingDay.secretariat_id, NonWorkingDay.day).where(
            _in(NonWorkingDay.secretariat_id, ids)
        )
    ):
        declared[sid].add(day)
    seats: dict[int, list[Seat]] = defaultdict(list)
    for seat in await session.scalars(
        select(Seat).where(_in(Seat.secretariat_id, ids), Seat.active).order_by(Seat.position)
    ):
        seats[seat.secretariat_id].append(seat)
    members: dict[int, list[Member]] = defaultdict(list)
    for member in await session.scalars(
        select(Member).where(_in(Member.secretariat_id, ids), Member.active)
    ):
        members[member.secretariat_id].append(member)
    return {
        s.id: _Stm(
            s,
            settings_of(s),
            BusinessCalendar(frozenset(declared[s.id])),
            seats[s.id],
            members[s.id],
        )
        for s in secretariats
    }


def _moments(dues: Iterable[datetime], *, after: datetime, until: datetime) -> tuple[Moment, ...]:
    """Moments strictly after ``after`` (the series did not exist before), useful until."""
    return tuple(Moment(d, until) for d in dues if d > after)


def _dues(stm: _Stm, kind: Kind, anchor: datetime) -> list[datetime]:
    """Due moments of ``kind`` before ``anchor`` under this secretariat's settings (R22)."""
    return rules.session_moments(
        stm.settings.offsets(kind),
        anchor,
        calendar=stm.calendar,
        tz=stm.row.time_zone,
        hour=stm.settings.reminder_time,
    )


def _meeting_about(stm: _Stm, meeting: Meeting) -> dict[str, Any]:
    view = view_of(meeting, stm.row)
    return {"secretariat": stm.row.name, "meeting": view}


async def _session_series(
    session: AsyncSession, stms: Mapping[int, _Stm], now: datetime
) -> list[Series]:
    """RSVP, session-day and quorum reminders of every convened upcoming session."""
    meetings = list(
        await session.scalars(
            select(Meeting).where(
                _in(Meeting.secretariat_id, stms.keys()),
                Meeting.state == "convocada",
                Meeting.starts_at > now,
            )
        )
    )
    answers: dict[int, list[AttendanceAnswer]] = defaultdict(list)
    for chunk in ledger.chunks([m.id for m in meetings]):
        for row in await session.scalars(
            select(AttendanceAnswer)
            .where(AttendanceAnswer.meeting_id.in_(chunk))
            .order_by(AttendanceAnswer.id)
        ):
            answers[row.meeting_id].append(row)
    out: list[Series] = []
    for meeting in meetings:
        stm = stms[meeting.secretariat_id]
        settings = stm.settings
        convened = meeting.convened_at or meeting.created_at
        about = _meeting_about(stm, meeting)

        rsvp = _dues(stm, Kind.ASISTENCIA, meeting.starts_at)
        day = _dues(stm, Kind.SESION, meeting.starts_at)
        states: list[tuple[Seat, SeatState]] = []
        for seat in stm.seats:
            last: dict[str, AttendanceAnswer] = {}
            for row in answers[meeting.id]:
                if row.seat_id == seat.id:
                    last[row.role] = row
            titular, substitute = (
                stm.holder(seat.id, Role.TITULAR),
                stm.holder(seat.id, Role.SUPLENTE),
            )
            t_row, s_row = last.get(Role.TITULAR.value), last.get(Role.SUPLENTE.value)
            state = attendance.seat_state(
                Answer(t_row.answer, t_row.at) if t_row else None,
                Answer(s_row.answer, s_row.at) if s_row else None,
                has_substitute=substitute is not None,
            )
            states.append((seat, state))
            seat_about = {**about, "seat": seat.name}
            if state is SeatState.SIN_RESPUESTA and titular and titular.telegram_user_id:
                out.append(
                    Series(
                        stm.row.id,
                        Kind.ASISTENCIA,
                        f"m{meeting.id}:p{titular.id}",
                        titular.telegram_user_id,
                        _moments(rsvp, after=convened, until=meeting.starts_at),
                        {**seat_about, "as_substitute": False},
                        ("rsvp", meeting.id),
                    )
                )
            if (
                state is SeatState.CONSULTANDO
                and substitute
                and substitute.telegram_user_id
                and t_row is not None
            ):
                out.append(
                    Series(
                        stm.row.id,
                        Kind.ASISTENCIA,
                        f"m{meeting.id}:p{substitute.id}",
                        substitute.telegram_user_id,
                        _moments(rsvp, after=t_row.at, until=meeting.starts_at),
                        {**seat_about, "as_substitute": True},
                        ("cover", meeting.id),
                    )
                )
            attendee, confirmed_at = None, None
            if state is SeatState.TITULAR and t_row is not None:
                attendee, confirmed_at = titular, t_row.at
            elif state is SeatState.SUPLENTE and s_row is not None:
                attendee, confirmed_at = substitute, s_row.at
            if attendee and attendee.telegram_user_id and confirmed_at:
                out.append(
                    Series(
                        stm.row.id,
                        Kind.SESION,
                        f"m{meeting.id}:p{attendee.id}",
                        attendee.telegram_user_id,
                        _moments(day, after=confirmed_at, until=meeting.starts_at),
                        {**seat_about, "as_substitute": state is SeatState.SUPLENTE},
                    )
                )
        filled = len({m.seat_id for m in stm.members if m.role == Role.TITULAR and m.seat_id})
        outlook = attendance.forecast(
            (s for _, s in states),
            established=len(stm.seats),
            filled=filled,
            rule=settings.quorum_rule,
            base=settings.quorum_base,
        )
        facilitator = stm.facilitator
        if not outlook.assured and facilitator and facilitator.telegram_user_id:
            chase = [
                {
                    "seat": seat.name,
                    "state": state.value,
                    "titular": _name(stm.holder(seat.id, Role.TITULAR)),
                    "substitute": _name(stm.holder(seat.id, Role.SUPLENTE)),
                }
                for seat, state in states
                if not state.confirmed and state is not SeatState.DECLINA
            ]
            out.append(
                Series(
                    stm.row.id,
                    Kind.QUORUM,
                    f"m{meeting.id}",
                    facilitator.telegram_user_id,
                    _moments(
                        _dues(stm, Kind.QUORUM, meeting.starts_at),
                        after=convened,
                        until=meeting.starts_at,
                    ),
                    {**about, "forecast": outlook, "chase": chase},
                )
            )
    return out


def _name(member: Member | None) -> str | None:
    return (member.full_name or "sin nombre") if member else None


def _month_of(day: date, shift: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + shift
    return divmod(index, 12)[0], divmod(index, 12)[1] + 1


async def _monthly_series(
    session: AsyncSession, stms: Mapping[int, _Stm], now: datetime
) -> list[Series]:
    """R6, R7: this month and next, while no ordinary session is convened in them."""
    earliest = now - timedelta(days=40)
    held: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for sid, starts_at in await session.execute(
        select(Meeting.secretariat_id, Meeting.starts_at).where(
            _in(Meeting.secretariat_id, stms.keys()),
            Meeting.kind == SessionKind.ORDINARIA.value,
            Meeting.state.in_(_HOLDING),
            Meeting.starts_at >= earliest,
        )
    ):
        day = local_date(starts_at, stms[sid].row.time_zone)
        held[sid].add((day.year, day.month))
    out = []
    for stm in stms.values():
        facilitator = stm.facilitator
        if facilitator is None or not facilitator.telegram_user_id:
            continue
        today = local_date(now, stm.row.time_zone)
        for shift in (0, 1):
            year, month = _month_of(today, shift)
            if (year, month) in held[stm.row.id]:
                continue
            last = rules.last_convening_day(
                year, month, calendar=stm.calendar, notice=stm.settings.notice_ordinary
            )
            if local_date(stm.row.created_at, stm.row.time_zone) > last:
                continue  # the window closed before the secretariat existed
            moments = rules.monthly_moments(
                year,
                month,
                stm.settings.offsets(Kind.MENSUAL),
                calendar=stm.calendar,
                notice=stm.settings.notice_ordinary,
                tz=stm.row.time_zone,
                hour=stm.settings.reminder_time,
            )
            out.append(
                Series(
                    stm.row.id,
                    Kind.MENSUAL,
                    f"s{stm.row.id}:{year:04d}-{month:02d}",
                    facilitator.telegram_user_id,
                    tuple(m for m in moments if m.due > stm.row.created_at),
                    {
                        "secretariat": stm.row.name,
                        "month": f"{MONTH_NAMES[month - 1]} de {year}",
                        "last_day": last.isoformat(),
                        "last_weekday": weekday_name(last),
                        "possible": today <= last,
                        "notice": stm.settings.notice_ordinary,
                    },
                )
            )
    return out


async def _term_series(
    session: AsyncSession, stms: Mapping[int, _Stm], now: datetime
) -> list[Series]:
    """R5: 60, 30 and 10 days before ``periodo_fin``, to the facilitator: organise the
    election of the next members (rotation, I.4, I.5) and prepare ``/informe``.

    The series is keyed by the term's last day, so moving ``periodo_fin`` starts a new
    series and the old one's moments are never sent (they no longer derive).
    """
    out = []
    for stm in stms.values():
        end = stm.settings.term_end
        facilitator = stm.facilitator
        if end is None or facilitator is None or not facilitator.telegram_user_id:
            continue
        moments = rules.term_moments(
            end, tz=stm.row.time_zone, hour=stm.settings.reminder_time
        )
        today = local_date(now, stm.row.time_zone)
        out.append(
            Series(
                stm.row.id,
                Kind.PERIODO,
                f"s{stm.row.id}:{end.isoformat()}",
                facilitator.telegram_user_id,
                tuple(m for m in moments if m.due > stm.row.created_at),
                {
                    "secretariat": stm.row.name,
                    "term_end": end.isoformat(),
                    "term_end_weekday": weekday_name(end),
                    "days_left": max((end - today).days, 0),
                },
            )
        )
    return out


def _deadline_moments(stm: _Stm, kind: Kind, deadline: date, now: datetime) -> list[Moment]:
    """Before a deadline day and, after it, overdue notices until the state says done
    (R15's minutes, R16's agreements): useful for as long as they are pending."""
    return rules.minutes_moments(
        deadline,
        stm.settings.offsets(kind),
        overdue_every=stm.settings.minutes_overdue_every,
        calendar=stm.calendar,
        tz=stm.row.time_zone,
        hour=stm.settings.reminder_time,
        through=now,
        useful_until=now + _FAR,
    )


async def _minutes_series(
    session: AsyncSession, stms: Mapping[int, _Stm], now: datetime
) -> list[Series]:
    """R15: every held session whose minutes are not marked sent."""
    out = []
    for meeting in await session.scalars(
        select(Meeting).where(
            _in(Meeting.secretariat_id, stms.keys()),
            Meeting.installed_at.is_not(None),
            Meeting.minutes_sent_at.is_(None),
        )
    ):
        stm = stms[meeting.secretariat_id]
        facilitator = stm.facilitator
        if facilitator is None or not facilitator.telegram_user_id:
            continue
        assert meeting.installed_at is not None
        deadline = deadline_of(meeting, stm.row.time_zone, stm.settings.minutes_deadline)
        moments = _deadline_moments(stm, Kind.ACTA, deadline, now)
        out.append(
            Series(
                stm.row.id,
                Kind.ACTA,
                f"m{meeting.id}",
                facilitator.telegram_user_id,
                tuple(m for m in moments if m.due > meeting.installed_at),
                {
                    **_meeting_about(stm, meeting),
                    "deadline": deadline.isoformat(),
                    "deadline_weekday": weekday_name(deadline),
                    "garante": stm.settings.garante_name,
                    "garante_email": stm.settings.garante_email,
                },
            )
        )
    return out


def _seat_people(stm: _Stm, seat_id: int) -> list[Member]:
    return [
        m
        for m in (stm.holder(seat_id, Role.TITULAR), stm.holder(seat_id, Role.SUPLENTE))
        if m is not None and m.telegram_user_id
    ]


async def _vote_series(
    session: AsyncSession, stms: Mapping[int, _Stm], now: datetime
) -> list[Series]:
    """R13: electronic votes still open, to both people of every seat without a ballot."""
    votes = list(
        await session.scalars(
            select(Vote).where(
                _in(Vote.secretariat_id, stms.keys()),
                Vote.kind == VoteKind.ELECTRONICA.value,
                Vote.state == "abierta",
                Vote.deadline > now,
            )
        )
    )
    casts: dict[int, list[Cast]] = defaultdict(list)
    for chunk in ledger.chunks([v.id for v in votes]):
        for b in await session.scalars(
            select(Ballot).where(Ballot.vote_id.in_(chunk)).order_by(Ballot.id)
        ):
            casts[b.vote_id].append(Cast(b.seat_id, b.role, b.member_id, Choice(b.choice), b.at))
    out = []
    for vote in votes:
        stm = stms[vote.secretariat_id]
        assert vote.deadline is not None
        pending = ballot_rules.pending_seats(
            casts[vote.id],
            kind=VoteKind.ELECTRONICA,
            eligible_seats=set(vote.eligible_seats),
            closes_at=vote.deadline,
        )
        dues = _dues(stm, Kind.VOTACION, vote.deadline)
        about = {
            "secretariat": stm.row.name,
            "vote_id": vote.id,
            "text": vote.text,
            "deadline": stm.local(vote.deadline),
        }
        for seat in stm.seats:
            if seat.id not in pending:
                continue
            for person in _seat_people(stm, seat.id):
                assert person.telegram_user_id is not None
                out.append(
                    Series(
                        stm.row.id,
                        Kind.VOTACION,
                        f"v{vote.id}:p{person.id}",
                        person.telegram_user_id,
                        _moments(
                            dues, after=vote.opened_at or vote.created_at, until=vote.deadline
                        ),
                        {**about, "seat": seat.name},
                        ("ballot", vote.id),
                    )
                )
    return out


async def _cancellation_series(
    session: AsyncSession, stms: Mapping[int, _Stm], now: datetime
) -> list[Series]:
    """R11: pending requests, to both people of every seat that has not answered."""
    rows = list(
        await session.execute(
            select(Cancellation, Meeting)
            .join(Meeting, Meeting.id == Cancellation.meeting_id)
            .where(
                _in(Meeting.secretariat_id, stms.keys()),
                Cancellation.state == "pendiente",
                Cancellation.closes_at > now,
            )
        )
    )
    answered: dict[int, set[int]] = defaultdict(set)
    for chunk in ledger.chunks([c.id for c, _ in rows]):
        for cid, seat_id in await session.execute(
            select(CancellationAnswer.cancellation_id, CancellationAnswer.seat_id).where(
                CancellationAnswer.cancellation_id.in_(chunk)
            )
        ):
            answered[cid].add(seat_id)
    out = []
    for request, meeting in rows:
        stm = stms[meeting.secretariat_id]
        dues = _dues(stm, Kind.CANCELACION, request.closes_at)
        about = {
            **_meeting_about(stm, meeting),
            "reason": request.reason,
            "closes_at": stm.local(request.closes_at),
        }
        for seat in stm.seats:
            if seat.id in answered[request.id]:
                continue
            for person in _seat_people(stm, seat.id):
                assert person.telegram_user_id is not None
                out.append(
                    Series(
                        stm.row.id,
                        Kind.CANCELACION,
                        f"c{request.id}:p{person.id}",
                        person.telegram_user_id,
                        _moments(dues, after=request.requested_at, until=request.closes_at),
                        {**about, "seat": seat.name},
                        ("cancel", request.id),
                    )
                )
    return out


async def _signature_series(
    session: AsyncSession, stms: Mapping[int, _Stm], now: datetime
) -> list[Series]:
    """R14, R22: a circulated version's missing signatures, N business days after it went out.

    Only the version in force of an acta not yet signed: a new version voids the old
    one's series with it, and the last signature ends them all (R23: re-checked state).
    """
    rows = list(
        await session.execute(
            select(MinutesVersion, Meeting)
            .join(Meeting, Meeting.id == MinutesVersion.meeting_id)
            .outerjoin(SignedMinutes, SignedMinutes.meeting_id == Meeting.id)
            .where(
                _in(Meeting.secretariat_id, stms.keys()),
                MinutesVersion.circulated_at.is_not(None),
                MinutesVersion.voided_at.is_(None),
                SignedMinutes.meeting_id.is_(None),
            )
        )
    )
    signed: dict[int, set[int]] = defaultdict(set)
    for chunk in ledger.chunks([v.id for v, _ in rows]):
        for version_id, member_id in await session.execute(
            select(MinutesSignature.version_id, MinutesSignature.member_id).where(
                MinutesSignature.version_id.in_(chunk)
            )
        ):
            signed[version_id].add(member_id)
    out = []
    for version, meeting in rows:
        stm = stms[meeting.secretariat_id]
        assert version.circulated_at is not None
        circulated_on = local_date(version.circulated_at, stm.row.time_zone)
        dues = [
            rules.at_hour(
                stm.calendar.business_day_after(circulated_on, o.amount)
                if o.amount
                else circulated_on,
                stm.settings.reminder_time,
                stm.row.time_zone,
            )
            for o in stm.settings.offsets(Kind.FIRMA)
        ]
        people = {m.id: m for m in stm.members}
        for entry in version.signatories:
            person = people.get(entry["member_id"])
            if person is None or not person.telegram_user_id or person.id in signed[version.id]:
                continue
            out.append(
                Series(
                    stm.row.id,
                    Kind.FIRMA,
                    f"a{version.id}:p{person.id}",
                    person.telegram_user_id,
                    _moments(dues, after=version.circulated_at, until=now + _FAR),
                    {
                        **_meeting_about(stm, meeting),
                        "version": version.number,
                        "sha256": version.sha256,
                        "circulated": stm.local(version.circulated_at),
                    },
                    ("sign", version.id),
                )
            )
    return out


def _latest_due_within(stm: _Stm, horizon: datetime) -> date:
    """The latest due date whose earliest ``recordar_acuerdo`` moment can fall before
    ``horizon``: ``horizon``'s day plus the largest offset, counted in this secretariat's
    business days (hours offsets in calendar days), plus one day of margin."""
    day = local_date(horizon, stm.row.time_zone)
    offsets = stm.settings.offsets(Kind.ACUERDO)
    business = max((o.amount for o in offsets if o.unit == "d"), default=0)
    hours = max((o.amount for o in offsets if o.unit == "h"), default=0)
    latest = day + timedelta(days=hours // 24 + 1)
    counted = 0
    cursor = day
    while counted < business:
        cursor += timedelta(days=1)
        counted += stm.calendar.is_business_day(cursor)
    return max(latest, cursor + timedelta(days=1))


async def _agreement_series(
    session: AsyncSession, stms: Mapping[int, _Stm], now: datetime, horizon: datetime | None
) -> list[Series]:
    """R16 + R22: an open agreement's due date, to the responsible seat's people and the
    facilitator; after it, overdue notices like R15's until it is cumplido or cancelado.

    With a ``horizon`` (the scheduler's derivations), agreements due so far ahead that not
    even their earliest reminder can fall before it are left out: a register of 200
    agreements per secretariat spread over a year then costs the planner a few series per
    secretariat, not 400 (``bench/followup.py``). The planner re-derives within the
    horizon (its hourly sweep), so they are picked up in time; ``/pendientes`` and
    ``/recordatorios`` derive without one and see everything.
    """
    out = []
    latest: dict[int, date] = {}
    where = [
        _in(Agreement.secretariat_id, stms.keys()),
        Agreement.due_date.is_not(None),
        Agreement.status.in_(("pendiente", "en_proceso")),
    ]
    if horizon is not None:
        latest = {sid: _latest_due_within(stm, horizon) for sid, stm in stms.items()}
        where.append(Agreement.due_date <= max(latest.values()))
    for agreement in await session.scalars(select(Agreement).where(*where)):
        stm = stms[agreement.secretariat_id]
        assert agreement.due_date is not None
        if latest and agreement.due_date > latest[agreement.secretariat_id]:
            continue
        moments = _deadline_moments(stm, Kind.ACUERDO, agreement.due_date, now)
        people = (
            _seat_people(stm, agreement.responsible_seat_id)
            if agreement.responsible_seat_id
            else []
        )
        if stm.facilitator is not None and stm.facilitator.telegram_user_id:
            people.append(stm.facilitator)
        seat = next((s.name for s in stm.seats if s.id == agreement.responsible_seat_id), None)
        about = {
            "secretariat": stm.row.name,
            "code": agreement.code,
            "text": agreement.text,
            "due": agreement.due_date.isoformat(),
            "due_weekday": weekday_name(agreement.due_date),
            "status": agreement.status.replace("_", " "),
            "responsible": seat or agreement.responsible_name,
        }
        for person in people:
            assert person.telegram_user_id is not None
            out.append(
                Series(
                    stm.row.id,
                    Kind.ACUERDO,
                    f"g{agreement.id}:p{person.id}",
                    person.telegram_user_id,
                    tuple(m for m in moments if m.due > agreement.created_at),
                    about,
                )
            )
    return out


async def plan(
    session: AsyncSession,
    *,
    now: datetime,
    secretariat_ids: Collection[int] | None = None,
    horizon: datetime | None = None,
) -> Plan:
    """Every pending series of these secretariats (all when ``None``), and the ledger.

    ``horizon``: the caller re-derives before that moment (the scheduler's hourly sweep),
    so series that cannot have a moment before it may be left out (agreements due far
    ahead: :func:`_agreement_series`); without one, everything is derived.
    """
    stms = await _load(session, secretariat_ids)
    result = Plan(sorted(stms))
    if not stms:
        return result
    for derive in (
        _session_series,
        _monthly_series,
        _minutes_series,
        _vote_series,
        _cancellation_series,
        _signature_series,
        _term_series,
    ):
        result.series.extend(await derive(session, stms, now))
    result.series.extend(await _agreement_series(session, stms, now, horizon))
    result.recorded = await ledger.settled_until(session, {s.key for s in result.series})
    return result


async def touched_by(session: AsyncSession, telegram_user_id: int, chat_id: int) -> set[int]:
    """Secretariats an update may have changed: the sender's, and the group's."""
    ids = await access.secretariats_of(session, telegram_user_id)
    group = await access.group_secretariat(session, chat_id)
    if group is not None:
        ids.add(group)
    return ids
