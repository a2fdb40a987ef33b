"""demo/seeding.py: the seeded session #1 is always over before today, with R7's notice."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from demo.seeding import TIME_ZONE, past_session_days
from domain.calendar import BusinessCalendar
from domain.notice import is_valid_notice


@pytest.mark.parametrize(
    ("today", "convened", "day"),
    [
        # Sent Wednesday 2026-11-11: 12, 13, 17, 18 and 19 November lie strictly between
        # (Monday the 16th is Revolution Day, R8), so Friday the 20th is the earliest.
        (date(2026, 12, 2), date(2026, 11, 11), date(2026, 11, 20)),
        (date(2026, 12, 9), date(2026, 11, 18), date(2026, 11, 26)),
        # Three weeks before 4 January 2027: held before Christmas, well in the past.
        (date(2027, 1, 4), date(2026, 12, 14), date(2026, 12, 22)),
    ],
)
def test_known_days(today: date, convened: date, day: date) -> None:
    sent, held = past_session_days(today)
    assert (sent.date(), held) == (convened, day)
    assert sent.timetz() == time(10, 0, tzinfo=ZoneInfo(TIME_ZONE))


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2032, 12, 31)))
def test_always_past_valid_and_on_a_business_day(today: date) -> None:
    sent, day = past_session_days(today)
    calendar = BusinessCalendar()
    assert day < today
    assert calendar.is_business_day(day)
    session = datetime.combine(day, time(10, 0), ZoneInfo(TIME_ZONE))
    assert is_valid_notice(5, sent, session, calendar, TIME_ZONE)  # R7
