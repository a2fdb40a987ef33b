"""The follow-up report of the action plan (R16a, II.6): its month and what it says.

A report covers one calendar month in the secretariat's time zone: from local midnight
of the 1st to local midnight of the next month's 1st (so a change at 23:30 on January 31
in Zamora is January's, although it is already February in UTC). ``/reporte`` without a
month reports the previous one; the month in progress may be reported (its figures are
those of the moment), a month that has not begun may not.

:class:`Report` is everything the PDF shows, as plain values: the storage service builds
it, ``bot.report_files`` lays it out. Levels and statuses are those *at the end of the
period*, read from the history rows (each one stores the level or status after it), so a
report of January says the same thing in March as it did on February 1st.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from fractions import Fraction
from zoneinfo import ZoneInfo

from domain.action_plan import Level
from domain.agreements import Status
from domain.calendar import MONTH_NAMES
from domain.errors import ReportMonthAhead

__all__ = [
    "AGREEMENT_KINDS",
    "COMMITMENT_KINDS",
    "AgreementChangeLine",
    "AgreementLine",
    "CommitmentChangeLine",
    "CommitmentLine",
    "Month",
    "Report",
    "SessionLine",
    "check_reportable",
    "default_month",
    "filename",
    "month_of",
    "overdue",
    "parse_month",
    "percent",
]

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)

#: How the report names the kinds of ``commitment_changes`` rows the action plan writes.
COMMITMENT_KINDS = {
    "registro": "registro",
    "hito": "hito agregado",
    "avance": "avance de hito",
    "nivel": "nivel fijado",
}
#: How the report names the kinds of ``agreement_changes`` rows (R16).
AGREEMENT_KINDS = {
    "registro": "registro",
    "responsable": "responsable",
    "plazo": "plazo",
    "estado": "seguimiento",
}


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, ``2027-01``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 9999:
            raise ValueError(f"no such month: {self.year}-{self.month}")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """``enero de 2027``."""
        return f"{MONTH_NAMES[self.month - 1]} de {self.year}"

    @property
    def first_day(self) -> date:
        """The 1st of the month."""
        return date(self.year, self.month, 1)

    @property
    def next(self) -> Month:
        """The month after."""
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def previous(self) -> Month:
        """The month before."""
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def last_day(self) -> date:
        """The month's last day (28 … 31)."""
        return date.fromordinal(self.next.first_day.toordinal() - 1)

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        """``[start, end)`` in UTC: local midnight of the 1st to that of the next 1st."""
        zone = ZoneInfo(tz)
        start = datetime.combine(self.first_day, time(0), tzinfo=zone)
        end = datetime.combine(self.next.first_day, time(0), tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)


def parse_month(raw: str) -> Month | None:
    """``AAAA-MM`` as typed (ASCII digits, month 01 … 12), else ``None``."""
    match = _MONTH.fullmatch(raw.strip())
    if match is None:
        return None
    try:
        return Month(int(match[1]), int(match[2]))
    except ValueError:
        return None


def month_of(day: date) -> Month:
    """The month ``day`` falls in."""
    return Month(day.year, day.month)


def default_month(today: date) -> Month:
    """``/reporte`` alone: the previous month (II.6 reports close a month)."""
    return month_of(today).previous


def check_reportable(month: Month, today: date) -> None:
    """A month that has not begun has nothing to report (the current one may be reported).

    Raises:
        ReportMonthAhead: ``month`` is after ``today``'s month.
    """
    current = month_of(today)
    if month > current:
        raise ReportMonthAhead(month.label, current.label)


def overdue(due: date | None, status: Status, *, as_of: date) -> bool:
    """An open agreement (R16) whose due date is before ``as_of`` is overdue then."""
    return due is not None and not status.closed and due < as_of


def percent(share: Fraction) -> int:
    """Whole percent done, rounded down like ``progress_bar``: 99.9 % is not "100 %"."""
    return int(share * 100)


def filename(month: Month) -> str:
    """``informe-seguimiento-2027-01.pdf``."""
    return f"informe-seguimiento-{month}.pdf"


# ------------------------------------------------------------------------- what it says


@dataclass(frozen=True)
class CommitmentLine:
    """A commitment at the end of the period."""

    code: str  # C-3
    title: str
    level: Level
    level_manual: bool  # set by hand with a reason (R16a), not derived from the milestones
    share: Fraction  # weighted share of milestones done, 0 … 1
    done: int
    total: int

    @property
    def percent(self) -> int:
        """Whole percent done."""
        return percent(self.share)


@dataclass(frozen=True)
class CommitmentChangeLine:
    """One ``commitment_changes`` row of the period."""

    at: str  # AAAA-MM-DD HH:MM, local
    code: str  # C-3 or C-3.2 (a milestone's change)
    kind: str  # registro | hito | avance | nivel
    level: Level  # the commitment's level after the change
    note: str | None

    @property
    def kind_label(self) -> str:
        """How the report names the change."""
        return COMMITMENT_KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class AgreementLine:
    """An agreement (R16) at the end of the period."""

    code: str
    text: str
    responsible: str | None
    due_date: date | None
    status: Status
    overdue: bool


@dataclass(frozen=True)
class AgreementChangeLine:
    """One ``agreement_changes`` row of the period."""

    at: str
    code: str
    kind: str  # registro | responsable | plazo | estado
    status: Status | None
    note: str | None

    @property
    def kind_label(self) -> str:
        """How the report names the change."""
        return AGREEMENT_KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class SessionLine:
    """A session held in the period (installed, or held without quorum: R9)."""

    number: int
    title: str
    kind: str  # ordinaria | extraordinaria
    day: date
    time: str  # HH:MM local
    quorum: bool
    present: int | None  # seats present at the roll call
    seats: int | None  # R9's denominator
    agreements: int  # agreements adopted in it (R16)


@dataclass(frozen=True)
class Report:
    """The follow-up report of one month (II.6), as the PDF shows it."""

    secretariat: str
    month: Month
    time_zone: str
    generated_at: str  # AAAA-MM-DD HH:MM, local
    in_progress: bool  # the current month: figures at ``generated_at``
    commitments: tuple[CommitmentLine, ...]
    commitment_changes: tuple[CommitmentChangeLine, ...]
    agreements: tuple[AgreementLine, ...]
    agreement_changes: tuple[AgreementChangeLine, ...]
    sessions: tuple[SessionLine, ...]

    @property
    def level_counts(self) -> dict[Level, int]:
        """Commitments per level, every level listed (zeros too), in order."""
        counts = Counter(c.level for c in self.commitments)
        return {level: counts[level] for level in Level}

    @property
    def status_counts(self) -> dict[Status, int]:
        """Agreements per status at the end of the period, every status listed."""
        counts = Counter(a.status for a in self.agreements)
        return {status: counts[status] for status in Status}

    @property
    def overdue_count(self) -> int:
        """Open agreements past their due date at the end of the period."""
        return sum(a.overdue for a in self.agreements)

    @property
    def empty(self) -> bool:
        """Nothing at all to report: no commitment, agreement or session, no change."""
        return not (
            self.commitments
            or self.commitment_changes
            or self.agreements
            or self.agreement_changes
            or self.sessions
        )
