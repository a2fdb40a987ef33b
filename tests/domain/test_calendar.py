"""R8 business days and R7/R22 business-day arithmetic: tables and properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import (
    MAX_RANGE_DAYS,
    BusinessCalendar,
    customary_days,
    easter_sunday,
    expand_range,
)

PLAIN = BusinessCalendar()
HOLY_2026 = BusinessCalendar(frozenset({date(2026, 4, 2), date(2026, 4, 3)}))

# R8: art. 74 LFT as the `holidays` package gives it for MX, checked by hand.
OFFICIAL = {
    2024: {
        date(2024, 1, 1): "Año Nuevo",
        date(2024, 2, 5): "Día de la Constitución",
        date(2024, 3, 18): "Natalicio de Benito Juárez",
        date(2024, 5, 1): "Día del Trabajo",
        date(2024, 9, 16): "Día de la Independencia",
        date(2024, 10, 1): "Transmisión del Poder Ejecutivo Federal",
        date(2024, 11, 18): "Día de la Revolución",
        date(2024, 12, 25): "Navidad",
    },
    2025: {
        date(2025, 1, 1): "Año Nuevo",
        date(2025, 2, 3): "Día de la Constitución",
        date(2025, 3, 17): "Natalicio de Benito Juárez",
        date(2025, 5, 1): "Día del Trabajo",
        date(2025, 9, 16): "Día de la Independencia",
        date(2025, 11, 17): "Día de la Revolución",
        date(2025, 12, 25): "Navidad",
    },
    2026: {
        date(2026, 1, 1): "Año Nuevo",
        date(2026, 2, 2): "Día de la Constitución",
        date(2026, 3, 16): "Natalicio de Benito Juárez",
        date(2026, 5, 1): "Día del Trabajo",
        date(2026, 9, 16): "Día de la Independencia",
        date(2026, 11, 16): "Día de la Revolución",
        date(2026, 12, 25): "Navidad",
    },
    2027: {
        date(2027, 1, 1): "Año Nuevo",
        date(2027, 2, 1): "Día de la Constitución",
        date(2027, 3, 15): "Natalicio de Benito Juárez",
        date(2027, 5, 1): "Día del Trabajo",  # a Saturday: not moved (R8)
        date(2027, 9, 16): "Día de la Independencia",
        date(2027, 11, 15): "Día de la Revolución",
        date(2027, 12, 25): "Navidad",  # a Saturday: not moved (R8)
    },
    2028: {
        date(2028, 1, 1): "Año Nuevo",  # a Saturday
        date(2028, 2, 7): "Día de la Constitución",
        date(2028, 3, 20): "Natalicio de Benito Juárez",
        date(2028, 5, 1): "Día del Trabajo",
        date(2028, 9, 16): "Día de la Independencia",  # a Saturday
        date(2028, 11, 20): "Día de la Revolución",
        date(2028, 12, 25): "Navidad",
    },
    2029: {
        date(2029, 1, 1): "Año Nuevo",
        date(2029, 2, 5): "Día de la Constitución",
        date(2029, 3, 19): "Natalicio de Benito Juárez",
        date(2029, 5, 1): "Día del Trabajo",
        date(2029, 9, 16): "Día de la Independencia",  # a Sunday
        date(2029, 11, 19): "Día de la Revolución",
        date(2029, 12, 25): "Navidad",
    },
    2030: {
        date(2030, 1, 1): "Año Nuevo",
        date(2030, 2, 4): "Día de la Constitución",
        date(2030, 3, 18): "Natalicio de Benito Juárez",
        date(2030, 5, 1): "Día del Trabajo",
        date(2030, 9, 16): "Día de la Independencia",
        date(2030, 10, 1): "Transmisión del Poder Ejecutivo Federal",
        date(2030, 11, 18): "Día de la Revolución",
        date(2030, 12, 25): "Navidad",
    },
}


def _nth_monday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7 + 7 * (n - 1))


def _art_74(year: int) -> set[date]:
    """Art. 74 LFT dates, built independently of the package (for years >= 2024)."""
    days = {
        date(year, 1, 1),
        _nth_monday(year, 2, 1),
        _nth_monday(year, 3, 3),
        date(year, 5, 1),
        date(year, 9, 16),
        _nth_monday(year, 11, 3),
        date(year, 12, 25),
    }
    if (year - 2024) % 6 == 0:
        days.add(date(year, 10, 1))
    return days


def _days(year: int) -> list[date]:
    return expand_range(date(year, 1, 1), date(year, 12, 31))


@pytest.mark.parametrize("year", sorted(OFFICIAL))
def test_official_holidays_2024_to_2030(year: int) -> None:
    """R8: exactly art. 74's days; the inauguration day only in 2024 and 2030."""
    found = {day: PLAIN.official_holiday(day) for day in _days(year)}
    assert {day: name for day, name in found.items() if name is not None} == OFFICIAL[year]


