"""Telegram's flood control for the fake Bot API (optional: off unless a test turns it on).

Telegram does not publish exact limits; its FAQ and PTB's wiki give about 30 messages per
second overall, about 1 per second in one private chat and 20 per minute in one group. The
fake enforces exactly those numbers (or smaller ones a test asks for) with sliding windows:
a call is refused when the window ``(now - period, now]`` already holds ``count`` accepted
calls, so two sends to one private chat exactly 1.0 s apart both pass, 0.99 s apart do not.

A refused call gets what Telegram answers::

    429 {"ok": false, "error_code": 429,
         "description": "Too Many Requests: retry after N", "parameters": {"retry_after": N}}

with ``N`` the whole seconds (at least 1) until the fullest window has room again, and the
message is not delivered. Refused calls do not count against any window.

Only message-producing and message-editing methods are limited; getUpdates, getMe,
answerCallbackQuery, setMyCommands... always pass. The policy is a plain object driven by
the ``now`` it is given (the server's monotonic clock), so it is tested deterministically.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["LIMITED_METHODS", "FloodControl", "Limit"]

#: Bot API methods that produce or change a message in a chat.
LIMITED_METHODS: frozenset[str] = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendMediaGroup",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendDice",
        "sendSticker",
        "sendInvoice",
        "sendPaidMedia",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
        "editMessageText",
        "editMessageCaption",
        "editMessageMedia",
        "editMessageReplyMarkup",
        "editMessageLiveLocation",
        "stopMessageLiveLocation",
        "stopPoll",
        "pinChatMessage",
        "unpinChatMessage",
    }
)


@dataclass(frozen=True)
class Limit:
    """At most ``count`` accepted calls in any window of ``period`` seconds."""

    count: int
    period: float

    def __post_init__(self) -> None:
        if self.count < 1 or self.period <= 0:
            raise ValueError(f"a limit needs count >= 1 and period > 0, not {self!r}")


def _chat_key(value: Any) -> int | str | None:
    """``101`` and ``"101"`` are one chat; ``"@channel"`` is a chat of its own."""
    if isinstance(value, bool) or value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    return text.lower()


class _Bucket:
    """A private chat's token bucket: ``capacity`` at once, then ``rate`` per second."""

    def __init__(self, capacity: int, rate: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = float(capacity)
        self.at: float | None = None

    def wait(self, now: float) -> float:
        """Seconds until one token is there (0 if there is one now)."""
        if self.at is not None:
            self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class FloodControl:
    """The fake's :class:`~tests.fakebot.server.RateLimitPolicy`: Telegram's limits.

    Args:
        overall: limit over all chats together (Telegram: ~30 per second).
        private: limit per private chat, positive chat ids (Telegram: ~1 per second).
        private_burst: with more than 1, a private chat is a token bucket instead of a
            sliding window: this many messages at once, then ``private.count`` per
            ``private.period`` (Telegram tolerates short bursts in one chat).
        group: limit per group, supergroup or channel, negative ids or ``@username``
            (Telegram: 20 per minute).
        methods: the limited Bot API methods (default :data:`LIMITED_METHODS`).
    """

    def __init__(
        self,
        *,
        overall: Limit = Limit(30, 1.0),
        private: Limit = Limit(1, 1.0),
        group: Limit = Limit(20, 60.0),
        methods: Collection[str] = LIMITED_METHODS,
        private_burst: int = 1,
    ) -> None:
        if private_burst < 1:
            raise ValueError("private_burst must be at least 1")
        self.overall = overall
        self.private = private
        self.private_burst = private_burst
        self._buckets: dict[int, _Bucket] = {}
        self.group = group
        self.methods = frozenset(methods)
        #: Calls let through / refused with 429 (only limited methods are counted).
        self.accepted = 0
        self.rejected = 0
        self._overall: deque[float] = deque()
        self._chats: dict[int | str, deque[float]] = {}

    def check(self, method: str, params: Mapping[str, Any], now: float) -> int | None:
        """``None`` to let the call through (and count it), else ``retry_after`` seconds."""
        if method not in self.methods:
            return None
        windows: list[tuple[deque[float], Limit]] = [(self._overall, self.overall)]
        chat = _chat_key(params.get("chat_id"))
        bucket = None
        private = isinstance(chat, int) and chat > 0
        if private and self.private_burst > 1:
            assert isinstance(chat, int)
            rate = self.private.count / self.private.period
            bucket = self._buckets.setdefault(chat, _Bucket(self.private_burst, rate))
        elif chat is not None:
            limit = self.private if private else self.group
            windows.append((self._chats.setdefault(chat, deque()), limit))
        wait = bucket.wait(now) if bucket is not None else 0.0
        for events, limit in windows:
            while events and events[0] <= now - limit.period:
                events.popleft()
            if len(events) >= limit.count:
                oldest_that_must_expire = events[len(events) - limit.count]
                wait = max(wait, oldest_that_must_expire + limit.period - now)
        if wait > 0:
            self.rejected += 1
            return max(1, math.ceil(wait))
        for events, _limit in windows:
            events.append(now)
        if bucket is not None:
            bucket.tokens -= 1
        self.accepted += 1
        return None
