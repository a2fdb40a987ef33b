"""R3/R13 counted ballots and R2 vote authorization: tables and properties."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.ballots import (
    Cast,
    SeatBallots,
    VoteKind,
    counted,
    may_vote,
    pending_seats,
    with_ballot,
)
from domain.outcomes import Choice
from domain.roles import Role

F = Choice.A_FAVOR
C = Choice.EN_CONTRA
A = Choice.ABSTENCION
T0 = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
SES = VoteKind.SESION
ELE = VoteKind.ELECTRONICA
SEATS = {1, 2, 3, 4, 5}


def cast(seat: int, role: str, choice: Choice, minute: int, member: int | None = None) -> Cast:
    """A ballot ``minute`` minutes after T0; members are 10*seat (+1 for the substitute)."""
    if member is None:
        member = 10 * seat + (role == "suplente")
    return Cast(seat, role, member, choice, T0 + timedelta(minutes=minute))


def choices(result: dict[int, Cast]) -> dict[int, tuple[str, Choice]]:
    return {seat: (b.voter_role, b.choice) for seat, b in result.items()}


# --- may_vote -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["facilitador", "observador", "admin", "cualquiera", "x"])
@pytest.mark.parametrize("kind", list(VoteKind))
def test_facilitator_and_observers_never_vote(role: str, kind: VoteKind) -> None:
    """R2: voice without vote."""
    assert not may_vote(kind, role, 1, SEATS, titular_present=SEATS)


@pytest.mark.parametrize(
    ("kind", "role", "seat", "titular_present", "expected"),
    [
        # R13 electronic: every eligible seat, titular or substitute
        (ELE, "titular", 1, None, True),
        (ELE, "suplente", 1, None, True),
        (ELE, Role.SUPLENTE, 1, set(), True),
        (ELE, "titular", 9, None, False),  # not a voting seat
        # R13/R3 session: titular when present, else the substitute
        (SES, "titular", 1, {1, 2}, True),
        (SES, "suplente", 1, {1, 2}, False),
        (SES, "suplente", 3, {1, 2}, True),
        (SES, "titular", 3, {1, 2}, False),
        (SES, Role.TITULAR, 2, {1, 2}, True),
        (SES, "suplente", 9, {1, 2}, False),  # seat 9 not present at the roll call
        (SES, "titular", 9, {1, 2, 9}, False),
    ],
)
def test_may_vote_table(
    kind: VoteKind, role: str, seat: int, titular_present: set[int] | None, expected: bool
) -> None:
    assert may_vote(kind, role, seat, {1, 2, 3}, titular_present) is expected


def test_session_vote_needs_the_roll_call() -> None:
    with pytest.raises(ValueError, match="R13"):
        may_vote(SES, "titular", 1, SEATS)
    with pytest.raises(ValueError, match="R13"):
        counted([], kind=SES, eligible_seats=SEATS)


def test_cast_refuses_non_voting_roles_and_unknown_choices() -> None:
    with pytest.raises(ValueError, match="R2"):
        Cast(1, "facilitador", 7, F, T0)
    with pytest.raises(ValueError, match="R2"):
        Cast(1, "observador", 7, F, T0)
    with pytest.raises(ValueError, match="'si'"):
        Cast(1, "titular", 7, "si", T0)  # type: ignore[arg-type]
    assert Cast(1, Role.TITULAR, 7, "a_favor", T0).choice is F  # type: ignore[arg-type]


# --- counted: electronic --------------------------------------------------------------


@pytest.mark.parametrize(
    ("ballots", "expected"),
    [
        # nobody voted
        ([], {}),
        # R3: the first ballot cast for the seat counts (the substitute's)
        ([cast(1, "suplente", F, 0)], {1: ("suplente", F)}),
        # R3: the titular's own ballot replaces the substitute's ...
        ([cast(1, "suplente", F, 0), cast(1, "titular", C, 5)], {1: ("titular", C)}),
        # ... and a substitute's ballot after the titular's does not replace it
        ([cast(1, "titular", C, 0), cast(1, "suplente", F, 5)], {1: ("titular", C)}),
        # R3: only the last ballot of the same person counts
        ([cast(1, "suplente", F, 0), cast(1, "suplente", A, 3)], {1: ("suplente", A)}),
        (
            [cast(1, "titular", F, 9), cast(1, "titular", C, 2), cast(1, "suplente", A, 5)],
            {1: ("titular", F)},
        ),
        # seats are independent
        (
            [cast(1, "titular", F, 0), cast(2, "suplente", C, 1), cast(3, "titular", A, 2)],
            {1: ("titular", F), 2: ("suplente", C), 3: ("titular", A)},
        ),
        # a seat that is not a voting seat is ignored
        ([cast(9, "titular", F, 0)], {}),
    ],
)
def test_counted_electronic(ballots: list[Cast], expected: dict[int, tuple[str, Choice]]) -> None:
    result = counted(ballots, kind=ELE, eligible_seats=SEATS)
    assert choices(result) == expected
    assert choices(counted(reversed(ballots), kind=ELE, eligible_seats=SEATS)) == expected
    assert pending_seats(ballots, kind=ELE, eligible_seats=SEATS) == SEATS - expected.keys()


def test_counted_keeps_who_cast_it() -> None:
    """R3: records say who cast the counted ballot."""
    result = counted([cast(2, "suplente", F, 0, member=77)], kind=ELE, eligible_seats=SEATS)
    assert result[2].voter_member_id == 77
    assert result[2].voter_role == "suplente"


def test_roster_change_mid_vote_latest_in_role_counts() -> None:
    """A new substitute of the same seat: still one ballot per seat, the latest in the role."""
    ballots = [cast(1, "suplente", F, 0, member=11), cast(1, "suplente", C, 4, member=12)]
    assert counted(ballots, kind=ELE, eligible_seats=SEATS)[1].voter_member_id == 12


def test_ballots_after_the_close_are_ignored() -> None:
    """R3: the titular's ballot replaces the substitute's only until the vote closes."""
    ballots = [cast(1, "suplente", F, 0), cast(1, "titular", C, 10), cast(2, "titular", F, 11)]
    closes = T0 + timedelta(minutes=10)
    result = counted(ballots, kind=ELE, eligible_seats=SEATS, closes_at=closes)
    assert choices(result) == {1: ("suplente", F)}
    assert pending_seats(ballots, kind=ELE, eligible_seats=SEATS, closes_at=closes) == SEATS - {1}


def test_equal_timestamps_later_in_storage_order_wins() -> None:
    ballots = [cast(1, "titular", F, 0), cast(1, "titular", C, 0)]
    assert counted(ballots, kind=ELE, eligible_seats=SEATS)[1].choice is C


# --- counted: session ---------------------------------------------------------------


def test_counted_session() -> None:
    """R13: only the seats present vote; R3: the substitute votes when the titular is absent."""
    present = {1, 2, 3}  # seats represented at the roll call
    titulars = {1, 2}  # seat 3 is represented by its substitute
    ballots = [
        cast(1, "titular", F, 0),
        cast(1, "suplente", C, 1),  # titular present: the substitute does not vote
        cast(2, "suplente", C, 2),  # idem; seat 2's titular has not voted yet
        cast(3, "titular", F, 3),  # titular absent from the roll call: not counted
        cast(3, "suplente", A, 4),
        cast(4, "titular", F, 5),  # seat 4 absent at the roll call
    ]
    result = counted(ballots, kind=SES, eligible_seats=present, titular_present=titulars)
    assert choices(result) == {1: ("titular", F), 3: ("suplente", A)}
    assert pending_seats(ballots, kind=SES, eligible_seats=present, titular_present=titulars) == {
        2
    }


def test_session_ballots_changeable_until_close() -> None:
    """commands.md /cerrar: ballots changeable; the last one of the same person counts."""
    ballots = [cast(1, "titular", F, 0), cast(1, "titular", C, 1), cast(1, "titular", A, 2)]
    result = counted(ballots, kind=SES, eligible_seats={1}, titular_present={1})
    assert result[1].choice is A
    assert pending_seats(ballots, kind=SES, eligible_seats={1}, titular_present={1}) == set()


# --- properties -----------------------------------------------------------------------

seat_ids = st.integers(min_value=1, max_value=6)
roles = st.sampled_from(["titular", "suplente"])
ballot_lists = st.lists(
    st.tuples(seat_ids, roles, st.sampled_from(list(Choice))),
    max_size=25,
)
seat_sets = st.sets(seat_ids, max_size=6)


def build(raw: list[tuple[int, str, Choice]], minutes: list[int]) -> list[Cast]:
    return [cast(s, r, c, m) for (s, r, c), m in zip(raw, minutes, strict=True)]


@st.composite
def timed_ballots(draw: st.DrawFn) -> list[Cast]:
    """Ballots with distinct timestamps, in a shuffled order."""
    raw = draw(ballot_lists)
    minutes = draw(
        st.lists(
            st.integers(min_value=0, max_value=10_000),
            min_size=len(raw),
            max_size=len(raw),
            unique=True,
        )
    )
    return build(raw, minutes)


kinds_and_presence = st.one_of(
    st.tuples(st.just(ELE), st.none()),
    st.tuples(st.just(SES), seat_sets),
)


@given(timed_ballots(), seat_sets, kinds_and_presence, st.randoms(use_true_random=False))
def test_counted_properties(
    ballots: list[Cast],
    eligible: set[int],
    kind_presence: tuple[VoteKind, set[int] | None],
    rnd: random.Random,
) -> None:
    kind, titular_present = kind_presence
    result = counted(ballots, kind=kind, eligible_seats=eligible, titular_present=titular_present)
    # one counted ballot per seat, keyed by its own seat, and only eligible seats
    assert all(seat == b.seat_id for seat, b in result.items())
    assert set(result) <= eligible
    # every counted ballot was an authorized press, and is its voter's latest (R3)
    for ballot in result.values():
        assert may_vote(kind, ballot.voter_role, ballot.seat_id, eligible, titular_present)
        assert all(
            other.at <= ballot.at
            for other in ballots
            if (other.seat_id, other.voter_role) == (ballot.seat_id, ballot.voter_role)
        )
    # independent of input order (timestamps are distinct)
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert (
        counted(shuffled, kind=kind, eligible_seats=eligible, titular_present=titular_present)
        == result
    )
    # pending seats complete the picture
    pending = pending_seats(
        ballots, kind=kind, eligible_seats=eligible, titular_present=titular_present
    )
    assert pending == eligible - result.keys()
    assert pending.isdisjoint(result)


@given(timed_ballots(), seat_sets)
def test_titular_always_wins_electronically(ballots: list[Cast], eligible: set[int]) -> None:
    """R3: in an electronic vote a titular ballot always beats a substitute ballot."""
    result = counted(ballots, kind=ELE, eligible_seats=eligible)
    for seat in eligible:
        voters = {b.voter_role for b in ballots if b.seat_id == seat}
        if "titular" in voters:
            assert result[seat].voter_role == "titular"
        elif "suplente" in voters:
            assert result[seat].voter_role == "suplente"
        else:
            assert seat not in result


@given(timed_ballots(), seat_sets, seat_sets)
def test_session_counts_the_seat_representative(
    ballots: list[Cast], eligible: set[int], titular_present: set[int]
) -> None:
    """R13/R3: in a session the counted ballot is the titular's iff the titular is present."""
    result = counted(ballots, kind=SES, eligible_seats=eligible, titular_present=titular_present)
    for seat, ballot in result.items():
        assert (ballot.voter_role == "titular") == (seat in titular_present)


