"""Concurrent updates, one chat at a time: no chat waits for another (issue 10).

PTB handles updates one after another by default, so one reply waiting for a group's
20-per-minute window, or a slow database write, held every other chat's answer.
``ApplicationBuilder().concurrent_updates(PerChatUpdateProcessor())`` runs updates of
different chats concurrently while the updates of one chat keep their order: a person
who presses twice, or types a command right after a button, is answered in order, and
within this process a chat's conversation in progress (the guided ``/convocar``, a typed
vote deadline: ``bot.conversations``) is never advanced by two of its updates at once.

That order holds per process. With several replicas behind a load balancer, two updates of
one chat may reach two replicas; so no conversation lives in a process's memory (it is in
the database, ``chat_states``), a step that reads and writes it holds its row while it
does, and a last step takes it away atomically (``DELETE … RETURNING``): of two replicas,
one advances or finishes it, never both.

What several chats change together is serialised where it is changed: ballots of one
vote go through that vote's ballot box (``bot.voting``), SQLite units of work through the
database's write lock (``storage.db.Database``), PostgreSQL rows through ``FOR UPDATE``.

The chat's turn is taken *before* a running slot: PTB's own semaphore (taken first, by
``process_update``) is set far above anything reached, and the real bound on handlers
running at once is ``max_running``, taken once it is the chat's turn. Otherwise a burst in
one chat could fill every slot with updates waiting for that chat, and stall the others.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot import logs
from bot.metrics import Metrics, update_kind

__all__ = ["PerChatUpdateProcessor", "chat_key"]

#: PTB's semaphore: only a backstop against an unbounded backlog in memory.
_BACKLOG = 100_000


def chat_key(update: object) -> int | None:
    """The chat whose updates must stay in order (the user's, for inline queries)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats concurrently, of one chat in arrival order."""

    def __init__(self, max_running: int = 64) -> None:
        super().__init__(_BACKLOG)
        if max_running < 1:
            raise ValueError("max_running must be at least 1")
        self._max_running = max_running
        self._running: asyncio.Semaphore | None = None
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}
        #: Set by ``bot.app``: updates counted and timed by kind (``/metrics``).
        self.metrics: Metrics | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's turn, then for a running slot, then run the handlers."""
        if self._running is None:
            self._running = asyncio.Semaphore(self._max_running)
        if isinstance(update, Update):  # this update's task: its log lines name it
            logs.UPDATE_ID.set(update.update_id)
        if self.metrics is not None:
            coroutine = self._measured(update, coroutine, self.metrics)
        key = chat_key(update)
        if key is None:
            async with self._running:
                await coroutine
            return
        lock, users = self._chats.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._chats[key] = (lock, users + 1)
        try:
            async with lock, self._running:
                await coroutine
        finally:
            lock, users = self._chats[key]
            if users <= 1:
                del self._chats[key]
            else:
                self._chats[key] = (lock, users - 1)

    @staticmethod
    async def _measured(update: object, coroutine: Awaitable[Any], metrics: Metrics) -> None:
        kind = update_kind(update)
        started = time.perf_counter()
        try:
            await coroutine
        finally:
            metrics.updates.labels(kind).inc()
            metrics.update_seconds.labels(kind).observe(time.perf_counter() - started)

    async def initialize(self) -> None:
        """Fresh state for this event loop."""
        self._running = None
        self._chats.clear()

    async def shutdown(self) -> None:
        """Nothing to release: every update's task ends on its own."""
