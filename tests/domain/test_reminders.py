"""Reminder moments (R6, R7, R15, R22) and exactly-once picking (R23): tables and properties.

The vectors are counted by hand on the R8 calendar: in 2026-2028 the MX official holidays
that matter here are Monday 2026-11-16 (third Monday of November), Friday 2026-12-25,
Friday 2027-01-01 and Monday 2027-02-01 (first Monday of February).
America/Mexico_City is UTC-6 all year (no DST since 2022); America/Tijuana follows the
US clock changes (UTC-8 in winter, UTC-7 in summer).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import BusinessCalendar, expand_range
from domain.notice import earliest_session_date, local_date
from domain.reminders import (
    DAY_ONLY,
    DEFAULT_OVERDUE_EVERY,
    DEFAULTS,
    FIXED,
    MAX_DAYS,
    MAX_HOURS,
    MAX_ITEMS,
    NONE,
    Kind,
    MinutesStatus,
    Moment,
    Offset,
    Pick,
    at_hour,
    canonical,
    last_convening_day,
    last_day_of_month,
    minutes_deadline,
    minutes_moments,
    minutes_status,
    monthly_moments,
    next_due,
    parse_offsets,
    pick,
    session_moments,
)

CDMX = "America/Mexico_City"
TIJUANA = "America/Tijuana"
NINE = time(9)
PLAIN = BusinessCalendar()
DEC4 = BusinessCalendar(frozenset({date(2026, 12, 4)}))  # a declared Friday (R8)
WINTER_2026 = BusinessCalendar(frozenset(expand_range(date(2026, 12, 21), date(2026, 12, 31))))
FAR = datetime(2100, 1, 1, tzinfo=UTC)

PROPS = settings(deadline=None, max_examples=150)


def local(day: date, hour: int = 9, minute: int = 0, tz: str = CDMX) -> datetime:
    """``day`` at ``hour:minute`` wall time in ``tz``."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC moment."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def moments_of(
    raw: str,
    anchor: datetime,
    *,
    calendar: BusinessCalendar = PLAIN,
    tz: str = CDMX,
    hour: time = NINE,
) -> list[datetime]:
    """``session_moments`` of a settings string."""
    return session_moments(parse_offsets(raw), anchor, calendar=calendar, tz=tz, hour=hour)


def _exactly(raw: str) -> str:
    """The refusal repeats what was typed, so the bot can quote it back."""
    return f"^{re.escape(raw)}$"


# --- parse_offsets / canonical ----------------------------------------------------------

# (raw, days_only, canonical spelling): earliest reminder first.
VALID = [
    ("3d,1d", False, "3d,1d"),  # R22 RSVP default
    ("1d,3d", False, "3d,1d"),  # reordered earliest first
    ("2h", False, "2h"),
    ("10d,2d,0d", True, "10d,2d,0d"),  # R6/R7 monthly default
    ("0d,10d,2d", True, "10d,2d,0d"),
    ("5d,2d,0d", True, "5d,2d,0d"),  # R15 minutes default
    ("24h,2h", False, "24h,2h"),
    ("2h,24h", False, "24h,2h"),
    (" 3D , 1d ", False, "3d,1d"),  # case and spaces do not matter
    ("no", False, NONE),
    (" NO ", True, NONE),
    ("2d,24h", False, "2d,24h"),
    ("24h,1d", False, "1d,24h"),  # rough lead: 1 business day counts as a bit over 24 h
    ("1h,0d", False, "1h,0d"),  # the same day at the reminder hour counts as under 1 h
    ("6h,0d", False, "6h,0d"),
    ("03d", False, "3d"),  # leading zeros are normalised
    ("0d", True, "0d"),
    (f"{MAX_DAYS}d", True, f"{MAX_DAYS}d"),
    (f"{MAX_HOURS}h", False, f"{MAX_HOURS}h"),
    ("1d,2d,3d,4d,5d", True, "5d,4d,3d,2d,1d"),  # MAX_ITEMS items
]


@pytest.mark.parametrize(("raw", "days_only", "spelled"), VALID)
def test_valid_offsets(raw: str, days_only: bool, spelled: str) -> None:
    """R22: ``Nd``/``Nh`` settings parse and are stored earliest reminder first."""
    assert canonical(raw, days_only=days_only) == spelled
    parsed = parse_offsets(raw, days_only=days_only)
    assert tuple(str(o) for o in parsed) == (() if spelled == NONE else tuple(spelled.split(",")))


def test_parsed_values() -> None:
    """R22: the amounts and units, not just their spelling."""
    assert parse_offsets("3d,1d") == (Offset(3, "d"), Offset(1, "d"))
    assert parse_offsets("24h,2h") == (Offset(24, "h"), Offset(2, "h"))
    assert parse_offsets("no") == ()


INVALID = [
    ("", False),
    ("   ", False),
    ("0h", False),  # the moment itself is not a reminder
    ("3x", False),
    ("1w", False),
    ("3d,3d", False),  # repeats
    ("3d,03d", False),  # the same offset spelled twice
    (f"{MAX_DAYS + 1}d", False),
    (f"{MAX_HOURS + 1}h", False),
    ("1000d", False),
    (",".join(f"{n}d" for n in range(MAX_ITEMS + 1)), False),  # six items
    ("2h", True),  # hours where only days make sense (R15, R6)
    ("5d,2h", True),
    ("-1d", False),
    ("+1d", False),
    ("1.5d", False),
    ("3d,", False),
    (",3d", False),
    ("3d,,1d", False),
    ("d", False),
    ("3", False),
    ("3dd", False),
    ("3d;1d", False),
    ("no,3d", False),
    ("nope", False),
]


@pytest.mark.parametrize(("raw", "days_only"), INVALID)
def test_invalid_offsets(raw: str, days_only: bool) -> None:
    """Anything but a short list of distinct in-range ``Nd``/``Nh`` items is refused."""
    with pytest.raises(ValueError, match=_exactly(raw)):
        parse_offsets(raw, days_only=days_only)
    with pytest.raises(ValueError, match=_exactly(raw)):
        canonical(raw, days_only=days_only)


