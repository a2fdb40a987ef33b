"""Compliance of a secretariat, month by month, for its oversight (R6, R15, R16; R1).

What the garante's liaison (``/cumplimiento``) and the public (``/cumplimiento`` and
``/<slug-of-state>/cumplimiento`` on the microsite) see for each secretariat:

* **R6** — ordinary sessions *held* in each calendar month (held = installed with quorum,
  R14: only those have minutes); a month with none is "sin sesión ordinaria", and the
  ordinary sessions that were called but found no quorum (R9) are counted beside it, so
  the reader knows the secretariat tried;
* **R15** — the minutes of every session held in that month (ordinary or extraordinary):
  sent on time, sent late, overdue (not sent and past the deadline) and still within the
  deadline, with the secretariat's own ``plazo_acta``. The deadline and the status come
  from ``domain.reminders`` (``minutes_deadline``, ``minutes_status``): the same rule
  ``/actas`` and the reminders apply, not a copy;
* **R16** — open agreements past their due date as of today (``follow_up_report.overdue``),
  per month of their due date within the window, and in total.

**Window.** The last 12 calendar months up to the current one (in the secretariat's time
zone), shorter when the term (``periodo_inicio``) began later or the secretariat was
created later — a month before it existed is not a month "without a session" — and ending
at the term's last month when ``periodo_fin`` has already passed. The current month is
marked *in progress*: it may still get its ordinary session.

Pure: the storage service reads the rows, this module counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.agreements import Status
from domain.calendar import MONTH_NAMES
from domain.follow_up_report import Month, month_of, overdue
from domain.reminders import MinutesStatus, minutes_deadline, minutes_status

__all__ = [
    "WINDOW_MONTHS",
    "AgreementDue",
    "Compliance",
    "MonthLine",
    "Record",
    "SessionHeld",
    "compliance",
    "window",
]

#: R6 is monthly; a year of months is what an annual review of the garante reads.
WINDOW_MONTHS = 12


@dataclass(frozen=True)
class SessionHeld:
    """A numbered session that was held (installed) or recorded without quorum (R9)."""

    held_on: date  # the local date it was held on (R8: the local date decides)
    ordinary: bool
    installed: bool  # False: called, but recorded without quorum (no minutes, R14)
    minutes_sent_on: date | None = None  # local date the minutes reached the garante


@dataclass(frozen=True)
class AgreementDue:
    """An agreement's due date and status (R16)."""

    due: date | None
    status: Status


@dataclass(frozen=True)
class Record:
    """Everything compliance reads of one secretariat."""

    created_on: date  # local date it was created
    following_month: bool  # ``plazo_acta = mes_siguiente`` (R15)
    sessions: tuple[SessionHeld, ...] = ()
    agreements: tuple[AgreementDue, ...] = ()
    term_start: date | None = None
    term_end: date | None = None


@dataclass(frozen=True)
class MonthLine:
    """One calendar month of the window."""

    month: Month
    in_progress: bool  # the current month: it may still get its ordinary session
    ordinary_held: int  # R6
    ordinary_without_quorum: int  # called, recorded without quorum (R9)
    extraordinary_held: int
    minutes_on_time: int  # R15, for the sessions held in this month
    minutes_late: int
    minutes_overdue: int
    minutes_pending: int  # not sent yet, still within the deadline
    agreements_overdue: int  # open, due in this month, due date before today (R16)

    @property
    def short_label(self) -> str:
        """``nov 2026``: how a compact list of months names it."""
        return f"{MONTH_NAMES[self.month.month - 1][:3]} {self.month.year}"

    @property
    def without_ordinary(self) -> bool:
        """R6: no ordinary session held in the month ("sin sesión ordinaria")."""
        return self.ordinary_held == 0

    @property
    def minutes(self) -> int:
        """Sessions held in the month, hence minutes owed to the garante."""
        return (
            self.minutes_on_time + self.minutes_late + self.minutes_overdue + self.minutes_pending
        )


@dataclass(frozen=True)
class Compliance:
    """The months of the window, oldest first, and the totals the summary shows."""

    months: tuple[MonthLine, ...]
    agreements_overdue: int  # every open agreement past due today, inside the window or not

    @property
    def months_without_ordinary(self) -> int:
        """Closed months of the window without an ordinary session (R6); the month in
        progress is not counted against the secretariat yet."""
        return sum(m.without_ordinary and not m.in_progress for m in self.months)

    @property
    def closed_months(self) -> tuple[MonthLine, ...]:
        """The months of the window that are over (every one but the month in progress)."""
        return tuple(m for m in self.months if not m.in_progress)

    @property
    def minutes_on_time(self) -> int:
        """Minutes sent on time in the window."""
        return sum(m.minutes_on_time for m in self.months)

    @property
    def minutes_late(self) -> int:
        """Minutes sent after the deadline in the window."""
        return sum(m.minutes_late for m in self.months)

    @property
    def minutes_overdue(self) -> int:
        """Minutes not sent and past the deadline in the window."""
        return sum(m.minutes_overdue for m in self.months)

    @property
    def minutes_pending(self) -> int:
        """Minutes not sent yet, still within the deadline."""
        return sum(m.minutes_pending for m in self.months)


def _months_between(first: Month, last: Month) -> list[Month]:
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = month.next
    return months


def window(record: Record, today: date) -> list[Month]:
    """The months shown, oldest first (see the module's docstring); never empty: the
    current month at least, or the term's last one."""
    last = month_of(today)
    if record.term_end is not None and record.term_end < today:
        last = min(last, month_of(record.term_end))
    first = last
    for _ in range(WINDOW_MONTHS - 1):
        first = first.previous
    for start in (record.term_start, record.created_on):
        if start is not None:
            first = max(first, month_of(start))
    return _months_between(min(first, last), last)


def compliance(record: Record, today: date) -> Compliance:
    """Per month of the window: R6 sessions, R15 minutes, R16 agreements past due."""
    months = window(record, today)
    shown = set(months)
    current = month_of(today)
    by_month: dict[Month, dict[str, int]] = {m: dict.fromkeys(_FIELDS, 0) for m in months}
    for s in record.sessions:
        month = month_of(s.held_on)
        if month not in shown:
            continue
        counts = by_month[month]
        if not s.installed:
            counts["ordinary_without_quorum"] += s.ordinary
            continue
        counts["ordinary_held" if s.ordinary else "extraordinary_held"] += 1
        deadline = minutes_deadline(s.held_on, following_month=record.following_month)
        status = minutes_status(deadline, sent_on=s.minutes_sent_on, today=today)
        counts[_MINUTES_FIELD[status]] += 1
    total_overdue = 0
    for a in record.agreements:
        if not overdue(a.due, a.status, as_of=today):
            continue
        total_overdue += 1
        assert a.due is not None
        month = month_of(a.due)
        if month in shown:
            by_month[month]["agreements_overdue"] += 1
    lines = tuple(MonthLine(month=m, in_progress=m == current, **by_month[m]) for m in months)
    return Compliance(lines, total_overdue)


_FIELDS = (
    "ordinary_held",
    "ordinary_without_quorum",
    "extraordinary_held",
    "minutes_on_time",
    "minutes_late",
    "minutes_overdue",
    "minutes_pending",
    "agreements_overdue",
)
_MINUTES_FIELD = {
    MinutesStatus.A_TIEMPO: "minutes_on_time",
    MinutesStatus.FUERA_DE_PLAZO: "minutes_late",
    MinutesStatus.VENCIDA: "minutes_overdue",
    MinutesStatus.PENDIENTE: "minutes_pending",
}
