"""R12 outcome: the wordings, a table over every branch, and properties."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.outcomes import Choice, Outcome, Tally, decide, outcome, tally

F = Choice.A_FAVOR
C = Choice.EN_CONTRA
A = Choice.ABSTENCION

ballots = st.lists(st.sampled_from(list(Choice)), max_size=12)


def test_wordings_are_exact() -> None:
    """commands.md: the result wording is exactly one of these."""
    assert [o.value for o in Outcome] == [
        "Aprobado por consenso",
        "Aprobado por mayoría",
        "Rechazado por consenso",
        "Rechazado por mayoría",
        "Empate: no aprobado",
    ]
    assert str(Outcome.EMPATE) == "Empate: no aprobado"


def test_choice_values_and_labels() -> None:
    """The vote buttons: "A favor", "En contra", "Abstención"."""
    assert [(c.value, c.label) for c in Choice] == [
        ("a_favor", "A favor"),
        ("en_contra", "En contra"),
        ("abstencion", "Abstención"),
    ]


@pytest.mark.parametrize(
    ("cast", "expected"),
    [
        # R12: no ballots, or only abstentions, decide nothing
        ([], Outcome.EMPATE),
        ([A], Outcome.EMPATE),
        ([A, A, A], Outcome.EMPATE),
        # R12: all "A favor" (at least one) / all "En contra" -> consensus
        ([F], Outcome.APROBADO_CONSENSO),
        ([F] * 5, Outcome.APROBADO_CONSENSO),
        ([C], Outcome.RECHAZADO_CONSENSO),
        ([C] * 5, Outcome.RECHAZADO_CONSENSO),
        # R12 reading: an abstention breaks consensus ("all ballots A favor") but is
        # neither for nor against, so the decision goes by majority of the votes cast
        ([F, A], Outcome.APROBADO_MAYORIA),
        ([F, F, F, F, A], Outcome.APROBADO_MAYORIA),
        ([C, A], Outcome.RECHAZADO_MAYORIA),
        ([C, C, A, A, A], Outcome.RECHAZADO_MAYORIA),
        # R12: positions differ -> majority of the votes cast
        ([F, F, C], Outcome.APROBADO_MAYORIA),
        ([F, F, F, C, C], Outcome.APROBADO_MAYORIA),
        ([F, C, C], Outcome.RECHAZADO_MAYORIA),
        ([F, F, C, C, C], Outcome.RECHAZADO_MAYORIA),
        # abstentions never tip a majority, even when they outnumber both sides
        ([F, F, C, A, A, A], Outcome.APROBADO_MAYORIA),
        # R12: equal -> tie; the facilitator has no casting vote (R2)
        ([F, C], Outcome.EMPATE),
        ([F, C, A], Outcome.EMPATE),
        ([F, F, C, C, A], Outcome.EMPATE),
    ],
)
def test_outcome_table(cast: list[Choice], expected: Outcome) -> None:
    assert outcome(cast) is expected
    assert outcome(reversed(cast)) is expected


def test_stored_strings_are_accepted() -> None:
    assert outcome(["a_favor", "abstencion"]) is Outcome.APROBADO_MAYORIA
    assert tally(["en_contra", "en_contra", "a_favor"]) == Tally(1, 2, 0)
    with pytest.raises(ValueError, match="'si'"):
        tally(["si"])


def test_tally() -> None:
    t = tally([F, C, A, F, A, A])
    assert t == Tally(a_favor=2, en_contra=1, abstencion=3)
    assert t.total == 6
    assert [t.count(c) for c in Choice] == [2, 1, 3]
    assert tally([]) == Tally()
    assert Tally().total == 0


def test_negative_tally_is_a_bug() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        Tally(-1, 0, 0)


def test_approved_and_rejected_flags() -> None:
    assert {o for o in Outcome if o.approved} == {
        Outcome.APROBADO_CONSENSO,
        Outcome.APROBADO_MAYORIA,
    }
    assert {o for o in Outcome if o.rejected} == {
        Outcome.RECHAZADO_CONSENSO,
        Outcome.RECHAZADO_MAYORIA,
    }
    assert not Outcome.EMPATE.approved
    assert not Outcome.EMPATE.rejected


@given(ballots, st.randoms(use_true_random=False))
def test_permutations_never_change_the_outcome(cast: list[Choice], rnd: random.Random) -> None:
    shuffled = list(cast)
    rnd.shuffle(shuffled)
    assert outcome(shuffled) is outcome(cast)


@given(ballots)
def test_one_more_in_favour_never_turns_towards_rejection(cast: list[Choice]) -> None:
    """Adding "A favor": an approval stays approved, a tie never becomes a rejection."""
    before, after = outcome(cast), outcome([*cast, F])
    if before.approved:
        assert after.approved
    if before is Outcome.EMPATE:
        assert not after.rejected
    assert not (after.rejected and not before.rejected)


@given(ballots)
def test_one_more_against_never_turns_towards_approval(cast: list[Choice]) -> None:
    """Adding "En contra": a rejection stays rejected, a tie never becomes an approval."""
    before, after = outcome(cast), outcome([*cast, C])
    if before.rejected:
        assert after.rejected
    if before is Outcome.EMPATE:
        assert not after.approved
    assert not (after.approved and not before.approved)


@given(ballots)
def test_an_abstention_never_flips_the_side(cast: list[Choice]) -> None:
    """R12: abstentions are neither for nor against; at most consensus becomes majority."""
    before, after = outcome(cast), outcome([*cast, A])
    assert before.approved == after.approved
    assert before.rejected == after.rejected


@given(ballots, ballots)
def test_outcome_depends_only_on_the_tally(first: list[Choice], second: list[Choice]) -> None:
    assert outcome(first) is decide(tally(first))
    if tally(first) == tally(second):
        assert outcome(first) is outcome(second)


@given(ballots)
def test_outcome_matches_the_definition(cast: list[Choice]) -> None:
    """An independent restatement of R12."""
    t = tally(cast)
    result = outcome(cast)
    assert t.total == len(cast)
    if cast and set(cast) == {F}:
        assert result is Outcome.APROBADO_CONSENSO
    elif cast and set(cast) == {C}:
        assert result is Outcome.RECHAZADO_CONSENSO
    else:
        sign = (t.a_favor > t.en_contra) - (t.a_favor < t.en_contra)
        assert (
            result
            is {
                1: Outcome.APROBADO_MAYORIA,
                -1: Outcome.RECHAZADO_MAYORIA,
                0: Outcome.EMPATE,
            }[sign]
        )
