"""Pure argument parsers: command text → typed request, or a ``Usage`` refusal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from domain.errors import BadDate, BadTime, MissingName, TokenUnknown, Usage
from domain.numbers import ascii_number
from domain.roles import Role
from domain.secretariat_settings import parse_hhmm, parse_iso_date

_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


def start_payload(text: str) -> str:
    """A deep-link payload as Telegram allows it; anything else cannot be our token."""
    payload = text.strip()
    if not _PAYLOAD.fullmatch(payload):
        raise TokenUnknown()
    return payload


def roster_number(text: str, command: str) -> int:
    """``/baja 7`` → 7 (also accepts ``#7``).

    Bad input gets a clear Spanish answer and changes nothing: only ASCII digits count
    (``/baja ²`` or ``/baja ٣`` is the usage refusal, never an exception or a 3).
    """
    raw = text.strip().removeprefix("#")
    number = ascii_number(raw, max_digits=9)
    if number is None or number < 1:
        raise Usage(command)
    return number


@dataclass(frozen=True)
class AltaRequest:
    """``/alta titular|suplente <sector> <nombre>`` or ``/alta observador <nombre>``."""

    role: Role
    seat_key: str | None
    name: str


_ALTA_ROLES = {"titular": Role.TITULAR, "suplente": Role.SUPLENTE, "observador": Role.OBSERVADOR}


def alta(text: str) -> AltaRequest:
    """Parse ``/alta``; the name keeps its words as typed (the service cleans it)."""
    words = text.split()
    if not words or words[0].lower() not in _ALTA_ROLES:
        raise Usage("alta")
    role = _ALTA_ROLES[words[0].lower()]
    if role is Role.OBSERVADOR:
        if len(words) < 2:
            raise MissingName("alta")
        return AltaRequest(role, None, " ".join(words[1:]))
    if len(words) < 2:
        raise Usage("alta")
    if len(words) < 3:
        raise MissingName("alta")
    return AltaRequest(role, words[1].lower(), " ".join(words[2:]))


def asiento(text: str) -> tuple[str, str]:
    """``/asiento <clave> <nombre del sector>``."""
    words = text.split()
    if not words:
        raise Usage("asiento")
    if len(words) < 2:
        raise MissingName("asiento")
    return words[0], " ".join(words[1:])


def ajustar(text: str) -> tuple[str, str]:
    """``/ajustar <clave> <valor>``; the value may contain spaces (the garante's name)."""
    words = text.split(maxsplit=1)
    if len(words) < 2:
        raise Usage("ajustar")
    return words[0], words[1]


def municipality(text: str) -> str:
    """``/nuevo_stm <nombre del municipio>``."""
    if not text.strip():
        raise MissingName("nuevo_stm")
    return text


@dataclass(frozen=True)
class ConvocarRequest:
    """``/convocar <kind> <AAAA-MM-DD> <HH:MM> <lugar>`` + one agenda item per line."""

    kind: str
    day: date
    at: time
    place: str
    agenda: list[str]


_BULLET = re.compile(r"^\s*(?:[-•*]|[0-9]{1,2}[.)])\s*")


def convocar(text: str) -> ConvocarRequest:
    """Parse the one-shot form; the agenda keeps its order, numbering is ours."""
    first, _, rest = text.strip().partition("\n")
    words = first.split(maxsplit=3)
    if len(words) < 3 or words[0].lower() not in ("ordinaria", "extraordinaria"):
        raise Usage("convocar")
    try:
        day = parse_iso_date(words[1])
    except ValueError:
        raise BadDate(words[1]) from None
    try:
        at = parse_hhmm(words[2])
    except ValueError:
        raise BadTime(words[2]) from None
    place = words[3].strip() if len(words) > 3 else ""
    return ConvocarRequest(words[0].lower(), day, at, place, agenda_lines(rest))


def agenda_lines(text: str) -> list[str]:
    """One agenda item per line; bullets and numbers typed by the user are dropped."""
    items = (_BULLET.sub("", line).strip() for line in text.splitlines())
    return [item for item in items if item]


def clock_time(text: str) -> time:
    """``HH:MM`` or a refusal naming the format."""
    try:
        return parse_hhmm(text.strip())
    except ValueError:
        raise BadTime(text.strip()) from None


def day_range(text: str) -> tuple[date, date | None, str]:
    """``/inhabil <AAAA-MM-DD> [hasta <AAAA-MM-DD>] <motivo>``."""
    words = text.split()
    if not words:
        raise Usage("inhabil")
    try:
        start = parse_iso_date(words[0])
    except ValueError:
        raise BadDate(words[0]) from None
    end = None
    rest = words[1:]
    if rest and rest[0].lower() == "hasta":
        if len(rest) < 2:
            raise Usage("inhabil")
        try:
            end = parse_iso_date(rest[1])
        except ValueError:
            raise BadDate(rest[1]) from None
        rest = rest[2:]
    if not rest:
        raise MissingName("inhabil")
    return start, end, " ".join(rest)


def one_date(text: str, command: str) -> date:
    """``/habil <AAAA-MM-DD>``."""
    raw = text.strip()
    if not raw:
        raise Usage(command)
    try:
        return parse_iso_date(raw.split()[0])
    except ValueError:
        raise BadDate(raw.split()[0]) from None


def optional_number(text: str, command: str) -> int | None:
    """``/quorum [n]``, ``/iniciar [n]``."""
    return roster_number(text, command) if text.strip() else None


NOTE_MAX = 500


def number_and_note(text: str, command: str) -> tuple[int, str | None]:
    """``/acta_enviada <n> [nota]``: the note keeps its words (folded to one line)."""
    first, _, rest = text.strip().partition(" ")
    number = roster_number(first, command)
    note = " ".join(rest.split())[:NOTE_MAX]
    return number, note or None


def nota(text: str) -> tuple[int, str]:
    """``/nota <n de punto> <texto>``: the text keeps its line breaks (it is narrative)."""
    first, _, rest = text.strip().partition(" ")
    first, _, inline = first.partition("\n")
    item = roster_number(first, "nota")
    body = "\n".join(line.strip() for line in f"{inline}\n{rest}".strip().splitlines()).strip()
    if not body:
        raise Usage("nota")
    return item, body