@pytest.mark.parametrize("kind", [k for k in Kind if k not in FIXED])  # R5's are fixed
def test_defaults_are_canonical(kind: Kind) -> None:
    """The issue's defaults are valid settings, stored as written."""
    days_only = kind in DAY_ONLY
    assert canonical(DEFAULTS[kind], days_only=days_only) == DEFAULTS[kind]
    assert DEFAULT_OVERDUE_EVERY == 3  # R22: every 3rd business day


@pytest.mark.parametrize(
    ("offset", "text", "words"),
    [
        (Offset(1, "h"), "1h", "1 hora antes"),
        (Offset(24, "h"), "24h", "24 horas antes"),
        (Offset(0, "d"), "0d", "el mismo día"),
        (Offset(1, "d"), "1d", "1 día hábil antes"),
        (Offset(10, "d"), "10d", "10 días hábiles antes"),
    ],
)
def test_offset_wording(offset: Offset, text: str, words: str) -> None:
    """``/recordatorios`` wording: business days, not calendar days (R22)."""
    assert str(offset) == text
    assert offset.describe() == words


day_offsets = st.builds(Offset, st.integers(min_value=0, max_value=MAX_DAYS), st.just("d"))
hour_offsets = st.builds(Offset, st.integers(min_value=1, max_value=MAX_HOURS), st.just("h"))
offset_lists = st.lists(
    st.one_of(day_offsets, hour_offsets), min_size=1, max_size=MAX_ITEMS, unique=True
)


@st.composite
def spellings(draw: st.DrawFn, offsets: list[Offset]) -> str:
    """One way a user may type ``offsets``: any order, case, spaces, leading zeros."""
    items = []
    for offset in draw(st.permutations(offsets)):
        width = draw(st.integers(min_value=1, max_value=3))
        amount = f"{offset.amount:0{width}d}"
        unit = offset.unit.upper() if draw(st.booleans()) else offset.unit
        pad = " " * draw(st.integers(min_value=0, max_value=2))
        items.append(f"{pad}{amount}{pad}{unit}{pad}")
    return ",".join(items)


@PROPS
@given(st.data(), offset_lists)
def test_canonical_is_idempotent(data: st.DataObject, offsets: list[Offset]) -> None:
    """The stored spelling parses back to itself, whatever the user typed."""
    raw = data.draw(spellings(offsets))
    once = canonical(raw)
    assert canonical(once) == once
    assert parse_offsets(once) == parse_offsets(raw)
    assert set(parse_offsets(raw)) == set(offsets)
    assert once == canonical(",".join(str(o) for o in offsets))  # order does not matter


@PROPS
@given(offset_lists)
def test_offsets_listed_earliest_first(offsets: list[Offset]) -> None:
    """R22: within a unit, more days (or hours) before comes first."""
    parsed = parse_offsets(",".join(str(o) for o in offsets))
    for unit in "dh":
        amounts = [o.amount for o in parsed if o.unit == unit]
        assert amounts == sorted(amounts, reverse=True)


@PROPS
@given(offset_lists, st.integers(min_value=0, max_value=MAX_ITEMS - 1))
def test_repeats_are_refused(offsets: list[Offset], index: int) -> None:
    """An offset given twice is a typo, not two reminders."""
    repeated = offsets[index % len(offsets)]
    raw = ",".join(str(o) for o in [*offsets, repeated])
    with pytest.raises(ValueError, match=_exactly(raw)):
        parse_offsets(raw)


@PROPS
@given(st.lists(day_offsets, min_size=1, max_size=MAX_ITEMS, unique=True), hour_offsets)
def test_days_only_refuses_any_hour(days: list[Offset], hours: Offset) -> None:
    """R15, R6: deadline-anchored series accept days only."""
    only_days = ",".join(str(o) for o in days)
    assert set(parse_offsets(only_days, days_only=True)) == set(days)
    if len(days) < MAX_ITEMS:
        raw = f"{only_days},{hours}"
        with pytest.raises(ValueError, match=_exactly(raw)):
            parse_offsets(raw, days_only=True)


# --- session_moments (R22) --------------------------------------------------------------

MON_DEC_7 = local(date(2026, 12, 7), 10)  # 16:00 UTC

