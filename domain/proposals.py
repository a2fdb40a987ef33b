"""Which customary public-sector days to propose now (R8).

Only days still ahead are worth proposing; from October on, next year's days are
proposed too, so that a January convocation already counts them.
"""

from __future__ import annotations

from datetime import date

from domain.calendar import customary_days

#: From this month on, next year's customary days are proposed as well.
NEXT_YEAR_FROM_MONTH = 10


def customary_to_propose(today: date) -> list[tuple[date, str]]:
    """Customary weekdays from ``today`` on, this year's and (late in the year) next year's."""
    years = [today.year]
    if today.month >= NEXT_YEAR_FROM_MONTH:
        years.append(today.year + 1)
    return [
        (day, label)
        for year in years
        # 5 May is customary in some municipalities only: proposed too, as a choice (R8).
        for day, label in customary_days(year, cinco_de_mayo=True)
        if day >= today and day.weekday() < 5  # a weekend day is not a business day anyway
    ]
