"""Outgoing flood control: Telegram's limits per chat, and retries that block one chat only.

Telegram allows a bot about 30 messages per second overall, about 1 per second in one
private chat and 20 per minute in one group (its FAQ; PTB's wiki "Avoiding flood limits").
Beyond that it answers ``429 Too Many Requests: retry after N``. PTB's ``AIORateLimiter``
only knows the overall and the group limits, retries nothing unless ``max_retries`` is set,
and then pauses *every* request for ``N`` seconds. A convocation sends a message and an
``.ics`` to each of up to ~150 members at once, so :class:`DeliveryRateLimiter` instead:

* throttles before sending (never relies on 429s): a shared bucket for all chats, a
  token bucket per private chat (a short burst, then one per second: an answer's second
  and third message leave at once, a long fan-out to one chat is still paced), a spacing
  plus a per-minute window per group or channel — its own queue, so a group waiting for
  its window never delays a private chat;
* keeps each chat's requests in the order they were made (message before ``.ics``), by
  serialising a chat's requests, retries included;
* on a 429 waits ``retry_after`` (plus a margin) in that chat only; the other chats go on.
  Only when several chats get a 429 within ``global_429_window`` seconds — the limit that
  was hit is then the bot-wide one, not a chat's — does it also pause the shared bucket;
* retries transient failures (``NetworkError``, ``TimedOut``, 5xx) with exponential backoff,
  in that chat only; ``Forbidden``, ``BadRequest`` and every other error are raised at once.

Only endpoints that produce or edit a message (:data:`MESSAGE_ENDPOINTS`) are throttled and
retried; ``getMe``, ``setMyCommands``, ``answerCallbackQuery``... go straight through (a
button press must be answered at once), and PTB never passes ``getUpdates`` to a limiter.

Several replicas of one bot token share Telegram's overall budget, which is per token, not
per process: given a :class:`SharedBudget` (``bot.app`` gives one on PostgreSQL,
``storage.services.send_budget``), each send also reserves its moment on a timeline kept
in the database, after this process's own overall slot, and waits for it. The per-chat
and per-group limits stay this process's (see :class:`DeliveryRateLimiter`).

Retrying ``TimedOut`` makes delivery at-least-once: a request whose answer timed out may
have reached Telegram, so the user can, rarely, see a message twice. For a convocation a
duplicate is better than a loss; ``retry_timeouts=False`` chooses at-most-once instead.
"""

from __future__ import annotations

import asyncio
import logging
import math
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Protocol

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

from bot.background import BACKGROUND
from bot.metrics import Metrics

__all__ = ["MESSAGE_ENDPOINTS", "DeliveryRateLimiter", "LimiterStats", "SharedBudget"]

log = logging.getLogger(__name__)

#: Awaited right before a throttled request is sent, after every wait (issue 14): the
#: reminders' ledger marks a claim ``enviando`` only once it really leaves, so a crash
#: while it still waited here leaves it to be sent by the next leader.
ON_WIRE: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar("on_wire", default=None)

#: What PTB's request callback returns.
ApiResult = bool | dict[str, Any] | list[dict[str, Any]]