@given(timed_ballots(), seat_sets)
def test_non_eligible_seats_never_count(ballots: list[Cast], eligible: set[int]) -> None:
    extra = [b for b in ballots if b.seat_id not in eligible]
    kept = [b for b in ballots if b.seat_id in eligible]
    assert counted(ballots, kind=ELE, eligible_seats=eligible) == counted(
        kept, kind=ELE, eligible_seats=eligible
    )
    assert (
        not {b.seat_id for b in extra} & counted(ballots, kind=ELE, eligible_seats=eligible).keys()
    )


def fold(
    ballots: list[Cast], kind: VoteKind, eligible: set[int], titular_present: set[int] | None
) -> dict[int, Cast]:
    """What the service keeps: each authorized press folded into its seat, in storage order."""
    seats: dict[int, SeatBallots] = {}
    for ballot in ballots:
        if may_vote(kind, ballot.voter_role, ballot.seat_id, eligible, titular_present):
            seats[ballot.seat_id] = with_ballot(seats.get(ballot.seat_id, SeatBallots()), ballot)
    return {seat: s.counted for seat, s in seats.items() if s.counted is not None}


@given(ballot_lists, seat_sets, kinds_and_presence, st.lists(st.integers(0, 50), max_size=25))
def test_incremental_tally_equals_recount(
    raw: list[tuple[int, str, Choice]],
    eligible: set[int],
    kind_presence: tuple[VoteKind, set[int] | None],
    minutes: list[int],
) -> None:
    """Issue 10: a press updates the seat's counted ballot without re-reading the others.

    Timestamps may repeat and go backwards (clock steps): folding in storage order must
    still give exactly what counting every stored ballot gives (R3, R13).
    """
    kind, titular_present = kind_presence
    stamps = (minutes + [0] * len(raw))[: len(raw)]
    ballots = build(raw, stamps)
    assert fold(ballots, kind, eligible, titular_present) == counted(
        ballots, kind=kind, eligible_seats=eligible, titular_present=titular_present
    )


def test_with_ballot_table() -> None:
    sub = cast(1, "suplente", Choice.A_FAVOR, 1)
    tit = cast(1, "titular", Choice.EN_CONTRA, 2)
    later_sub = cast(1, "suplente", Choice.ABSTENCION, 3)
    seat = with_ballot(SeatBallots(), sub)
    assert seat.counted == sub
    seat = with_ballot(seat, tit)
    assert seat.counted == tit  # the titular's own ballot replaces the substitute's (R3)
    seat = with_ballot(seat, later_sub)
    assert seat.counted == tit
    assert seat.suplente == later_sub
    earlier = cast(1, "titular", Choice.A_FAVOR, 0)
    assert with_ballot(seat, earlier) == seat  # an older stamp never replaces a newer one
