"""Benchmark: 150 people opening their invitation links at once, and a 150-row ``/importar``.

Starts the fake Bot API with Telegram's limits enforced (``enforce_rate_limits(
private_burst=3)``: 30 messages/s overall, 1/s per private chat after a burst of 3, 20/min
per group, 429 beyond), seeds a secretariat through ``storage.services`` over a temporary
SQLite file (the facilitator linked, the official group linked, N observers invited: their
tokens come from ``roster.add_member``), builds the bot with ``bot.app.build_application``
exactly as production does (``DeliveryRateLimiter``) and polls the fake.

(a) Linking. Every invited person sends ``/start <token>``, all injected at once. A
person's latency runs from the injection (``time.monotonic()`` just before
``fake.send_text``) to the bot's first ``sendMessage`` to their chat (``Call.at``, the
fake's ``time.monotonic()``, learnt at once through ``fake.listen``); that answer must say
"Listo". Then the bench waits past the linking-notice window (``bot.linking.WINDOW``, one
minute: the first linking is told at once, the rest grouped at the end of the minute) and
counts the facilitator's messages about linkings (``sendMessage`` to their chat with
"vincul") and the people they name. Every answer is one message, and 30 messages/s overall
is Telegram's limit, so the k-th answer cannot leave before k/30 s: the lower bound is
printed next to the figures.

(b) Import. The facilitator sends a CSV (``tipo,sector,nombre``: a titular and a substitute
for each of the five default seats, the rest observers; N rows) with caption ``/importar``.
Measured from the injection to the ``sendDocument`` of ``invitaciones.csv``, whose rows
must carry N distinct invitation links::

    .venv/bin/python bench/onboarding.py [--people 150]

Exit code 0 when every person was answered "Listo", the facilitator got at most 5 linking
messages naming everyone once, p99 <= 2 s (or, where Telegram's 30 messages/s makes that
impossible — 150 answers cannot all leave within 5 s — p99 <= 1.2 x that floor), and the
import answered N links in < 5 s; else 1.
"""

from __future__ import annotations

import asyncio
import csv
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's directory comes first on sys.path, where bench/scheduler.py
# would shadow the ``scheduler`` package: the project root goes first, the folder out.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402
from bot.context import StmApplication  # noqa: E402
from bot.linking import WINDOW  # noqa: E402
from domain.roles import Role  # noqa: E402
from tests.fakebot import FakeBotAPI  # noqa: E402

FIRST_PERSON = 700_002
TARGET_P99 = 2.0  # seconds, from /start to the answer (issue 10)...
#: ...unless Telegram's 30 messages/s makes it impossible (150 answers need >= 4.93 s for
#: the 99th): then p99 must stay within this ratio of that floor.
TARGET_FLOOR_RATIO = 1.2
TARGET_NOTICES = 5  # facilitator messages about the linkings
TARGET_IMPORT = 5.0  # seconds, from the document to the links file
ANSWER_TIMEOUT = 60.0
LINKS_FILENAME = "invitaciones.csv"


# ====================================================================== the import sheet
def import_sheet(rows: int) -> bytes:
    """``tipo,sector,nombre``: titular and substitute of each default seat, then observers."""
    lines = ["tipo,sector,nombre"]
    for n in range(rows):
        if n < 2 * len(common.SEATS):
            kind = "titular" if n < len(common.SEATS) else "suplente"
            lines.append(f"{kind},{common.SEATS[n % len(common.SEATS)]},Importada {n + 1}")
        else:
            lines.append(f"observador,,Importada {n + 1}")
    return ("\n".join(lines) + "\n").encode()


# ====================================================================== the scenarios
async def linkings(
    fake: FakeBotAPI, app: StmApplication, watch: common.Watch, tokens: dict[int, str]
) -> tuple[dict[int, float], dict[int, str], list[tuple[float, str]]]:
    """(a): everyone's latency and answer text, then the facilitator's linking notices."""
    mark = fake.mark()
    answers = {person: watch.expect(common.message_to(person)) for person in tokens}
    injected: dict[int, float] = {}
    for person, token in tokens.items():
        injected[person] = time.monotonic()
        fake.send_text(person, f"/start {token}")
    first = min(injected.values())
    done, _pending = await asyncio.wait(answers.values(), timeout=ANSWER_TIMEOUT)
    latencies: dict[int, float] = {}
    texts: dict[int, str] = {}
    for person, future in answers.items():
        if future in done:
            call = future.result()
            latencies[person] = call.at - injected[person]
            texts[person] = call.text or ""
    # past the grouping window: the grouped notice has gone out by then
    await asyncio.sleep(max(0.0, first + WINDOW.total_seconds() + 2.0 - time.monotonic()))
    await app.quiet()
    notices = [
        (c.at - first, c.text or "")
        for c in fake.calls[mark:]
        if common.message_to(common.FACILITATOR)(c) and "vincul" in (c.text or "")
    ]
    return latencies, texts, notices


def named_in(notice: str) -> int:
    """How many people one linking notice names."""
    if "personas vincularon" in notice:
        return sum(1 for line in notice.splitlines() if line.lstrip().startswith("•"))
    return 1 if "vinculó" in notice else 0