# (raw, anchor, calendar, expected moments): counted by hand.
SESSION_VECTORS = [
    # R22 vectors: 1 business day before Monday 2026-12-07 is Friday 12-04, 3 are Wed 12-02.
    ("1d", MON_DEC_7, PLAIN, [utc(2026, 12, 4, 15)]),
    ("3d", MON_DEC_7, PLAIN, [utc(2026, 12, 2, 15)]),
    ("3d,1d", MON_DEC_7, PLAIN, [utc(2026, 12, 2, 15), utc(2026, 12, 4, 15)]),
    # R22: "1 day before" a session is 24 hours before its start; hours are exact.
    ("24h", MON_DEC_7, PLAIN, [utc(2026, 12, 6, 16)]),
    ("2h", MON_DEC_7, PLAIN, [utc(2026, 12, 7, 14)]),
    ("2d,24h", MON_DEC_7, PLAIN, [utc(2026, 12, 3, 15), utc(2026, 12, 6, 16)]),
    ("24h,2h", MON_DEC_7, PLAIN, [utc(2026, 12, 6, 16), utc(2026, 12, 7, 14)]),
    # R8 holiday: Monday 2026-11-16 (third Monday of November) is skipped.
    ("1d", local(date(2026, 11, 17), 10), PLAIN, [local(date(2026, 11, 13))]),
    ("2d", local(date(2026, 11, 17), 10), PLAIN, [local(date(2026, 11, 12))]),
    # R8 declared day: Friday 2026-12-04 declared, so 1d before Monday 12-07 is Thursday.
    ("1d", MON_DEC_7, DEC4, [local(date(2026, 12, 3))]),
    ("3d", MON_DEC_7, DEC4, [local(date(2026, 12, 1))]),
    # Month end: 1d before Monday 2026-11-02 is Friday 2026-10-30.
    ("1d", local(date(2026, 11, 2), 10), PLAIN, [local(date(2026, 10, 30))]),
    # Year end: 2027-01-01 is a holiday, 2-3 January a weekend, 2026-12-25 a holiday.
    ("1d", local(date(2027, 1, 4), 10), PLAIN, [local(date(2026, 12, 31))]),
    ("2d", local(date(2027, 1, 4), 10), PLAIN, [local(date(2026, 12, 30))]),
    ("5d", local(date(2027, 1, 4), 10), PLAIN, [local(date(2026, 12, 24))]),
    ("1d", local(date(2027, 1, 4), 10), WINTER_2026, [local(date(2026, 12, 18))]),
    # 0d is the session's own day at the reminder hour, only if before the start.
    ("0d", local(date(2026, 12, 7), 8), PLAIN, []),
    ("0d", local(date(2026, 12, 7), 9), PLAIN, []),  # equal is not before
    ("0d", local(date(2026, 12, 7), 9, 1), PLAIN, [local(date(2026, 12, 7))]),
    ("0d", MON_DEC_7, PLAIN, [local(date(2026, 12, 7))]),
    (
        "1d,0d,2h",
        local(date(2026, 12, 7), 8),
        PLAIN,
        [local(date(2026, 12, 4)), local(date(2026, 12, 7), 6)],
    ),
    # A session on a Saturday (R7 allows it after confirmation): 0d is that Saturday.
    ("1d", local(date(2026, 12, 5), 10), PLAIN, [local(date(2026, 12, 4))]),
    ("0d", local(date(2026, 12, 5), 10), PLAIN, [local(date(2026, 12, 5))]),
    # The same day's reminder from two offsets is one moment.
    ("0d,1h", local(date(2026, 12, 7), 10), PLAIN, [local(date(2026, 12, 7))]),
    ("no", MON_DEC_7, PLAIN, []),
    # The anchor's own zone does not matter, only the instant.
    ("3d,1d", MON_DEC_7.astimezone(UTC), PLAIN, [utc(2026, 12, 2, 15), utc(2026, 12, 4, 15)]),
]


@pytest.mark.parametrize(("raw", "anchor", "calendar", "expected"), SESSION_VECTORS)
def test_session_vectors(
    raw: str, anchor: datetime, calendar: BusinessCalendar, expected: list[datetime]
) -> None:
    """R22 business-day and hour offsets before a session, America/Mexico_City 09:00."""
    assert moments_of(raw, anchor, calendar=calendar) == expected


def test_r22_vector_in_utc() -> None:
    """R22: Friday 2026-12-04 09:00 in Mexico City is 15:00 UTC (UTC-6, no DST)."""
    (moment,) = moments_of("1d", MON_DEC_7)
    assert moment.astimezone(UTC) == utc(2026, 12, 4, 15)
    assert moment.astimezone(ZoneInfo(CDMX)).time() == NINE
    assert MON_DEC_7 - moments_of("24h", MON_DEC_7)[0] == timedelta(hours=24)
    assert MON_DEC_7 - moments_of("2h", MON_DEC_7)[0] == timedelta(hours=2)


def test_mexico_city_has_no_summer_time() -> None:
    """R22: 09:00 in Mexico City is 15:00 UTC in July too (no DST since 2022)."""
    anchor = local(date(2026, 7, 6), 12)  # a Monday
    assert moments_of("1d", anchor) == [utc(2026, 7, 3, 15)]


def test_the_local_date_decides() -> None:
    """R8, R22: 07:00 UTC on Tuesday 12-08 is Monday 23:00 in Tijuana but Tuesday in CDMX."""
    anchor = utc(2026, 12, 8, 7)
    # Tijuana: the session is on Monday 12-07, so 1d is Friday 12-04 at 09:00 PST.
    assert moments_of("1d", anchor, tz=TIJUANA) == [utc(2026, 12, 4, 17)]
    assert moments_of("0d", anchor, tz=TIJUANA) == [utc(2026, 12, 7, 17)]
    # Mexico City: the session is on Tuesday 12-08 at 01:00, so 1d is Monday 12-07.
    assert moments_of("1d", anchor, tz=CDMX) == [utc(2026, 12, 7, 15)]
    assert moments_of("0d", anchor, tz=CDMX) == []  # 09:00 Tuesday is after 01:00
    # Hour offsets do not depend on the zone.
    assert moments_of("2h", anchor, tz=TIJUANA) == moments_of("2h", anchor, tz=CDMX)


def test_tijuana_summer_time() -> None:
    """R22: the reminder hour is local wall time, PDT (UTC-7) in summer in Tijuana."""
    anchor = utc(2026, 7, 6, 18)  # Monday 11:00 PDT
    assert moments_of("1d", anchor, tz=TIJUANA) == [utc(2026, 7, 3, 16)]
    assert moments_of("1d", anchor, tz=CDMX) == [utc(2026, 7, 3, 15)]


def test_other_reminder_hour() -> None:
    """R22: the reminder hour is a setting (default 09:00)."""
    hour = time(17, 30)
    assert moments_of("1d", MON_DEC_7, hour=hour) == [local(date(2026, 12, 4), 17, 30)]
    assert moments_of("0d", MON_DEC_7, hour=hour) == []  # 17:30 is after the 10:00 start


def test_hours_are_exact_across_a_clock_change_with_a_utc_anchor() -> None:
    """R22: "24 h before" is 24 real hours, also over Tijuana's spring-forward night."""
    anchor = utc(2027, 3, 14, 17)  # Sunday 10:00 PDT; Saturday 10:00 PST was 18:00 UTC
    (moment,) = moments_of("24h", anchor, tz=TIJUANA)
    assert moment == utc(2027, 3, 13, 17)
    assert anchor.astimezone(UTC) - moment.astimezone(UTC) == timedelta(hours=24)


