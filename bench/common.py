"""What every benchmark needs: the stage the benches set before they measure anything.

``fanout``, ``votes``, ``onboarding`` and ``followups`` all measure the real bot against the
fake Bot API with Telegram's limits on. Their figures mean something side by side only if
they set the stage the same way: the same fake with the same limits, the same secretariat
seeded through ``storage.services``, the bot built and polled as production does, the same
way of learning the moment an answer arrives, and the same percentile. Four copies of that
drift apart (a fix lands in one, a limit changes in another), so there is one here, and
each bench keeps only its scenario, its targets and its table.

Each script keeps its own ``sys.path`` fix-up at its top, because it must run before any
project import, this one included: run as ``python bench/x.py``, the bench folder comes
first on ``sys.path``, where ``bench/scheduler.py`` would shadow the ``scheduler`` package.
With the project root put first instead, ``bench`` (no ``__init__.py``) is a namespace
package and this module imports from it; the scripts write ``common.NOW``,
``common.seed(...)``, so that each use says the name is the shared stage's, not the
bench's own::

    ROOT = Path(__file__).resolve().parents[1]
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
    sys.path.insert(0, str(ROOT))

    from bench import common  # noqa: E402
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import tempfile
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, NoReturn, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application, ApplicationBuilder, BaseHandler

from bot.app import ALLOWED_UPDATES, build_application
from bot.context import StmApplication
from bot.settings import Settings
from domain.roles import Membership, Role, Target
from storage.db import make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.services import invitations, linking, roster, secretariats
from tests.fakebot import Call, FakeBotAPI

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
BOT_USERNAME = "stm_prueba_bot"
GROUP_ID = -1001234567890
GROUP_TITLE = "STM Zamora"
SECRETARIAT = "Zamora"
ADMIN = 9001
FACILITATOR = 700_001
SEATS = ("gobierno", "garante", "sociedad_civil", "academia", "ciudadania")
NOW = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # a Friday, 10:00 in Mexico City
OVERALL_PER_SECOND = 30  # Telegram's limit on messages per second, all chats together
INVITATION_TTL = timedelta(days=7)
T = TypeVar("T")
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


# ====================================================================== the fake and the bots
def limited_fake() -> FakeBotAPI:
    """The fake Bot API with Telegram's limits on: 30/s, 1/s per chat (burst 3), 20/min."""
    fake = FakeBotAPI(token=TOKEN, bot_username=BOT_USERNAME)
    fake.enforce_rate_limits(private_burst=3)
    return fake


def add_people(
    fake: FakeBotAPI, people: Iterable[int], *, first: int = 1, started: bool = True
) -> None:
    """``Persona <n>`` for each of ``people`` in the fake, numbered from ``first``."""
    for n, person in enumerate(people, start=first):
        fake.add_user(person, f"Persona {n}", started=started)