@pytest.mark.parametrize("year", range(2024, 2061))
def test_no_observed_days(year: int) -> None:
    """R8: Mexico moves no holiday that falls on a weekend; no "observed" day is added."""
    found = {day for day in _days(year) if PLAIN.official_holiday(day) is not None}
    assert found == _art_74(year)


@pytest.mark.parametrize(
    ("day", "business"),
    [
        (date(2022, 12, 26), True),  # Monday after Christmas on a Sunday
        (date(2023, 1, 2), True),  # Monday after New Year on a Sunday
        (date(2027, 4, 30), True),  # Friday before 1 May on a Saturday
        (date(2027, 5, 3), True),  # Monday after it
        (date(2027, 12, 24), True),  # Friday before Christmas on a Saturday
        (date(2027, 12, 27), True),
        (date(2027, 12, 31), True),  # Friday before New Year 2028 on a Saturday
        (date(2029, 9, 17), True),  # Monday after 16 September on a Sunday
    ],
)
def test_weekend_holidays_are_not_moved(day: date, business: bool) -> None:
    """R8: no Friday before or Monday after a weekend holiday becomes non-working."""
    assert PLAIN.is_business_day(day) is business
    assert PLAIN.why_not_business(day) is None


def test_holiday_lookup_does_not_depend_on_order() -> None:
    """The per-year cache is read-only: asking about other years changes nothing."""
    assert PLAIN.official_holiday(date(2030, 10, 1)) == "Transmisión del Poder Ejecutivo Federal"
    assert PLAIN.official_holiday(date(2026, 10, 1)) is None
    assert PLAIN.official_holiday(date(2031, 1, 1)) == "Año Nuevo"
    assert PLAIN.official_holiday(date(2030, 10, 1)) == "Transmisión del Poder Ejecutivo Federal"


def test_customary_days_are_not_holidays() -> None:
    """R8: Holy Thursday/Friday, 2 Nov, 12 Dec and 5 May count only when declared."""
    for day, _label in customary_days(2026, cinco_de_mayo=True):
        assert PLAIN.official_holiday(day) is None
    assert PLAIN.is_business_day(date(2026, 4, 2))
    assert PLAIN.is_business_day(date(2026, 11, 2))
    assert not HOLY_2026.is_business_day(date(2026, 4, 2))


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 12, 7), None),  # Monday
        (date(2026, 12, 5), "sábado"),
        (date(2026, 12, 6), "domingo"),
        (date(2026, 12, 25), "Navidad"),
        (date(2026, 2, 2), "Día de la Constitución"),
        (date(2026, 3, 16), "Natalicio de Benito Juárez"),
        (date(2026, 11, 16), "Día de la Revolución"),
        (date(2027, 5, 1), "Día del Trabajo"),  # a Saturday: the name says more
        (date(2026, 4, 2), None),  # Holy Thursday, not declared here
    ],
)
def test_why_not_business(day: date, reason: str | None) -> None:
    """R8: weekend, holiday name, or nothing; consistent with is_business_day."""
    assert PLAIN.why_not_business(day) == reason
    assert PLAIN.is_business_day(day) is (reason is None)


def test_why_not_business_declared() -> None:
    """R8: a declared weekday reads "día inhábil declarado"; a declared Saturday, "sábado"."""
    calendar = BusinessCalendar(frozenset({date(2026, 4, 2), date(2026, 4, 4)}))
    assert calendar.why_not_business(date(2026, 4, 2)) == "día inhábil declarado"
    assert calendar.why_not_business(date(2026, 4, 4)) == "sábado"
    assert calendar.why_not_business(date(2026, 4, 1)) is None


@pytest.mark.parametrize(
    ("calendar", "day", "expected"),
    [
        (PLAIN, date(2026, 12, 7), date(2026, 12, 7)),  # already a business day
        (PLAIN, date(2026, 12, 5), date(2026, 12, 7)),  # Saturday
        (PLAIN, date(2025, 12, 25), date(2025, 12, 26)),  # R7 vector
        (PLAIN, date(2026, 1, 31), date(2026, 2, 3)),  # weekend then Constitution Monday
        (PLAIN, date(2027, 12, 25), date(2027, 12, 27)),
        (HOLY_2026, date(2026, 4, 2), date(2026, 4, 6)),  # R7 vector
    ],
)
def test_next_business_day(calendar: BusinessCalendar, day: date, expected: date) -> None:
    """R7: the suggestion when the earliest date is not a business day."""
    assert calendar.next_business_day(day) == expected


