"""Is a convocation admissible? Past dates, notice (R7), non-business days (R7, R8), agenda.

A pure check run at preview time and again when the facilitator presses "Enviar": time
passes between the two, and notice is measured from the moment of sending (R7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from domain.calendar import BusinessCalendar
from domain.errors import (
    MissingAgenda,
    MissingPlace,
    NonBusinessRefused,
    PastDate,
    ShortNotice,
)
from domain.notice import SessionKind, local_date, notice_check
from domain.secretariat_settings import NonBusinessSessions, SecretariatSettings


@dataclass(frozen=True)
class Admissible:
    """A convocation that may be sent; a non-business day may need a second confirmation."""

    needs_confirmation: bool
    non_business_reason: str | None  # why the day is not a business day, if it is not
    next_business: str | None  # the next business day, suggested in the preview


def session_start(day: date, at: time, tz: str) -> datetime:
    """The aware UTC start of a session given in the secretariat's local date and time."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def notice_days(kind: SessionKind, settings: SecretariatSettings) -> int:
    """Required business days of notice for the kind (R7, configurable upwards only)."""
    if kind is SessionKind.ORDINARIA:
        return settings.notice_ordinary
    return settings.notice_extraordinary


def check(
    *,
    kind: SessionKind,
    starts_at: datetime,
    place: str,
    agenda: list[str],
    now: datetime,
    calendar: BusinessCalendar,
    settings: SecretariatSettings,
) -> Admissible:
    """Raise the refusal that applies, or say whether the day needs confirmation."""
    if not place.strip():
        raise MissingPlace()
    if not any(item.strip() for item in agenda):
        raise MissingAgenda()
    if starts_at <= now:
        raise PastDate(local_date(starts_at, settings.time_zone).isoformat())
    day = local_date(starts_at, settings.time_zone)
    days = notice_days(kind, settings)
    earliest = notice_check(days, now, calendar, settings.time_zone)
    if day < earliest.earliest:
        raise ShortNotice(
            kind=kind.value,
            days=days,
            earliest=earliest.earliest.isoformat(),
            suggested=None if earliest.earliest_is_business else earliest.suggested.isoformat(),
        )
    reason = calendar.why_not_business(day)
    if reason is None:
        return Admissible(False, None, None)
    following = calendar.next_business_day(day).isoformat()
    if settings.non_business_sessions is NonBusinessSessions.NO:
        raise NonBusinessRefused(day.isoformat(), reason, following)
    return Admissible(
        settings.non_business_sessions is NonBusinessSessions.CONFIRMAR, reason, following
    )
