"""R7 notice periods on the R8 calendar: the rules.md vectors, a year of holidays, properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import BusinessCalendar, customary_days, expand_range
from domain.notice import (
    NoticeCheck,
    SessionKind,
    earliest_session_date,
    is_valid_notice,
    local_date,
    notice_check,
)

CDMX = "America/Mexico_City"
TIJUANA = "America/Tijuana"
ORD = 5  # R7 ordinary
EXT = 2  # R7 extraordinary

PLAIN = BusinessCalendar()
HOLY_2026 = BusinessCalendar(frozenset({date(2026, 4, 2), date(2026, 4, 3)}))
HOLY_2027 = BusinessCalendar(frozenset({date(2027, 3, 25), date(2027, 3, 26)}))
DEAD_2026 = BusinessCalendar(frozenset({date(2026, 11, 2)}))
WINTER_2026 = BusinessCalendar(frozenset(expand_range(date(2026, 12, 21), date(2027, 1, 1))))


def at(day: date, hour: int = 10, minute: int = 0, tz: str = CDMX) -> datetime:
    """An aware moment on ``day`` in ``tz`` (10:00 by default)."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz))


# (calendar, sent local date, notice days, earliest, suggested): ISO dates, counted by hand.
VECTORS = [
    # rules.md, R7
    (PLAIN, "2026-11-30", ORD, "2026-12-08", "2026-12-08"),  # R7 vector
    (PLAIN, "2026-11-30", EXT, "2026-12-03", "2026-12-03"),  # R7 vector
    (PLAIN, "2025-12-22", EXT, "2025-12-25", "2025-12-26"),  # R7 vector
    (HOLY_2026, "2026-03-30", ORD, "2026-04-09", "2026-04-09"),  # R7 vector
    (HOLY_2026, "2026-03-30", EXT, "2026-04-02", "2026-04-06"),  # R7 vector
    # 2026, 1 January (Thursday)
    (PLAIN, "2025-12-29", ORD, "2026-01-07", "2026-01-07"),
    (PLAIN, "2025-12-31", EXT, "2026-01-06", "2026-01-06"),
    # 2026, first Monday of February (2 Feb)
    (PLAIN, "2026-01-29", ORD, "2026-02-07", "2026-02-09"),
    (PLAIN, "2026-01-30", EXT, "2026-02-05", "2026-02-05"),
    (PLAIN, "2026-01-28", EXT, "2026-01-31", "2026-02-03"),
    # 2026, third Monday of March (16 Mar)
    (PLAIN, "2026-03-12", EXT, "2026-03-18", "2026-03-18"),
    (PLAIN, "2026-03-11", EXT, "2026-03-14", "2026-03-17"),
    # 2026, Holy Thursday and Friday: business days unless declared (R8)
    (PLAIN, "2026-03-30", EXT, "2026-04-02", "2026-04-02"),
    (PLAIN, "2026-03-30", ORD, "2026-04-07", "2026-04-07"),
    # 2026, 1 May (Friday)
    (PLAIN, "2026-04-28", ORD, "2026-05-07", "2026-05-07"),
    (PLAIN, "2026-04-29", EXT, "2026-05-05", "2026-05-05"),
    # 2026, 16 September (Wednesday)
    (PLAIN, "2026-09-14", EXT, "2026-09-18", "2026-09-18"),
    (PLAIN, "2026-09-14", ORD, "2026-09-23", "2026-09-23"),
    (PLAIN, "2026-09-11", EXT, "2026-09-16", "2026-09-17"),
    # 2026, 2 November (Monday): only when declared (R8)
    (PLAIN, "2026-10-29", EXT, "2026-11-03", "2026-11-03"),
    (DEAD_2026, "2026-10-29", EXT, "2026-11-04", "2026-11-04"),
    # 2026, third Monday of November (16 Nov)
    (PLAIN, "2026-11-12", EXT, "2026-11-18", "2026-11-18"),
    (PLAIN, "2026-11-11", EXT, "2026-11-14", "2026-11-17"),
    (PLAIN, "2026-11-16", EXT, "2026-11-19", "2026-11-19"),  # sent on the holiday
    (PLAIN, "2026-11-28", EXT, "2026-12-02", "2026-12-02"),  # sent on a Saturday
    # 2026, 25 December (Friday)
    (PLAIN, "2026-12-21", ORD, "2026-12-30", "2026-12-30"),
    (PLAIN, "2026-12-22", EXT, "2026-12-25", "2026-12-28"),
    # 2027, 1 January (Friday)
    (PLAIN, "2026-12-30", EXT, "2027-01-05", "2027-01-05"),
    (PLAIN, "2026-12-29", EXT, "2027-01-01", "2027-01-04"),
    # declared winter vacation 2026-12-21 .. 2027-01-01 (R8)
    (WINTER_2026, "2026-12-18", EXT, "2027-01-06", "2027-01-06"),
    (WINTER_2026, "2026-12-18", ORD, "2027-01-09", "2027-01-11"),
    (WINTER_2026, "2026-12-16", EXT, "2026-12-19", "2027-01-04"),
    # 2027, first Monday of February (1 Feb)
    (PLAIN, "2027-01-28", ORD, "2027-02-06", "2027-02-08"),
    # 2027, third Monday of March (15 Mar)
    (PLAIN, "2027-03-12", EXT, "2027-03-18", "2027-03-18"),
    # 2027, Holy Thursday and Friday (25, 26 Mar) declared
    (HOLY_2027, "2027-03-22", ORD, "2027-04-01", "2027-04-01"),
    (PLAIN, "2027-03-22", ORD, "2027-03-30", "2027-03-30"),
    # 2027, 1 May on a Saturday: nothing moves to Friday or Monday (R8)
    (PLAIN, "2027-04-28", EXT, "2027-05-01", "2027-05-03"),
    (PLAIN, "2027-04-29", EXT, "2027-05-04", "2027-05-04"),
    # 2027, 16 September (Thursday)
    (PLAIN, "2027-09-14", EXT, "2027-09-18", "2027-09-20"),
    # 2027, third Monday of November (15 Nov)
    (PLAIN, "2027-11-10", ORD, "2027-11-19", "2027-11-19"),
    # 2027, 25 December on a Saturday: nothing moves (R8)
    (PLAIN, "2027-12-22", EXT, "2027-12-25", "2027-12-27"),
    (PLAIN, "2027-12-23", EXT, "2027-12-28", "2027-12-28"),
]


