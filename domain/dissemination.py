"""The public channel and the communiqués (R18; seed II.5, VI.11, V.3), as pure rules.

On the principle of maximum publicity the secretariat's public channel (setting
``canal_publico``) receives every vote result, every registered agreement, every signed
minutes and every communiqué of the facilitator — and nothing of R21's never-published
list (Telegram ids, @usernames, phone numbers, e-mails): posts name people by their
roster name and seat only.

Here: the syntax of ``canal_publico``, what makes a channel usable (the bot must be an
administrator that may post, checked when the setting is set), the communiqué's limits,
and how often an owed post is attempted before it waits for the facilitator.
"""

from __future__ import annotations

import re
from enum import StrEnum

from domain.errors import (
    BotCannotPost,
    BotNotChannelAdmin,
    BotNotInChannel,
    ChannelNotFound,
    CommuniqueTooLong,
    NotAChannel,
    Usage,
)
from domain.text import visible

__all__ = [
    "COMMUNIQUE_MAX",
    "MAX_ATTEMPTS",
    "PostKind",
    "chat_ref",
    "check_channel",
    "clean_communique",
    "parse_channel",
    "same_text",
    "utf16_length",
]


class PostKind(StrEnum):
    """What a channel post is about (``channel_posts.kind``); one post per subject."""

    VOTACION = "votacion"  # subject: the vote
    ACUERDO = "acuerdo"  # subject: the agreement
    ACTA = "acta"  # subject: the meeting whose minutes were signed
    COMUNICADO = "comunicado"  # subject: the communiqué
    CADENA = "cadena"  # subject: the hash chain's head position, posted daily (issue 15)


#: An owed post is attempted at most this often (once when owed, then at start-ups);
#: after that it waits until the facilitator sets ``canal_publico`` again.
MAX_ATTEMPTS = 3

#: A communiqué's length, in UTF-16 code units as Telegram counts: with its heading it
#: stays one message (4096) in the group and in the channel.
COMMUNIQUE_MAX = 3500

# Telegram usernames: 5–32 of a-z, 0-9 and _, starting with a letter (a few 4-letter
# ones exist); t.me links name the same channel.
_USERNAME = re.compile(r"@?([A-Za-z][A-Za-z0-9_]{3,31})", re.ASCII)
_LINK = re.compile(r"(?:https?://)?t\.me/([A-Za-z][A-Za-z0-9_]{3,31})/?", re.ASCII)
_CHAT_ID = re.compile(r"-?[1-9][0-9]{0,18}", re.ASCII)


def parse_channel(raw: str) -> str:
    """``canal_publico``'s syntax only: ``@canal``, a ``t.me/canal`` link or a numeric
    chat id (``-1001234567890``) in canonical form; ``-`` clears it (``""``).

    Whether the channel exists and takes the bot's posts is Telegram's answer, checked
    when the setting is set (:func:`check_channel`). Raises ``ValueError`` otherwise.
    """
    text = raw.strip()
    if text == "-":
        return ""
    if _CHAT_ID.fullmatch(text):
        if not -(2**63) <= int(text) < 2**63:
            raise ValueError(repr(raw))
        return text
    match = _LINK.fullmatch(text) or (_USERNAME.fullmatch(text) if text.startswith("@") else None)
    if match is None:
        raise ValueError(repr(raw))
    return f"@{match[1]}"


def chat_ref(channel: str) -> int | str:
    """What the Bot API's ``chat_id`` takes for a parsed ``canal_publico``."""
    return int(channel) if _CHAT_ID.fullmatch(channel) else channel


def check_channel(
    channel: str, *, chat_type: str | None, status: str | None, can_post: bool | None
) -> None:
    """R18: the channel must exist, be a channel, and have the bot as an administrator
    that may post messages; else the refusal names which of these failed.

    ``chat_type`` is ``None`` when Telegram did not find the chat; ``status`` the bot's
    ``ChatMember.status`` there (``None`` if Telegram would not say); ``can_post`` its
    ``can_post_messages``.
    """
    if chat_type is None:
        raise ChannelNotFound(channel)
    if chat_type != "channel":
        raise NotAChannel(channel)
    if status in (None, "left", "kicked"):
        raise BotNotInChannel(channel)
    if status not in ("administrator", "creator"):
        raise BotNotChannelAdmin(channel)
    if status == "administrator" and not can_post:
        raise BotCannotPost(channel)


def utf16_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def clean_communique(raw: str) -> str:
    """The communiqué as published: line breaks kept, control and format characters
    (invisible text) and trailing spaces and blank edges dropped; empty gets the usage,
    too long a refusal with both lengths."""
    lines = [line.rstrip() for line in visible(raw).split("\n")]
    text = "\n".join(lines).strip()
    if not text:
        raise Usage("comunicado")
    length = utf16_length(text)
    if length > COMMUNIQUE_MAX:
        raise CommuniqueTooLong(length, COMMUNIQUE_MAX)
    return text


def same_text(a: str, b: str) -> bool:
    """Whether two communiqués say the same (whitespace and case aside): a repeated
    ``/comunicado`` is a double send, not a second communiqué."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
