"""Notice periods of convocations (R7), counted on the secretariat's calendar (R8).

The business days strictly between the day the convocation is sent and the day of the
session must number at least 5 (ordinary) or 2 (extraordinary); neither end counts, as
in Mexican case law on "N días de anticipación" (R7). Days are local dates in the
secretariat's time zone: the local date decides (R8). The earliest valid date may itself
be a non-business day; the bot then also suggests the next business day (R7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.calendar import BusinessCalendar


class SessionKind(StrEnum):
    """The two kinds of session of the act (R6); each has its own notice period (R7)."""

    ORDINARIA = "ordinaria"
    EXTRAORDINARIA = "extraordinaria"


@dataclass(frozen=True)
class NoticeCheck:
    """What a short-notice refusal names (R7).

    Attributes:
        earliest: the earliest valid session date.
        suggested: the first business day on or after ``earliest`` (R8).
        earliest_is_business: whether ``earliest`` is itself a business day; when it is
            not, the refusal names ``suggested`` too.
    """

    earliest: date
    suggested: date
    earliest_is_business: bool


def local_date(moment: datetime, tz: str) -> date:
    """The date of ``moment`` in the IANA time zone ``tz`` (R8: the local date decides).

    23:30 on a Friday in America/Mexico_City is Friday, although it is already Saturday
    in UTC.

    Raises:
        ValueError: when ``moment`` is naive: its date would depend on the host's clock.
        zoneinfo.ZoneInfoNotFoundError: when ``tz`` is not a known zone.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"moment must be timezone-aware, got {moment!r}")
    return moment.astimezone(ZoneInfo(tz)).date()


def earliest_session_date(
    notice_days: int, sent_at: datetime, calendar: BusinessCalendar, tz: str
) -> date:
    """The earliest session date for a convocation sent at ``sent_at`` (R7).

    It is the day after the ``notice_days``-th business day following the sending day:
    the first date with that many business days strictly between. Sent Monday
    2026-11-30, 5 days give Tuesday 2026-12-08 and 2 give Thursday 2026-12-03. The date
    may be a non-business day (sent Monday 2025-12-22, 2 days give 25 December).

    Raises:
        ValueError: when ``notice_days < 1`` or ``sent_at`` is naive.
    """
    _check_notice_days(notice_days)
    sent = local_date(sent_at, tz)
    return calendar.business_day_after(sent, notice_days) + timedelta(days=1)


def is_valid_notice(
    notice_days: int,
    sent_at: datetime,
    session_at: datetime,
    calendar: BusinessCalendar,
    tz: str,
) -> bool:
    """Whether a session at ``session_at`` has enough notice from ``sent_at`` (R7).

    Only the local dates matter: the hours of sending and of the session do not.
    Counted directly (not by comparing with :func:`earliest_session_date`), so that the
    two readings of R7 check each other in the tests.

    Raises:
        ValueError: when ``notice_days < 1`` or either moment is naive.
    """
    _check_notice_days(notice_days)
    sent = local_date(sent_at, tz)
    session = local_date(session_at, tz)
    return calendar.business_days_strictly_between(sent, session) >= notice_days


def notice_check(
    notice_days: int, sent_at: datetime, calendar: BusinessCalendar, tz: str
) -> NoticeCheck:
    """The dates a short-notice refusal names (R7).

    R7: the refusal names the earliest valid date and, when that day is not a business
    day, the next business day too (sent Monday 2025-12-22 with 2 days: 25 December,
    suggested Friday 26 December).

    Raises:
        ValueError: when ``notice_days < 1`` or ``sent_at`` is naive.
    """
    earliest = earliest_session_date(notice_days, sent_at, calendar, tz)
    suggested = calendar.next_business_day(earliest)
    return NoticeCheck(
        earliest=earliest, suggested=suggested, earliest_is_business=suggested == earliest
    )


def _check_notice_days(notice_days: int) -> None:
    """Refuse a period no setting can hold: the act's minimum is 2 (R7)."""
    if notice_days < 1:
        raise ValueError(f"notice_days must be >= 1, got {notice_days}")
