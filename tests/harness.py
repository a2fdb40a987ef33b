"""Drive the real application like people do: messages and button presses.

``start_harness`` builds the application with ``bot.app.build_application`` (the
production wiring), runs ``post_init`` (migrations, menus) and polls the fake Bot API
exactly as ``run_polling`` would.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from telegram import Update
from telegram.ext import TypeHandler

from bot.app import ALLOWED_UPDATES, build_application
from bot.context import StmApplication
from bot.mail import MailConfig
from bot.ratelimit import DeliveryRateLimiter
from bot.settings import Settings
from storage.db import Database, make_engine, make_sessionmaker
from tests.clock import FakeClock
from tests.fakebot.models import Call
from tests.fakebot.server import FakeBotAPI

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
ADMIN_ID = 9001
_LINK = re.compile(r"https://t\.me/stm_prueba_bot\?start=([A-Za-z0-9_-]+)")


def token_in(text: str | None) -> str:
    """The invitation token in a message with a link."""
    match = _LINK.search(text or "")
    assert match, f"no invitation link in: {text!r}"
    return match[1]


@dataclass
class Harness:
    """The running bot and handles on its world."""

    fake: FakeBotAPI
    app: StmApplication
    db: Database
    clock: FakeClock
    users: dict[str, int] = field(default_factory=dict)
    processed: set[int | str] = field(default_factory=set)

    @property
    def web_url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running microsite."""
        assert self.app.web is not None, "the microsite is not served"
        return f"http://127.0.0.1:{self.app.web.port}"

    async def _record(self, update: object, _context: object) -> None:
        assert isinstance(update, Update)
        self.processed.add(update.update_id)
        if update.callback_query is not None:
            self.processed.add(update.callback_query.id)

    async def settled(self, key: int | str, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the update (id, or callback query id) went through every handler.

        The bot may still be talking to Telegram after its first answer (notices, menus);
        waiting for the whole update keeps one step's late calls out of the next step.
        """
        for _ in range(int(timeout / 0.005)):
            if key in self.processed:
                break
            await asyncio.sleep(0.005)
        else:
            raise AssertionError(f"update {key} was not processed within {timeout} s")
        # Handlers return before their notices to other chats are out (bot/outbox.py):
        # a step is over once the background work it started is done too.
        try:
            await asyncio.wait_for(self.app.quiet(), timeout)
        except TimeoutError:
            message = f"background work of update {key} not done in {timeout} s"
            raise AssertionError(message) from None

    async def send(self, user_id: int, text: str, *, chat_id: int | None = None) -> Call:
        """A user writes ``text``; returns the bot's first answer in that chat."""
        since = self.fake.mark()
        await self.settled(self.fake.send_text(user_id, text, chat_id=chat_id))
        return await self.fake.wait_for("sendMessage", since=since, chat_id=chat_id or user_id)

    async def say(self, user_id: int, text: str, *, chat_id: int | None = None) -> str:
        """Like ``send`` but returns the answer's text as the user sees it."""
        call = await self.send(user_id, text, chat_id=chat_id)
        return call.text or ""

    async def press(
        self, user_id: int, chat_id: int, message_id: int, data: str, *, forge: bool = False
    ) -> str:
        """A user presses a button and the bot handles it; returns the callback query id."""
        query = self.fake.press(
            user_id, chat_id=chat_id, message_id=message_id, data=data, forge=forge
        )
        await self.settled(query)
        return query

    def user(self, key: str, user_id: int, first: str, last: str | None = None) -> int:
        """Register a Telegram user in the fake world."""
        self.fake.add_user(user_id, first, last)
        self.users[key] = user_id
        return user_id


@asynccontextmanager
async def start_harness(
    fake: FakeBotAPI,
    database_url: str,
    clock: FakeClock,
    *,
    admins: set[int],
    ttl_days: int = 7,
    rate_limiter: DeliveryRateLimiter | None = None,
    data_dir: Path | None = None,
    mail: MailConfig | None = None,
    seal_p12: Path | None = None,
    seal_password: str = "",
    public_url: str = "",
    metrics_token: str = "",
) -> AsyncIterator[Harness]:
    """Run the bot against ``fake`` until the block ends, like ``run_polling`` does.

    ``data_dir`` (files by SHA-256) defaults to a new temporary directory, so no test
    writes into the repository's ``./data``.
    """
    settings = Settings(
        token=TOKEN,
        api_url=fake.url,
        database_url=database_url,
        admins=frozenset(admins),
        invitation_ttl=timedelta(days=ttl_days),
        data_dir=data_dir or Path(tempfile.mkdtemp(prefix="stm-data-")),
        mail=mail,
        seal_p12=seal_p12,
        seal_password=seal_password,
        web_port=0,  # the microsite on any free port (parallel workers)
        public_url=public_url,
        metrics_token=metrics_token,
    )
    db = make_sessionmaker(make_engine(database_url))
    # The production limiter, spaced for a test's pace (bench/fanout.py and
    # tests/bot/test_ratelimit.py hold it to Telegram's real limits).
    limiter = rate_limiter or DeliveryRateLimiter(
        overall_rate=1000,
        private_interval=0.0,
        group_rate=1000,
        group_interval=0.0,
        backoff_base=0.05,
    )
    app = build_application(settings, clock=clock, db=db, rate_limiter=limiter)
    fake.add_user(ADMIN_ID, "Ada", "Operadora")
    harness = Harness(fake, app, db, clock)
    # Observes (does not change) processing: group 1000 runs after every handler.
    app.add_handler(TypeHandler(Update, harness._record), group=1000)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    assert app.updater is not None
    await app.updater.start_polling(
        poll_interval=0.0, timeout=timedelta(seconds=1), allowed_updates=ALLOWED_UPDATES
    )
    await app.start()
    try:
        yield harness
    finally:
        await app.updater.stop()
        await app.stop()
        if app.post_stop is not None:
            await app.post_stop(app)
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
        await app.shutdown()


# Zamora's roster, section VIII of the founding act (seed), as a fixture.
FACILITATOR = (2001, "Claudia Yanira", "Solís Cázares")
TITULARS = {
    "gobierno": (2101, "Felipe Armando", "Umaña Melo"),
    "garante": (2102, "Roberto", "García Escobar"),
    "sociedad_civil": (2103, "José de Jesús", "Michel Sahagún"),
    "academia": (2104, "Lorenza", "Capiz Hernández"),
    "ciudadania": (2105, "Leonardo Francisco", "Vallejo Gaytán"),
}
GROUP_ID = -1001234567890


@dataclass(frozen=True)
class Zamora:
    """Ids of the bound Zamora secretariat."""

    facilitator: int
    titulars: dict[str, int]
    group: int


async def create_secretariat(h: Harness, name: str = "Zamora") -> str:
    """``/nuevo_stm`` by the admin; returns the facilitator's token."""
    return token_in(await h.say(ADMIN_ID, f"/nuevo_stm {name}"))


async def bind(h: Harness, user_id: int, token: str) -> str:
    """``/start <token>`` by ``user_id``; returns the welcome."""
    return await h.say(user_id, f"/start {token}")


async def setup_zamora(h: Harness, *, link_group: bool = True) -> Zamora:
    """Secretariat, facilitator, the five titulars bound, and the group linked."""
    fid, first, last = FACILITATOR
    h.fake.add_user(fid, first, last)
    welcome = await bind(h, fid, await create_secretariat(h))
    assert "Listo" in welcome, welcome
    titulars: dict[str, int] = {}
    for seat, (uid, first, last) in TITULARS.items():
        h.fake.add_user(uid, first, last)
        answer = await h.say(fid, f"/alta titular {seat} {first} {last}")
        assert "Listo" in await bind(h, uid, token_in(answer))
        titulars[seat] = uid
    if link_group:
        h.fake.add_group(GROUP_ID, "STM Zamora")
        answer = await h.say(fid, "/vincular", chat_id=GROUP_ID)
        assert "canal oficial" in answer, answer
    return Zamora(fid, titulars, GROUP_ID)
