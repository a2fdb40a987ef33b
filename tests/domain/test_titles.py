"""Session titles: feminine Spanish ordinals, numbered per year and kind (R6)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.notice import SessionKind
from domain.titles import MAX_ORDINAL, ordinal_feminine, session_title


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1, "Primera"),
        (2, "Segunda"),
        (3, "Tercera"),
        (4, "Cuarta"),
        (5, "Quinta"),
        (6, "Sexta"),
        (7, "Séptima"),
        (8, "Octava"),
        (9, "Novena"),
        (10, "Décima"),
        (11, "Décima Primera"),  # the composed form, not "Undécima"
        (12, "Décima Segunda"),  # not "Duodécima"
        (13, "Décima Tercera"),
        (17, "Décima Séptima"),
        (19, "Décima Novena"),
        (20, "Vigésima"),
        (21, "Vigésima Primera"),
        (24, "Vigésima Cuarta"),
        (30, "Trigésima"),
        (33, "Trigésima Tercera"),
        (40, "Cuadragésima"),
        (45, "Cuadragésima Quinta"),
        (50, "Quincuagésima"),
        (56, "Quincuagésima Sexta"),
        (60, "Sexagésima"),
        (67, "Sexagésima Séptima"),
        (70, "Septuagésima"),
        (78, "Septuagésima Octava"),
        (80, "Octogésima"),
        (89, "Octogésima Novena"),
        (90, "Nonagésima"),
        (99, "Nonagésima Novena"),
        (100, "Centésima"),
        (101, "Centésima Primera"),
        (111, "Centésima Décima Primera"),
        (200, "Ducentésima"),
        (345, "Tricentésima Cuadragésima Quinta"),
        (400, "Cuadringentésima"),
        (500, "Quingentésima"),
        (600, "Sexcentésima"),
        (700, "Septingentésima"),
        (800, "Octingentésima"),
        (999, "Noningentésima Nonagésima Novena"),
    ],
)
def test_ordinal_feminine(n: int, words: str) -> None:
    assert ordinal_feminine(n) == words


@pytest.mark.parametrize("n", [0, -1, MAX_ORDINAL + 1])
def test_ordinal_out_of_range_is_a_bug(n: int) -> None:
    with pytest.raises(ValueError, match="ordinal"):
        ordinal_feminine(n)


@given(st.integers(min_value=1, max_value=MAX_ORDINAL))
def test_ordinals_are_capitalised_feminine_words(n: int) -> None:
    words = ordinal_feminine(n).split(" ")
    assert all(word[0].isupper() and word.endswith("a") for word in words)
    assert "  " not in ordinal_feminine(n)


def test_ordinals_are_distinct() -> None:
    names = [ordinal_feminine(n) for n in range(1, MAX_ORDINAL + 1)]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize(
    ("kind", "ordinal", "year", "title"),
    [
        (SessionKind.ORDINARIA, 1, 2026, "Primera Sesión Ordinaria 2026"),
        (SessionKind.EXTRAORDINARIA, 2, 2026, "Segunda Sesión Extraordinaria 2026"),
        (SessionKind.ORDINARIA, 12, 2026, "Décima Segunda Sesión Ordinaria 2026"),
        (SessionKind.EXTRAORDINARIA, 21, 2027, "Vigésima Primera Sesión Extraordinaria 2027"),
    ],
)
def test_session_title(kind: SessionKind, ordinal: int, year: int, title: str) -> None:
    """Sessions are numbered per year and kind."""
    assert session_title(kind, ordinal, year) == title


def test_session_title_refuses_ordinal_zero() -> None:
    with pytest.raises(ValueError, match="ordinal"):
        session_title(SessionKind.ORDINARIA, 0, 2026)
