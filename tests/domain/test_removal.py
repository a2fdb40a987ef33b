"""R4's pure rules: who may sponsor a removal, when it is backed, its states and texts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import removal as rules
from domain.errors import (
    AlreadyRecorded,
    ConcernedCannotSponsor,
    FacilitatorCannotSponsor,
    NotRemovable,
    ObserverCannotSponsor,
    Refusal,
    RemovalAlreadyBacked,
    RemovalClosed,
    RemovalReasonTooLong,
    SameSeatSponsor,
    Usage,
)
from domain.removal import Person, State
from domain.roles import Role

GOBIERNO, GARANTE, ACADEMIA = 1, 2, 4
REQUESTER = Person(10, Role.TITULAR, ACADEMIA, "Academia")
CONCERNED = Person(20, Role.TITULAR, 3, "Sociedad civil")
FACILITATOR = Person(1, Role.FACILITADOR, None)
OBSERVER = Person(30, Role.OBSERVADOR, None)
ACADEMIA_SUPLENTE = Person(11, Role.SUPLENTE, ACADEMIA, "Academia")
GARANTE_TITULAR = Person(12, Role.TITULAR, GARANTE, "Garante")
CONCERNED_SUPLENTE = Person(21, Role.SUPLENTE, 3, "Sociedad civil")


def back(sponsor: Person, state: State = State.SOLICITADA) -> None:
    rules.check_sponsor(sponsor, concerned=CONCERNED, sponsors=[REQUESTER], state=state, request=1)


@pytest.mark.parametrize(
    ("sponsor", "state", "refusal"),
    [
        (FACILITATOR, State.SOLICITADA, FacilitatorCannotSponsor),  # R4
        (OBSERVER, State.SOLICITADA, ObserverCannotSponsor),  # R2: no seat
        (CONCERNED, State.SOLICITADA, ConcernedCannotSponsor),  # R4
        (ACADEMIA_SUPLENTE, State.SOLICITADA, SameSeatSponsor),  # one seat, two people
        (REQUESTER, State.SOLICITADA, AlreadyRecorded),  # a double press
        (REQUESTER, State.RESPALDADA, AlreadyRecorded),  # still a double press
        (GARANTE_TITULAR, State.RESPALDADA, RemovalAlreadyBacked),
        (GARANTE_TITULAR, State.EN_AGENDA, RemovalAlreadyBacked),
        (GARANTE_TITULAR, State.APROBADA, RemovalClosed),
        (GARANTE_TITULAR, State.RECHAZADA, RemovalClosed),
        (GARANTE_TITULAR, State.CADUCADA, RemovalClosed),
        (GARANTE_TITULAR, State.RETIRADA, RemovalClosed),
        (FACILITATOR, State.CADUCADA, RemovalClosed),  # closed is said first
    ],
)
def test_who_may_not_back(sponsor: Person, state: State, refusal: type[Refusal]) -> None:
    with pytest.raises(refusal):
        back(sponsor, state)


@pytest.mark.parametrize("sponsor", [GARANTE_TITULAR, CONCERNED_SUPLENTE])
def test_a_member_of_another_seat_backs(sponsor: Person) -> None:
    back(sponsor)  # the concerned's seat-mate is not the person concerned (R4)
    assert rules.is_backed([REQUESTER, sponsor])


def test_same_seat_refusal_names_the_seat() -> None:
    with pytest.raises(SameSeatSponsor) as raised:
        back(ACADEMIA_SUPLENTE)
    assert (raised.value.seat, raised.value.request) == ("Academia", 1)


@pytest.mark.parametrize(
    ("requester", "refusal"),
    [
        (FACILITATOR, FacilitatorCannotSponsor),
        (OBSERVER, ObserverCannotSponsor),
        (CONCERNED, ConcernedCannotSponsor),
    ],
)
def test_who_may_not_request(requester: Person, refusal: type[Refusal]) -> None:
    with pytest.raises(refusal):
        rules.check_requester(requester, CONCERNED)


def test_titulars_and_substitutes_request() -> None:
    rules.check_requester(REQUESTER, CONCERNED)
    rules.check_requester(ACADEMIA_SUPLENTE, CONCERNED)


@pytest.mark.parametrize("person", [FACILITATOR, OBSERVER])
def test_only_seat_members_are_removable(person: Person) -> None:
    with pytest.raises(NotRemovable):
        rules.check_removable(person, 1)
    rules.check_removable(CONCERNED, 4)
    rules.check_removable(CONCERNED_SUPLENTE, 7)


@pytest.mark.parametrize(
    ("seats", "backed"),
    [
        ([], False),
        ([ACADEMIA], False),
        ([ACADEMIA, ACADEMIA], False),  # titular and substitute are one seat
        ([ACADEMIA, GARANTE], True),
        ([ACADEMIA, GARANTE, GOBIERNO], True),
    ],
)
def test_backed_means_two_different_seats(seats: list[int], backed: bool) -> None:
    sponsors = [Person(i, Role.TITULAR, seat) for i, seat in enumerate(seats)]
    assert rules.is_backed(sponsors) is backed


@given(st.lists(st.integers(min_value=1, max_value=8), max_size=12))
def test_backed_iff_at_least_two_distinct_seats(seats: list[int]) -> None:
    sponsors = [Person(i, Role.SUPLENTE, seat) for i, seat in enumerate(seats)]
    assert rules.is_backed(sponsors) == (len(set(seats)) >= rules.REQUIRED_SEATS)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(Role)),
            st.integers(min_value=1, max_value=6) | st.none(),
        ),
        max_size=12,
    )
)
def test_accepted_backings_never_repeat_a_seat_nor_admit_the_forbidden(
    presses: list[tuple[Role, int | None]],
) -> None:
    """Whatever presses arrive, in any order: what check_sponsor lets through is only
    titulars and substitutes other than the person concerned, one per seat, and nothing
    after the second seat (R4)."""
    sponsors = [REQUESTER]
    state = State.SOLICITADA
    for i, (role, seat) in enumerate(presses):
        person = Person(100 + i, role, seat)
        try:
            rules.check_sponsor(
                person, concerned=CONCERNED, sponsors=sponsors, state=state, request=1
            )
        except Refusal:
            continue
        assert state is State.SOLICITADA
        assert role in (Role.TITULAR, Role.SUPLENTE)
        assert seat is not None
        sponsors.append(person)
        if rules.is_backed(sponsors):
            state = State.RESPALDADA
    seats = [s.seat_id for s in sponsors]
    assert len(seats) == len(set(seats))
    assert len(sponsors) <= rules.REQUIRED_SEATS


@pytest.mark.parametrize(
    ("state", "concerned_left", "requester_left", "after"),
    [
        (State.SOLICITADA, True, False, State.CADUCADA),
        (State.RESPALDADA, True, False, State.CADUCADA),
        (State.EN_AGENDA, True, False, State.CADUCADA),
        (State.SOLICITADA, False, True, State.RETIRADA),
        (State.RESPALDADA, False, True, State.RESPALDADA),  # another seat backs it still
        (State.EN_AGENDA, False, True, State.EN_AGENDA),
        (State.SOLICITADA, False, False, State.SOLICITADA),
        (State.APROBADA, True, False, State.APROBADA),  # decided: never changes
        (State.RECHAZADA, True, True, State.RECHAZADA),
    ],
)
def test_lapse(state: State, concerned_left: bool, requester_left: bool, after: State) -> None:
    assert (
        rules.lapse(state, concerned_left=concerned_left, requester_left=requester_left) is after
    )


@given(st.sampled_from(list(State)), st.booleans(), st.booleans())
def test_lapse_only_closes_open_requests(state: State, concerned: bool, requester: bool) -> None:
    after = rules.lapse(state, concerned_left=concerned, requester_left=requester)
    if state not in rules.OPEN:
        assert after is state
    else:
        assert after is state or after in (State.CADUCADA, State.RETIRADA)


def test_outcome_state() -> None:
    assert rules.outcome_state(True) is State.APROBADA
    assert rules.outcome_state(False) is State.RECHAZADA


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4 Omisiones reiteradas", (4, "Omisiones reiteradas")),
        ("#4 Omisiones\n  reiteradas ", (4, "Omisiones reiteradas")),
        ("12\tFaltas", (12, "Faltas")),
    ],
)
def test_parse_request(text: str, expected: tuple[int, str]) -> None:
    assert rules.parse_request(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "4",
        "4   ",
        "x motivo",
        "0 motivo",
        "-1 motivo",
        "٤ motivo",
        "² motivo",
        "4 \u200b\u202e",
    ],
)
def test_parse_request_refusals(text: str) -> None:
    with pytest.raises(Usage):
        rules.parse_request(text)


def test_reason_length_is_refused_not_cut() -> None:
    assert rules.clean_reason("a" * rules.MAX_REASON) == "a" * rules.MAX_REASON
    with pytest.raises(RemovalReasonTooLong) as raised:
        rules.clean_reason("a" * (rules.MAX_REASON + 1))
    assert (raised.value.limit, raised.value.length) == (1000, 1001)


@given(st.text(max_size=1200))
def test_clean_reason_is_one_visible_line_or_refused(raw: str) -> None:
    try:
        reason = rules.clean_reason(raw)
    except (Usage, RemovalReasonTooLong):
        return
    assert reason
    assert len(reason) <= rules.MAX_REASON
    assert "\n" not in reason
    assert reason == reason.strip()


def test_texts() -> None:
    assert (
        rules.agenda_item("José  de Jesús\nMichel")
        == "Propuesta de remoción de José de Jesús Michel"
    )
    assert rules.vote_text("Ana", "Academia", "titular", "Faltas") == (
        "Remoción de Ana (titular de Academia). Motivo: Faltas"
    )
    assert State.RESPALDADA.label == "respaldada, va a la próxima sesión"
    assert len({s.label for s in State}) == len(State)  # each state reads differently