async def importing(fake: FakeBotAPI, watch: common.Watch, rows: int) -> tuple[float | None, int]:
    """(b): seconds from the document to the links file, and the distinct links in it."""
    links_file = watch.expect(
        lambda c: c.method == "sendDocument" and c.ok and common.chat_of(c) == common.FACILITATOR
    )
    started = time.monotonic()
    fake.send_document(
        common.FACILITATOR, import_sheet(rows), "integrantes.csv", caption="/importar"
    )
    try:
        call = await asyncio.wait_for(links_file, ANSWER_TIMEOUT)
    except TimeoutError:
        return None, 0
    document = call.params["document"]
    if getattr(document, "filename", None) != LINKS_FILENAME:
        return call.at - started, 0
    table = list(csv.DictReader(io.StringIO(document.data.decode("utf-8-sig"))))
    links = {r.get("enlace", "") for r in table if "?start=" in (r.get("enlace") or "")}
    return call.at - started, len(links)


async def run(count: int) -> int:
    people = list(range(FIRST_PERSON, FIRST_PERSON + count))
    with common.sqlite_database() as database_url, common.limited_fake() as fake:
        fake.add_user(common.FACILITATOR, "Facilitadora", started=True)
        common.add_people(fake, people, first=2, started=False)
        fake.add_group(common.GROUP_ID, common.GROUP_TITLE)
        # facilitator linked, group linked, one invited observer per person: their tokens
        invitees = [common.Invitee(person, Role.OBSERVADOR) for person in people]
        tokens = await common.seed(database_url, invitees, link=False)
        app = common.real_bot(fake, database_url)

        async def scenario() -> tuple[
            dict[int, float], dict[int, str], list[tuple[float, str]], float | None, int, int
        ]:
            watch = common.Watch(fake, asyncio.get_running_loop())
            try:
                await asyncio.sleep(1.1)  # start-up menus went out
                latencies, texts, notices = await linkings(fake, app, watch, tokens)
                await asyncio.sleep(1.1)  # the facilitator's chat, as a person would
                import_seconds, links = await importing(fake, watch, count)
                await app.quiet()
                too_many = fake.too_many_requests
                fake.assert_no_internal_errors()
            finally:
                watch.close()
            return latencies, texts, notices, import_seconds, links, too_many

        latencies, texts, notices, import_seconds, links, too_many = await common.polling(
            app, scenario
        )

    values = list(latencies.values())
    listo = sum(1 for person in people if "Listo" in texts.get(person, ""))
    named = sum(named_in(text) for _at, text in notices)
    bounds = [k / common.OVERALL_PER_SECOND for k in range(count)]
    failures: list[str] = []
    print(f"(a) {count} people send /start <token> at once (Telegram's limits on)")
    header = f"{'figure':<34} {'measured':>10} {'lower bound':>12} {'target':>10}"
    print(header)
    print("-" * len(header))
    answered = f"{listo}/{count}"
    print(f"{'answered with Listo':<34} {answered:>10} {'':>12} {'all':>10}")
    if values:
        for q in (50, 90, 99):
            target = f"<= {TARGET_P99:.1f}" if q == 99 else ""
            print(
                f"{f'latency p{q} s':<34} {common.percentile(values, q):>10.3f} "
                f"{common.percentile(bounds, q):>12.3f} {target:>10}"
            )
        print(f"{'latency max s':<34} {max(values):>10.3f} {bounds[-1]:>12.3f} {'':>10}")
    print(
        f"{'facilitator linking messages':<34} {len(notices):>10} {'':>12} "
        f"{f'<= {TARGET_NOTICES}':>10}"
    )
    print(f"{'people named in them':<34} {named:>10} {'':>12} {count:>10}")
    for at, text in notices:
        print(f"  linking message at {at:7.3f} s names {named_in(text):>3}")
    print(f"{'429s received (whole run)':<34} {too_many:>10}")
    print(
        f"(lower bound: one answer each at {common.OVERALL_PER_SECOND} messages/s overall, "
        "the k-th answer no earlier than k/30 s)"
    )
    print()
    print(f"(b) /importar of a {count}-row CSV by the facilitator")
    shown = f"{import_seconds:.3f}" if import_seconds is not None else "no answer"
    label = f"seconds to {LINKS_FILENAME}"
    print(f"{label:<34} {shown:>10} {'':>12} {f'< {TARGET_IMPORT:.0f}':>10}")
    print(f"{'distinct links in it':<34} {links:>10} {'':>12} {count:>10}")

    if listo < count:
        failures.append(f"{count - listo} people not answered 'Listo'")
    if len(notices) > TARGET_NOTICES:
        failures.append(f"{len(notices)} linking messages to the facilitator")
    if named != count:
        failures.append(f"the linking notices named {named} people, not {count}")
    floor99 = common.percentile(bounds, 99) if bounds else 0.0
    allowed = max(TARGET_P99, TARGET_FLOOR_RATIO * floor99)
    if values:
        ratio = common.percentile(values, 99) / floor99 if floor99 else 0.0
        print(
            f"p99 / its 30-per-s floor: {ratio:.3f} (the {TARGET_P99:.0f} s target is reachable "
            f"up to {int(TARGET_P99 * common.OVERALL_PER_SECOND / 0.99)} people; beyond, "
            f"<= {TARGET_FLOOR_RATIO} x the floor)"
        )
    if not values or common.percentile(values, 99) > allowed:
        failures.append("linking p99 above target")
    if import_seconds is None or import_seconds >= TARGET_IMPORT:
        failures.append("import slower than target (or unanswered)")
    if links != count:
        failures.append(f"{links} links in {LINKS_FILENAME}, not {count}")
    return common.missed(failures)


def main() -> None:
    parser = common.command_line(__doc__)
    parser.add_argument("--people", type=int, default=150, help="invited people (and rows)")
    args = parser.parse_args()
    if args.people < 2 * len(common.SEATS):
        parser.error(f"--people must be at least {2 * len(common.SEATS)}")
    common.execute(run(args.people))


if __name__ == "__main__":
    main()
