"""The citizen inbox's pure rules (R19 f, g; R21): what a form may hold, and its folio.

Two public forms write to the Secretariat: the *buzón* (a ``duda``, ``queja`` or
``sugerencia`` with an optional contact, R19 f) and *participa* (name, sector and contact
of someone who wants to join the open-government exercises, an optional message, R19 g).
Every field is cleaned like any other text people type (``domain.text``: no invisible or
control characters, NFC) and length-checked; a bad form is answered with one Spanish
message per field and nothing is stored. The errors are data (:class:`Invalid`), so the
page shows each next to its field and the tests compare them exactly.

Each stored message gets a folio, ``BZN-2026-0001`` for the buzón and ``PAR-2026-0001``
for participa, numbered per secretariat, form and (local) year, never reused. R21: the
name, sector and contact are shown only to the facilitator, never published.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from domain.text import one_line, visible

__all__ = [
    "CATEGORIES",
    "CONTACT_MAX",
    "MESSAGE_MAX",
    "NAME_MAX",
    "SECTOR_MAX",
    "FieldError",
    "Form",
    "Invalid",
    "Submission",
    "clean",
    "folio",
    "parse_folio",
    "validate",
]

#: R19 f: what a buzón message is about, with the label the page shows.
CATEGORIES: dict[str, str] = {"duda": "Duda", "queja": "Queja", "sugerencia": "Sugerencia"}
#: The category stored with a participa form (the open data's ``buzon`` shows it too).
PARTICIPA = "participa"

MESSAGE_MAX = 2000
NAME_MAX = 120
SECTOR_MAX = 120
CONTACT_MAX = 200


class Form(StrEnum):
    """The two public forms; the value is the path and the stored ``form``."""

    BUZON = "buzon"
    PARTICIPA = "participa"

    @property
    def prefix(self) -> str:
        """The folio's prefix."""
        return _PREFIXES[self]


_PREFIXES = {Form.BUZON: "BZN", Form.PARTICIPA: "PAR"}


@dataclass(frozen=True)
class Submission:
    """A form that passed every check, cleaned and ready to store."""

    form: Form
    category: str  # duda | queja | sugerencia | participa
    text: str
    name: str = ""
    sector: str = ""
    contact: str = ""


@dataclass(frozen=True)
class FieldError:
    """What is wrong with one field, in Spanish, for the person who typed it."""

    field: str
    message: str


@dataclass(frozen=True)
class Invalid:
    """A form refused: the errors in the form's field order, and the values to show back."""

    errors: tuple[FieldError, ...]
    values: Mapping[str, str]

    def message_for(self, field: str) -> str | None:
        """The error of ``field``, if it has one."""
        return next((e.message for e in self.errors if e.field == field), None)


#: Fields of each form in the order the page shows them (and lists their errors).
FIELDS: dict[Form, tuple[str, ...]] = {
    Form.BUZON: ("categoria", "mensaje", "contacto"),
    Form.PARTICIPA: ("nombre", "sector", "contacto", "mensaje"),
}

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
#: A phone number: at least this many digits somewhere in the contact.
_PHONE_DIGITS = 7


def _reachable(contact: str) -> bool:
    """Something one can answer to: an e-mail address or a phone number."""
    return bool(_EMAIL.search(contact)) or sum(c.isdecimal() for c in contact) >= _PHONE_DIGITS


def _too_long(what: str, limit: int, length: int) -> str:
    return f"{what} admite hasta {limit:,} caracteres; tiene {length:,}.".replace(",", " ")


def clean(form: Form, raw: Mapping[str, str]) -> dict[str, str]:
    """The form's fields as they are checked and stored (missing ones empty).

    Single-line fields through :func:`domain.text.one_line`, the message through
    :func:`domain.text.visible` (its line breaks kept), both trimmed.
    """
    return {
        name: visible(raw.get(name, "")).strip()
        if name == "mensaje"
        else one_line(raw.get(name, ""))
        for name in FIELDS[form]
    }


def validate(form: Form, raw: Mapping[str, str]) -> Submission | Invalid:
    """Check a submitted form; a refusal lists every wrong field at once.

    ``raw`` holds what the browser sent; it is cleaned first (:func:`clean`), and lengths
    are counted after cleaning, in characters, as the page's ``maxlength`` counts them.
    """
    values = clean(form, raw)
    errors: list[FieldError] = []

    def check(name: str, what: str, limit: int, *, required: str | None) -> None:
        value = values[name]
        if not value:
            if required is not None:
                errors.append(FieldError(name, required))
        elif len(value) > limit:
            errors.append(FieldError(name, _too_long(what, limit, len(value))))

    if form is Form.BUZON:
        category = values["categoria"].lower()
        if category not in CATEGORIES:
            errors.append(
                FieldError(
                    "categoria", "Elija si su mensaje es una duda, una queja o una sugerencia."
                )
            )
        check("mensaje", "El mensaje", MESSAGE_MAX, required="Escriba su mensaje.")
        check("contacto", "El contacto", CONTACT_MAX, required=None)
    else:
        category = PARTICIPA
        check("nombre", "El nombre", NAME_MAX, required="Escriba su nombre.")
        check(
            "sector",
            "El sector",
            SECTOR_MAX,
            required="Escriba el sector u organización al que pertenece.",
        )
        check(
            "contacto",
            "El contacto",
            CONTACT_MAX,
            required="Escriba un correo electrónico o un teléfono para invitarle.",
        )
        check("mensaje", "El mensaje", MESSAGE_MAX, required=None)
    contact = values["contacto"]
    if contact and len(contact) <= CONTACT_MAX and not _reachable(contact):
        errors.append(
            FieldError(
                "contacto",
                "Escriba un correo electrónico (nombre@dominio.mx) o un teléfono de al menos "
                f"{_PHONE_DIGITS} dígitos.",
            )
        )
    if errors:
        order = FIELDS[form]
        errors.sort(key=lambda e: order.index(e.field))
        return Invalid(tuple(errors), values)
    return Submission(
        form=form,
        category=category,
        text=values["mensaje"],
        name=values.get("nombre", ""),
        sector=values.get("sector", ""),
        contact=contact,
    )


def folio(form: Form, year: int, sequence: int) -> str:
    """``folio(Form.BUZON, 2026, 1) == "BZN-2026-0001"`` (five digits past 9 999)."""
    return f"{form.prefix}-{year:04d}-{sequence:04d}"


_FOLIO = re.compile(r"(BZN|PAR)-(\d{4})-(\d{4,6})")


def parse_folio(text: str) -> tuple[Form, int, int] | None:
    """The form, year and sequence of a folio as :func:`folio` writes it, else ``None``."""
    match = _FOLIO.fullmatch(text.strip().upper())
    if match is None:
        return None
    form = next(f for f, p in _PREFIXES.items() if p == match[1])
    sequence = int(match[3])
    if sequence == 0 or match[3] != f"{sequence:04d}":
        return None  # not a folio we ever wrote (BZN-2026-0000, BZN-2026-00001)
    return form, int(match[2]), sequence