@contextmanager
def sqlite_database() -> Iterator[str]:
    """The URL of a SQLite file in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="stm-bench-") as tmp:
        yield f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"


def real_bot(fake: FakeBotAPI, database_url: str, *, web_port: int | None = 0) -> StmApplication:
    """The bot built as production builds it (``DeliveryRateLimiter``), its clock at NOW.

    It serves the microsite as production does, on a free port of 127.0.0.1 (``web_port=0``;
    read ``app.web.port``) rather than the default 8080, which another program may hold;
    ``None`` leaves the site out.
    """
    settings = Settings(
        token=TOKEN, api_url=fake.url, database_url=database_url, web_port=web_port
    )
    return build_application(settings, clock=lambda: NOW)


def bare_ptb(fake: FakeBotAPI, handler: BaseHandler[Any, Any, Any]) -> AnyApplication:
    """A bare PTB application on the fake whose only handler is ``handler``: the baseline."""
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(fake.url + "/bot")
        .base_file_url(fake.url + "/file/bot")
        .build()
    )
    app.add_handler(handler)
    return app


async def polling(app: AnyApplication, scenario: Callable[[], Awaitable[T]]) -> T:
    """Run ``app`` with polling around ``scenario``, then stop it cleanly."""
    updater = app.updater
    assert updater is not None
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await updater.start_polling(
        poll_interval=0.0, timeout=timedelta(seconds=1), allowed_updates=ALLOWED_UPDATES
    )
    await app.start()
    try:
        return await scenario()
    finally:
        await updater.stop()
        await app.stop()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
        await app.shutdown()


# ====================================================================== seeding
class Invitee(NamedTuple):
    """One person added to the roster by the seed."""

    user_id: int
    role: Role
    seat: str | None = None


def council(people: Sequence[int]) -> list[Invitee]:
    """The five titulars (one per seat of SEATS), the five substitutes, then observers."""
    return [
        Invitee(person, Role.TITULAR if n < len(SEATS) else Role.SUPLENTE, SEATS[n % len(SEATS)])
        if n < 2 * len(SEATS)
        else Invitee(person, Role.OBSERVADOR)
        for n, person in enumerate(people)
    ]


async def seed(
    database_url: str,
    invitees: Sequence[Invitee],
    *,
    link: bool = True,
    facilitator_name: str = "Facilitadora",
    then: Callable[[AsyncSession, Target], Awaitable[None]] | None = None,
) -> dict[int, str]:
    """A secretariat through the services (no chat): every invitee's invitation token.

    The facilitator (FACILITATOR) and the official group (GROUP_ID) are linked; the
    invitees are added as ``Persona 2``, ``Persona 3``... and, with ``link``, redeem their
    invitations. The linkings the seed made are claimed (they are no benchmark's
    business), then ``then`` runs in the same transaction.
    """
    engine = make_engine(database_url)
    await upgrade(engine)
    db = make_sessionmaker(engine)
    tokens: dict[int, str] = {}
    async with db.begin() as session:
        created = await secretariats.create(
            session, now=NOW, admin_id=ADMIN, name=SECRETARIAT, ttl=INVITATION_TTL
        )
        await invitations.redeem(
            session,
            token=created.token,
            telegram_user_id=FACILITATOR,
            profile_name=facilitator_name,
            now=NOW,
        )
        facilitator = Membership(created.secretariat_id, SECRETARIAT, 1, 1, Role.FACILITADOR)
        target = Target(created.secretariat_id, SECRETARIAT, facilitator)
        await secretariats.link_group(
            session, now=NOW, target=target, chat_id=GROUP_ID, title=GROUP_TITLE
        )
        for number, (user_id, role, seat) in enumerate(invitees, start=2):
            name, ttl = f"Persona {number}", INVITATION_TTL
            invited = await roster.add_member(
                session, now=NOW, target=target, role=role, name=name, seat_key=seat, ttl=ttl
            )
            tokens[user_id] = token = invited.token
            if link:
                await invitations.redeem(
                    session, token=token, telegram_user_id=user_id, profile_name="", now=NOW
                )
        await linking.claim(session, secretariat_id=created.secretariat_id, now=NOW)
        if then is not None:
            await then(session, target)
    await engine.dispose()
    return tokens


# ====================================================================== waiting on calls
class Watch:
    """Futures resolved the moment the fake records a matching call (``fake.listen``)."""

    def __init__(self, fake: FakeBotAPI, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._lock = threading.Lock()
        self._pending: list[tuple[Callable[[Call], bool], asyncio.Future[Call]]] = []
        self._undo = fake.listen(self._on_call)

    def expect(self, predicate: Callable[[Call], bool]) -> asyncio.Future[Call]:
        """A future of the first call from now on for which ``predicate`` is true."""
        future: asyncio.Future[Call] = self._loop.create_future()
        with self._lock:
            self._pending.append((predicate, future))
        return future

    def _on_call(self, call: Call) -> None:  # the fake's server thread
        with self._lock:
            hits = [(p, f) for p, f in self._pending if _safe(p, call)]
            for hit in hits:
                self._pending.remove(hit)
        for _, future in hits:
            self._loop.call_soon_threadsafe(_resolve, future, call)

    def close(self) -> None:
        self._undo()


def _safe(predicate: Callable[[Call], bool], call: Call) -> bool:
    try:
        return predicate(call)
    except Exception:  # a predicate must never break the fake's answer
        return False


def _resolve(future: asyncio.Future[Call], call: Call) -> None:
    if not future.done():
        future.set_result(call)


def chat_of(call: Call) -> int | None:
    """The call's ``chat_id`` as a number, if it has one."""
    value = call.params.get("chat_id")
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def message_to(chat_id: int, containing: str = "") -> Callable[[Call], bool]:
    """A delivered ``sendMessage`` to ``chat_id`` whose text contains ``containing``."""
    return lambda c: (
        c.method == "sendMessage"
        and c.ok
        and chat_of(c) == chat_id
        and containing in (c.text or "")
    )


# ====================================================================== figures
def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def missed(failures: Sequence[str]) -> int:
    """Print each target missed; the exit code: 0 when none was, else 1."""
    for line in failures:
        print(f"MISSED: {line}")
    return 1 if failures else 0


# ====================================================================== the command line
def command_line(doc: str | None) -> argparse.ArgumentParser:
    """A bench's argument parser, described by the first line of its docstring."""
    return argparse.ArgumentParser(description=(doc or "").split("\n", 1)[0])


def execute(bench: Coroutine[Any, Any, int]) -> NoReturn:
    """Run ``bench`` with warnings-only logging; its result is the process's exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    raise SystemExit(asyncio.run(bench))
