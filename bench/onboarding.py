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

import argparse
import asyncio
import csv
import io
import logging
import math
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's directory comes first on sys.path, where bench/scheduler.py
# would shadow the ``scheduler`` package: the project root goes first, the folder out.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))

from bot.app import ALLOWED_UPDATES, build_application  # noqa: E402
from bot.context import StmApplication  # noqa: E402
from bot.linking import WINDOW  # noqa: E402
from bot.settings import Settings  # noqa: E402
from domain.roles import Membership, Role, Target  # noqa: E402
from storage.db import make_engine, make_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.services import invitations, linking, roster, secretariats  # noqa: E402
from tests.fakebot import Call, FakeBotAPI  # noqa: E402

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
GROUP_ID = -1001234567890
ADMIN = 9001
FACILITATOR = 700_001
FIRST_PERSON = 700_002
SEATS = ("gobierno", "garante", "sociedad_civil", "academia", "ciudadania")
NOW = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # a Friday, 10:00 in Mexico City
OVERALL_PER_SECOND = 30
TARGET_P99 = 2.0  # seconds, from /start to the answer (issue 10)...
#: ...unless Telegram's 30 messages/s makes it impossible (150 answers need >= 4.93 s for
#: the 99th): then p99 must stay within this ratio of that floor.
TARGET_FLOOR_RATIO = 1.2
TARGET_NOTICES = 5  # facilitator messages about the linkings
TARGET_IMPORT = 5.0  # seconds, from the document to the links file
ANSWER_TIMEOUT = 60.0
LINKS_FILENAME = "invitaciones.csv"


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


def _chat(call: Call) -> int | None:
    value = call.params.get("chat_id")
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def sent_message_to(chat_id: int) -> Callable[[Call], bool]:
    return lambda c: c.method == "sendMessage" and c.ok and _chat(c) == chat_id


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


# ====================================================================== seeding
async def seed(database_url: str, people: list[int]) -> dict[int, str]:
    """Facilitator linked, group linked, one invited observer per person: their tokens."""
    engine = make_engine(database_url)
    await upgrade(engine)
    db = make_sessionmaker(engine)
    ttl = timedelta(days=7)
    tokens: dict[int, str] = {}
    async with db.begin() as session:
        created = await secretariats.create(
            session, now=NOW, admin_id=ADMIN, name="Zamora", ttl=ttl
        )
        await invitations.redeem(
            session,
            token=created.token,
            telegram_user_id=FACILITATOR,
            profile_name="Facilitadora",
            now=NOW,
        )
        facilitator = Membership(created.secretariat_id, "Zamora", 1, 1, Role.FACILITADOR)
        target = Target(created.secretariat_id, "Zamora", facilitator)
        await secretariats.link_group(
            session, now=NOW, target=target, chat_id=GROUP_ID, title="STM Zamora"
        )
        for index, person in enumerate(people):
            invited = await roster.add_member(
                session,
                now=NOW,
                target=target,
                role=Role.OBSERVADOR,
                name=f"Persona {index + 2}",
                seat_key=None,
                ttl=ttl,
            )
            tokens[person] = invited.token
        # nothing owed to the facilitator from the seed itself
        await linking.claim(session, secretariat_id=created.secretariat_id, now=NOW)
    await engine.dispose()
    return tokens


def import_sheet(rows: int) -> bytes:
    """``tipo,sector,nombre``: titular and substitute of each default seat, then observers."""
    lines = ["tipo,sector,nombre"]
    for n in range(rows):
        if n < 2 * len(SEATS):
            kind = "titular" if n < len(SEATS) else "suplente"
            lines.append(f"{kind},{SEATS[n % len(SEATS)]},Importada {n + 1}")
        else:
            lines.append(f"observador,,Importada {n + 1}")
    return ("\n".join(lines) + "\n").encode()


# ====================================================================== the scenarios
async def linkings(
    fake: FakeBotAPI, app: StmApplication, watch: Watch, tokens: dict[int, str]
) -> tuple[dict[int, float], dict[int, str], list[tuple[float, str]]]:
    """(a): everyone's latency and answer text, then the facilitator's linking notices."""
    mark = fake.mark()
    answers = {person: watch.expect(sent_message_to(person)) for person in tokens}
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
        if sent_message_to(FACILITATOR)(c) and "vincul" in (c.text or "")
    ]
    return latencies, texts, notices


def named_in(notice: str) -> int:
    """How many people one linking notice names."""
    if "personas vincularon" in notice:
        return sum(1 for line in notice.splitlines() if line.lstrip().startswith("•"))
    return 1 if "vinculó" in notice else 0


async def importing(fake: FakeBotAPI, watch: Watch, rows: int) -> tuple[float | None, int]:
    """(b): seconds from the document to the links file, and the distinct links in it."""
    links_file = watch.expect(
        lambda c: c.method == "sendDocument" and c.ok and _chat(c) == FACILITATOR
    )
    started = time.monotonic()
    fake.send_document(FACILITATOR, import_sheet(rows), "integrantes.csv", caption="/importar")
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
    with (
        tempfile.TemporaryDirectory(prefix="stm-bench-") as tmp,
        FakeBotAPI(token=TOKEN, bot_username="stm_prueba_bot") as fake,
    ):
        fake.enforce_rate_limits(private_burst=3)
        fake.add_user(FACILITATOR, "Facilitadora", started=True)
        for n, person in enumerate(people, start=2):
            fake.add_user(person, f"Persona {n}")
        fake.add_group(GROUP_ID, "STM Zamora")
        database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        tokens = await seed(database_url, people)
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
        watch = Watch(fake, asyncio.get_running_loop())
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
            await app.updater.stop()
            await app.stop()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
            await app.shutdown()

    values = list(latencies.values())
    listo = sum(1 for person in people if "Listo" in texts.get(person, ""))
    named = sum(named_in(text) for _at, text in notices)
    bounds = [k / OVERALL_PER_SECOND for k in range(count)]
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
                f"{f'latency p{q} s':<34} {percentile(values, q):>10.3f} "
                f"{percentile(bounds, q):>12.3f} {target:>10}"
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
        f"(lower bound: one answer each at {OVERALL_PER_SECOND} messages/s overall, "
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
    floor99 = percentile(bounds, 99) if bounds else 0.0
    allowed = max(TARGET_P99, TARGET_FLOOR_RATIO * floor99)
    if values:
        ratio = percentile(values, 99) / floor99 if floor99 else 0.0
        print(
            f"p99 / its 30-per-s floor: {ratio:.3f} (the {TARGET_P99:.0f} s target is reachable "
            f"up to {int(TARGET_P99 * OVERALL_PER_SECOND / 0.99)} people; beyond, "
            f"<= {TARGET_FLOOR_RATIO} x the floor)"
        )
    if not values or percentile(values, 99) > allowed:
        failures.append("linking p99 above target")
    if import_seconds is None or import_seconds >= TARGET_IMPORT:
        failures.append("import slower than target (or unanswered)")
    if links != count:
        failures.append(f"{links} links in {LINKS_FILENAME}, not {count}")
    for line in failures:
        print(f"MISSED: {line}")
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--people", type=int, default=150, help="invited people (and rows)")
    args = parser.parse_args()
    if args.people < 2 * len(SEATS):
        parser.error(f"--people must be at least {2 * len(SEATS)}")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    raise SystemExit(asyncio.run(run(args.people)))


if __name__ == "__main__":
    main()
