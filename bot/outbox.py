"""Background delivery: messages to other chats, in order per chat, never awaited by an update.

A handler answers its own chat (the press, the command) and returns. What it owes other
chats — the facilitator's notice, the group's post, every member's ballot or result — is
posted here: one FIFO queue per chat, drained by one task per chat, so a chat's messages
keep the order they were posted in (a convocation's text before its ``.ics``) while
different chats proceed independently. Telegram's limits are applied underneath by the
bot's rate limiter (:mod:`bot.ratelimit`): a group waiting for its 20-per-minute window
holds only the group's queue, a chat answering 429 holds only that chat.

Each post returns a future of its :class:`bot.delivery.Outcome` (sent message ids, or the
failure as evidence), so a caller that must store evidence or send a report afterwards
does so in a background task of its own (:meth:`Outbox.after`), not in the update.

Delivery is in memory: a notice posted but not yet sent when the process dies is lost.
What must not be lost is recorded in the database first and re-derived at start-up
(reminders: ``scheduler/planner.py``; linking notices: ``bot/linking.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime
from typing import Any

from telegram import Bot

from bot import delivery, messages
from bot.background import Background

__all__ = ["Outbox"]

log = logging.getLogger(__name__)

_Item = tuple[delivery.Send, "asyncio.Future[delivery.Outcome]"]


class Outbox:
    """Per-chat FIFO queues of sends, each drained by its own background task."""

    def __init__(self, bot: Bot, background: Background, clock: Callable[[], datetime]) -> None:
        self._bot = bot
        self._background = background
        self._clock = clock
        self._queues: dict[int, deque[_Item]] = {}

    def post(self, chat_id: int, send: delivery.Send) -> asyncio.Future[delivery.Outcome]:
        """Queue ``send`` for ``chat_id``; the future resolves with its outcome (never raises)."""
        future: asyncio.Future[delivery.Outcome] = asyncio.get_running_loop().create_future()
        queue = self._queues.get(chat_id)
        if queue is None:
            queue = self._queues[chat_id] = deque()
            queue.append((send, future))
            self._background.spawn(self._drain(chat_id, queue), name=f"outbox:{chat_id}")
        else:
            queue.append((send, future))
        return future

    def message(
        self, chat_id: int, template: str, /, *, reply_markup: Any = None, **fields: Any
    ) -> asyncio.Future[delivery.Outcome]:
        """Queue a rendered template (rendered now: what it says is what was true now)."""
        text = messages.render(template, **fields)

        async def send() -> Sequence[Any]:
            return await messages.send_text(self._bot, chat_id, text, reply_markup=reply_markup)

        return self.post(chat_id, send)

    def post_all(self, jobs: Sequence[delivery.Job]) -> asyncio.Future[list[delivery.Outcome]]:
        """Queue one send per chat; the future resolves with the outcomes in job order."""
        futures = [self.post(chat_id, send) for chat_id, send in jobs]
        return asyncio.ensure_future(_gather(futures))

    def after(self, coroutine: Coroutine[Any, Any, Any], *, name: str) -> None:
        """Run follow-up work (store evidence, send a report) once outcomes are known."""
        self._background.spawn(coroutine, name=name)

    async def _drain(self, chat_id: int, queue: deque[_Item]) -> None:
        try:
            while queue:
                send, future = queue[0]
                outcome = await delivery.deliver_one(chat_id, send, self._clock)
                queue.popleft()
                if not future.done():
                    future.set_result(outcome)
        finally:
            if self._queues.get(chat_id) is queue:
                del self._queues[chat_id]
            for _send, future in queue:  # cancelled at shutdown: nothing else will send them
                if not future.done():
                    future.cancel()

    @property
    def pending(self) -> int:
        """Sends queued and not yet finished, over all chats."""
        return sum(len(q) for q in self._queues.values())


async def _gather(
    futures: Sequence[Awaitable[delivery.Outcome]],
) -> list[delivery.Outcome]:
    outcomes = list(await asyncio.gather(*futures))
    delivery.log_summary(outcomes)
    return outcomes
