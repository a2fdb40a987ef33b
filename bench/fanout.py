"""Benchmark: a real ``/convocar`` to N linked people under Telegram's limits, on 127.0.0.1.

Starts the fake Bot API with Telegram's flood limits enforced (30 messages/s overall,
1/s per private chat, 20/min per group: beyond them it answers 429 and drops the
message), builds the bot with ``bot.app.build_application`` exactly as production does
(``DeliveryRateLimiter`` with Telegram's limits) over a temporary SQLite file, seeds a
secretariat with N linked people (facilitator, five titulars, five substitutes, the rest
observers), then the facilitator sends ``/convocar`` and presses "Enviar convocatoria".
It measures from the press to the facilitator's delivery report and prints the messages,
the seconds, the lower bound the limits allow, their ratio, the 429s and the messages
lost (must be 0)::

    .venv/bin/python bench/fanout.py [--people 150]

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
# Run as a script, this file's directory comes first on sys.path, where bench/scheduler.py
# would shadow the ``scheduler`` package: the project root goes first, the folder out.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))

from bot.app import ALLOWED_UPDATES, build_application  # noqa: E402
from bot.settings import Settings  # noqa: E402
from domain.roles import Membership, Role, Target  # noqa: E402
from storage.db import make_engine, make_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.services import invitations, linking, roster, secretariats  # noqa: E402
from tests.fakebot import FakeBotAPI  # noqa: E402

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
GROUP_ID = -1001234567890
ADMIN = 9001
FIRST_PERSON = 700_001
OVERALL_PER_SECOND = 30
TARGET_RATIO = 1.2
SEATS = ("gobierno", "garante", "sociedad_civil", "academia", "ciudadania")
NOW = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # a Friday, 10:00 in Mexico City
CONVOCAR = (
    "/convocar ordinaria 2026-12-07 10:00 Sala de Cabildo\n"
    "Lista de asistencia y declaración de quórum\nSeguimiento del Plan de Acción Municipal"
)


async def seed(database_url: str, people: list[int]) -> None:
    """A secretariat whose ``len(people)`` members are all linked (services, no chat)."""
    engine = make_engine(database_url)
    await upgrade(engine)
    db = make_sessionmaker(engine)
    ttl = timedelta(days=7)
    async with db.begin() as session:
        created = await secretariats.create(
            session, now=NOW, admin_id=ADMIN, name="Zamora", ttl=ttl
        )
        await invitations.redeem(
            session,
            token=created.token,
            telegram_user_id=people[0],
            profile_name="Facilitadora",
            now=NOW,
        )
        facilitator = Membership(created.secretariat_id, "Zamora", 1, 1, Role.FACILITADOR)
        target = Target(created.secretariat_id, "Zamora", facilitator)
        await secretariats.link_group(
            session, now=NOW, target=target, chat_id=GROUP_ID, title="STM Zamora"
        )
        for index, person in enumerate(people[1:]):
            if index < 2 * len(SEATS):
                role = Role.TITULAR if index < len(SEATS) else Role.SUPLENTE
                seat: str | None = SEATS[index % len(SEATS)]
            else:
                role, seat = Role.OBSERVADOR, None
            invited = await roster.add_member(
                session,
                now=NOW,
                target=target,
                role=role,
                name=f"Persona {index + 2}",
                seat_key=seat,
                ttl=ttl,
            )
            await invitations.redeem(
                session, token=invited.token, telegram_user_id=person, profile_name="", now=NOW
            )
        await linking.claim(session, secretariat_id=created.secretariat_id, now=NOW)
    await engine.dispose()


async def run(count: int) -> int:
    people = list(range(FIRST_PERSON, FIRST_PERSON + count))
    facilitator = people[0]
    with (
        tempfile.TemporaryDirectory(prefix="stm-bench-") as tmp,
        FakeBotAPI(token=TOKEN, bot_username="stm_prueba_bot", rate_limits=True) as fake,
    ):
        for n, person in enumerate(people, start=1):
            fake.add_user(person, f"Persona {n}", started=True)
        fake.add_group(GROUP_ID, "STM Zamora")
        database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        await seed(database_url, people)
        settings = Settings(token=TOKEN, api_url=fake.url, database_url=database_url)
        app = build_application(settings, clock=lambda: NOW)
        await app.initialize()
        assert app.post_init is not None
        assert app.updater is not None
        await app.post_init(app)
        await app.updater.start_polling(
            poll_interval=0.0, timeout=timedelta(seconds=1), allowed_updates=ALLOWED_UPDATES
        )
        await app.start()
        try:
            await asyncio.sleep(1.1)  # start-up menus went out; a person takes a moment too
            mark = fake.mark()
            fake.send_text(facilitator, CONVOCAR)
            preview = await fake.wait_for("sendMessage", since=mark, chat_id=facilitator, ok=True)
            send = next(
                d
                for t, d in fake.buttons(facilitator, preview.result["message_id"])
                if t.startswith("Enviar")
            )
            await asyncio.sleep(1.1)  # the facilitator's chat spacing, as a person would
            mark = fake.mark()
            started = time.perf_counter()
            fake.press(
                facilitator,
                chat_id=facilitator,
                message_id=preview.result["message_id"],
                data=send,
            )
            report = await fake.wait_for(
                "sendMessage", since=mark, timeout=120, chat_id=facilitator, ok=True
            )
            while "Convocatoria enviada" not in (report.text or ""):
                report = await fake.wait_for(
                    "sendMessage",
                    since=report.index + 1,
                    timeout=120,
                    chat_id=facilitator,
                    ok=True,
                )
            seconds = time.perf_counter() - started
            window = fake.calls[mark : report.index + 1]
        finally:
            await app.updater.stop()
            await app.stop()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
            await app.shutdown()
        delivered = [c for c in window if c.ok and c.method in ("sendMessage", "sendDocument")]
        too_many = sum(1 for c in window if c.status == 429)
        expected = 2 * count + 2  # message + .ics each, the group post, the report
        lost = sum(
            max(0, 2 - sum(1 for c in delivered if c.params.get("chat_id") == person))
            for person in people
        ) + max(0, 1 - sum(1 for c in delivered if c.params.get("chat_id") == GROUP_ID))
    bound = len(delivered) / OVERALL_PER_SECOND
    ratio = seconds / bound
    print(f"people:              {count} linked (+ the group post and the facilitator's report)")
    print(f"messages:            {len(delivered)} delivered of {expected} expected")
    print(f"seconds:             {seconds:.2f} (from the press on 'Enviar' to the report)")
    print(
        f"lower bound:         {bound:.2f} s = {len(delivered)} messages / "
        f"{OVERALL_PER_SECOND} per s"
    )
    print(f"ratio:               {ratio:.3f} (goal <= {TARGET_RATIO})")
    print(f"429s received:       {too_many}")
    for call in (c for c in window if c.status == 429):
        print(f"  429: {call.method} to chat {call.params.get('chat_id')}")
    print(f"lost messages:       {lost}")
    return 0 if lost == 0 and len(delivered) == expected and ratio <= TARGET_RATIO else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--people", type=int, default=150, help="linked people to convene")
    args = parser.parse_args()
    if args.people < 11:
        parser.error("--people must be at least 11 (facilitator, 5 titulars, 5 substitutes)")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    raise SystemExit(asyncio.run(run(args.people)))


if __name__ == "__main__":
    main()
