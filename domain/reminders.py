"""When reminders fall due, and which of them to send (R6, R7, R15, R22, R23).

Pure functions: the storage layer says what is pending (an unanswered RSVP, an open
vote, minutes not yet sent…) and these functions say *when* each reminder is due, in UTC,
from the business-day calendar and the secretariat's time zone and reminder hour.

Offsets are written like the settings that hold them (``/ajustar recordar_asistencia
3d,1d``): ``Nd`` is "N business days before" in R22's sense (the N-th business day
counting back, the anchor day excluded; ``0d`` is the anchor day itself), sent at the
secretariat's reminder hour; ``Nh`` is "N hours before", sent at that exact moment.
R22's "1 day before a session" is ``24h``.

A *series* is every moment of one reminder (kind, target); R23 identifies a reminder by
(kind, target, due moment), and :func:`pick` decides, at any instant, which moment of a
series to send now and which missed ones to drop.
"""

from __future__ import annotations

import calendar as _months
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.calendar import BusinessCalendar

__all__ = [
    "DEFAULTS",
    "Kind",
    "Moment",
    "Offset",
    "Pick",
    "at_hour",
    "last_convening_day",
    "minutes_deadline",
    "minutes_moments",
    "minutes_status",
    "monthly_moments",
    "parse_offsets",
    "pick",
    "session_moments",
    "term_moments",
]

MAX_DAYS = 30  # business days: beyond a month a reminder is a plan, not a reminder
MAX_HOURS = 720  # 30 days
MAX_ITEMS = 5
OVERDUE_EVERY_MAX = 30


class Kind(StrEnum):
    """The reminder series of the issue, in the order ``/recordatorios`` lists them."""

    ASISTENCIA = "asistencia"  # RSVP not answered (titular, or substitute asked)
    SESION = "sesion"  # session day, to confirmed attendees
    QUORUM = "quorum"  # quorum at risk, to the facilitator
    MENSUAL = "mensual"  # no ordinary session convened this month (R6, R7)
    ACTA = "acta"  # minutes not marked sent to the garante (R15)
    VOTACION = "votacion"  # electronic vote not cast (R13)
    CANCELACION = "cancelacion"  # cancellation approval not given (R11)
    FIRMA = "firma"  # minutes circulated and not signed by this signatory (R14)
    ACUERDO = "acuerdo"  # an agreement's due date, and overdue while open (R16)
    PERIODO = "periodo"  # the term ends: elect the next members, the report (R5)


@dataclass(frozen=True, order=True)
class Offset:
    """One ``Nd`` or ``Nh``."""

    amount: int
    unit: str  # "d" business days (at the reminder hour) | "h" hours (exact moment)

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    def describe(self) -> str:
        """Spanish wording for ``/recordatorios``."""
        if self.unit == "h":
            return "1 hora antes" if self.amount == 1 else f"{self.amount} horas antes"
        if self.amount == 0:
            return "el mismo día"
        if self.amount == 1:
            return "1 día hábil antes"
        return f"{self.amount} días hábiles antes"


#: The issue's defaults; a secretariat changes them with ``/ajustar``.
DEFAULTS: dict[Kind, str] = {
    Kind.ASISTENCIA: "3d,1d",
    Kind.SESION: "2h",
    Kind.QUORUM: "2d,24h",
    Kind.MENSUAL: "10d,2d,0d",
    Kind.ACTA: "5d,2d,0d",
    Kind.VOTACION: "24h,2h",
    Kind.CANCELACION: "6h",
    Kind.FIRMA: "2d,0d",
    Kind.ACUERDO: "5d,1d",
}
DEFAULT_OVERDUE_EVERY = 3  # R22: overdue minutes notices every 3rd business day
#: Series anchored on a day (a deadline), not on a moment: hours make no sense there.
DAY_ONLY = frozenset({Kind.MENSUAL, Kind.ACTA, Kind.FIRMA, Kind.ACUERDO})
#: Series counted forward from their anchor ("2d" = the 2nd business day after), R22.
AFTER = frozenset({Kind.FIRMA})
#: Series whose moments the rules fix, with no setting: R5's 60, 30 and 10 days.
FIXED = frozenset({Kind.PERIODO})
NONE = "no"

#: ASCII digits only: ``٣d`` is refused, not read as 3d (bad input changes nothing).
_ITEM = re.compile(r"([0-9]{1,3})([dh])", re.ASCII)


