"""Compliance per month (R6, R15, R16) and Mexico's states (R1, R19), pure: tables and
hypothesis properties."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.agreements import Status
from domain.compliance import (
    WINDOW_MONTHS,
    AgreementDue,
    Record,
    SessionHeld,
    compliance,
    window,
)
from domain.follow_up_report import Month, month_of
from domain.mexican_states import (
    DEFAULT_STATE,
    STATES,
    parse_state,
    state_by_slug,
    state_slug,
)
from domain.microsite import RESERVED_SLUGS
from domain.reminders import minutes_deadline

TODAY = date(2026, 12, 2)  # Wednesday; December 2026 is in progress
LONG_AGO = date(2024, 1, 10)


def record(**fields: object) -> Record:
    values: dict[str, object] = {"created_on": LONG_AGO, "following_month": False}
    values.update(fields)
    return Record(**values)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ window


@pytest.mark.parametrize(
    ("fields", "first", "last"),
    [
        # the last 12 months up to the current one
        ({}, Month(2026, 1), Month(2026, 12)),
        # a term that began in September (Michoacán's municipal terms, R5) is shorter
        ({"term_start": date(2026, 9, 1)}, Month(2026, 9), Month(2026, 12)),
        # a term that began long ago does not widen the window
        ({"term_start": date(2021, 9, 1)}, Month(2026, 1), Month(2026, 12)),
        # a secretariat created in October has no months before it
        ({"created_on": date(2026, 10, 20)}, Month(2026, 10), Month(2026, 12)),
        # a term that ended in August: its last 12 months end there
        (
            {"term_start": date(2024, 9, 1), "term_end": date(2026, 8, 31)},
            Month(2025, 9),
            Month(2026, 8),
        ),
        # a term ending later this month or after: the current month still ends it
        ({"term_end": date(2027, 8, 31)}, Month(2026, 1), Month(2026, 12)),
        # created today: one month, the current one
        ({"created_on": TODAY}, Month(2026, 12), Month(2026, 12)),
    ],
)
def test_the_window(fields: dict[str, object], first: Month, last: Month) -> None:
    months = window(record(**fields), TODAY)
    assert (months[0], months[-1]) == (first, last)
    assert all(b == a.next for a, b in itertools.pairwise(months))


# ----------------------------------------------------------------------- month by month


def test_a_month_without_an_ordinary_session_is_shown_as_such() -> None:
    """R6: November had none (only an extraordinary one and one without quorum)."""
    r = record(
        created_on=date(2026, 9, 15),
        sessions=(
            SessionHeld(date(2026, 9, 20), ordinary=True, installed=True),
            SessionHeld(date(2026, 10, 8), ordinary=True, installed=True),
            SessionHeld(date(2026, 10, 22), ordinary=True, installed=True),
            SessionHeld(date(2026, 11, 5), ordinary=False, installed=True),
            SessionHeld(date(2026, 11, 19), ordinary=True, installed=False),  # sin quórum
        ),
    )
    c = compliance(r, TODAY)
    by_month = {m.month: m for m in c.months}
    assert [str(m.month) for m in c.months] == ["2026-09", "2026-10", "2026-11", "2026-12"]
    assert by_month[Month(2026, 9)].ordinary_held == 1
    assert by_month[Month(2026, 10)].ordinary_held == 2
    november = by_month[Month(2026, 11)]
    assert november.without_ordinary
    assert november.extraordinary_held == 1
    assert november.ordinary_without_quorum == 1
    december = by_month[Month(2026, 12)]
    assert december.in_progress
    assert december.without_ordinary
    # the month in progress may still get its session: not counted against it
    assert c.months_without_ordinary == 1


@pytest.mark.parametrize(
    ("held_on", "sent_on", "following_month", "field"),
    [
        # R15: by the last calendar day of the session's month
        (date(2026, 10, 8), date(2026, 10, 31), False, "minutes_on_time"),
        (date(2026, 10, 8), date(2026, 11, 1), False, "minutes_late"),
        (date(2026, 10, 8), None, False, "minutes_overdue"),
        # this month's session: still within the deadline
        (date(2026, 12, 1), None, False, "minutes_pending"),
        # plazo_acta = mes_siguiente: October's minutes are due November 30th
        (date(2026, 10, 8), date(2026, 11, 30), True, "minutes_on_time"),
        (date(2026, 10, 8), date(2026, 12, 1), True, "minutes_late"),
        (date(2026, 11, 3), None, True, "minutes_pending"),  # due December 31st
        (date(2026, 10, 8), None, True, "minutes_overdue"),  # due November 30th
    ],
)
def test_minutes_on_time_late_overdue_pending(
    held_on: date, sent_on: date | None, following_month: bool, field: str
) -> None:
    r = record(
        following_month=following_month,
        sessions=(SessionHeld(held_on, ordinary=True, installed=True, minutes_sent_on=sent_on),),
    )
    (month,) = [m for m in compliance(r, TODAY).months if m.month == month_of(held_on)]
    counts = {
        f: getattr(month, f)
        for f in ("minutes_on_time", "minutes_late", "minutes_overdue", "minutes_pending")
    }
    assert counts == {f: int(f == field) for f in counts}


def test_a_session_without_quorum_owes_no_minutes() -> None:
    """R14: only held (installed) sessions have minutes."""
    r = record(sessions=(SessionHeld(date(2026, 10, 8), ordinary=True, installed=False),))
    c = compliance(r, TODAY)
    assert sum(m.minutes for m in c.months) == 0


def test_open_agreements_past_due() -> None:
    """R16: open (pendiente, en proceso) and due before today; closed ones never count."""
    r = record(
        agreements=(
            AgreementDue(date(2026, 11, 30), Status.PENDIENTE),  # overdue
            AgreementDue(date(2026, 11, 30), Status.EN_PROCESO),  # overdue
            AgreementDue(date(2026, 11, 30), Status.CUMPLIDO),  # done
            AgreementDue(date(2026, 10, 1), Status.CANCELADO),  # closed
            AgreementDue(TODAY, Status.PENDIENTE),  # due today: not yet past due
            AgreementDue(None, Status.PENDIENTE),  # no due date
            AgreementDue(date(2024, 3, 1), Status.PENDIENTE),  # before the window: total only
        ),
    )
    c = compliance(r, TODAY)
    by_month = {m.month: m.agreements_overdue for m in c.months}
    assert by_month[Month(2026, 11)] == 2
    assert sum(by_month.values()) == 2
    assert c.agreements_overdue == 3


def test_sessions_outside_the_window_are_not_shown() -> None:
    r = record(
        sessions=(SessionHeld(date(2025, 12, 31), ordinary=True, installed=True),),
    )
    c = compliance(r, TODAY)
    assert sum(m.ordinary_held for m in c.months) == 0
    assert c.minutes_overdue == 0


def test_the_deadline_is_the_reminders_own() -> None:
    """No copy of R15: the same function /actas and the reminders use."""
    assert minutes_deadline(date(2026, 2, 10), following_month=False) == date(2026, 2, 28)
    assert minutes_deadline(date(2026, 12, 10), following_month=True) == date(2027, 1, 31)


# ----------------------------------------------------------------------------- properties

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 6, 30))


@st.composite
def sessions(draw: st.DrawFn) -> SessionHeld:
    held_on = draw(days)
    installed = draw(st.booleans())
    sent = draw(st.none() | st.integers(min_value=0, max_value=90)) if installed else None
    return SessionHeld(
        held_on,
        ordinary=draw(st.booleans()),
        installed=installed,
        minutes_sent_on=held_on + timedelta(days=sent) if sent is not None else None,
    )


records = st.builds(
    Record,
    created_on=days,
    following_month=st.booleans(),
    sessions=st.lists(sessions(), max_size=30).map(tuple),
    agreements=st.lists(
        st.builds(AgreementDue, st.none() | days, st.sampled_from(list(Status))), max_size=20
    ).map(tuple),
    term_start=st.none() | days,
    term_end=st.none() | days,
)


@given(records, days)
def test_window_is_contiguous_at_most_a_year_and_ends_at_the_current_month(
    r: Record, today: date
) -> None:
    months = window(r, today)
    assert 1 <= len(months) <= WINDOW_MONTHS
    assert all(b == a.next for a, b in itertools.pairwise(months))
    assert months[-1] <= month_of(today)
    if r.term_end is None or r.term_end >= today:
        assert months[-1] == month_of(today)


@given(records, days)
def test_every_installed_session_of_the_window_is_counted_once(r: Record, today: date) -> None:
    c = compliance(r, today)
    shown = {m.month for m in c.months}
    inside = [s for s in r.sessions if month_of(s.held_on) in shown]
    installed = [s for s in inside if s.installed]
    assert sum(m.minutes for m in c.months) == len(installed)
    assert sum(m.ordinary_held for m in c.months) == sum(s.ordinary for s in installed)
    assert sum(m.extraordinary_held for m in c.months) == sum(not s.ordinary for s in installed)
    assert sum(m.ordinary_without_quorum for m in c.months) == sum(
        s.ordinary for s in inside if not s.installed
    )
    # minutes sent are never overdue or pending; unsent ones are never on time or late
    sent = [s for s in installed if s.minutes_sent_on is not None]
    assert c.minutes_on_time + c.minutes_late == len(sent)
    assert c.minutes_overdue + c.minutes_pending == len(installed) - len(sent)


@given(records, days)
def test_months_without_ordinary_and_overdue_agreements_are_bounded(
    r: Record, today: date
) -> None:
    c = compliance(r, today)
    assert 0 <= c.months_without_ordinary <= len(c.months)
    assert sum(m.in_progress for m in c.months) <= 1
    open_past_due = sum(
        a.due is not None and not a.status.closed and a.due < today for a in r.agreements
    )
    assert c.agreements_overdue == open_past_due
    assert sum(m.agreements_overdue for m in c.months) <= open_past_due


@given(records, days, st.integers(min_value=1, max_value=400))
def test_a_later_sending_never_improves_the_status(r: Record, today: date, delay: int) -> None:
    """Sending the same minutes later never turns late into on time (R15 is monotone)."""
    later = Record(
        **{
            **vars(r),
            "sessions": tuple(
                SessionHeld(
                    s.held_on,
                    s.ordinary,
                    s.installed,
                    s.minutes_sent_on + timedelta(days=delay) if s.minutes_sent_on else None,
                )
                for s in r.sessions
            ),
        }
    )
    assert compliance(later, today).minutes_on_time <= compliance(r, today).minutes_on_time


# ------------------------------------------------------------------------------- states


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Michoacán", "Michoacán"),
        ("michoacan", "Michoacán"),
        ("MICHOACÁN DE OCAMPO", "Michoacán"),
        ("  nuevo   león ", "Nuevo León"),
        ("nuevo_leon", "Nuevo León"),
        ("nuevo-leon", "Nuevo León"),
        ("Ciudad de Mexico", "Ciudad de México"),
        ("CDMX", "Ciudad de México"),
        ("méxico", "Estado de México"),
        ("Estado de México", "Estado de México"),
        ("veracruz de ignacio de la llave", "Veracruz"),
        ("san luis potosi", "San Luis Potosí"),
        ("YUCATAN", "Yucatán"),
    ],
)
def test_states_as_typed(typed: str, name: str) -> None:
    assert parse_state(typed) == name


@pytest.mark.parametrize("typed", ["", "Texas", "Michoacana", "Zamora", "Baja", "-"])
def test_unknown_states_are_refused(typed: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(typed)}$"):
        parse_state(typed)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Michoacán", "michoacan"),
        ("Ciudad de México", "ciudad-de-mexico"),
        ("Nuevo León", "nuevo-leon"),
        ("Baja California Sur", "baja-california-sur"),
        ("San Luis Potosí", "san-luis-potosi"),
    ],
)
def test_state_slugs(name: str, slug: str) -> None:
    assert state_slug(name) == slug
    assert state_by_slug(slug) == name


def test_the_32_states() -> None:
    assert len(STATES) == 32
    assert DEFAULT_STATE == "Michoacán"  # the founding act is Zamora, Michoacán's
    slugs = {state_slug(name) for name in STATES}
    assert len(slugs) == 32
    assert not slugs & RESERVED_SLUGS
    assert state_by_slug("Michoacan") is None  # the address is exact, as the site writes it
    assert state_by_slug("cumplimiento") is None
    assert "cumplimiento" in RESERVED_SLUGS  # no secretariat may take the pages' path


@given(st.sampled_from(STATES))
def test_every_state_round_trips_through_its_slug_and_any_spelling(name: str) -> None:
    assert state_by_slug(state_slug(name)) == name
    assert parse_state(name.upper()) == name
    assert parse_state(state_slug(name)) == name
