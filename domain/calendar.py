"""Business days (R8) and the business-day arithmetic of notices and reminders (R7, R22).

A business day is Monday to Friday, except Mexico's official holidays (Ley Federal del
Trabajo art. 74, exactly as the ``holidays`` package gives them for ``MX``) and the days
the secretariat declared non-working (R8). Mexico moves no holiday that falls on a
weekend, so no "observed" day is ever added (R8).

Customary public-sector rest days (Holy Thursday and Friday, 2 November, 12 December,
optionally 5 May) are never non-working by themselves: :func:`customary_days` only
*proposes* them, and they count once the facilitator declares them (R8).

R7 counts the business days strictly between two dates; R22 counts "the N-th business
day before/after D". Both live here so that the two readings sit side by side and their
difference is visible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays

MAX_RANGE_DAYS = 366  # a declared vacation longer than a (leap) year is a typo, not a plan
DECLARED_REASON = "día inhábil declarado"  # R8
#: Spanish names, for every message and document that writes a date out (R7, R14, R15).
MONTH_NAMES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
WEEKDAY_NAMES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_WEEKEND_NAMES = {5: WEEKDAY_NAMES[5], 6: WEEKDAY_NAMES[6]}
_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=256)
def _official_holidays(year: int) -> Mapping[date, str]:
    """Mexico's official holidays of ``year`` (R8), built once per year.

    Building a ``holidays`` table is slow compared with a dict lookup, hence the cache.
    A read-only plain mapping is cached rather than the ``HolidayBase`` itself: looking
    up a date of another year in a ``HolidayBase`` silently adds that year to it
    (``expand``), and a shared cached object must never change. ``observed=False`` is
    explicit although the MX calendar defines no observed days: R8, Mexico moves no
    holiday that falls on a weekend.
    """
    table = holidays.country_holidays(
        "MX", years=year, language="es", observed=False, expand=False
    )
    return MappingProxyType(dict(table))


@dataclass(frozen=True)
class BusinessCalendar:
    """One secretariat's business days (R8).

    Attributes:
        declared: the days the secretariat declared non-working (R8), already expanded
            from ranges with :func:`expand_range`; their source is kept by storage.
    """

    declared: frozenset[date] = frozenset()

    def official_holiday(self, day: date) -> str | None:
        """The Spanish name of the official holiday on ``day``, or ``None`` (R8).

        Official holidays are art. 74 LFT's, as the ``holidays`` package gives them for
        MX: 1 January, the first Monday of February, the third Monday of March, 1 May,
        16 September, 1 October every six years (2024, 2030, …), the third Monday of
        November and 25 December. Election days (art. 74 X) are not in the package and
        a secretariat declares them when they apply.
        """
        return _official_holidays(day.year).get(day)

    def is_business_day(self, day: date) -> bool:
        """Whether ``day`` is a business day: Monday–Friday, no holiday, not declared (R8)."""
        return (
            day.weekday() < 5 and day not in self.declared and self.official_holiday(day) is None
        )

    def why_not_business(self, day: date) -> str | None:
        """A short Spanish reason why ``day`` is not a business day, ``None`` if it is.

        The holiday's name comes first because it is the most informative ("Día del
        Trabajo" says more than "sábado" for Saturday 1 May 2027); a declared day on a
        weekend reads as the weekday, since it would not be a business day anyway.
        """
        holiday = self.official_holiday(day)
        if holiday is not None:
            return holiday
        weekend = _WEEKEND_NAMES.get(day.weekday())
        if weekend is not None:
            return weekend
        if day in self.declared:
            return DECLARED_REASON
        return None

    def next_business_day(self, day: date) -> date:
        """The first business day on or after ``day`` (R7: the date the bot suggests)."""
        while not self.is_business_day(day):
            day += _ONE_DAY
        return day

    def business_days_strictly_between(self, a: date, b: date) -> int:
        """Business days ``d`` with ``a < d < b``: R7's count, neither end counted.

        Zero when ``b <= a + 1 day``. Weekdays are counted arithmetically and the
        holidays and declared days that fall on weekdays are then taken away, so the cost
        does not grow with the distance between the dates (beyond one holiday table per
        year).
        """
        first, last = a + _ONE_DAY, b - _ONE_DAY
        if last < first:
            return 0
        weekdays = _weekdays_between(first, last)
        closed = {
            day
            for year in range(first.year, last.year + 1)
            for day in _official_holidays(year)
            if first <= day <= last and day.weekday() < 5
        }
        closed.update(day for day in self.declared if first <= day <= last and day.weekday() < 5)
        return weekdays - len(closed)

    def business_day_before(self, day: date, n: int) -> date:
        """R22's "``n`` business days before ``day``": the n-th counting back, ``day`` excluded.

        Before Monday 2026-12-07, 1 business day is Friday 2026-12-04 and 3 are Wednesday
        2026-12-02. This is not R7's strictly-between count.

        Raises:
            ValueError: when ``n < 1``; "0 business days before" names no day.
        """
        return self._nth_business_day(day, n, -_ONE_DAY)

    def business_day_after(self, day: date, n: int) -> date:
        """R22's "``n`` business days after ``day``": the n-th counting forward, ``day`` excluded.

        Raises:
            ValueError: when ``n < 1``; "0 business days after" names no day.
        """
        return self._nth_business_day(day, n, _ONE_DAY)

    def _nth_business_day(self, day: date, n: int, step: timedelta) -> date:
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        remaining = n
        while remaining:
            day += step
            if self.is_business_day(day):
                remaining -= 1
        return day


def _weekdays_between(first: date, last: date) -> int:
    """Monday–Friday days in ``[first, last]`` (inclusive; ``first <= last``)."""
    span = (last - first).days + 1
    weeks, rest = divmod(span, 7)
    start = first.weekday()
    return weeks * 5 + sum(1 for offset in range(rest) if (start + offset) % 7 < 5)


def easter_sunday(year: int) -> date:
    """Western Easter Sunday of ``year`` (proleptic Gregorian calendar).

    The anonymous Gregorian algorithm (Meeus/Jones/Butcher), so that proposing Holy
    Thursday and Friday (R8) needs nothing beyond the stdlib.
    """
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def customary_days(year: int, *, cinco_de_mayo: bool = False) -> list[tuple[date, str]]:
    """The customary public-sector rest days of ``year`` to *propose*, in date order (R8).

    They are never applied automatically: a federal court held that 2 November is not a
    notorious holiday, so a day becomes non-working only once the facilitator declares
    it. Days falling on a weekend are still listed, so that the proposal is the same
    list every year; declaring them changes nothing.

    Args:
        year: the year to propose for.
        cinco_de_mayo: also propose 5 May (Batalla de Puebla), a rest day in some
            municipalities only.
    """
    easter = easter_sunday(year)
    days = [
        (easter - timedelta(days=3), "Jueves Santo"),
        (easter - timedelta(days=2), "Viernes Santo"),
        (date(year, 11, 2), "Día de Muertos"),
        (date(year, 12, 12), "Día de la Virgen de Guadalupe"),
    ]
    if cinco_de_mayo:
        days.append((date(year, 5, 5), "Batalla de Puebla"))
    return sorted(days)


def expand_range(start: date, end: date) -> list[date]:
    """Every day from ``start`` to ``end`` inclusive: a declared period as days (R8).

    Raises:
        ValueError: when ``end`` is before ``start``, or the range is longer than
            ``MAX_RANGE_DAYS`` (a typo in a year would otherwise declare decades).
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    length = (end - start).days + 1
    if length > MAX_RANGE_DAYS:
        raise ValueError(f"range of {length} days exceeds {MAX_RANGE_DAYS}")
    return [start + timedelta(days=offset) for offset in range(length)]
