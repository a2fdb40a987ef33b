"""R8: which customary days are proposed, and when."""

from __future__ import annotations

from datetime import date

from domain.proposals import customary_to_propose


def test_only_weekdays_ahead_of_today() -> None:
    assert [d.isoformat() for d, _ in customary_to_propose(date(2026, 4, 3))] == [
        "2026-04-03",
        "2026-05-05",
        "2026-11-02",  # 12 Dec 2026 is a Saturday
    ]


def test_next_year_is_added_from_october() -> None:
    september = customary_to_propose(date(2026, 9, 30))
    october = customary_to_propose(date(2026, 10, 1))
    assert all(d.year == 2026 for d, _ in september)
    assert {d.year for d, _ in october} == {2026, 2027}
    labels = {label for _, label in october}
    assert {"Jueves Santo", "Viernes Santo", "Día de Muertos"} <= labels