@pytest.mark.parametrize(
    ("calendar", "a", "b", "count"),
    [
        (PLAIN, date(2026, 11, 30), date(2026, 12, 8), 5),  # R7: Dec 1, 2, 3, 4, 7
        (PLAIN, date(2026, 11, 30), date(2026, 12, 7), 4),
        (PLAIN, date(2026, 11, 30), date(2026, 12, 3), 2),  # R7: Dec 1, 2
        (PLAIN, date(2026, 11, 30), date(2026, 12, 1), 0),  # adjacent: nothing between
        (PLAIN, date(2026, 11, 30), date(2026, 11, 30), 0),
        (PLAIN, date(2026, 12, 8), date(2026, 11, 30), 0),  # reversed
        (PLAIN, date(2025, 12, 22), date(2025, 12, 25), 2),
        (PLAIN, date(2025, 12, 22), date(2025, 12, 29), 3),  # the 25th does not count
        (HOLY_2026, date(2026, 3, 30), date(2026, 4, 9), 5),  # R7 vector
        (HOLY_2026, date(2026, 3, 30), date(2026, 4, 8), 4),
        (PLAIN, date(2025, 12, 31), date(2027, 1, 1), 254),  # 261 weekdays − 7 holidays
        (PLAIN, date(2026, 12, 31), date(2028, 1, 1), 256),  # 2027: 2 holidays on Saturdays
    ],
)
def test_business_days_strictly_between(
    calendar: BusinessCalendar, a: date, b: date, count: int
) -> None:
    """R7: neither the sending day nor the session day counts."""
    assert calendar.business_days_strictly_between(a, b) == count


@pytest.mark.parametrize(
    ("calendar", "day", "n", "before", "after"),
    [
        # R22: before Monday 2026-12-07, 1 business day is Fri 12-04 and 3 are Wed 12-02.
        (PLAIN, date(2026, 12, 7), 1, date(2026, 12, 4), date(2026, 12, 8)),
        (PLAIN, date(2026, 12, 7), 3, date(2026, 12, 2), date(2026, 12, 10)),
        (PLAIN, date(2026, 12, 5), 1, date(2026, 12, 4), date(2026, 12, 7)),  # from Saturday
        (PLAIN, date(2026, 12, 28), 1, date(2026, 12, 24), date(2026, 12, 29)),  # over Navidad
        (PLAIN, date(2026, 11, 17), 1, date(2026, 11, 13), date(2026, 11, 18)),  # Revolución
        (HOLY_2026, date(2026, 4, 6), 1, date(2026, 4, 1), date(2026, 4, 7)),
        (HOLY_2026, date(2026, 3, 31), 2, date(2026, 3, 27), date(2026, 4, 6)),
    ],
)
def test_business_day_before_and_after(
    calendar: BusinessCalendar, day: date, n: int, before: date, after: date
) -> None:
    """R22: the n-th business day counting back or forward, the day itself not counted."""
    assert calendar.business_day_before(day, n) == before
    assert calendar.business_day_after(day, n) == after


@pytest.mark.parametrize("n", [0, -1])
def test_zero_business_days_is_a_bug(n: int) -> None:
    with pytest.raises(ValueError, match="n must be"):
        PLAIN.business_day_before(date(2026, 12, 7), n)
    with pytest.raises(ValueError, match="n must be"):
        PLAIN.business_day_after(date(2026, 12, 7), n)


EASTER = {
    2020: date(2020, 4, 12),
    2021: date(2021, 4, 4),
    2022: date(2022, 4, 17),
    2023: date(2023, 4, 9),
    2024: date(2024, 3, 31),
    2025: date(2025, 4, 20),
    2026: date(2026, 4, 5),
    2027: date(2027, 3, 28),
    2028: date(2028, 4, 16),
    2029: date(2029, 4, 1),
    2030: date(2030, 4, 21),
    2031: date(2031, 4, 13),
    2032: date(2032, 3, 28),
    2033: date(2033, 4, 17),
    2034: date(2034, 4, 9),
    2035: date(2035, 3, 25),
}


@pytest.mark.parametrize(("year", "expected"), sorted(EASTER.items()))
def test_easter_sunday(year: int, expected: date) -> None:
    """R8: Holy Thursday and Friday are proposed from Easter."""
    assert easter_sunday(year) == expected


@given(st.integers(min_value=1583, max_value=9999))
def test_easter_matches_dateutil(year: int) -> None:
    """Cross-check only: the domain computes Easter itself, with the stdlib."""
    easter = pytest.importorskip("dateutil.easter")
    assert easter_sunday(year) == easter.easter(year)


@given(st.integers(min_value=1583, max_value=9999))
def test_easter_is_a_sunday_in_its_window(year: int) -> None:
    day = easter_sunday(year)
    assert day.weekday() == 6
    assert date(year, 3, 22) <= day <= date(year, 4, 25)


