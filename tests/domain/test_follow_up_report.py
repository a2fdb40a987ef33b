"""The follow-up report's month and figures (R16a, II.6), pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.action_plan import Level
from domain.agreements import Status
from domain.errors import ReportMonthAhead
from domain.follow_up_report import (
    AgreementLine,
    CommitmentLine,
    Month,
    Report,
    check_reportable,
    default_month,
    filename,
    month_of,
    overdue,
    parse_month,
    percent,
)


@pytest.mark.parametrize(
    ("raw", "month"),
    [("2027-01", Month(2027, 1)), (" 2026-12 ", Month(2026, 12)), ("2027-10", Month(2027, 10))],
)
def test_months_as_typed(raw: str, month: Month) -> None:
    assert parse_month(raw) == month
    assert str(month) == raw.strip()


@pytest.mark.parametrize(
    "raw",
    ["2027-13", "2027-00", "2027-1", "27-01", "2027/01", "enero", "2027-01-15", "", "٢٠٢٧-01"],
)
def test_bad_months(raw: str) -> None:
    assert parse_month(raw) is None


def test_month_arithmetic_and_names() -> None:
    assert Month(2027, 1).previous == Month(2026, 12)
    assert Month(2026, 12).next == Month(2027, 1)
    assert Month(2028, 2).last_day == date(2028, 2, 29)  # leap year
    assert Month(2027, 2).last_day == date(2027, 2, 28)
    assert Month(2027, 1).label == "enero de 2027"
    assert filename(Month(2027, 1)) == "informe-seguimiento-2027-01.pdf"


def test_the_period_is_the_local_month() -> None:
    """Local midnight to local midnight: 23:30 on Jan 31 in Zamora is January's."""
    start, end = Month(2027, 1).bounds("America/Mexico_City")
    assert start == datetime(2027, 1, 1, 6, 0, tzinfo=UTC)
    assert end == datetime(2027, 2, 1, 6, 0, tzinfo=UTC)
    late = datetime(2027, 2, 1, 5, 30, tzinfo=UTC)  # 2027-01-31 23:30 in Mexico City
    assert start <= late < end
    # a zone with daylight saving time: March 2027 in Tijuana is 31 days minus one hour
    start, end = Month(2027, 3).bounds("America/Tijuana")
    assert end - start == timedelta(days=31, hours=-1)


def test_default_month_is_the_previous_one() -> None:
    assert default_month(date(2027, 2, 1)) == Month(2027, 1)
    assert default_month(date(2027, 1, 31)) == Month(2026, 12)


def test_a_month_not_begun_is_refused_the_current_one_is_not() -> None:
    today = date(2027, 2, 10)
    check_reportable(Month(2027, 2), today)  # in progress: allowed
    check_reportable(Month(2020, 5), today)
    with pytest.raises(ReportMonthAhead) as refused:
        check_reportable(Month(2027, 3), today)
    assert refused.value.month == "marzo de 2027"
    assert refused.value.latest == "febrero de 2027"


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(9998, 12, 31)))
def test_month_properties(day: date) -> None:
    month = month_of(day)
    assert month.first_day <= day <= month.last_day
    assert month.previous.next == month
    assert month.previous < month < month.next
    assert (month.next.first_day - month.last_day).days == 1
    check_reportable(default_month(day), day)
    with pytest.raises(ReportMonthAhead):
        check_reportable(month.next, day)


@pytest.mark.parametrize(
    ("due", "status", "as_of", "late"),
    [
        (date(2027, 1, 20), Status.PENDIENTE, date(2027, 2, 1), True),
        (date(2027, 1, 31), Status.EN_PROCESO, date(2027, 2, 1), True),  # the month ended
        (date(2027, 2, 1), Status.PENDIENTE, date(2027, 2, 1), False),
        (date(2027, 1, 20), Status.CUMPLIDO, date(2027, 2, 1), False),  # closed: never
        (date(2027, 1, 20), Status.CANCELADO, date(2027, 2, 1), False),
        (None, Status.PENDIENTE, date(2027, 2, 1), False),  # no due date
    ],
)
def test_overdue(due: date | None, status: Status, as_of: date, late: bool) -> None:
    assert overdue(due, status, as_of=as_of) is late


def test_percent_rounds_down() -> None:
    assert percent(Fraction(999, 1000)) == 99
    assert percent(Fraction(1, 2)) == 50
    assert percent(Fraction(1)) == 100


def _commitment(level: Level) -> CommitmentLine:
    return CommitmentLine("C-1", "T", level, False, Fraction(0), 0, 0)


def test_report_counts_list_every_level_and_status() -> None:
    report = Report(
        "Zamora",
        Month(2027, 1),
        "America/Mexico_City",
        "2027-02-01 09:00",
        False,
        (_commitment(Level.LIMITADO), _commitment(Level.LIMITADO)),
        (),
        (AgreementLine("ACU-2027-001", "X", None, date(2027, 1, 5), Status.PENDIENTE, True),),
        (),
        (),
    )
    assert report.level_counts == {
        Level.NO_INICIADO: 0,
        Level.LIMITADO: 2,
        Level.SUSTANCIAL: 0,
        Level.COMPLETO: 0,
    }
    assert list(report.status_counts.values()) == [1, 0, 0, 0]
    assert report.overdue_count == 1
    assert not report.empty
    nothing = Report(
        "Zamora", Month(2027, 1), "America/Mexico_City", "x", False, (), (), (), (), ()
    )
    assert nothing.empty
