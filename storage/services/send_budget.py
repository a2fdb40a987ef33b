"""Telegram's outgoing budget shared by the replicas of one bot token (PostgreSQL only).

Telegram's ~30 messages a second are per bot token, not per process: two replicas
fanning out at once, each within 30/s, would together send 60/s and draw 429s. So on
PostgreSQL every send also reserves its moment on one timeline in ``send_slots``: the
row ``overall`` holds the next free moment, and one statement moves it on by the send's
``gap`` and says how long to wait before sending. The database's clock
(``clock_timestamp()``, the time the statement runs, not the transaction's start) is the
only clock involved, so replicas need no clock agreement and the wait is a duration.

The row lock of ``ON CONFLICT DO UPDATE`` serialises concurrent reservations: each gets
the moment after the one committed before it, ``gap`` apart, in the order the database
took them. One round trip per message (autocommit, a prepared statement) is cheap next
to Telegram's pace; the caller sleeps the wait with no connection held.

SQLite deployments are one process: nothing is shared and this module is not used.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Float, Interval, bindparam, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.types import DateTime

__all__ = ["OVERALL", "Reservation", "SendBudget", "reserve"]

#: The key of the bot-wide budget (Telegram's ~30 messages per second).
OVERALL = "overall"

#: How far ahead of the database's clock the timeline may run. Legitimately it is ahead by
#: the slots reserved and not yet used (one background send per replica, a few replies:
#: well under a second); a clock stepped back would otherwise leave ``next_at`` in the
#: future and stall every send for as long as the step.
DEFAULT_HORIZON = timedelta(seconds=30)

_RESERVE = (
    text(
        """
    INSERT INTO send_slots (key, next_at) VALUES (:key, clock_timestamp() + :gap)
    ON CONFLICT (key) DO UPDATE
    SET next_at = GREATEST(
        LEAST(send_slots.next_at, clock_timestamp() + :horizon), clock_timestamp()
    ) + :gap
    RETURNING next_at - :gap AS slot_at,
        extract(epoch FROM next_at - :gap - clock_timestamp())::float8 AS wait
    """
    )
    .bindparams(
        bindparam("gap", type_=Interval()),
        bindparam("horizon", type_=Interval()),
    )
    .columns(slot_at=DateTime(timezone=True), wait=Float())
)


class Reservation(NamedTuple):
    """A moment reserved on a shared timeline.

    Attributes:
        slot_at: when the send may start, on the database's clock.
        wait: seconds from the statement to ``slot_at`` (``<= 0``: send now).
    """

    slot_at: datetime
    wait: float


async def reserve(
    connection: AsyncConnection | AsyncSession,
    *,
    gap: float,
    key: str = OVERALL,
    horizon: timedelta = DEFAULT_HORIZON,
) -> Reservation:
    """Reserve the next ``gap`` seconds of ``key``'s timeline: one statement, no ``now``.

    No ``now`` parameter, unlike the other services: the point is the database's clock,
    shared by every replica; a caller's clock would need agreement between hosts. Run it
    in autocommit (or commit at once): the row stays locked until the transaction ends.
    """
    if gap <= 0:
        raise ValueError("gap must be positive")
    result = await connection.execute(
        _RESERVE, {"key": key, "gap": timedelta(seconds=gap), "horizon": horizon}
    )
    slot_at, wait = result.one()
    return Reservation(slot_at, float(wait))


class SendBudget:
    """The bot-wide budget on a small engine of its own (``bot.ratelimit.SharedBudget``).

    Its own engine, not the application's: autocommit makes a reservation one round trip
    (no ``BEGIN``/``COMMIT``, no pre-ping), a handler holding the application's pool cannot
    delay sends, and a short ``command_timeout`` bounds what a stuck database costs a send.
    The engine is created on first use, in the running event loop, and disposed by
    :meth:`close` (the rate limiter's shutdown); a later use creates it again, so an
    application restarted in a new loop works.

    Args:
        url: the application's PostgreSQL URL (an ``asyncpg`` one).
        key: the timeline (``overall``).
        timeout: seconds a reservation may take before it fails (the limiter then sends
            within this process's own budget alone).
    """

    def __init__(self, url: str | URL, *, key: str = OVERALL, timeout: float = 2.0) -> None:
        self.url = url
        self.key = key
        self.timeout = timeout
        self._engine: AsyncEngine | None = None

    def _bound(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = create_async_engine(
                self.url,
                isolation_level="AUTOCOMMIT",
                pool_size=2,  # a background send and a reply at once, per process
                max_overflow=4,
                pool_timeout=self.timeout,
                connect_args={"timeout": self.timeout, "command_timeout": self.timeout},
            )
        return self._engine

    async def reserve(self, seconds: float) -> float:
        """Reserve ``seconds`` of the timeline; the seconds to wait before sending."""
        async with self._bound().connect() as connection:
            reservation = await reserve(connection, gap=seconds, key=self.key)
        return reservation.wait

    async def close(self) -> None:
        """Release the connections (a later :meth:`reserve` opens new ones)."""
        engine, self._engine = self._engine, None
        if engine is not None:
            await engine.dispose()