#: Bot API endpoints that produce or change a message in a chat: the ones Telegram's flood
#: limits apply to. Everything else passes through unthrottled and is not retried.
MESSAGE_ENDPOINTS: frozenset[str] = frozenset(
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
        "sendGame",
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

#: Endpoints that send several messages in one request, and the field that lists them.
_BATCH_FIELDS = {
    "sendMediaGroup": "media",
    "copyMessages": "message_ids",
    "forwardMessages": "message_ids",
}

#: Times a send whose shared moment passed while it was not looking reserves a new one.
_LATE_RETRIES = 2

#: Past this many remembered chats, idle ones are forgotten (their limits have expired).
_PRUNE_ABOVE = 2048


class SharedBudget(Protocol):
    """The overall budget shared with the other processes on the same bot token.

    ``storage.services.send_budget.SendBudget`` keeps it in PostgreSQL. The limiter says
    how many seconds of the shared timeline a send takes; the budget answers how long to
    wait before sending, on nobody's clock but its own (a duration, not a time).
    """

    async def reserve(self, seconds: float) -> float:
        """Reserve the next ``seconds`` of the timeline; seconds to wait (``<= 0``: now)."""
        ...

    async def close(self) -> None:
        """Release what it holds (connections); a later ``reserve`` may open them again."""
        ...


@dataclass(frozen=True)
class LimiterStats:
    """What the limiter met so far (for logs, the benchmark and tests).

    Attributes:
        too_many_requests: 429 answers received (each retried, unless retries ran out).
        transient_errors: transient failures received (same).
        global_pauses: times the shared bucket was paused because several chats got a 429.
        shared_waits: seconds sends waited for the budget shared with other processes.
        shared_failures: reservations that failed (those sends used the local budget only).
        shared_late: shared moments given up because the send was too late for them.
    """

    too_many_requests: int = 0
    transient_errors: int = 0
    global_pauses: int = 0
    shared_waits: float = 0.0
    shared_failures: int = 0
    shared_late: int = 0


class _Window:
    """At most ``limit`` requests in any ``period`` seconds (a sliding log), ``gap`` apart.

    A request occupies the window from its start until ``period`` after its *answer*:
    Telegram counts it when it arrives, somewhere between the two, and a request that
    travelled slowly (a multipart upload, a busy event loop between the start and the
    send) must not let the next ones arrive closer together than the limit allows. So
    no jitter between our clock and Telegram's can produce a 429 (bench/fanout.py saw
    one per fan-out when the log held start times); the price is one round trip per
    window, ~1 % here.
    """

    def __init__(self, limit: int, period: float, gap: float = 0.0) -> None:
        self.limit = limit
        self.period = period
        self.gap = gap
        self.answered: deque[float] = deque()  # answer times, in order
        self.in_flight = 0
        self.last = -math.inf

    def ready_at(self, now: float, cost: int) -> float:
        """The earliest time ``cost`` more requests fit (``now`` if they fit already).

        With the window full of requests still in flight, the answer is a short poll
        (``gap``, at least 10 ms) rather than a time: their answers will decide it.
        """
        while self.answered and self.answered[0] <= now - self.period:
            self.answered.popleft()
        ready = max(now, self.last + self.gap)
        excess = len(self.answered) + self.in_flight + min(cost, self.limit) - self.limit
        if excess > len(self.answered):
            ready = max(ready, now + max(self.gap, 0.01))
        elif excess > 0:
            ready = max(ready, self.answered[excess - 1] + self.period)
        return ready

    def take(self, now: float, cost: int) -> None:
        self.in_flight += cost
        self.last = now

    def answer(self, now: float, cost: int) -> None:
        """The request that took ``cost`` is answered (or failed): it counts from ``now``."""
        self.in_flight -= cost
        self.answered.extend([now] * cost)

    def idle(self, now: float) -> bool:
        recent = self.answered and self.answered[-1] > now - self.period
        return self.in_flight == 0 and not recent


class _Bucket:
    """A token bucket: up to ``capacity`` starts at once, then one per ``interval`` seconds."""

    def __init__(self, capacity: int, interval: float) -> None:
        self.capacity = capacity
        self.interval = interval
        self.tokens = float(capacity)
        self.updated = -math.inf

    def _refill(self, now: float) -> None:
        if self.interval <= 0 or self.updated == -math.inf:
            self.tokens = float(self.capacity)
        else:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) / self.interval)
        self.updated = now

    def ready_at(self, now: float, cost: int) -> float:
        """The earliest time ``cost`` tokens (at most the capacity) are there."""
        self._refill(now)
        missing = min(cost, self.capacity) - self.tokens
        return now if missing <= 1e-9 else now + missing * self.interval

    def take(self, now: float, cost: int) -> None:
        self._refill(now)
        self.tokens -= cost  # an album larger than the bucket leaves a debt

    def idle(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= self.capacity


class _Chat:
    """One chat's queue: a FIFO lock, when its next request may start, its limits."""

    def __init__(
        self, interval: float, window: _Window | None, bucket: _Bucket | None = None
    ) -> None:
        self.lock = asyncio.Lock()
        self.interval = interval
        self.window = window
        self.bucket = bucket
        self.not_before = -math.inf

    def postpone(self, until: float) -> None:
        self.not_before = max(self.not_before, until)

    def idle(self, now: float) -> bool:
        return (
            not self.lock.locked()
            and self.not_before <= now
            and (self.window is None or self.window.idle(now))
            and (self.bucket is None or self.bucket.idle(now))
        )


def _chat_key(data: dict[str, Any]) -> int | str | None:
    """The target chat: ``123`` and ``"123"`` are one chat, ``"@name"`` is a channel/group."""
    chat_id = data.get("chat_id")
    if chat_id is None or isinstance(chat_id, bool) or chat_id == "":
        return None
    if isinstance(chat_id, int):
        return chat_id
    text = str(chat_id).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    return text.lower()


def _cost(endpoint: str, data: dict[str, Any]) -> int:
    """How many messages the request produces (an album or a batch counts each item)."""
    field = _BATCH_FIELDS.get(endpoint)
    value = data.get(field) if field is not None else None
    if isinstance(value, list | tuple) and value:
        return len(value)
    return 1


def _retry_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds, without PTB's int-vs-timedelta deprecation warning."""
    value = getattr(exc, "_retry_after", None)
    if not isinstance(value, timedelta):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


class DeliveryRateLimiter(BaseRateLimiter[int]):
    """PTB rate limiter that keeps a fan-out within Telegram's limits and loses nothing.

    Use it as ``ApplicationBuilder().rate_limiter(DeliveryRateLimiter())``. Like
    ``AIORateLimiter``, the per-call ``rate_limit_args`` is an ``int`` overriding
    ``max_retries`` (``bot.send_message(..., rate_limit_args=1)`` retries once; PTB drops a
    falsy value, so ``0`` means the default).

    Args:
        overall_rate: messages per ``overall_period`` for the whole bot (Telegram: ~30/s).
        overall_period: seconds of the overall window. Starts are also spread evenly,
            ``overall_period / overall_rate`` apart, so a burst never arrives at once.
        private_interval: seconds per message in one private chat once its burst is spent
            (Telegram: ~1 message per second per chat, with short bursts tolerated); the
            margin is added, so the bucket refills a little slower than Telegram's.
        private_burst: messages one private chat may get at once (the bucket's capacity):
            ``3`` lets a reply's two or three messages (an edit and a new message, a text
            and its ``.ics``) leave together; ``1`` spaces every message, measured from the
            previous *answer*.
        group_rate: messages per ``group_period`` to one group, supergroup or channel
            (negative chat id or ``@username``); Telegram: 20 per minute.
        group_period: seconds of the group window.
        group_interval: seconds between two requests to one group, like
            ``private_interval`` (a group also takes at most ~1 message per second).
        margin: seconds added to every window and to every ``retry_after``, to absorb the
            jitter between our clock and the moment Telegram counts a request.
        max_retries: retries of one request after a 429 or a transient error (in total).
        backoff_base: first wait after a transient error; it doubles on each retry
            (0.5, 1, 2, 4 s...), up to ``backoff_max``.
        backoff_max: longest wait after a transient error.
        retry_timeouts: also retry ``TimedOut`` (at-least-once; see the module docstring).
            A pool timeout, where the request was never sent, is retried regardless.
        global_429_window: when two different chats get a 429 within this many seconds,
            the shared bucket is paused for ``retry_after`` too (the bot-wide limit was hit).
        endpoints: the throttled endpoints (default :data:`MESSAGE_ENDPOINTS`).
        shared_budget: the overall budget shared with other processes on the same token
            (:class:`SharedBudget`); ``None``: this process has the whole overall budget.
            ``bot.app`` sets :attr:`shared_budget` on PostgreSQL unless ``share_overall``
            is false.
        shared_margin: seconds added to ``overall_period`` on the shared timeline: a send
            reserves ``cost * (overall_period + shared_margin) / overall_rate`` seconds of
            it (``0.15``: 26.1 messages/s for all replicas together). Requests reach
            Telegram some time after their reserved moments (the sleep's overshoot, a busy
            event loop, the trip), so 31 consecutive slots, ``1 + shared_margin`` seconds
            apart end to end, fit in one second only if those delays differ by more than
            ``shared_margin``; put otherwise, at most 27 moments fall in any second and
            four late requests must bunch up into it for a 31st. A send that finds itself
            more than ``shared_margin / 2`` behind its moment, beyond the usual round trip
            to the database (a stall while it slept or waited for the answer), reserves a
            new one instead (up to twice), rather than arrive together with the other
            replicas' next sends.
        share_overall: whether ``bot.app`` may give this limiter a shared budget (false:
            each process keeps its own 30/s, as on SQLite; tests use it to show the 429s
            the sharing prevents).

    Replies and background sends with a shared budget: the shared timeline is first come,
    first served, but a process reserves a background slot only when its own background
    queue reaches the head (under the same lock as its local slot) and holds at most one
    such reservation at a time. So the timeline never holds a fan-out's backlog, only one
    pending background slot per replica, and an update's reply, which skips the local
    background queue as before, waits at most one slot per replica plus its own there.
    """

    __slots__ = (
        "_backoff_base",
        "_backoff_max",
        "_chats",
        "_endpoints",
        "_global_429_window",
        "_group_interval",
        "_group_period",
        "_group_rate",
        "_margin",
        "_max_retries",
        "_overall",
        "_overall_lock",
        "_overall_period",
        "_overall_rate",
        "_paused_until",
        "_private_burst",
        "_private_interval",
        "_recent_429",
        "_replies_waiting",
        "_retry_timeouts",
        "_share_overall",
        "_shared_failing",
        "_shared_gap",
        "_shared_late",
        "_shared_trips",
        "_stats",
        "metrics",
        "shared_budget",
    )

    def __init__(
        self,
        *,
        overall_rate: int = 30,
        overall_period: float = 1.0,
        private_interval: float = 1.0,
        private_burst: int = 3,
        group_rate: int = 20,
        group_period: float = 60.0,
        group_interval: float = 1.0,
        margin: float = 0.05,
        max_retries: int = 5,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        retry_timeouts: bool = True,
        global_429_window: float = 1.0,
        endpoints: Collection[str] = MESSAGE_ENDPOINTS,
        shared_budget: SharedBudget | None = None,
        shared_margin: float = 0.15,
        share_overall: bool = True,
    ) -> None:
        if overall_rate < 1 or group_rate < 1 or private_burst < 1:
            raise ValueError("overall_rate, group_rate and private_burst must be at least 1")
        if min(overall_period, group_period) <= 0:
            raise ValueError("overall_period and group_period must be positive")
        if (
            min(private_interval, group_interval, margin, backoff_base, global_429_window) < 0
            or shared_margin < 0
        ):
            raise ValueError("intervals, margin, backoff and windows must not be negative")
        if max_retries < 0 or backoff_max < backoff_base:
            raise ValueError("max_retries must be >= 0 and backoff_max >= backoff_base")
        self._margin = margin
        self._overall_rate = overall_rate
        self._overall_period = overall_period
        self._private_interval = private_interval
        self._private_burst = private_burst
        self._group_rate = group_rate
        self._group_period = group_period + margin
        self._group_interval = group_interval
        self._max_retries = max_retries
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._retry_timeouts = retry_timeouts
        self._global_429_window = global_429_window
        self._endpoints = frozenset(endpoints)
        self._shared_gap = (overall_period + shared_margin) / overall_rate
        self._shared_late = shared_margin / 2
        self._share_overall = share_overall
        self._shared_failing = False  # log a failing budget once, not 30 times a second
        self._stats = LimiterStats()
        #: Set by ``bot.app``: each call's outcome by endpoint (``/metrics``).
        self.metrics: Metrics | None = None
        #: The overall budget shared with other replicas (set by ``bot.app`` on PostgreSQL).
        self.shared_budget = shared_budget
        self._reset()

    def _reset(self) -> None:
        """Fresh per-chat and shared state (also after ``shutdown``, for a new event loop)."""
        self._overall = _Window(
            self._overall_rate,
            self._overall_period + self._margin,
            gap=self._overall_period / self._overall_rate,
        )
        self._overall_lock = asyncio.Lock()
        self._replies_waiting = 0  # updates' own replies waiting for an overall slot
        self._chats: dict[int | str, _Chat] = {}
        self._paused_until = -math.inf
        self._recent_429: list[tuple[int | str | None, float]] = []
        self._shared_trips: deque[float] = deque(maxlen=16)  # recent reservation round trips

    @property
    def share_overall(self) -> bool:
        """Whether ``bot.app`` may give this limiter a shared budget (see the class)."""
        return self._share_overall

    @property
    def stats(self) -> LimiterStats:
        """Counts of 429s, transient errors and global pauses since construction."""
        return self._stats

    async def initialize(self) -> None:
        """Nothing to set up: state is created per chat on first use."""

    async def shutdown(self) -> None:
        """Forget every chat's state (an application may be restarted in a new loop)."""
        self._reset()
        if self.shared_budget is not None:
            await self.shared_budget.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, ApiResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> ApiResult:
        """Send when the limits allow; retry 429s and transient errors in this chat only.

        Deviates on purpose from ``BaseRateLimiter``'s advice to handle only ``RetryAfter``:
        ``NetworkError`` (5xx, connection errors, timeouts) is retried too, because a
        convocation must not lose a message to a passing network failure. ``BadRequest``
        (a ``NetworkError`` subclass in PTB) and ``Forbidden`` are never retried.
        """
        if endpoint not in self._endpoints:
            return await callback(*args, **kwargs)
        max_retries = self._max_retries if rate_limit_args is None else rate_limit_args
        key = _chat_key(data)
        chat = self._chat(key)
        cost = _cost(endpoint, data)
        loop = asyncio.get_running_loop()
        async with chat.lock:
            attempt = 0
            while True:
                await self._wait_for_chat(chat, cost)
                start = await self._take_overall(cost)
                if chat.window is not None:
                    chat.window.take(start, cost)
                if chat.bucket is not None:
                    chat.bucket.take(start, cost)
                try:
                    on_wire = ON_WIRE.get()
                    if on_wire is not None:  # after every wait: the request leaves now
                        await on_wire()
                    result = await callback(*args, **kwargs)
                    self._answered(chat, cost)
                    self._observe(endpoint, "ok")
                    return result
                except RetryAfter as exc:
                    self._answered(chat, cost)
                    self._count(too_many_requests=1)
                    self._observe(endpoint, "429")
                    wait = _retry_seconds(exc) + self._margin
                    if attempt >= max_retries:
                        log.warning("%s: still 429 after %d retries, giving up", endpoint, attempt)
                        raise
                    now = loop.time()
                    chat.postpone(now + wait)
                    self._note_429(key, now, wait)
                    log.info("%s: 429, retrying in %.1f s", endpoint, wait)
                    log.debug("%s to chat %s: 429, retry after %.1f s", endpoint, key, wait)
                except BaseException as exc:
                    self._answered(chat, cost)
                    if isinstance(exc, Exception):
                        self._observe(endpoint, "failed")
                    if not isinstance(exc, NetworkError) or not self._transient(exc):
                        raise
                    self._count(transient_errors=1)
                    if attempt >= max_retries:
                        log.warning("%s: %s after %d retries, giving up", endpoint, exc, attempt)
                        raise
                    delay = min(self._backoff_base * 2**attempt, self._backoff_max)
                    chat.postpone(loop.time() + delay)
                    log.info("%s: %s, retrying in %.1f s", endpoint, type(exc).__name__, delay)
                    log.debug("%s to chat %s: %s, retrying", endpoint, key, exc)
                finally:
                    chat.postpone(loop.time() + chat.interval * cost)
                attempt += 1

    def _answered(self, chat: _Chat, cost: int) -> None:
        now = asyncio.get_running_loop().time()
        self._overall.answer(now, cost)
        if chat.window is not None:
            chat.window.answer(now, cost)

    def _observe(self, endpoint: str, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.bot_api.labels(endpoint, outcome).inc()

    def _count(self, **increments: float) -> None:
        current = self._stats
        self._stats = replace(
            current, **{name: getattr(current, name) + n for name, n in increments.items()}
        )

    def _transient(self, exc: NetworkError) -> bool:
        if isinstance(exc, BadRequest):
            return False
        if isinstance(exc, TimedOut) and not self._retry_timeouts:
            return "Pool timeout" in exc.message  # never sent: safe to retry
        return True

    def _chat(self, key: int | str | None) -> _Chat:
        if key is None:  # e.g. an inline message edit: only the overall limit applies
            return _Chat(0.0, None)
        chat = self._chats.get(key)
        if chat is None:
            if len(self._chats) >= _PRUNE_ABOVE:
                now = asyncio.get_running_loop().time()
                for stale in [k for k, c in self._chats.items() if c.idle(now)]:
                    del self._chats[stale]
            if isinstance(key, int) and key > 0 and self._private_burst > 1:
                interval = self._private_interval + self._margin if self._private_interval else 0
                chat = _Chat(0.0, None, _Bucket(self._private_burst, interval))
            elif isinstance(key, int) and key > 0:
                chat = _Chat(self._private_interval, None)
            else:
                window = _Window(self._group_rate, self._group_period)
                chat = _Chat(self._group_interval, window)
            self._chats[key] = chat
        return chat

    @staticmethod
    async def _wait_for_chat(chat: _Chat, cost: int) -> None:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            ready = chat.not_before
            if chat.window is not None:
                ready = max(ready, chat.window.ready_at(now, cost))
            if chat.bucket is not None:
                ready = max(ready, chat.bucket.ready_at(now, cost))
            if ready <= now:
                return
            await asyncio.sleep(ready - now)

    async def _take_overall(self, cost: int) -> float:
        """Wait for room in the shared bucket, then on the shared timeline; return the time.

        Background sends (``bot.background.BACKGROUND``: fan-outs, notices, reminders)
        queue first come, first served. An update's own reply does not queue behind them:
        it takes the next free slot, so the bot-wide limit never makes one person wait
        for messages addressed to others.

        The shared timeline comes second, right before the send: the moment reserved
        there is the moment the request leaves (reserving first, then waiting here, would
        let it drift from its slot and waste slots other replicas could use). A background
        send reserves and waits for its shared slot inside the lock: one at a time, so a
        fan-out never holds more than one slot ahead of the other replicas' replies.
        """
        if BACKGROUND.get():
            async with self._overall_lock:
                start = await self._next_overall_slot(cost, yield_to_replies=True)
                return await self._take_shared(cost, start)
        self._replies_waiting += 1
        try:
            start = await self._next_overall_slot(cost, yield_to_replies=False)
        finally:
            self._replies_waiting -= 1
        return await self._take_shared(cost, start)

    async def _take_shared(self, cost: int, start: float) -> float:
        """Reserve the send's moment on the shared timeline and sleep until it; the time.

        A reservation that fails (the database unreachable, slow beyond the budget's
        timeout) is logged and the send goes within this process's budget alone: a 429,
        retried, is better than a message held back by the database. A moment missed
        (see ``shared_margin``) costs the timeline one unused slot and a round trip.
        """
        budget = self.shared_budget
        if budget is None:
            return start
        loop = asyncio.get_running_loop()
        for _ in range(_LATE_RETRIES + 1):
            asked = loop.time()
            try:
                wait = await budget.reserve(cost * self._shared_gap)
            except Exception as exc:
                self._count(shared_failures=1)
                if not self._shared_failing:
                    log.warning("shared send budget unavailable (%s): local budget only", exc)
                self._shared_failing = True
                return loop.time()
            self._shared_trips.append(loop.time() - asked)
            if self._shared_failing:
                log.warning("shared send budget available again")
                self._shared_failing = False
            if wait > 0:  # from the answer: never before the moment, at most a trip after
                self._count(shared_waits=wait)
                if self.metrics is not None:
                    self.metrics.shared_budget_wait.inc(wait)
                await asyncio.sleep(wait)
            # The moment is no earlier than ``asked + wait`` on this clock, and a usual round
            # trip late is every send's lot (a distant database): only a send later than
            # that by more than half the margin would bunch up with the other replicas'.
            usual = min(self._shared_trips)
            late = loop.time() - (asked + max(wait, 0.0)) - usual
            if late <= self._shared_late:
                break
            self._count(shared_late=1)
        return loop.time()

    async def _next_overall_slot(self, cost: int, *, yield_to_replies: bool) -> float:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            ready = max(self._overall.ready_at(now, cost), self._paused_until)
            if ready <= now and not (yield_to_replies and self._replies_waiting):
                self._overall.take(now, cost)
                return now
            # a reply waiting for this very slot gets it: look again once it is taken
            await asyncio.sleep(max(ready - now, 0.001))

    def _note_429(self, key: int | str | None, now: float, wait: float) -> None:
        """Pause everyone too when 429s come from more than one chat at once."""
        recent = [(k, t) for k, t in self._recent_429 if t > now - self._global_429_window]
        if key is None or any(k != key for k, _ in recent):
            self._paused_until = max(self._paused_until, now + wait)
            self._count(global_pauses=1)
            log.warning("429s in several chats at once: pausing all sends for %.1f s", wait)
        recent.append((key, now))
        self._recent_429 = recent