@pytest.mark.parametrize(("calendar", "sent", "days", "first", "suggestion"), VECTORS)
def test_notice_vectors(
    calendar: BusinessCalendar, sent: str, days: int, first: str, suggestion: str
) -> None:
    """R7: the earliest date has `days` business days strictly between; R8 decides which."""
    sent_at = at(date.fromisoformat(sent))
    earliest, suggested = date.fromisoformat(first), date.fromisoformat(suggestion)
    day_before = earliest - timedelta(days=1)
    assert earliest_session_date(days, sent_at, calendar, CDMX) == earliest
    assert notice_check(days, sent_at, calendar, CDMX) == NoticeCheck(
        earliest=earliest, suggested=suggested, earliest_is_business=earliest == suggested
    )
    assert is_valid_notice(days, sent_at, at(earliest, 0, 0), calendar, CDMX)
    assert not is_valid_notice(days, sent_at, at(day_before, 23, 59), calendar, CDMX)
    assert is_valid_notice(days, sent_at, at(suggested, 18), calendar, CDMX)


def test_earliest_may_be_a_holiday() -> None:
    """R7: sent Monday 2025-12-22, 2 days give Navidad; the refusal suggests Friday the 26th."""
    check = notice_check(EXT, at(date(2025, 12, 22)), PLAIN, CDMX)
    assert check == NoticeCheck(date(2025, 12, 25), date(2025, 12, 26), earliest_is_business=False)


@pytest.mark.parametrize(
    ("moment", "tz", "expected"),
    [
        # 23:30 on Friday in Mexico City (UTC−6, no DST since 2022) is Saturday in UTC.
        (datetime(2026, 11, 28, 5, 30, tzinfo=UTC), CDMX, date(2026, 11, 27)),
        (datetime(2026, 7, 4, 5, 30, tzinfo=UTC), CDMX, date(2026, 7, 3)),  # summer too
        # 00:30 on Saturday in Mexico City is still Friday 22:30 in Tijuana (UTC−8).
        (datetime(2026, 11, 28, 6, 30, tzinfo=UTC), CDMX, date(2026, 11, 28)),
        (datetime(2026, 11, 28, 6, 30, tzinfo=UTC), TIJUANA, date(2026, 11, 27)),
        # Tijuana keeps US daylight time (UTC−7): 06:30 UTC is 23:30 Friday.
        (datetime(2026, 7, 4, 6, 30, tzinfo=UTC), TIJUANA, date(2026, 7, 3)),
        (datetime(2026, 7, 4, 7, 30, tzinfo=UTC), TIJUANA, date(2026, 7, 4)),
        (at(date(2026, 11, 27), 23, 30), CDMX, date(2026, 11, 27)),
        (at(date(2026, 11, 27), 23, 30), "UTC", date(2026, 11, 28)),
    ],
)
def test_local_date(moment: datetime, tz: str, expected: date) -> None:
    """R8: all dates are in the secretariat's time zone; the local date decides."""
    assert local_date(moment, tz) == expected


