"""R11 cancellation: the 24-hour window, the state table, and properties."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.cancellation import (
    APPROVAL_WINDOW,
    CancellationState,
    approvals_close_at,
    can_request,
    cancellation_state,
)

CDMX = ZoneInfo("America/Mexico_City")
START = datetime(2026, 12, 8, 10, 0, tzinfo=CDMX)
CLOSE = datetime(2026, 12, 7, 10, 0, tzinfo=CDMX)
SEATS = {1, 2, 3, 4, 5}
H = timedelta(hours=1)

P = CancellationState.PENDIENTE
OK = CancellationState.APROBADA
NO = CancellationState.RECHAZADA
OUT = CancellationState.VENCIDA


def test_window() -> None:
    """R11: approvals close, and the notice must be out, 24 h before the start."""
    assert timedelta(hours=24) == APPROVAL_WINDOW
    assert approvals_close_at(START) == CLOSE
    assert can_request(CLOSE - timedelta(seconds=1), START)
    assert not can_request(CLOSE, START)  # at start − 24 h the bot stops accepting
    assert not can_request(START, START)


def test_window_is_real_hours_across_offsets() -> None:
    """The same instant in another zone gives the same answer: 24 elapsed hours."""
    utc_start = START.astimezone(UTC)
    assert approvals_close_at(utc_start) == CLOSE
    assert can_request((CLOSE - H).astimezone(UTC), START)
    assert not can_request(CLOSE.astimezone(ZoneInfo("America/Tijuana")), utc_start)


@pytest.mark.parametrize(
    "call",
    [
        lambda: approvals_close_at(datetime(2026, 12, 8, 10)),  # noqa: DTZ001
        lambda: can_request(datetime(2026, 12, 1), START),  # noqa: DTZ001
        lambda: can_request(CLOSE - H, datetime(2026, 12, 8, 10)),  # noqa: DTZ001
        lambda: cancellation_state({}, SEATS, datetime(2026, 12, 1), START),  # noqa: DTZ001
        lambda: cancellation_state({}, SEATS, CLOSE, datetime(2026, 12, 8)),  # noqa: DTZ001
    ],
)
def test_naive_datetimes_are_refused(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


def test_no_seats_is_a_bug() -> None:
    with pytest.raises(ValueError, match="seat"):
        cancellation_state({}, set(), CLOSE - H, START)


@pytest.mark.parametrize(
    ("approvals", "now", "expected"),
    [
        # nobody answered yet
        ({}, CLOSE - H, P),
        # some approvals, window open
        ({1: True, 2: True}, CLOSE - H, P),
        # R11: every seat approving -> approved at once
        (dict.fromkeys(SEATS, True), CLOSE - 48 * H, OK),
        # R11: a single "No apruebo" rejects at once, even with everyone else approving
        ({1: False}, CLOSE - 48 * H, NO),
        ({1: True, 2: True, 3: True, 4: True, 5: False}, CLOSE - H, NO),
        # R11: the window closed without every approval -> lapsed, the session stands
        ({}, CLOSE, OUT),
        ({1: True, 2: True, 3: True, 4: True}, CLOSE, OUT),
        ({1: True}, START + H, OUT),
        # decided states outrank the clock (decided before the close, evaluated after)
        (dict.fromkeys(SEATS, True), CLOSE + H, OK),
        ({3: False}, START, NO),
        # answers of non-seats (facilitator, observers: R2) are ignored
        ({1: True, 2: True, 3: True, 4: True, 5: True, 99: False}, CLOSE - H, OK),
        ({99: True, 98: True, 97: True, 96: True, 95: True}, CLOSE - H, P),
    ],
)
def test_state_table(
    approvals: dict[int, bool], now: datetime, expected: CancellationState
) -> None:
    assert cancellation_state(approvals, SEATS, now, START) is expected


def test_final() -> None:
    assert [s for s in CancellationState if not s.final] == [P]


# --- properties -----------------------------------------------------------------------

seat_sets = st.sets(st.integers(min_value=1, max_value=7), min_size=1, max_size=7)
offsets = st.integers(min_value=-72 * 60, max_value=72 * 60)  # minutes around the close


@st.composite
def scenario(draw: st.DrawFn) -> tuple[set[int], dict[int, bool]]:
    seats = draw(seat_sets)
    answering = draw(st.sets(st.sampled_from(sorted(seats))))
    return seats, {seat: draw(st.booleans()) for seat in answering}


@given(scenario(), offsets, st.randoms(use_true_random=False))
def test_order_of_answers_is_irrelevant(
    case: tuple[set[int], dict[int, bool]], offset: int, rnd: random.Random
) -> None:
    seats, approvals = case
    now = CLOSE + timedelta(minutes=offset)
    items = list(approvals.items())
    rnd.shuffle(items)
    assert cancellation_state(dict(items), seats, now, START) is cancellation_state(
        approvals, seats, now, START
    )


@given(scenario(), offsets, st.data())
def test_a_no_always_wins(
    case: tuple[set[int], dict[int, bool]], offset: int, data: st.DataObject
) -> None:
    seats, approvals = case
    refuser = data.draw(st.sampled_from(sorted(seats)))
    now = CLOSE + timedelta(minutes=offset)
    assert cancellation_state({**approvals, refuser: False}, seats, now, START) is NO


@given(scenario(), offsets)
def test_state_matches_the_definition(case: tuple[set[int], dict[int, bool]], offset: int) -> None:
    seats, approvals = case
    now = CLOSE + timedelta(minutes=offset)
    state = cancellation_state(approvals, seats, now, START)
    if False in approvals.values():
        assert state is NO
    elif approvals.keys() == seats:
        assert state is OK
    else:
        assert state is (OUT if now >= CLOSE else P)


answers = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=7),  # seat (may not be one: then ignored)
        st.booleans(),
        st.integers(min_value=-72 * 60, max_value=30 * 60),  # minutes from the close
    ),
    max_size=20,
)


@given(seat_sets, answers, st.lists(offsets, min_size=1, max_size=5))
def test_a_late_answer_never_changes_a_decided_state(
    seats: set[int], stream: list[tuple[int, bool, int]], later: list[int]
) -> None:
    """Finality, as the bot applies it (module docstring).

    The bot replays answers in time order and records one only while the state at that
    moment is PENDIENTE. Let the decision time be the moment of the deciding answer, or
    the close when the window lapses. Then (a) every answer after the decision time is
    refused, and (b) the state evaluated at the decision time equals the state evaluated,
    with the same recorded answers, at any later moment.
    """
    accepted: dict[int, bool] = {}
    refused: list[datetime] = []
    decided_at: datetime | None = None
    for seat, approves, minute in sorted(stream, key=lambda item: item[2]):
        at = CLOSE + timedelta(minutes=minute)
        if cancellation_state(accepted, seats, at, START).final:
            refused.append(at)
            continue
        accepted[seat] = approves
        if decided_at is None and cancellation_state(accepted, seats, at, START).final:
            decided_at = at
    if decided_at is None:
        decided_at = CLOSE  # nothing decided before the window closed: it lapses then
    assert all(at >= decided_at for at in refused)  # (a)
    decided = cancellation_state(accepted, seats, decided_at, START)
    assert decided.final
    for minute in later:
        moment = max(decided_at, CLOSE + timedelta(minutes=minute))
        assert cancellation_state(accepted, seats, moment, START) is decided  # (b)