def test_hours_are_exact_across_a_clock_change_with_a_local_anchor() -> None:
    """R22: an hour-based reminder goes out "at that exact moment", whatever the anchor zone."""
    anchor = datetime(2027, 3, 14, 10, tzinfo=ZoneInfo(TIJUANA))  # 17:00 UTC
    (moment,) = moments_of("24h", anchor, tz=TIJUANA)
    assert anchor.astimezone(UTC) - moment.astimezone(UTC) == timedelta(hours=24)


def test_at_hour_resolves_a_missing_wall_time_forward() -> None:
    """R22: 02:30 does not exist in Tijuana on 2027-03-14; the reminder is not lost."""
    moment = at_hour(date(2027, 3, 14), time(2, 30), TIJUANA)
    assert moment.astimezone(UTC) == utc(2027, 3, 14, 10, 30)  # 03:30 PDT
    assert at_hour(date(2026, 12, 4), NINE, CDMX).astimezone(UTC) == utc(2026, 12, 4, 15)


ZONES_WITHOUT_DST = [CDMX, "America/Cancun", "America/Hermosillo", "UTC"]
years_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
calendars = st.builds(BusinessCalendar, st.frozensets(years_days, max_size=30))
plain_times = st.times().map(lambda t: t.replace(fold=0))
# Tijuana's clock changes happen between 01:00 and 03:00: keep reminder hours out of them.
zones_and_hours = st.one_of(
    st.tuples(st.sampled_from(ZONES_WITHOUT_DST), plain_times),
    st.tuples(st.just(TIJUANA), st.times(min_value=time(3)).map(lambda t: t.replace(fold=0))),
)
utc_anchors = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2030, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@PROPS
@given(offset_lists, utc_anchors, calendars, zones_and_hours)
def test_session_moments_properties(
    offsets: list[Offset],
    anchor: datetime,
    calendar: BusinessCalendar,
    zone_hour: tuple[str, time],
) -> None:
    """R22: every moment is strictly before the anchor, sorted, unique; each offset's own."""
    tz, hour = zone_hour
    zone = ZoneInfo(tz)
    result = session_moments(offsets, anchor, calendar=calendar, tz=tz, hour=hour)
    assert all(m < anchor for m in result)
    assert all(a < b for a, b in pairwise(result))  # sorted, unique
    anchor_day = local_date(anchor, tz)  # R8: the local date decides
    union: set[datetime] = set()
    for offset in offsets:
        own = session_moments([offset], anchor, calendar=calendar, tz=tz, hour=hour)
        union.update(own)
        if offset.unit == "h":
            assert own == [anchor - timedelta(hours=offset.amount)]
            continue
        if offset.amount == 0:
            same_day = datetime.combine(anchor_day, hour, tzinfo=zone)
            assert own == ([same_day] if same_day < anchor else [])
            continue
        # Nd, N >= 1: the N-th business day before the local date, at the reminder hour.
        (moment,) = own
        day = moment.astimezone(zone).date()
        assert moment.astimezone(zone).time() == hour
        assert calendar.is_business_day(day)
        assert day < anchor_day
        # R22 vs R7: the N-th business day before D leaves N - 1 business days between.
        assert calendar.business_days_strictly_between(day, anchor_day) == offset.amount - 1
    assert result == sorted(union)


@PROPS
@given(st.lists(day_offsets, min_size=1, max_size=MAX_ITEMS, unique=True), utc_anchors)
def test_more_days_before_is_earlier(offsets: list[Offset], anchor: datetime) -> None:
    """R22: a larger business-day offset is never a later moment."""
    ordered = sorted(offsets, key=lambda o: o.amount, reverse=True)
    dues = [session_moments([o], anchor, calendar=PLAIN, tz=CDMX, hour=NINE) for o in ordered]
    flat = [d[0] for d in dues if d]
    assert flat == sorted(flat)
    assert len(set(flat)) == len(flat)


# --- last_convening_day (R6, R7) --------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "calendar", "notice", "expected"),
    [
        (2026, 12, PLAIN, 5, date(2026, 12, 22)),  # Dec 25 holiday: 23, 24, 28, 29, 30 between
        (2026, 11, PLAIN, 5, date(2026, 11, 20)),  # L = Monday 11-30
        (2027, 1, PLAIN, 5, date(2027, 1, 21)),  # L = Friday 01-29
        (2027, 1, PLAIN, 2, date(2027, 1, 26)),
        (2027, 2, PLAIN, 5, date(2027, 2, 18)),  # L = Friday 02-26
        (2027, 5, PLAIN, 5, date(2027, 5, 21)),  # L = Monday 05-31
        (2028, 2, PLAIN, 5, date(2028, 2, 21)),  # leap year: L = Tuesday 02-29
        (2026, 12, WINTER_2026, 5, date(2026, 12, 10)),  # break declared: L = Friday 12-18
        (2026, 12, PLAIN, 10, date(2026, 12, 15)),
    ],
)
def test_last_convening_day_vectors(
    year: int, month: int, calendar: BusinessCalendar, notice: int, expected: date
) -> None:
    """R6, R7: the last day to convene an ordinary session on the month's last business day."""
    assert last_convening_day(year, month, calendar=calendar, notice=notice) == expected


def test_last_day_of_month() -> None:
    """Calendar month ends, leap years included."""
    assert last_day_of_month(2026, 12) == date(2026, 12, 31)
    assert last_day_of_month(2027, 2) == date(2027, 2, 28)
    assert last_day_of_month(2028, 2) == date(2028, 2, 29)
    assert last_day_of_month(2026, 11) == date(2026, 11, 30)


def _last_business_day(year: int, month: int, calendar: BusinessCalendar) -> date:
    day = last_day_of_month(year, month)
    while not calendar.is_business_day(day):
        day -= timedelta(days=1)
    return day