def parse_offsets(raw: str, *, days_only: bool = False) -> tuple[Offset, ...]:
    """``"3d,1d"`` → offsets, earliest reminder first; ``"no"`` → none.

    Raises:
        ValueError: on anything else: unknown units, ``0h`` (the moment itself is not
            a reminder), more than ``MAX_ITEMS`` items, repeats, amounts out of range, or
            hours where only days make sense.
    """
    text = raw.strip().lower().replace(" ", "")
    if text == NONE:
        return ()
    items = text.split(",")
    if not 1 <= len(items) <= MAX_ITEMS:
        raise ValueError(raw)
    offsets = []
    for item in items:
        match = _ITEM.fullmatch(item)
        if match is None:
            raise ValueError(raw)
        amount, unit = int(match[1]), match[2]
        if unit == "h" and (days_only or not 1 <= amount <= MAX_HOURS):
            raise ValueError(raw)
        if unit == "d" and amount > MAX_DAYS:
            raise ValueError(raw)
        offsets.append(Offset(amount, unit))
    if len(set(offsets)) != len(offsets):
        raise ValueError(raw)
    return tuple(sorted(offsets, key=_lead, reverse=True))


def canonical(raw: str, *, days_only: bool = False) -> str:
    """The stored spelling of an offsets setting (validates like :func:`parse_offsets`)."""
    offsets = parse_offsets(raw, days_only=days_only)
    return ",".join(str(o) for o in offsets) if offsets else NONE


def _lead(offset: Offset) -> float:
    """Rough lead time in hours, only to list offsets earliest first."""
    return offset.amount * 24.0 + 0.5 if offset.unit == "d" else float(offset.amount)


def at_hour(day: date, hour: time, tz: str) -> datetime:
    """``day`` at the reminder hour in the secretariat's zone, as an aware datetime (R22).

    ``zoneinfo`` resolves a wall time that does not exist (a DST gap) forward, so a
    reminder is never lost to a clock change.
    """
    return datetime.combine(day, hour, tzinfo=ZoneInfo(tz))


def _day_before(calendar: BusinessCalendar, day: date, n: int) -> date:
    return day if n == 0 else calendar.business_day_before(day, n)


def session_moments(
    offsets: Iterable[Offset],
    anchor: datetime,
    *,
    calendar: BusinessCalendar,
    tz: str,
    hour: time,
) -> list[datetime]:
    """Due moments before ``anchor`` (a session start, a vote deadline…), sorted (R22).

    ``Nd`` counts back from the anchor's *local* date and sends at the reminder hour;
    ``Nh`` is ``anchor - N hours`` of real time (computed in UTC, so a DST change in
    between does not turn 24 h into 23). Moments not strictly before the anchor are left out:
    a ``0d`` reminder at 09:00 for a session at 08:00 would come after it.
    """
    local_day = anchor.astimezone(ZoneInfo(tz)).date()
    moments = set()
    for offset in offsets:
        if offset.unit == "h":
            moment = anchor.astimezone(UTC) - timedelta(hours=offset.amount)
        else:
            moment = at_hour(_day_before(calendar, local_day, offset.amount), hour, tz)
        if moment < anchor:
            moments.add(moment)
    return sorted(moments)


def last_day_of_month(year: int, month: int) -> date:
    """The month's last calendar day."""
    return date(year, month, _months.monthrange(year, month)[1])


def last_convening_day(year: int, month: int, *, calendar: BusinessCalendar, notice: int) -> date:
    """The last business day on which an ordinary session of this month can be convened.

    R6 wants one ordinary session per calendar month and R7 ``notice`` business days
    strictly between the convocation and the session. The target is the month's last
    business day ``L`` (a session on a non-business day needs an explicit confirmation,
    R7, so the bot does not plan around one); the convocation must then go out on the
    ``notice + 1``-th business day before ``L`` at the latest (R22 counting): between
    that day and ``L`` lie exactly ``notice`` business days. For December 2026 with the
    act's 5 days: ``L`` is Thursday 31 December and the day is Tuesday 22 December (the
    25th is a holiday, so 23, 24, 28, 29 and 30 lie between).
    """
    last = last_day_of_month(year, month)
    while not calendar.is_business_day(last):
        last -= timedelta(days=1)
    return calendar.business_day_before(last, notice + 1)


@dataclass(frozen=True)
class Moment:
    """One due moment of a series, until when it is still worth sending (R23)."""

    due: datetime
    useful_until: datetime
    variant: str = "antes"  # which wording: antes | dia | vencida | cerrado


def _day_moments(
    day: date,
    offsets: Iterable[Offset],
    *,
    calendar: BusinessCalendar,
    tz: str,
    hour: time,
    until: datetime,
) -> list[Moment]:
    """``Nd`` offsets counted back from a deadline ``day`` (R22); ``0d`` is that day."""
    return [
        Moment(
            at_hour(_day_before(calendar, day, o.amount), hour, tz),
            until,
            "dia" if o.amount == 0 else "antes",
        )
        for o in offsets
        if o.unit == "d"
    ]


