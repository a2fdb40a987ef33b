"""The citizen inbox's pure rules (R19 f, g; R21): fields, limits, folios."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.inbox import (
    CATEGORIES,
    CONTACT_MAX,
    MESSAGE_MAX,
    NAME_MAX,
    SECTOR_MAX,
    FieldError,
    Form,
    Invalid,
    Submission,
    folio,
    parse_folio,
    validate,
)
from domain.text import visible

GOOD_BUZON = {"categoria": "queja", "mensaje": "La sesión no se transmitió.", "contacto": ""}
GOOD_PARTICIPA = {
    "nombre": "Ana Pérez",
    "sector": "Academia",
    "contacto": "ana@colmich.edu.mx",
    "mensaje": "",
}


def errors_of(result: Submission | Invalid) -> list[tuple[str, str]]:
    assert isinstance(result, Invalid), result
    return [(e.field, e.message) for e in result.errors]


def test_a_good_buzon_message_is_cleaned() -> None:
    result = validate(
        Form.BUZON,
        {
            "categoria": " Queja ",
            "mensaje": "  Línea uno\r\nLínea\u202e dos\u200b  ",
            "contacto": " 351\t123 4567 ",
        },
    )
    assert result == Submission(
        form=Form.BUZON,
        category="queja",
        text="Línea uno\nLínea dos",
        contact="351 123 4567",
    )


def test_a_good_participa_form() -> None:
    result = validate(Form.PARTICIPA, GOOD_PARTICIPA | {"nombre": " Ana\n  Pérez "})
    assert result == Submission(
        form=Form.PARTICIPA,
        category="participa",
        text="",
        name="Ana Pérez",
        sector="Academia",
        contact="ana@colmich.edu.mx",
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            {},
            [
                ("categoria", "Elija si su mensaje es una duda, una queja o una sugerencia."),
                ("mensaje", "Escriba su mensaje."),
            ],
        ),
        (
            GOOD_BUZON | {"categoria": "felicitación"},
            [("categoria", "Elija si su mensaje es una duda, una queja o una sugerencia.")],
        ),
        (GOOD_BUZON | {"mensaje": " \u200b\n\t "}, [("mensaje", "Escriba su mensaje.")]),
        (
            GOOD_BUZON | {"mensaje": "x" * (MESSAGE_MAX + 1)},
            [("mensaje", "El mensaje admite hasta 2 000 caracteres; tiene 2 001.")],
        ),
        (
            GOOD_BUZON | {"contacto": "x" * (CONTACT_MAX + 1)},
            [("contacto", "El contacto admite hasta 200 caracteres; tiene 201.")],
        ),
        (
            GOOD_BUZON | {"contacto": "en la plaza"},
            [
                (
                    "contacto",
                    "Escriba un correo electrónico (nombre@dominio.mx) o un teléfono de al "
                    "menos 7 dígitos.",
                )
            ],
        ),
        # the errors come in the form's order, whatever order they were found in
        (
            {"contacto": "?", "categoria": "otra"},
            ["categoria", "mensaje", "contacto"],
        ),
    ],
)
def test_buzon_refusals(raw: dict[str, str], expected: list[object]) -> None:
    found = errors_of(validate(Form.BUZON, raw))
    if expected and isinstance(expected[0], str):
        assert [field for field, _ in found] == expected
    else:
        assert found == expected


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        ({}, ["nombre", "sector", "contacto"]),
        (GOOD_PARTICIPA | {"nombre": "x" * (NAME_MAX + 1)}, ["nombre"]),
        (GOOD_PARTICIPA | {"sector": "x" * (SECTOR_MAX + 1)}, ["sector"]),
        (GOOD_PARTICIPA | {"contacto": ""}, ["contacto"]),
        (GOOD_PARTICIPA | {"mensaje": "y" * (MESSAGE_MAX + 1)}, ["mensaje"]),
    ],
)
def test_participa_refusals(raw: dict[str, str], fields: list[str]) -> None:
    assert [f for f, _ in errors_of(validate(Form.PARTICIPA, raw))] == fields


def test_limits_are_inclusive_and_counted_after_cleaning() -> None:
    exact = GOOD_BUZON | {"mensaje": "á" * MESSAGE_MAX}
    assert isinstance(validate(Form.BUZON, exact), Submission)
    # CR LF is one character, as the browser's maxlength counts it
    lines = GOOD_BUZON | {"mensaje": "a\r\n" * (MESSAGE_MAX // 2)}
    assert isinstance(validate(Form.BUZON, lines), Submission)
    # invisible characters do not count
    hidden = GOOD_BUZON | {"mensaje": "a" * MESSAGE_MAX + "\u200b" * 50}
    assert isinstance(validate(Form.BUZON, hidden), Submission)


def test_invalid_keeps_the_cleaned_values_to_show_back() -> None:
    result = validate(Form.BUZON, {"categoria": "duda", "mensaje": "", "contacto": "x\u202ey"})
    assert isinstance(result, Invalid)
    assert result.values == {"categoria": "duda", "mensaje": "", "contacto": "xy"}
    assert result.message_for("mensaje") == "Escriba su mensaje."
    assert result.message_for("categoria") is None


@pytest.mark.parametrize(
    ("form", "year", "sequence", "text"),
    [
        (Form.BUZON, 2026, 1, "BZN-2026-0001"),
        (Form.PARTICIPA, 2026, 42, "PAR-2026-0042"),
        (Form.BUZON, 2027, 12345, "BZN-2027-12345"),
    ],
)
def test_folios(form: Form, year: int, sequence: int, text: str) -> None:
    assert folio(form, year, sequence) == text
    assert parse_folio(text) == (form, year, sequence)
    assert parse_folio(text.lower()) == (form, year, sequence)


@pytest.mark.parametrize(
    "text", ["", "BZN-2026-0000", "BZN-2026-00001", "XYZ-2026-0001", "BZN-26-0001", "BZN-2026-1"]
)
def test_not_folios(text: str) -> None:
    assert parse_folio(text) is None


@given(st.sampled_from(list(Form)), st.integers(2000, 9999), st.integers(1, 999_999))
def test_folios_round_trip(form: Form, year: int, sequence: int) -> None:
    text = folio(form, year, sequence)
    assert len(text) <= 24  # InboxMessage.folio
    assert parse_folio(text) == (form, year, sequence)


_FIELD_TEXT = st.text(max_size=2500)


@settings(deadline=None)  # texts up to 2 500 characters: slow on a busy machine, never wrong
@given(
    st.sampled_from(list(Form)),
    st.dictionaries(
        st.sampled_from(["categoria", "mensaje", "contacto", "nombre", "sector", "otro"]),
        _FIELD_TEXT,
    ),
)
def test_any_input_is_a_clean_submission_within_limits_or_spanish_errors(
    form: Form, raw: dict[str, str]
) -> None:
    result = validate(form, raw)
    if isinstance(result, Invalid):
        assert result.errors
        assert all(isinstance(e, FieldError) and e.message.endswith(".") for e in result.errors)
        fields = [e.field for e in result.errors]
        assert len(fields) == len(set(fields))  # one message per field
        return
    assert len(result.text) <= MESSAGE_MAX
    assert len(result.name) <= NAME_MAX
    assert len(result.sector) <= SECTOR_MAX
    assert len(result.contact) <= CONTACT_MAX
    assert result.category in (*CATEGORIES, "participa")
    for value in (result.name, result.sector, result.contact):
        assert "\n" not in value
        assert value == value.strip()
    assert all(ch in "\n\t" or unicodedata.category(ch)[0] != "C" for ch in result.text)


@settings(deadline=None)
@given(st.sampled_from(sorted(CATEGORIES)), st.text(max_size=MESSAGE_MAX), st.booleans())
def test_a_message_is_accepted_exactly_when_something_visible_remains(
    category: str, message: str, with_contact: bool
) -> None:
    contact = "351 123 4567" if with_contact else ""
    result = validate(Form.BUZON, {"categoria": category, "mensaje": message, "contacto": contact})
    cleaned = visible(message).strip()
    if len(cleaned) > MESSAGE_MAX:  # NFC lengthens a few characters (U+0958 → 2)
        assert [f for f, _ in errors_of(result)] == ["mensaje"]
    elif cleaned:
        assert isinstance(result, Submission)
        assert result.text == visible(message).strip()
        assert result.contact == contact
    else:
        assert errors_of(result) == [("mensaje", "Escriba su mensaje.")]