def test_local_date_refuses_naive_moments() -> None:
    with pytest.raises(ValueError, match="aware"):
        local_date(datetime(2026, 11, 27, 23, 30), CDMX)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="aware"):
        earliest_session_date(EXT, datetime(2026, 11, 27, 23, 30), PLAIN, CDMX)  # noqa: DTZ001


def test_local_date_refuses_unknown_zones() -> None:
    with pytest.raises(ZoneInfoNotFoundError):
        local_date(at(date(2026, 11, 27)), "America/Zamora")


@pytest.mark.parametrize(
    ("sent_at", "tz", "days", "earliest"),
    [
        # Thursday 23:30 in Mexico City is Friday in UTC: Thursday is the sending day.
        (at(date(2026, 11, 26), 23, 30), CDMX, ORD, date(2026, 12, 4)),
        (at(date(2026, 11, 26), 23, 30), "UTC", ORD, date(2026, 12, 5)),
        # Friday 23:30 local: still Friday (same earliest date as Friday noon).
        (at(date(2026, 11, 27), 23, 30), CDMX, EXT, date(2026, 12, 2)),
        (at(date(2026, 11, 27), 12, 0), CDMX, EXT, date(2026, 12, 2)),
        # The same instant: Monday 00:30 in Mexico City, Sunday 22:30 in Tijuana.
        (datetime(2026, 11, 30, 6, 30, tzinfo=UTC), CDMX, ORD, date(2026, 12, 8)),
        (datetime(2026, 11, 30, 6, 30, tzinfo=UTC), TIJUANA, ORD, date(2026, 12, 5)),
        (datetime(2026, 11, 30, 6, 30, tzinfo=UTC), CDMX, EXT, date(2026, 12, 3)),
        (datetime(2026, 11, 30, 6, 30, tzinfo=UTC), TIJUANA, EXT, date(2026, 12, 2)),
    ],
)
def test_sending_late_at_night(sent_at: datetime, tz: str, days: int, earliest: date) -> None:
    """R7, R8: the sending day is the local date of the sending moment."""
    assert earliest_session_date(days, sent_at, PLAIN, tz) == earliest


def test_session_local_date_decides() -> None:
    """R8: a session at 23:00 Monday 2026-12-07 in Mexico City is Tuesday in UTC, still short."""
    sent_at = at(date(2026, 11, 30))
    session_at = at(date(2026, 12, 7), 23, 0)
    assert session_at.astimezone(UTC).date() == date(2026, 12, 8)
    assert not is_valid_notice(ORD, sent_at, session_at, PLAIN, CDMX)
    assert is_valid_notice(ORD, sent_at, session_at, PLAIN, "UTC")


def test_session_before_sending_is_never_valid() -> None:
    sent_at = at(date(2026, 11, 30))
    assert not is_valid_notice(EXT, sent_at, at(date(2026, 11, 1)), PLAIN, CDMX)
    assert not is_valid_notice(EXT, sent_at, sent_at, PLAIN, CDMX)


@pytest.mark.parametrize("days", [0, -1])
def test_notice_days_below_one_is_a_bug(days: int) -> None:
    sent_at = at(date(2026, 11, 30))
    with pytest.raises(ValueError, match="notice_days"):
        earliest_session_date(days, sent_at, PLAIN, CDMX)
    with pytest.raises(ValueError, match="notice_days"):
        is_valid_notice(days, sent_at, sent_at, PLAIN, CDMX)


def test_session_kind_values() -> None:
    """R6: the two kinds, stored as their Spanish values."""
    assert [kind.value for kind in SessionKind] == ["ordinaria", "extraordinaria"]
    assert SessionKind("ordinaria") is SessionKind.ORDINARIA


# --- properties -----------------------------------------------------------------------

ZONES = [CDMX, TIJUANA, "America/Cancun", "America/Hermosillo", "UTC"]
days_ = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
declared_sets = st.frozensets(days_, max_size=30)
calendars = st.builds(BusinessCalendar, declared_sets)
notices = st.integers(min_value=1, max_value=30)
zones = st.sampled_from(ZONES)
moments = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2030, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([ZoneInfo(zone) for zone in ZONES]),
)
hours = st.times()


def _session(day: date, hour: time, tz: str) -> datetime:
    return datetime.combine(day, hour, tzinfo=ZoneInfo(tz))


