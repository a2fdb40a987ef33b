"""R9 quorum: table tests for both readings, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.quorum import QuorumBase, QuorumRule, quorum_denominator, quorum_required


@pytest.mark.parametrize(
    ("seats", "mayoria", "estricto"),
    [
        (1, 1, 2),
        (2, 2, 2),
        (3, 2, 3),
        (4, 3, 3),
        (5, 3, 4),
        (6, 4, 4),
        (7, 4, 5),
        (8, 5, 5),
        (9, 5, 6),
        (10, 6, 6),
    ],
)
def test_quorum_table(seats: int, mayoria: int, estricto: int) -> None:
    """R9: 3 of 5, 4 of 6, 4 of 7 by default; 4 of 5, 4 of 6 strictly."""
    assert quorum_required(seats, QuorumRule.MAYORIA) == mayoria
    assert quorum_required(seats, QuorumRule.ESTRICTO) == estricto


@given(st.integers(min_value=1, max_value=10_000))
def test_quorum_is_more_than_half(seats: int) -> None:
    for rule in QuorumRule:
        q = quorum_required(seats, rule)
        assert 2 * q > seats
    assert quorum_required(seats, QuorumRule.MAYORIA) <= quorum_required(
        seats, QuorumRule.ESTRICTO
    )
    # strict reading equals the real-number ceil(n/2 + 1)
    assert quorum_required(seats, QuorumRule.ESTRICTO) == -(-(seats + 2) // 2)


def test_denominator_setting() -> None:
    assert quorum_denominator(6, 4, QuorumBase.ASIENTOS) == 6
    assert quorum_denominator(6, 4, QuorumBase.OCUPADOS) == 4


def test_negative_seats_are_a_bug() -> None:
    with pytest.raises(ValueError, match="seats"):
        quorum_required(-1)
