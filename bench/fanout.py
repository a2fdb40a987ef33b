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

import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's directory comes first on sys.path, where bench/scheduler.py
# would shadow the ``scheduler`` package: the project root goes first, the folder out.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402
from tests.fakebot import Call  # noqa: E402

TARGET_RATIO = 1.2
CONVOCAR = (
    "/convocar ordinaria 2026-12-07 10:00 Sala de Cabildo\n"
    "Lista de asistencia y declaración de quórum\nSeguimiento del Plan de Acción Municipal"
)


async def run(count: int) -> int:
    people = list(range(common.FACILITATOR, common.FACILITATOR + count))
    facilitator = people[0]
    with common.sqlite_database() as database_url, common.limited_fake() as fake:
        common.add_people(fake, people)
        fake.add_group(common.GROUP_ID, common.GROUP_TITLE)
        # a secretariat whose ``count`` members are all linked (services, no chat)
        await common.seed(database_url, common.council(people[1:]))
        app = common.real_bot(fake, database_url)

        async def scenario() -> tuple[float, list[Call]]:
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
            return time.perf_counter() - started, fake.calls[mark : report.index + 1]

        seconds, window = await common.polling(app, scenario)
        delivered = [c for c in window if c.ok and c.method in ("sendMessage", "sendDocument")]
        too_many = sum(1 for c in window if c.status == 429)
        expected = 2 * count + 2  # message + .ics each, the group post, the report
        lost = sum(
            max(0, 2 - sum(1 for c in delivered if c.params.get("chat_id") == person))
            for person in people
        ) + max(0, 1 - sum(1 for c in delivered if c.params.get("chat_id") == common.GROUP_ID))
    bound = len(delivered) / common.OVERALL_PER_SECOND
    ratio = seconds / bound
    print(f"people:              {count} linked (+ the group post and the facilitator's report)")
    print(f"messages:            {len(delivered)} delivered of {expected} expected")
    print(f"seconds:             {seconds:.2f} (from the press on 'Enviar' to the report)")
    print(
        f"lower bound:         {bound:.2f} s = {len(delivered)} messages / "
        f"{common.OVERALL_PER_SECOND} per s"
    )
    print(f"ratio:               {ratio:.3f} (goal <= {TARGET_RATIO})")
    print(f"429s received:       {too_many}")
    for call in (c for c in window if c.status == 429):
        print(f"  429: {call.method} to chat {call.params.get('chat_id')}")
    print(f"lost messages:       {lost}")
    return 0 if lost == 0 and len(delivered) == expected and ratio <= TARGET_RATIO else 1


def main() -> None:
    parser = common.command_line(__doc__)
    parser.add_argument("--people", type=int, default=150, help="linked people to convene")
    args = parser.parse_args()
    if args.people < 11:
        parser.error("--people must be at least 11 (facilitator, 5 titulars, 5 substitutes)")
    common.execute(run(args.people))


if __name__ == "__main__":
    main()