def monthly_moments(
    year: int,
    month: int,
    offsets: Iterable[Offset],
    *,
    calendar: BusinessCalendar,
    notice: int,
    tz: str,
    hour: time,
) -> list[Moment]:
    """The facilitator's "convene this month's ordinary session" reminders (R6, R7).

    ``Nd`` counts back from :func:`last_convening_day`; they are useful until that day
    ends. A last moment, the first business day after it, tells that the month can no
    longer have an ordinary session on a business day; it is useful until the month ends.
    """
    zone = ZoneInfo(tz)
    last = last_convening_day(year, month, calendar=calendar, notice=notice)
    day_ends = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    month_ends = datetime.combine(
        last_day_of_month(year, month) + timedelta(days=1), time(0), tzinfo=zone
    )
    moments = set(_day_moments(last, offsets, calendar=calendar, tz=tz, hour=hour, until=day_ends))
    closed = at_hour(calendar.business_day_after(last, 1), hour, tz)
    if closed < month_ends:
        moments.add(Moment(closed, month_ends, "cerrado"))
    return sorted(moments, key=lambda m: m.due)


def minutes_deadline(held_on: date, *, following_month: bool) -> date:
    """R15: the last calendar day of the session's month, or of the following month."""
    year, month = held_on.year, held_on.month
    if following_month:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return last_day_of_month(year, month)


def minutes_moments(
    deadline: date,
    offsets: Iterable[Offset],
    *,
    overdue_every: int,
    calendar: BusinessCalendar,
    tz: str,
    hour: time,
    through: datetime,
    useful_until: datetime,
) -> list[Moment]:
    """Minutes reminders before the deadline, on its day, and overdue notices (R15, R22).

    Overdue notices: the first on the 1st business day after the deadline, then every
    ``overdue_every``-th business day; the series is infinite, so it is generated up to
    the first moment after ``through`` (the caller's "now"), which is all a scheduler
    needs. Every moment is useful until ``useful_until`` (the minutes are marked sent, or
    a far future while they are not).
    """
    moments = _day_moments(
        deadline, offsets, calendar=calendar, tz=tz, hour=hour, until=useful_until
    )
    if overdue_every > 0:
        day = calendar.business_day_after(deadline, 1)
        while True:
            moment = at_hour(day, hour, tz)
            moments.append(Moment(moment, useful_until, "vencida"))
            if moment > through:
                break
            day = calendar.business_day_after(day, overdue_every)
    return sorted(set(moments), key=lambda m: m.due)


class MinutesStatus(StrEnum):
    """``/actas`` status of a held session's minutes (R15)."""

    PENDIENTE = "pendiente"
    VENCIDA = "vencida"
    A_TIEMPO = "enviada a tiempo"
    FUERA_DE_PLAZO = "enviada fuera de plazo"


def minutes_status(deadline: date, *, sent_on: date | None, today: date) -> MinutesStatus:
    """Sent on or before the deadline (local dates) is on time; R15."""
    if sent_on is not None:
        return MinutesStatus.A_TIEMPO if sent_on <= deadline else MinutesStatus.FUERA_DE_PLAZO
    return MinutesStatus.VENCIDA if today > deadline else MinutesStatus.PENDIENTE


@dataclass(frozen=True)
class Pick:
    """What to do with one series now."""

    send: Moment | None
    drop: tuple[Moment, ...]


def pick(moments: Sequence[Moment], *, recorded_until: datetime | None, now: datetime) -> Pick:
    """R23: send the latest missed moment that is still useful; drop the older ones.

    Moments at or before ``recorded_until`` (the latest moment of this series already
    sent or dropped) are settled and never considered again, so a series sends each
    moment at most once and never goes back in time. Of the moments due by ``now``,
    the latest one still useful is sent; every other due one is dropped (the caller logs
    and records it). In normal operation exactly one moment is due at each trigger and
    nothing is dropped.
    """
    due = [
        m for m in moments if m.due <= now and (recorded_until is None or m.due > recorded_until)
    ]
    due.sort(key=lambda m: m.due)
    useful = [m for m in due if now < m.useful_until]
    send = useful[-1] if useful else None
    return Pick(send, tuple(m for m in due if m is not send))


def next_due(
    moments: Iterable[Moment], *, recorded_until: datetime | None, now: datetime
) -> datetime | None:
    """The earliest moment after ``now`` still to come for this series, if any."""
    upcoming = [
        m.due
        for m in moments
        if m.due > now
        and (recorded_until is None or m.due > recorded_until)
        and m.due < m.useful_until
    ]
    return min(upcoming, default=None)


#: R5: the facilitator is reminded 60, 30 and 10 calendar days before ``periodo_fin``.
TERM_DAYS = (60, 30, 10)


def term_moments(term_end: date, *, tz: str, hour: time) -> list[Moment]:
    """The end-of-term reminders (R5): :data:`TERM_DAYS` calendar days before the term's
    last day, at the reminder hour (R22's day-based moments), earliest first.

    Each is useful until the term ends (local midnight after ``term_end``): a reminder to
    organise the election and the report is still worth sending late, not after the
    term. The variant is the number of days (``"60"``), which the message names.
    """
    ends = datetime.combine(term_end + timedelta(days=1), time(0), tzinfo=ZoneInfo(tz))
    return [
        Moment(at_hour(term_end - timedelta(days=days), hour, tz), ends, str(days))
        for days in TERM_DAYS
    ]
