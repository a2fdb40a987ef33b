"""What people type, made safe to store and to repeat in official messages.

Names, commitments' fields, proposals and communiqués all reach other people's chats, the
garante or the public channel: control and format characters (bidirectional overrides,
zero-width marks, escape codes) are dropped so no invisible text travels with them, and
the text is NFC so the same word is stored the same way. Characters like ``<`` and ``&``
are kept: templates escape them.
"""

from __future__ import annotations

import unicodedata

__all__ = ["one_line", "visible"]


def visible(raw: str) -> str:
    """NFC, line breaks as ``\\n``, and every control or format character dropped except
    line breaks and tabs."""
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


def one_line(raw: str) -> str:
    """:func:`visible`, with every run of whitespace (line breaks too) as one space."""
    return " ".join(visible(raw).split())
