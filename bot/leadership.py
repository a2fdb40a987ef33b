"""One scheduler among replicas: a PostgreSQL advisory lock elects it (issue 14).

Several ``python -m bot`` processes may share one PostgreSQL database behind a load
balancer; any of them handles any update, but time-driven work — reminders (R22, R23),
vote deadlines (R13), cancellation windows (R11), grouped linking notices, the live count's
coalesced edits, customary-day proposals (R8), and resuming what a dead process owed —
must run in exactly one. That one is the replica holding
``pg_try_advisory_lock(LOCK_KEY)`` on a connection of its own.

Why an advisory lock and not a lease row: PostgreSQL releases a session's advisory lock
the moment the session ends — a ``kill -9``, a crash, a closed socket — so there is no
lease length to tune against clock drift, no window where two replicas both believe
they lead while the holder's connection lives, and no table to clean up. A replica that
loses its connection stops leading at once (its heartbeat fails) and competes again.
The others try every :data:`RETRY_EVERY` seconds, so a dead leader is replaced within
that plus the new leader's start-up (measured in ``bench/replicas.py``; the issue asks
for ≤ 15 s). A host that vanishes without closing its sockets is noticed when
PostgreSQL's TCP keepalives give up (``tcp_keepalives_*`` on the server).

What a non-leader's update makes due (a vote it opened, a convocation, a linking) is
not armed in that process: it is sent to the leader as a ``NOTIFY`` on
:data:`CHANNEL` (``kind`` + payload), and the leader re-derives it from the database —
the notification only wakes it up, the rows say what to do. A notification lost while
no replica leads is harmless: a new leader re-derives everything when elected.

On SQLite (one process by construction) the process is always the leader.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.engine import make_url

from bot.background import BACKGROUND

log = logging.getLogger(__name__)

#: The advisory lock's key: any constant the deployment's other software does not use
#: (``stm-bot`` in ASCII, as a 64-bit integer).
LOCK_KEY = 0x73746D2D626F74
#: The channel non-leaders notify the leader on.
CHANNEL = "stm_scheduler"
#: Seconds between a follower's attempts, and between a leader's heartbeats.
RETRY_EVERY = 2.0
#: A notification's payload limit is 8000 bytes in PostgreSQL; ours stay far below.
MAX_PAYLOAD = 7000

Duty = Callable[[], Awaitable[None]]
Handler = Callable[[str], Awaitable[None]]


async def _nothing() -> None:
    return None


def postgres_dsn(database_url: str) -> str | None:
    """The asyncpg DSN of a PostgreSQL ``DATABASE_URL``, ``None`` for SQLite."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Leadership:
    """Elects this process the scheduler's leader or follows; routes work to the leader.

    ``on_elected`` runs once per term (re-derive and arm everything from the database);
    ``on_deposed`` when a term ends while the process lives on (the lock's connection
    broke): it disarms the leader's jobs. Both are set by ``bot.app``.
    """

    def __init__(self, dsn: str | None, *, retry_every: float = RETRY_EVERY) -> None:
        self.dsn = dsn
        self.on_elected: Duty = _nothing
        self.on_deposed: Callable[[], None] = lambda: None
        self.on_change: Callable[[bool], None] = lambda leading: None
        self.retry_every = retry_every
        #: SQLite: always (one process). PostgreSQL: once the lock is won.
        self.is_leader = dsn is None
        self.terms = 0  # terms won by this process (tests and the log)
        self._handlers: dict[str, Handler] = {}
        self._conn: Any = None  # asyncpg.Connection: the lock lives on this session
        self._conn_lock = asyncio.Lock()  # asyncpg runs one statement at a time
        self._task: asyncio.Task[None] | None = None
        self._work: set[asyncio.Task[None]] = set()

    def handle(self, kind: str, handler: Handler) -> None:
        """What the leader does when a follower sends ``kind`` (see :meth:`route`)."""
        self._handlers[kind] = handler

    # ------------------------------------------------------------------ life cycle
    async def start(self) -> None:
        """Try once now (a lone replica leads before its first update), then keep trying."""
        if self.dsn is None:  # SQLite: one process, always the leader
            await self._elected()
            return
        self.is_leader = False
        if await self._attempt():
            await self._elected()
        self._task = asyncio.create_task(self._loop(), name="leadership")

    async def stop(self) -> None:
        """Give up the lock at once (a clean stop hands over within one retry)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for task in list(self._work):
            task.cancel()
        self.is_leader = False
        await self._close()

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.retry_every)
            try:
                if await self._attempt():  # a take-over: its duties run beside the loop
                    self._spawn(self._take_over(), "elected")
            except asyncio.CancelledError:
                raise
            except Exception:  # never let the loop die: the next round tries again
                log.exception("leadership round failed")

    async def _attempt(self) -> bool:
        """A follower tries the lock (``True``: won); a leader checks its session lives."""
        try:
            async with self._conn_lock:
                if self._conn is None or self._conn.is_closed():
                    await self._connect()
                if self.is_leader:
                    await self._conn.fetchval("SELECT 1")
                    return False
                won = await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY)
        except (TimeoutError, OSError) as exc:
            self._lost(f"database unreachable: {exc}")
            return False
        except Exception as exc:  # asyncpg's errors: a broken or terminated session
            if type(exc).__module__.startswith("asyncpg"):
                self._lost(f"{type(exc).__name__}: {exc}")
                return False
            raise
        if won:
            async with self._conn_lock:
                await self._conn.add_listener(CHANNEL, self._notified)
        return bool(won)

    async def _connect(self) -> None:
        import asyncpg  # the PostgreSQL driver the engine already uses

        await self._close()
        self._conn = await asyncpg.connect(self.dsn, timeout=10)

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 5)

    def _lost(self, why: str) -> None:
        if self.is_leader:
            log.warning("scheduler leadership lost (%s); following", why)
            self.is_leader = False
            self.on_change(False)
            self.on_deposed()
        if self._conn is not None:
            self._conn.terminate()
            self._conn = None

    async def _take_over(self) -> None:
        # A task of its own (its context is a copy): what the duties send queues behind
        # updates' own replies, like every job's (bot/background.py).
        BACKGROUND.set(True)
        await self._elected()

    async def _elected(self) -> None:
        # Leading from now: what the duties arm (a vote's deadline…) is armed here, and
        # notifications arriving meanwhile run beside them (every duty is a re-derivation).
        self.is_leader = True
        self.terms += 1
        log.info("scheduler leader elected (term %d in this process)", self.terms)
        self.on_change(True)
        await self.on_elected()

    # ------------------------------------------------------------------ routing
    def here(self, kind: str, payload: str = "") -> bool:
        """``True`` if this process leads (do the work here); else the leader is told.

        Call sites read ``if app.leadership.here("votes"): <arm the job>``: a follower
        sends ``kind`` to the leader in the background and does nothing else.
        """
        if self.is_leader:
            return True
        self._spawn(self.notify(kind, payload), f"notify:{kind}")
        return False

    async def notify(self, kind: str, payload: str = "") -> None:
        """Wake the leader: ``NOTIFY stm_scheduler, '<kind> <payload>'`` (lost if none)."""
        message = f"{kind} {payload}".strip()[:MAX_PAYLOAD]
        try:
            async with self._conn_lock:
                if self._conn is None or self._conn.is_closed():
                    await self._connect()
                await self._conn.execute("SELECT pg_notify($1, $2)", CHANNEL, message)
        except Exception:  # the leader re-derives everything when elected, and hourly
            log.warning("could not notify the scheduler leader of %s", kind, exc_info=True)

    def _spawn(self, work: Awaitable[None], name: str) -> None:
        task = asyncio.ensure_future(work)
        task.set_name(name)
        self._work.add(task)
        task.add_done_callback(self._work.discard)

    def _notified(self, _conn: object, _pid: int, _channel: str, message: str) -> None:
        kind, _, payload = message.partition(" ")
        self._spawn(self._run(kind, payload), f"leader:{kind}")

    async def _run(self, kind: str, payload: str) -> None:
        handler = self._handlers.get(kind)
        if handler is None:
            log.warning("scheduler leader: unknown work %r", kind)
            return
        try:
            await handler(payload)
        except Exception:
            log.exception("scheduler leader: %s %s failed", kind, payload[:80])
