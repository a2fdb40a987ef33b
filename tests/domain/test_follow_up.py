"""Agreements' codes and statuses (R16) and the action plan's levels (R16a), pure."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.action_plan import Level, Milestone, level_of, progress_bar, share_done
from domain.agreements import Code, Status, format_code, next_sequence, parse_code


@pytest.mark.parametrize(
    ("year", "sequence", "code"),
    [(2027, 3, "ACU-2027-003"), (2026, 999, "ACU-2026-999"), (2026, 1000, "ACU-2026-1000")],
)
def test_codes(year: int, sequence: int, code: str) -> None:
    assert format_code(year, sequence) == code
    assert parse_code(code) == Code(year, sequence)
    assert parse_code(code.lower()) == Code(year, sequence)


@pytest.mark.parametrize(
    "raw", ["ACU-27-003", "ACU-2027-000", "ACU-٢٠٢٧-003", "C-3", "", "ACU-2027-3"]
)
def test_bad_codes(raw: str) -> None:
    assert parse_code(raw) is None


def test_codes_are_never_reused() -> None:
    assert next_sequence([]) == 1
    assert next_sequence([1, 2, 5]) == 6  # 3 and 4 were cancelled or deleted: not given again


def test_closed_statuses() -> None:
    assert {s for s in Status if s.closed} == {Status.CUMPLIDO, Status.CANCELADO}
    assert Status.EN_PROCESO.label == "en proceso"


@pytest.mark.parametrize(
    ("milestones", "level"),
    [
        ([], Level.NO_INICIADO),
        ([Milestone(1, False)], Level.NO_INICIADO),
        ([Milestone(1, True), Milestone(3, False)], Level.LIMITADO),  # 25 %
        ([Milestone(1, True), Milestone(1, False)], Level.SUSTANCIAL),  # exactly 50 %
        ([Milestone(2, True), Milestone(1, False)], Level.SUSTANCIAL),
        ([Milestone(2, True), Milestone(1, True)], Level.COMPLETO),
    ],
)
def test_level_from_weighted_milestones(milestones: list[Milestone], level: Level) -> None:
    assert level_of(milestones) is level


milestones = st.lists(st.builds(Milestone, st.integers(1, 100), st.booleans()), max_size=12)


@given(milestones, st.data())
def test_marking_a_milestone_done_never_lowers_the_level(
    items: list[Milestone], data: st.DataObject
) -> None:
    """R16a: progress only moves forward when work is done."""
    pending = [i for i, m in enumerate(items) if not m.done]
    if not pending:
        return
    index = data.draw(st.sampled_from(pending))
    after = [Milestone(m.weight, True) if i == index else m for i, m in enumerate(items)]
    assert level_of(after).rank >= level_of(items).rank
    assert share_done(after) > share_done(items)


def test_progress_bar() -> None:
    assert progress_bar(Fraction(0)) == "▱▱▱▱▱▱▱▱▱▱ 0 %"
    assert progress_bar(Fraction(1, 3)) == "▰▰▰▱▱▱▱▱▱▱ 33 %"
    assert progress_bar(Fraction(1)) == "▰▰▰▰▰▰▰▰▰▰ 100 %"
