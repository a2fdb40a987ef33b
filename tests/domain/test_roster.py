"""R1 seats and the name/key validation every roster change goes through."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidSeatKey, MissingName, NameTooLong
from domain.roster import DEFAULT_SEATS, NAME_MAX, clean_name, clean_seat_key


def test_default_seats_are_the_acts_five_sectors() -> None:
    assert [key for key, _ in DEFAULT_SEATS] == [
        "gobierno",
        "garante",
        "sociedad_civil",
        "academia",
        "ciudadania",
    ]
    assert dict(DEFAULT_SEATS)["garante"] == "Organismo garante local"  # R1: not IMAIP


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  José de   Jesús Michel\tSahagún ", "José de Jesús Michel Sahagún"),
        ("Ana <b>&</b>", "Ana <b>&</b>"),  # kept: templates escape it
        ("Ana\u200bLuz", "AnaLuz"),  # invisible format characters dropped
        ("Ana\nLuz", "Ana Luz"),
        ("Jose\u0301", "José"),  # NFC
    ],
)
def test_clean_name(raw: str, clean: str) -> None:
    assert clean_name(raw, command="alta") == clean


@pytest.mark.parametrize("raw", ["", "   ", "\u200b\u200b"])
def test_missing_name(raw: str) -> None:
    with pytest.raises(MissingName):
        clean_name(raw, command="alta")


def test_name_too_long() -> None:
    clean_name("a" * NAME_MAX, command="alta")
    with pytest.raises(NameTooLong):
        clean_name("a" * (NAME_MAX + 1), command="alta")


@given(st.text(max_size=300))
def test_clean_names_are_single_line_and_bounded(raw: str) -> None:
    try:
        name = clean_name(raw, command="alta")
    except (MissingName, NameTooLong):
        return
    assert name == name.strip()
    assert "\n" not in name
    assert "  " not in name
    assert 0 < len(name) <= NAME_MAX


@pytest.mark.parametrize("raw", ["jovenes", "sector_privado", "s2", "A"])
def test_seat_keys(raw: str) -> None:
    assert clean_seat_key(raw) == raw.lower()


@pytest.mark.parametrize("raw", ["", "jóvenes", "sector-privado", "a b", "x" * 33])
def test_bad_seat_keys(raw: str) -> None:
    with pytest.raises(InvalidSeatKey):
        clean_seat_key(raw)
