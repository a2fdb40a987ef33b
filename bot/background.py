"""Work that outlives the update that started it, tracked so nothing is lost or leaked.

A handler answers its own chat and returns (DEVELOPERS.md: "no update waits on another
chat"); notices to other chats, fan-outs and the reminder planner's re-derivation run as
background tasks here. Every task is kept until it ends, its exception is logged (never
swallowed silently, never raised into someone else's update), and :meth:`idle` waits for
all of them — including tasks started while waiting — so shutdown and tests can wait for
the bot to be quiet instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["BACKGROUND", "Background"]

log = logging.getLogger(__name__)

#: True inside background work. The rate limiter lets an update's own replies take the
#: next free slot of the bot-wide 30 messages/s ahead of queued background sends, so a
#: 150-person fan-out never makes someone else's answer wait (``bot.ratelimit``).
BACKGROUND: contextvars.ContextVar[bool] = contextvars.ContextVar("background", default=False)

T = TypeVar("T")


class Background:
    """A set of named background tasks of one application."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coroutine: Coroutine[Any, Any, T], *, name: str) -> asyncio.Task[T]:
        """Run ``coroutine`` now, in the background; its failure is logged with ``name``."""
        context = contextvars.copy_context()
        context.run(BACKGROUND.set, True)
        task = asyncio.get_running_loop().create_task(coroutine, name=name, context=context)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            log.error("background task %s failed", task.get_name(), exc_info=error)

    @property
    def busy(self) -> int:
        """How many tasks are running."""
        return len(self._tasks)

    async def idle(self) -> None:
        """Return once no task is left, waiting also for tasks spawned meanwhile."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def cancel_all(self) -> None:
        """Cancel what is still running (shutdown) and wait for it to end."""
        tasks = set(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