months = st.tuples(st.integers(min_value=2024, max_value=2040), st.integers(1, 12))
notices = st.integers(min_value=5, max_value=10)


@PROPS
@given(months, notices, st.frozensets(years_days, max_size=40))
def test_last_convening_day_properties(
    year_month: tuple[int, int], notice: int, declared: frozenset[date]
) -> None:
    """R6, R7: exactly ``notice`` business days lie between it and the last business day."""
    year, month = year_month
    calendar = BusinessCalendar(declared)
    result = last_convening_day(year, month, calendar=calendar, notice=notice)
    last = _last_business_day(year, month, calendar)
    assert calendar.is_business_day(result)
    assert calendar.business_days_strictly_between(result, last) == notice
    following = calendar.next_business_day(result + timedelta(days=1))
    assert calendar.business_days_strictly_between(following, last) == notice - 1
    # The R7 check agrees: convening that day reaches the last business day, the next no.
    assert earliest_session_date(notice, local(result, 10), calendar, CDMX) <= last
    assert earliest_session_date(notice, local(following, 10), calendar, CDMX) > last


# --- monthly_moments (R6, R7, R23) ------------------------------------------------------


def test_monthly_december_2026_defaults() -> None:
    """R6, R7: 10d, 2d and 0d before Tuesday 12-22, then "closed" on Wednesday 12-23."""
    offsets = parse_offsets(DEFAULTS[Kind.MENSUAL], days_only=True)
    result = monthly_moments(2026, 12, offsets, calendar=PLAIN, notice=5, tz=CDMX, hour=NINE)
    day_ends = local(date(2026, 12, 23), 0)
    month_ends = local(date(2027, 1, 1), 0)
    assert result == [
        Moment(local(date(2026, 12, 8)), day_ends, "antes"),  # 10th business day before
        Moment(local(date(2026, 12, 18)), day_ends, "antes"),  # 2nd
        Moment(local(date(2026, 12, 22)), day_ends, "dia"),
        Moment(local(date(2026, 12, 23)), month_ends, "cerrado"),
    ]
    assert result[0].due.astimezone(UTC) == utc(2026, 12, 8, 15)
    assert result[-1].useful_until.astimezone(UTC) == utc(2027, 1, 1, 6)


def test_monthly_hours_are_ignored_and_none_keeps_closed() -> None:
    """R6: only day offsets apply; with reminders off only the "closed" notice is left."""
    offsets = (Offset(2, "d"), Offset(6, "h"))
    with_hours = monthly_moments(2026, 11, offsets, calendar=PLAIN, notice=5, tz=CDMX, hour=NINE)
    assert [(m.due, m.variant) for m in with_hours] == [
        (local(date(2026, 11, 18)), "antes"),  # 2 business days before Friday 11-20
        (local(date(2026, 11, 23)), "cerrado"),
    ]
    nothing = monthly_moments(2026, 11, (), calendar=PLAIN, notice=5, tz=CDMX, hour=NINE)
    assert nothing == [
        Moment(local(date(2026, 11, 23)), local(date(2026, 12, 1), 0), "cerrado"),
    ]


def test_monthly_in_tijuana() -> None:
    """R8, R22: the secretariat's zone sets the hour and the end of the day and month."""
    result = monthly_moments(
        2026, 12, parse_offsets("0d"), calendar=PLAIN, notice=5, tz=TIJUANA, hour=NINE
    )
    assert [m.due.astimezone(UTC) for m in result] == [
        utc(2026, 12, 22, 17),
        utc(2026, 12, 23, 17),
    ]
    assert [m.useful_until.astimezone(UTC) for m in result] == [
        utc(2026, 12, 23, 8),
        utc(2027, 1, 1, 8),
    ]


@PROPS
@given(
    months,
    notices,
    st.lists(day_offsets, max_size=MAX_ITEMS, unique=True),
    st.frozensets(years_days, max_size=30),
    zones_and_hours,
)
def test_monthly_properties(
    year_month: tuple[int, int],
    notice: int,
    offsets: list[Offset],
    declared: frozenset[date],
    zone_hour: tuple[str, time],
) -> None:
    """R6, R7, R23: sorted, useful when due, one "closed" notice last, in the month."""
    year, month = year_month
    tz, hour = zone_hour
    zone = ZoneInfo(tz)
    calendar = BusinessCalendar(declared)
    result = monthly_moments(
        year, month, offsets, calendar=calendar, notice=notice, tz=tz, hour=hour
    )
    last = last_convening_day(year, month, calendar=calendar, notice=notice)
    assert [m.due for m in result] == sorted(m.due for m in result)
    assert len({m.due for m in result}) == len(result) == len(offsets) + 1
    *before, closed = result
    assert closed.variant == "cerrado"
    assert closed.due.astimezone(zone).date() == calendar.business_day_after(last, 1)
    assert closed.due.astimezone(zone).date().month == month
    month_end = last_day_of_month(year, month) + timedelta(days=1)
    assert closed.useful_until == datetime.combine(month_end, time(0), tzinfo=zone)
    for moment in before:
        day = moment.due.astimezone(zone).date()
        assert moment.due.astimezone(zone).time() == hour
        assert calendar.is_business_day(day)
        assert day <= last
        assert moment.variant == ("dia" if day == last else "antes")
        assert moment.useful_until == datetime.combine(
            last + timedelta(days=1), time(0), tzinfo=zone
        )
    assert all(m.due < m.useful_until for m in result)


# --- minutes_deadline / minutes_status (R15) --------------------------------------------


