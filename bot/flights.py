"""Rows owed to Telegram and already queued, per application (public channel, inbox).

A flush reads the rows still owed, queues what is not queued yet and forgets a row once
it settled (sent or failed). Two flushes at once (a commit's and the start-up's) must not
queue the same row twice: each sender keeps one ``Flight`` per running application — a
lock around the read-and-queue step and the ids in flight — in a ``Flights`` registry
that forgets an application when it is gone (tests run many in one process).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from telegram.ext import Application


@dataclass
class Flight:
    """Rows queued and not settled yet, in one application."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    queued: set[int] = field(default_factory=set)


class Flights:
    """One ``Flight`` per application."""

    def __init__(self) -> None:
        self._by_app: WeakKeyDictionary[Application, Flight] = WeakKeyDictionary()  # type: ignore[type-arg]

    def of(self, app: Application) -> Flight:  # type: ignore[type-arg]
        """``app``'s flight, made on first use."""
        flight = self._by_app.get(app)
        if flight is None:
            flight = self._by_app[app] = Flight()
        return flight
