"""Pure argument parsers: command text → typed request, or a ``Usage`` refusal."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import MissingName, TokenUnknown, Usage
from domain.roles import Role

_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


def start_payload(text: str) -> str:
    """A deep-link payload as Telegram allows it; anything else cannot be our token."""
    payload = text.strip()
    if not _PAYLOAD.fullmatch(payload):
        raise TokenUnknown()
    return payload


def roster_number(text: str, command: str) -> int:
    """``/baja 7`` → 7 (also accepts ``#7``)."""
    raw = text.strip().removeprefix("#")
    if not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
        raise Usage(command)
    return int(raw)


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