@pytest.mark.parametrize(
    ("held_on", "following", "deadline"),
    [
        (date(2026, 12, 10), False, date(2026, 12, 31)),
        (date(2026, 12, 10), True, date(2027, 1, 31)),  # December -> January
        (date(2026, 12, 31), True, date(2027, 1, 31)),
        (date(2026, 11, 1), False, date(2026, 11, 30)),
        (date(2026, 11, 30), True, date(2026, 12, 31)),
        (date(2027, 1, 15), True, date(2027, 2, 28)),
        (date(2028, 1, 15), True, date(2028, 2, 29)),  # leap year
        (date(2028, 2, 3), False, date(2028, 2, 29)),
        (date(2027, 2, 3), False, date(2027, 2, 28)),
        (date(2028, 2, 29), True, date(2028, 3, 31)),
    ],
)
def test_minutes_deadline(held_on: date, following: bool, deadline: date) -> None:
    """R15: last calendar day of the session's month, or of the following month."""
    assert minutes_deadline(held_on, following_month=following) == deadline


@PROPS
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), st.booleans())
def test_minutes_deadline_properties(held_on: date, following: bool) -> None:
    """R15: a month's last calendar day, never before the session, at most two months on."""
    deadline = minutes_deadline(held_on, following_month=following)
    assert deadline >= held_on
    assert (deadline + timedelta(days=1)).day == 1
    months_on = (deadline.year - held_on.year) * 12 + deadline.month - held_on.month
    assert months_on == (1 if following else 0)


DEADLINE = date(2026, 12, 31)


@pytest.mark.parametrize(
    ("sent_on", "today", "status"),
    [
        (None, date(2026, 12, 10), MinutesStatus.PENDIENTE),
        (None, DEADLINE, MinutesStatus.PENDIENTE),  # the deadline day is still in time
        (None, date(2027, 1, 1), MinutesStatus.VENCIDA),
        (date(2026, 12, 15), date(2027, 3, 1), MinutesStatus.A_TIEMPO),
        (DEADLINE, date(2027, 1, 2), MinutesStatus.A_TIEMPO),  # sent on the deadline day
        (date(2027, 1, 1), date(2027, 1, 1), MinutesStatus.FUERA_DE_PLAZO),
        (date(2027, 2, 1), date(2026, 12, 1), MinutesStatus.FUERA_DE_PLAZO),
    ],
)
def test_minutes_status(sent_on: date | None, today: date, status: MinutesStatus) -> None:
    """R15: sent on or before the deadline (local dates) is on time."""
    assert minutes_status(DEADLINE, sent_on=sent_on, today=today) is status


def test_minutes_status_wording() -> None:
    """``/actas`` shows the value."""
    assert [s.value for s in MinutesStatus] == [
        "pendiente",
        "vencida",
        "enviada a tiempo",
        "enviada fuera de plazo",
    ]


# --- minutes_moments (R15, R22) ---------------------------------------------------------


def _minutes(
    deadline: date,
    raw: str = "5d,2d,0d",
    *,
    every: int = 3,
    through: datetime,
    calendar: BusinessCalendar = PLAIN,
    tz: str = CDMX,
) -> list[tuple[datetime, str]]:
    result = minutes_moments(
        deadline,
        parse_offsets(raw, days_only=True),
        overdue_every=every,
        calendar=calendar,
        tz=tz,
        hour=NINE,
        through=through,
        useful_until=FAR,
    )
    assert all(m.useful_until == FAR for m in result)
    return [(m.due, m.variant) for m in result]


BEFORE_DEC_31 = [
    (local(date(2026, 12, 23)), "antes"),  # 5 business days before: 30, 29, 28, 24, 23
    (local(date(2026, 12, 29)), "antes"),
    (local(date(2026, 12, 31)), "dia"),
]


def test_minutes_december_2026() -> None:
    """R15, R22: overdue from Monday 2027-01-04 (1 Jan holiday, 2-3 weekend), every 3rd."""
    through = local(date(2027, 1, 8), 12)
    assert _minutes(DEADLINE, through=through) == [
        *BEFORE_DEC_31,
        (local(date(2027, 1, 4)), "vencida"),
        (local(date(2027, 1, 7)), "vencida"),  # 5, 6, 7
        (local(date(2027, 1, 12)), "vencida"),  # 8, 11, 12: the first after `through`
    ]


@pytest.mark.parametrize(
    ("through", "last_overdue"),
    [
        (local(date(2026, 12, 1)), date(2027, 1, 4)),  # before the deadline: one lookahead
        (local(date(2027, 1, 4)), date(2027, 1, 7)),  # exactly at a moment: it is not after
        (local(date(2027, 1, 4), 8, 59), date(2027, 1, 4)),
        (local(date(2027, 1, 7)), date(2027, 1, 12)),
        (local(date(2027, 1, 12), 9, 1), date(2027, 1, 15)),
    ],
)
def test_minutes_generation_stops_after_through(through: datetime, last_overdue: date) -> None:
    """R15: the infinite overdue series ends with its first moment after ``through``."""
    result = _minutes(DEADLINE, through=through)
    overdue = [due for due, variant in result if variant == "vencida"]
    assert overdue[-1] == local(last_overdue)
    assert overdue[-1] > through
    assert all(due <= through for due in overdue[:-1])


def test_minutes_without_overdue_notices() -> None:
    """R15: ``overdue_every`` 0 turns overdue notices off."""
    assert _minutes(DEADLINE, every=0, through=local(date(2027, 6, 1))) == BEFORE_DEC_31


def test_minutes_overdue_every_business_day() -> None:
    """R22: every 1st business day is every business day."""
    result = _minutes(DEADLINE, "no", every=1, through=local(date(2027, 1, 6)))
    assert result == [
        (local(date(2027, 1, 4)), "vencida"),
        (local(date(2027, 1, 5)), "vencida"),
        (local(date(2027, 1, 6)), "vencida"),
        (local(date(2027, 1, 7)), "vencida"),
    ]


