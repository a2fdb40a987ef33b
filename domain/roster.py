"""Roster rules (R1): the default seats and what a valid name or seat key is."""

from __future__ import annotations

import re

from domain.errors import InvalidSeatKey, MissingName, NameTooLong
from domain.text import one_line

#: R1 / seed I.1 and VIII.1: one voting seat per sector, in the act's order.
DEFAULT_SEATS: tuple[tuple[str, str], ...] = (
    ("gobierno", "Gobierno municipal"),
    ("garante", "Organismo garante local"),
    ("sociedad_civil", "Sociedad civil"),
    ("academia", "Academia"),
    ("ciudadania", "Ciudadanía"),
)

#: Long enough for "Subcoordinador de Estado Abierto y Transparencia Proactiva…", short
#: enough that a 50-person roster stays within a few Telegram messages.
NAME_MAX = 120
SEAT_KEY = re.compile(r"[a-z0-9_]{1,32}")


def clean_name(raw: str, *, command: str, limit: int = NAME_MAX) -> str:
    """Normalise a person's, sector's or municipality's name, or refuse it.

    Whitespace runs collapse to one space and control or format characters are dropped,
    so a name cannot smuggle line breaks or invisible text into official messages.
    Characters like ``<`` and ``&`` are kept: templates escape them.
    """
    name = one_line(raw)
    if not name:
        raise MissingName(command)
    if len(name) > limit:
        raise NameTooLong(limit)
    return name


def clean_seat_key(raw: str) -> str:
    """Seat keys are typed in ``/alta titular <sector> …``: 1–32 of ``a-z 0-9 _``."""
    key = raw.strip().lower()
    if not SEAT_KEY.fullmatch(key):
        raise InvalidSeatKey(raw)
    return key
