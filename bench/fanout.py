"""Benchmark: a convocation to N members under Telegram's real limits, on 127.0.0.1 only.

Starts the fake Bot API with Telegram's flood limits enforced (30 messages/s overall,
1/s per private chat, 20/min per group: beyond them it answers 429 and drops the message),
builds the project's application with ``bot.app.build_application`` over a temporary SQLite
file, and sends every member who started the bot an HTML convocation plus its ``.ics``
(``bot.delivery.deliver_all``), plus one post in the secretariat's group. Then it prints the
time taken against the lower bound the limits allow, the 429s received and the messages
lost (must be 0)::

    .venv/bin/python bench/fanout.py [--people 150] [--concurrency 50]

Exit code 0 when nothing was lost and the ratio is at most 1.2, else 1.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.app import build_application  # noqa: E402
from bot.context import StmApplication  # noqa: E402
from bot.delivery import Job, deliver_all, in_order  # noqa: E402
from bot.ratelimit import DeliveryRateLimiter  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage.db import make_engine, make_sessionmaker  # noqa: E402
from tests.fakebot import FakeBotAPI  # noqa: E402

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
GROUP_ID = -1001234567890
FIRST_MEMBER = 700_001
OVERALL_PER_SECOND = 30
PRIVATE_INTERVAL = 1.0
TARGET_RATIO = 1.2

CONVOCATION = (
    "<b>Convocatoria a sesión ordinaria</b>\n"
    "Secretariado Técnico Municipal de Gobierno Abierto de Zamora\n\n"
    "Fecha: <b>viernes 4 de diciembre de 2026, 10:00</b>\n"
    "Lugar: Sala de Cabildo, Palacio Municipal\n\n"
    "<i>Orden del día</i>\n"
    "1. Lista de asistencia y declaración de quórum\n"
    "2. Lectura y aprobación del acta anterior\n"
    "3. Seguimiento del plan de acción local\n"
    "4. Asuntos generales\n\n"
    "Integrante {n}: confirma tu asistencia con los botones."
)
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//stm-bot//bench//ES\r\n"
    "BEGIN:VEVENT\r\nUID:sesion-2026-12-04@stm\r\nDTSTAMP:20261127T160000Z\r\n"
    "DTSTART:20261204T160000Z\r\nDTEND:20261204T180000Z\r\n"
    "SUMMARY:Sesión ordinaria del STM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()


def with_delivery_limiter(app: StmApplication) -> str:
    """Make sure the app's bot uses DeliveryRateLimiter; say where it came from."""
    if isinstance(app.bot.rate_limiter, DeliveryRateLimiter):
        return "DeliveryRateLimiter (wired by build_application)"
    previous = type(app.bot.rate_limiter).__name__
    # Bench-only swap, before initialize(): ExtBot keeps its limiter in a private slot.
    app.bot._rate_limiter = DeliveryRateLimiter()  # type: ignore[attr-defined]
    return f"DeliveryRateLimiter (swapped in by the bench; build_application wires {previous})"


def lost_messages(fake: FakeBotAPI, members: list[int]) -> int:
    """Expected messages that are not in the fake's chats."""
    stored = fake.messages
    lost = sum(max(0, 2 - len(stored.get(chat, []))) for chat in members)
    return lost + max(0, 1 - len(stored.get(GROUP_ID, [])))


async def run(people: int, concurrency: int) -> int:
    members = list(range(FIRST_MEMBER, FIRST_MEMBER + people))
    with (
        tempfile.TemporaryDirectory(prefix="stm-bench-") as tmp,
        FakeBotAPI(token=TOKEN, bot_username="stm_prueba_bot", rate_limits=True) as fake,
    ):
        for n, chat in enumerate(members, start=1):
            fake.add_user(chat, f"Integrante {n}", started=True)
        fake.add_group(GROUP_ID, "STM Zamora")
        database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        settings = Settings(
            token=TOKEN,
            api_url=fake.url,
            database_url=database_url,
            invitation_ttl=timedelta(days=7),
        )
        app = build_application(settings, db=make_sessionmaker(make_engine(database_url)))
        limiter_name = with_delivery_limiter(app)
        await app.initialize()
        try:
            assert app.post_init is not None
            await app.post_init(app)  # migrations and menus, as at start-up
            bot = app.bot
            jobs: list[Job] = [
                (
                    chat,
                    in_order(
                        lambda chat=chat, n=n: bot.send_message(chat, CONVOCATION.format(n=n)),
                        lambda chat=chat: bot.send_document(chat, ICS, filename="sesion.ics"),
                    ),
                )
                for n, chat in enumerate(members, start=1)
            ]
            jobs.append(
                (GROUP_ID, in_order(lambda: bot.send_message(GROUP_ID, CONVOCATION.format(n=0))))
            )
            started = time.perf_counter()
            outcomes = await deliver_all(
                jobs, clock=lambda: datetime.now(UTC), concurrency=concurrency
            )
            seconds = time.perf_counter() - started
            stats = app.bot.rate_limiter.stats  # type: ignore[union-attr]
        finally:
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
            await app.shutdown()
        lost = lost_messages(fake, members)
        failed = sum(not o.ok for o in outcomes)
        too_many = fake.too_many_requests

    messages = 2 * people + 1
    overall_bound = messages / OVERALL_PER_SECOND
    per_chat_bound = PRIVATE_INTERVAL * (2 - 1)  # message then .ics, >= 1 s apart per chat
    bound = max(overall_bound, per_chat_bound)
    ratio = seconds / bound
    print(f"rate limiter:        {limiter_name}")
    print(f"people:              {people} (+ 1 group post), concurrency {concurrency}")
    print(f"messages:            {messages}")
    print(f"seconds:             {seconds:.2f}")
    print(
        f"lower bound:         {bound:.2f} s = max({messages} messages / "
        f"{OVERALL_PER_SECOND} per s = {overall_bound:.2f} s, "
        f"per chat 2 messages >= {PRIVATE_INTERVAL:.0f} s apart = {per_chat_bound:.2f} s)"
    )
    print(f"ratio:               {ratio:.3f} (goal <= {TARGET_RATIO})")
    print(
        f"429s received:       {too_many} (limiter saw {stats.too_many_requests}, "
        f"global pauses {stats.global_pauses}, transient errors {stats.transient_errors})"
    )
    print(f"failed outcomes:     {failed}")
    print(f"lost messages:       {lost}")
    return 0 if lost == 0 and failed == 0 and ratio <= TARGET_RATIO else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--people", type=int, default=150, help="members to convene")
    parser.add_argument("--concurrency", type=int, default=50, help="jobs in flight")
    args = parser.parse_args()
    if args.people < 1:
        parser.error("--people must be at least 1")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    raise SystemExit(asyncio.run(run(args.people, args.concurrency)))


if __name__ == "__main__":
    main()