def test_minutes_deadline_on_a_sunday() -> None:
    """R15: 2027-01-31 is a Sunday; 0d still uses the deadline day itself.

    The deadline is a calendar day (R15), so the "same day" reminder goes out on that
    Sunday at the reminder hour; the first overdue notice is Tuesday 2027-02-02 because
    Monday 2027-02-01 is an official holiday.
    """
    result = _minutes(date(2027, 1, 31), through=local(date(2027, 2, 3)))
    assert result == [
        (local(date(2027, 1, 25)), "antes"),  # 29, 28, 27, 26, 25
        (local(date(2027, 1, 28)), "antes"),
        (local(date(2027, 1, 31)), "dia"),
        (local(date(2027, 2, 2)), "vencida"),
        (local(date(2027, 2, 5)), "vencida"),  # 3, 4, 5
    ]


def test_minutes_in_tijuana() -> None:
    """R8, R22: the reminder hour is the secretariat's local hour."""
    result = _minutes(DEADLINE, "0d", every=0, through=FAR, tz=TIJUANA)
    assert [due.astimezone(UTC) for due, _ in result] == [utc(2026, 12, 31, 17)]


@PROPS
@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)).map(
        lambda d: last_day_of_month(d.year, d.month)
    ),
    st.lists(day_offsets, max_size=MAX_ITEMS, unique=True),
    st.integers(min_value=1, max_value=30),
    st.integers(min_value=-10, max_value=120),
    calendars,
)
def test_minutes_moments_properties(
    deadline: date,
    offsets: list[Offset],
    every: int,
    days_after: int,
    calendar: BusinessCalendar,
) -> None:
    """R15, R22: reminders before and on the deadline, then every ``every``-th business day."""
    through = local(deadline + timedelta(days=days_after), 12)
    result = minutes_moments(
        deadline,
        offsets,
        overdue_every=every,
        calendar=calendar,
        tz=CDMX,
        hour=NINE,
        through=through,
        useful_until=FAR,
    )
    dues = [m.due for m in result]
    assert dues == sorted(dues)
    assert len(set(dues)) == len(dues)
    zone = ZoneInfo(CDMX)
    early = [m for m in result if m.variant != "vencida"]
    assert len(early) == len(offsets)
    for moment in early:
        day = moment.due.astimezone(zone).date()
        assert moment.variant == ("dia" if day == deadline else "antes")
        assert day <= deadline
    overdue = [m.due.astimezone(zone).date() for m in result if m.variant == "vencida"]
    assert overdue[0] == calendar.business_day_after(deadline, 1)
    for a, b in pairwise(overdue):
        assert calendar.is_business_day(b)
        assert calendar.business_days_strictly_between(a, b) == every - 1
    overdue_dues = [m.due for m in result if m.variant == "vencida"]
    assert overdue_dues[-1] > through
    assert all(due <= through for due in overdue_dues[:-1])
    assert all(m.due < overdue_dues[0] for m in early)


# --- pick (R23) -------------------------------------------------------------------------

T0 = utc(2026, 12, 1, 15)


def mo(hours: float, until: float = 1000.0, variant: str = "antes") -> Moment:
    """A moment ``hours`` after T0, useful until ``until`` hours after T0."""
    return Moment(T0 + timedelta(hours=hours), T0 + timedelta(hours=until), variant)


def at(hours: float) -> datetime:
    """``hours`` after T0."""
    return T0 + timedelta(hours=hours)


A, B, C = mo(0), mo(24), mo(48)


@pytest.mark.parametrize(
    ("moments", "recorded", "now", "send", "drop"),
    [
        pytest.param([A, B, C], None, at(-1), None, (), id="nothing-due"),
        pytest.param([], None, at(100), None, (), id="empty-series"),
        pytest.param([A, B, C], None, at(1), A, (), id="one-due"),
        pytest.param([A, B, C], None, at(0), A, (), id="now-equals-due-is-due"),
        pytest.param([A, B, C], A.due, at(25), B, (), id="normal-operation"),
        pytest.param([A, B, C], None, at(50), C, (A, B), id="three-missed-latest-sent"),
        pytest.param([C, A, B], None, at(50), C, (A, B), id="input-order-irrelevant"),
        pytest.param([A, B, C], A.due, at(50), C, (B,), id="recorded-never-considered"),
        pytest.param([A, B, C], B.due, at(47), None, (), id="recorded-until-between"),
        pytest.param([A, B, C], C.due, at(500), None, (), id="all-recorded"),
        pytest.param([A, B, C], at(100), at(500), None, (), id="recorded-after-all"),
        pytest.param([A, mo(24, 30)], None, at(30), A, (mo(24, 30),), id="latest-useless"),
        pytest.param([mo(0, 10), B], None, at(30), B, (mo(0, 10),), id="oldest-useless"),
        pytest.param([mo(0, 10)], None, at(10), None, (mo(0, 10),), id="now-equals-useful"),
        pytest.param([mo(0, 10)], None, at(9.99), mo(0, 10), (), id="just-before-useful"),
        pytest.param([mo(0, 1), mo(24, 25)], None, at(30), None, (mo(0, 1), mo(24, 25))),
        pytest.param(
            [mo(0, 100), mo(24, 30), mo(48, 49)],
            None,
            at(60),
            mo(0, 100),
            (mo(24, 30), mo(48, 49)),
            id="only-oldest-useful",
        ),
    ],
)
def test_pick_table(
    moments: list[Moment],
    recorded: datetime | None,
    now: datetime,
    send: Moment | None,
    drop: tuple[Moment, ...],
) -> None:
    """R23: send the latest missed moment still useful, drop the other due ones."""
    assert pick(moments, recorded_until=recorded, now=now) == Pick(send, drop)


def test_pick_monthly_after_the_last_convening_day() -> None:
    """R23, R6: down until 12-28, the bot sends "closed" and drops the day's reminders."""
    series = monthly_moments(
        2026, 12, parse_offsets("10d,2d,0d"), calendar=PLAIN, notice=5, tz=CDMX, hour=NINE
    )
    result = pick(series, recorded_until=None, now=local(date(2026, 12, 28), 12))
    assert result.send == series[-1]
    assert result.send is not None
    assert result.send.variant == "cerrado"
    assert result.drop == tuple(series[:-1])
    # After the month ends nothing is worth sending; all are dropped.
    late = pick(series, recorded_until=None, now=local(date(2027, 1, 1), 0))
    assert late == Pick(None, tuple(series))
    # On 12-22 at 10:00, with the bot down since 12-01, the day's reminder is sent.
    on_day = pick(series, recorded_until=None, now=local(date(2026, 12, 22), 10))
    assert on_day == Pick(series[2], (series[0], series[1]))


