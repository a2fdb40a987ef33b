"""Typed application and context: ``context.db``, ``context.now()``, ``context.actor``.

The database, the clock and the deployment settings live on a small ``Application``
subclass instead of in ``bot_data`` string keys, so every handler and job reads them
with types (PTB ``contexttypesbot.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from telegram.ext import Application, CallbackContext, ExtBot

from bot.background import Background
from bot.clock import Clock
from bot.leadership import Leadership, postgres_dsn
from bot.metrics import Metrics
from bot.outbox import Outbox
from bot.settings import Settings
from domain.roles import Actor, Target
from storage.db import Database
from storage.files import FileStore


class Serving(Protocol):
    """The microsite's server while it runs (``web.server.WebServer``, started by bot.app)."""

    @property
    def port(self) -> int:
        """The port it listens on."""
        ...

    async def stop(self) -> None:
        """Stop serving."""


class StmApplication(Application):  # type: ignore[type-arg]
    """The PTB application plus what every update needs."""

    def __init__(self, *, db: Database, clock: Clock, stm_settings: Settings, **kwargs: Any):
        super().__init__(**kwargs)
        self.db = db
        self.clock = clock
        self.stm_settings = stm_settings
        #: Work that outlives its update (notices, fan-outs, re-derivations).
        self.background = Background()
        #: Minutes and signed files, by SHA-256, under ``DATA_DIR`` (R14).
        self.files = FileStore(stm_settings.data_dir)
        self._outbox: Outbox | None = None
        #: Prometheus metrics of this application (``/metrics``, issue 14).
        self.metrics = Metrics()
        #: The microsite (R19) while it is served; ``None`` when ``WEB_PORT=no``.
        self.web: Serving | None = None
        #: Whether this replica runs the scheduler (issue 14; always on SQLite).
        self.leadership = Leadership(postgres_dsn(stm_settings.database_url))

    @property
    def outbox(self) -> Outbox:
        """Background delivery to other chats, in order per chat (``bot.outbox``)."""
        if self._outbox is None:
            self._outbox = Outbox(self.bot, self.background, self.clock)
        return self._outbox

    async def quiet(self) -> None:
        """Wait until no background work is left (shutdown, tests, benchmarks)."""
        await self.background.idle()


class StmContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """One per update; ``actor`` and ``target`` are set by the guard (``bot.guards``)."""

    def __init__(
        self, application: StmApplication, chat_id: int | None = None, user_id: int | None = None
    ):
        super().__init__(application, chat_id=chat_id, user_id=user_id)  # type: ignore[arg-type]
        self.actor: Actor | None = None
        self.target: Target | None = None
        self.chosen: int | None = None  # secretariat picked with a button, if any
        self.replayed_args: str | None = None  # a parked command's text, on replay
        self.consumed = False  # an earlier handler group already answered this update

    @property
    def app(self) -> StmApplication:
        """The application, typed."""
        application = self.application
        assert isinstance(application, StmApplication)
        return application

    @property
    def db(self) -> Database:
        """Session factory: ``async with context.db.begin() as session`` is one unit of work."""
        return self.app.db

    @property
    def outbox(self) -> Outbox:
        """Background delivery to other chats (never awaited by the update)."""
        return self.app.outbox

    @property
    def settings(self) -> Settings:
        """Deployment settings."""
        return self.app.stm_settings

    def now(self) -> datetime:
        """Aware UTC now, from the injected clock."""
        return self.app.clock()

    def require_target(self) -> Target:
        """The secretariat the guard resolved; a handler that needs one calls this."""
        assert self.target is not None, "command is not guarded with a secretariat scope"
        return self.target

    def invitation_link(self, token: str) -> str:
        """``https://t.me/<bot username>?start=<token>`` (commands.md)."""
        return f"https://t.me/{self.bot.username}?start={token}"
