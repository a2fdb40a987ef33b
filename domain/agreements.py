"""Agreements of the secretariat and their follow-up (R16; seed VI.8).

An agreement has a running code per secretariat and year (``ACU-2027-003``), never reused,
a responsible (a seat or a named person), an optional due date and a status. Every change
of status is kept with its time, author and note; this module decides which changes are
allowed and who may make them, and parses what people type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CODE_PREFIX",
    "MAX_TEXT",
    "PAGE_SIZE",
    "Code",
    "Page",
    "Status",
    "format_code",
    "next_sequence",
    "page_of",
    "parse_code",
]

CODE_PREFIX = "ACU"
MAX_TEXT = 2000  # an agreement is a decision, not a document
#: ``/acuerdos`` shows this many per message; the rest behind ``Anteriores`` / ``Siguientes``
#: buttons that edit the same message: 200 agreements are one message, not nine arriving
#: at Telegram's pace of about one per second in a chat.
PAGE_SIZE = 15
_CODE = re.compile(r"ACU-([0-9]{4})-([0-9]{3,6})", re.ASCII | re.IGNORECASE)


class Status(StrEnum):
    """R16's four states; ``cumplido`` and ``cancelado`` close an agreement."""

    PENDIENTE = "pendiente"
    EN_PROCESO = "en_proceso"
    CUMPLIDO = "cumplido"
    CANCELADO = "cancelado"

    @property
    def closed(self) -> bool:
        """Closed agreements are no longer reminded (R16, R23)."""
        return self in (Status.CUMPLIDO, Status.CANCELADO)

    @property
    def label(self) -> str:
        """How chat writes it."""
        return self.value.replace("_", " ")


@dataclass(frozen=True, order=True)
class Code:
    """``ACU-<year>-<nnn>``: the year the agreement was adopted, and its running number."""

    year: int
    sequence: int

    def __str__(self) -> str:
        return format_code(self.year, self.sequence)


def format_code(year: int, sequence: int) -> str:
    """``format_code(2027, 3) == "ACU-2027-003"`` (at least three digits, more if needed)."""
    if not 1 <= sequence <= 999_999 or not 1000 <= year <= 9999:
        raise ValueError("sequence 1..999999, four-digit year")
    return f"{CODE_PREFIX}-{year:04d}-{sequence:03d}"


def parse_code(raw: str) -> Code | None:
    """The code a person typed (case-insensitive, ASCII digits only), else ``None``."""
    match = _CODE.fullmatch(raw.strip())
    if match is None:
        return None
    year, sequence = int(match[1]), int(match[2])
    if sequence < 1:
        return None
    return Code(year, sequence)


def next_sequence(used: list[int] | tuple[int, ...] | set[int]) -> int:
    """The next running number of a year: one past the highest ever used, so a cancelled
    agreement's code is never given again (R16)."""
    return max(used, default=0) + 1


@dataclass(frozen=True)
class Page:
    """One page of a list: which rows (``start``…``stop``) and how many pages there are."""

    number: int  # 0-based, clamped into range
    pages: int  # at least 1, even for an empty list
    start: int
    stop: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 0

    @property
    def has_next(self) -> bool:
        return self.number + 1 < self.pages


def page_of(total: int, requested: int, size: int = PAGE_SIZE) -> Page:
    """Page ``requested`` of ``total`` rows; out of range (a list that shrank since the
    button was drawn) is clamped to the nearest page, never an empty middle page."""
    pages = max(1, -(-total // size))
    number = min(max(requested, 0), pages - 1)
    start = number * size
    return Page(number, pages, start, min(start + size, total), total)