def test_customary_days_2026() -> None:
    """R8: proposed, in date order; 5 May only on request."""
    assert customary_days(2026) == [
        (date(2026, 4, 2), "Jueves Santo"),
        (date(2026, 4, 3), "Viernes Santo"),
        (date(2026, 11, 2), "Día de Muertos"),
        (date(2026, 12, 12), "Día de la Virgen de Guadalupe"),
    ]
    assert customary_days(2026, cinco_de_mayo=True) == [
        (date(2026, 4, 2), "Jueves Santo"),
        (date(2026, 4, 3), "Viernes Santo"),
        (date(2026, 5, 5), "Batalla de Puebla"),
        (date(2026, 11, 2), "Día de Muertos"),
        (date(2026, 12, 12), "Día de la Virgen de Guadalupe"),
    ]


def test_customary_days_2027() -> None:
    assert customary_days(2027)[:2] == [
        (date(2027, 3, 25), "Jueves Santo"),
        (date(2027, 3, 26), "Viernes Santo"),
    ]


def test_expand_range() -> None:
    """R8: a declared vacation period becomes its days, both ends included."""
    assert expand_range(date(2026, 12, 21), date(2026, 12, 23)) == [
        date(2026, 12, 21),
        date(2026, 12, 22),
        date(2026, 12, 23),
    ]
    assert expand_range(date(2026, 4, 2), date(2026, 4, 2)) == [date(2026, 4, 2)]
    assert len(expand_range(date(2028, 1, 1), date(2028, 12, 31))) == MAX_RANGE_DAYS


def test_expand_range_refuses_reversed_and_huge_ranges() -> None:
    with pytest.raises(ValueError, match="before start"):
        expand_range(date(2026, 4, 3), date(2026, 4, 2))
    with pytest.raises(ValueError, match="exceeds"):
        expand_range(date(2026, 1, 1), date(2027, 1, 2))  # 367 days


# --- properties -----------------------------------------------------------------------

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
declared_sets = st.frozensets(days, max_size=40)
calendars = st.builds(BusinessCalendar, declared_sets)


@given(calendars, days, st.integers(min_value=0, max_value=120))
def test_strictly_between_is_a_brute_force_count(
    calendar: BusinessCalendar, a: date, span: int
) -> None:
    """R7: the arithmetic count equals counting every day in between."""
    b = a + timedelta(days=span)
    brute = sum(
        1 for offset in range(1, span) if calendar.is_business_day(a + timedelta(days=offset))
    )
    assert calendar.business_days_strictly_between(a, b) == brute
    assert calendar.business_days_strictly_between(b, a) == 0


@given(calendars, days)
def test_why_not_business_agrees(calendar: BusinessCalendar, day: date) -> None:
    assert (calendar.why_not_business(day) is None) is calendar.is_business_day(day)
    if day in calendar.declared:
        assert not calendar.is_business_day(day)


@given(calendars, days, st.integers(min_value=1, max_value=30))
def test_before_and_after_are_business_days_at_distance_n(
    calendar: BusinessCalendar, day: date, n: int
) -> None:
    """R22: the result is a business day with n − 1 business days between it and the day."""
    before = calendar.business_day_before(day, n)
    after = calendar.business_day_after(day, n)
    assert before < day < after
    assert calendar.is_business_day(before)
    assert calendar.is_business_day(after)
    assert calendar.business_days_strictly_between(before, day) == n - 1
    assert calendar.business_days_strictly_between(day, after) == n - 1


@given(calendars, days, st.integers(min_value=1, max_value=30))
def test_before_and_after_round_trip(calendar: BusinessCalendar, day: date, n: int) -> None:
    """R22: from a business day, n back then n forward (or the reverse) returns to it."""
    start = calendar.next_business_day(day)
    assert calendar.business_day_after(calendar.business_day_before(start, n), n) == start
    assert calendar.business_day_before(calendar.business_day_after(start, n), n) == start


@given(calendars, days, st.integers(min_value=1, max_value=10), st.integers(1, 10))
def test_after_composes(calendar: BusinessCalendar, day: date, m: int, n: int) -> None:
    """R22: m business days after, then n more, is m + n business days after."""
    assert calendar.business_day_after(
        calendar.business_day_after(day, m), n
    ) == calendar.business_day_after(day, m + n)


@given(calendars, days)
def test_next_business_day_is_the_first(calendar: BusinessCalendar, day: date) -> None:
    found = calendar.next_business_day(day)
    assert found >= day
    assert calendar.is_business_day(found)
    assert calendar.business_days_strictly_between(day - timedelta(days=1), found) == 0