def test_pick_minutes_after_downtime() -> None:
    """R23, R15: after a week down, only the latest overdue notice is sent."""
    series = minutes_moments(
        DEADLINE,
        parse_offsets("5d,2d,0d"),
        overdue_every=3,
        calendar=PLAIN,
        tz=CDMX,
        hour=NINE,
        through=local(date(2027, 1, 8), 12),
        useful_until=FAR,
    )
    result = pick(series, recorded_until=local(date(2026, 12, 29)), now=local(date(2027, 1, 8)))
    assert result.send is not None
    assert result.send.due == local(date(2027, 1, 7))
    assert [m.due for m in result.drop] == [local(date(2026, 12, 31)), local(date(2027, 1, 4))]


# properties: moments within a 200-hour window around T0, some with short usefulness.
offsets_h = st.integers(min_value=0, max_value=200 * 60)  # minutes after T0
moment_st = st.builds(
    lambda due, life: Moment(T0 + timedelta(minutes=due), T0 + timedelta(minutes=due + life)),
    offsets_h,
    st.integers(min_value=0, max_value=300 * 60),
)
series_st = st.lists(moment_st, max_size=12)
instants = offsets_h.map(lambda m: T0 + timedelta(minutes=m))
maybe_recorded = st.none() | instants


@PROPS
@given(series_st, maybe_recorded, instants)
def test_pick_properties(moments: list[Moment], recorded: datetime | None, now: datetime) -> None:
    """R23: at most one sent, the latest due and useful; sent + dropped = due, unrecorded."""
    result = pick(moments, recorded_until=recorded, now=now)
    due = [m for m in moments if m.due <= now and (recorded is None or m.due > recorded)]
    settled = ([result.send] if result.send is not None else []) + list(result.drop)
    assert sorted(map(id, settled)) == sorted(map(id, due))
    useful = [m for m in due if now < m.useful_until]
    if useful:
        assert result.send is not None
        assert result.send.due == max(m.due for m in useful)
        assert now < result.send.useful_until
    else:
        assert result.send is None
    dropped = [m.due for m in result.drop]
    assert dropped == sorted(dropped)


@PROPS
@given(series_st, st.lists(offsets_h, min_size=1, max_size=30))
def test_pick_settles_each_moment_exactly_once(moments: list[Moment], ticks: list[int]) -> None:
    """R23: ticking forward and recording the latest settled moment never repeats one.

    Every moment due by the last tick is settled (sent or dropped) exactly once, none
    after it is, and no moment is sent once its usefulness has passed.
    """
    nows = sorted({T0 + timedelta(minutes=m) for m in ticks})
    recorded: datetime | None = None
    settled: dict[int, int] = {}
    sent: list[Moment] = []
    for now in nows:
        result = pick(moments, recorded_until=recorded, now=now)
        handled = ([result.send] if result.send is not None else []) + list(result.drop)
        for moment in handled:
            settled[id(moment)] = settled.get(id(moment), 0) + 1
            assert moment.due <= now
        if result.send is not None:
            sent.append(result.send)
            assert now < result.send.useful_until
        if handled:
            latest = max(m.due for m in handled)
            assert recorded is None or latest > recorded
            recorded = latest
        upcoming = next_due(moments, recorded_until=recorded, now=now)
        assert upcoming is None or upcoming > now
    assert all(count == 1 for count in settled.values())
    final = nows[-1]
    assert set(settled) == {id(m) for m in moments if m.due <= final}
    assert [m.due for m in sent] == sorted(m.due for m in sent)


# --- next_due ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moments", "recorded", "now", "expected"),
    [
        pytest.param([A, B, C], None, at(-1), A.due, id="first-upcoming"),
        pytest.param([C, B, A], None, at(-1), A.due, id="order-irrelevant"),
        pytest.param([A, B, C], None, at(0), B.due, id="due-now-is-not-upcoming"),
        pytest.param([A, B, C], None, at(30), C.due, id="after-one"),
        pytest.param([A, B, C], B.due, at(-1), C.due, id="recorded-skipped"),
        pytest.param([A, B, C], None, at(48), None, id="none-left"),
        pytest.param([], None, at(0), None, id="empty"),
        pytest.param([mo(10, 5), B], None, at(0), B.due, id="useless-on-arrival-skipped"),
        pytest.param([mo(10, 10), B], None, at(0), B.due, id="due-equals-useful-skipped"),
        pytest.param([mo(10, 10.5)], None, at(0), at(10), id="barely-useful"),
        pytest.param([A, B], at(100), at(0), None, id="all-recorded"),
    ],
)
def test_next_due_table(
    moments: list[Moment], recorded: datetime | None, now: datetime, expected: datetime | None
) -> None:
    """R23: the earliest unrecorded upcoming moment still useful when due."""
    assert next_due(moments, recorded_until=recorded, now=now) == expected


@PROPS
@given(series_st, maybe_recorded, instants)
def test_next_due_properties(
    moments: list[Moment], recorded: datetime | None, now: datetime
) -> None:
    """R23: the next trigger, and at that trigger ``pick`` sends a moment due then."""
    upcoming = next_due(moments, recorded_until=recorded, now=now)
    candidates = [
        m.due
        for m in moments
        if m.due > now and (recorded is None or m.due > recorded) and m.due < m.useful_until
    ]
    assert upcoming == min(candidates, default=None)
    if upcoming is not None:
        result = pick(moments, recorded_until=recorded, now=upcoming)
        assert result.send is not None
        assert result.send.due == upcoming