@given(notices, moments, calendars, zones, hours)
def test_earliest_is_valid_and_the_day_before_is_not(
    days: int, sent_at: datetime, calendar: BusinessCalendar, tz: str, hour: time
) -> None:
    """R7: the earliest date is the boundary of validity, whatever the hour."""
    earliest = earliest_session_date(days, sent_at, calendar, tz)
    assert is_valid_notice(days, sent_at, _session(earliest, hour, tz), calendar, tz)
    before = earliest - timedelta(days=1)
    assert not is_valid_notice(days, sent_at, _session(before, hour, tz), calendar, tz)


@given(notices, moments, calendars, zones)
def test_earliest_is_after_a_business_day(
    days: int, sent_at: datetime, calendar: BusinessCalendar, tz: str
) -> None:
    """R7: the day before the earliest date is the last of the counted business days."""
    earliest = earliest_session_date(days, sent_at, calendar, tz)
    assert calendar.is_business_day(earliest - timedelta(days=1))
    sent = local_date(sent_at, tz)
    assert calendar.business_days_strictly_between(sent, earliest) == days


@given(notices, moments, calendars, zones, days_, st.integers(min_value=0, max_value=400))
def test_validity_is_monotonic_in_the_session_date(
    days: int, sent_at: datetime, calendar: BusinessCalendar, tz: str, day: date, later: int
) -> None:
    """R7: valid for a date means valid for every later date."""
    session = _session(day, time(10), tz)
    if is_valid_notice(days, sent_at, session, calendar, tz):
        assert is_valid_notice(days, sent_at, session + timedelta(days=later), calendar, tz)


@given(notices, moments, calendars, zones, days_)
def test_validity_is_being_on_or_after_the_earliest(
    days: int, sent_at: datetime, calendar: BusinessCalendar, tz: str, day: date
) -> None:
    """R7: the direct count and the earliest date agree on every session date."""
    earliest = earliest_session_date(days, sent_at, calendar, tz)
    valid = is_valid_notice(days, sent_at, _session(day, time(12), tz), calendar, tz)
    assert valid is (day >= earliest)


@given(notices, moments, declared_sets, declared_sets, zones)
def test_more_declared_days_never_make_it_earlier(
    days: int, sent_at: datetime, declared: frozenset[date], more: frozenset[date], tz: str
) -> None:
    """R8: declaring days can only push the earliest date later."""
    fewer = earliest_session_date(days, sent_at, BusinessCalendar(declared), tz)
    with_more = earliest_session_date(days, sent_at, BusinessCalendar(declared | more), tz)
    assert with_more >= fewer


@given(notices, moments, calendars, zones)
def test_earliest_is_more_than_notice_days_later(
    days: int, sent_at: datetime, calendar: BusinessCalendar, tz: str
) -> None:
    """R7: N business days strictly between take at least N + 1 calendar days."""
    earliest = earliest_session_date(days, sent_at, calendar, tz)
    assert earliest > local_date(sent_at, tz) + timedelta(days=days)


@given(notices, moments, zones)
def test_without_declared_days_weeks_bound_the_wait(days: int, sent_at: datetime, tz: str) -> None:
    """R7, R8: at most one holiday falls in a Monday–Sunday week, so the wait stays short."""
    earliest = earliest_session_date(days, sent_at, PLAIN, tz)
    assert (earliest - local_date(sent_at, tz)).days <= 2 * days + 6


@given(notices, moments, calendars, zones)
def test_notice_check_suggests_the_next_business_day(
    days: int, sent_at: datetime, calendar: BusinessCalendar, tz: str
) -> None:
    """R7: the suggestion is the earliest date itself when that is a business day."""
    check = notice_check(days, sent_at, calendar, tz)
    assert check.suggested == calendar.next_business_day(check.earliest)
    assert check.earliest_is_business is calendar.is_business_day(check.earliest)
    assert check.earliest_is_business is (check.suggested == check.earliest)


def test_customary_days_declared_push_the_earliest_date() -> None:
    """R8: once the facilitator declares the proposed days, they stop counting."""
    declared = BusinessCalendar(frozenset(day for day, _ in customary_days(2026)))
    sent_at = at(date(2026, 3, 30))
    assert earliest_session_date(EXT, sent_at, PLAIN, CDMX) == date(2026, 4, 2)
    assert earliest_session_date(EXT, sent_at, declared, CDMX) == date(2026, 4, 2)
    assert notice_check(EXT, sent_at, declared, CDMX).suggested == date(2026, 4, 6)
