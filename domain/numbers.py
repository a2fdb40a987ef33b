"""The one strict number parser for everything a user (or a client) types or sends.

Bad input gets a clear Spanish answer and changes nothing: numbers are ASCII digits
``0-9`` only. ``str.isdigit()`` also accepts ``²``, ``①`` or ``٣`` (and ``re``'s ``\\d``
matches every Unicode decimal digit), which ``int()`` then rejects with an exception
(``²``, ``①``) or silently reads as a number (``٣`` → 3). Callers turn ``None`` into
their own refusal (``Usage``, ``StaleButton``, ``InvalidSettingValue``…).
"""

from __future__ import annotations

import re

_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def ascii_number(raw: str, *, max_digits: int) -> int | None:
    """``"42"`` → 42; ``None`` for anything but 1 to ``max_digits`` ASCII digits.

    No sign, no spaces, no underscores (``int("1_0")`` would accept it), no Unicode
    digits: exactly what our own buttons and the command syntax in commands.md write.
    """
    if not 1 <= len(raw) <= max_digits or not _ASCII_DIGITS.fullmatch(raw):
        return None
    return int(raw)
