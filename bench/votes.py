"""Benchmark: 500 ballot presses as fast as the fake Bot API delivers them, on 127.0.0.1.

For each backend it starts the fake Bot API, seeds a secretariat through the services
(facilitator, five titulars, five substitutes, and a sixth seat nobody holds, so the
electronic vote never closes by itself), builds the bot with ``bot.app.build_application``
exactly as production does (``DeliveryRateLimiter``, which lets ``answerCallbackQuery``
straight through), opens an electronic vote with ``/votar`` and "24 h", and once every
voter got the ballot injects the presses at once: ten voters alternating "A favor" and
"En contra" (a repeated choice would be refused as "ya estaba registrado").

Handling latency is from the injection of a press into the fake (``time.monotonic()``) to
the fake recording the matching ``answerCallbackQuery`` (``Call.at``, the same clock); the
handler answers only after the ballot is committed. PTB handles one update at a time, so
under this burst the latency is mostly queueing behind earlier presses. Throughput is
ballots / (last answer - first injection). One round of warm-up presses (one per voter,
not measured) precedes the measured ones.

The baseline is a bare PTB application (same fake, same polling) whose only handler is a
``CallbackQueryHandler`` that answers "ok": the framework's own limit. The ratio is each
backend's ballots/s over the baseline's::

    .venv/bin/python bench/votes.py [--ballots 500] [--postgres URL]

PostgreSQL: a database ``stm_bench`` is created through ``--postgres`` (default
``TEST_DATABASE_URL`` or ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``) and dropped
afterwards; when the server is unreachable the row is skipped with the reason.

Exit code 0 when every measured press was answered as a registered ballot (or "ok"), else 1.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's directory comes first on sys.path, where bench/scheduler.py
# would shadow the ``scheduler`` package: the project root goes first, the folder out.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))

from sqlalchemy.engine import make_url  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler  # noqa: E402

from bot.app import ALLOWED_UPDATES, build_application  # noqa: E402
from bot.settings import Settings  # noqa: E402
from domain.roles import Membership, Role, Target  # noqa: E402
from storage.db import make_engine, make_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.services import invitations, roster, secretariats  # noqa: E402
from tests.fakebot import FakeBotAPI  # noqa: E402

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
GROUP_ID = -1001234567890
ADMIN = 9001
FACILITATOR = 700_001
VOTERS = tuple(range(700_002, 700_012))  # five titulars, then five substitutes
SEATS = ("gobierno", "garante", "sociedad_civil", "academia", "ciudadania")
SILENT_SEAT = ("ayuntamiento", "Ayuntamiento")  # held by nobody: the vote stays open
NOW = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # a Friday, 10:00 in Mexico City
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
BENCH_DB = "stm_bench"
CHOICES = ("A favor", "En contra")  # alternated per voter
REGISTERED = "Tu voto quedó registrado"
TIMEOUT = 60.0  # seconds for all presses of one run to be answered


@dataclass(frozen=True)
class Result:
    """One backend's figures."""

    backend: str
    ballots: int
    seconds: float
    latencies: list[float]  # seconds
    refused: int  # answers that were not the expected acknowledgement

    @property
    def rate(self) -> float:
        return self.ballots / self.seconds

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile, in milliseconds."""
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
        return ordered[rank - 1] * 1000


# ====================================================================== pressing and timing
Presser = Callable[[int, int], str]  # (voter, round) -> callback query id


async def burst(
    fake: FakeBotAPI, press: Presser, rounds: int, expected: str, backend: str
) -> Result:
    """Inject ``rounds`` presses per voter at once; wait for every answer; time them."""
    mark = fake.mark()
    injected: dict[str, float] = {}
    for n in range(rounds):
        for voter in VOTERS:
            stamp = time.monotonic()
            injected[press(voter, n)] = stamp
    answered: dict[str, float] = {}
    texts: dict[str, str] = {}
    cursor = mark
    deadline = time.monotonic() + TIMEOUT
    while len(answered) < len(injected):
        calls = fake.calls
        for call in calls[cursor:]:
            if call.method == "answerCallbackQuery" and call.ok:
                query_id = str(call.params.get("callback_query_id"))
                if query_id in injected:
                    answered[query_id] = call.at
                    texts[query_id] = str(call.params.get("text") or "")
        cursor = len(calls)
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{backend}: only {len(answered)} of {len(injected)} presses answered "
                f"within {TIMEOUT:.0f} s"
            )
        await asyncio.sleep(0.02)
    first = min(injected.values())
    last = max(answered.values())
    latencies = [answered[q] - injected[q] for q in injected]
    refused = sum(1 for q in injected if expected not in texts[q])
    return Result(backend, len(injected), last - first, latencies, refused)


async def warm_up(fake: FakeBotAPI, press: Presser) -> None:
    """One press per voter, answered before the measured burst starts."""
    await burst(fake, press, 1, "", "warm-up")


# ====================================================================== bare PTB baseline
async def _answer_ok(update: Update, _context: object) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer("ok")


async def run_bare(rounds: int) -> Result:
    with FakeBotAPI(token=TOKEN, bot_username="stm_prueba_bot", rate_limits=True) as fake:
        for n, voter in enumerate(VOTERS, start=1):
            fake.add_user(voter, f"Persona {n}", started=True)
        app = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(fake.url + "/bot")
            .base_file_url(fake.url + "/file/bot")
            .build()
        )
        app.add_handler(CallbackQueryHandler(_answer_ok))

        def press(voter: int, n: int) -> str:
            return fake.press(
                voter, chat_id=voter, message_id=1, data=f"v:1:{n % 2 + 1}", forge=True
            )

        return await _polling(app, lambda: _measure(fake, press, rounds, "ok", "bare PTB"))


# ====================================================================== the real bot
async def seed(database_url: str) -> None:
    """The secretariat: facilitator, 5 titulars, 5 substitutes, an unheld sixth seat."""
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
            telegram_user_id=FACILITATOR,
            profile_name="Facilitadora",
            now=NOW,
        )
        facilitator = Membership(created.secretariat_id, "Zamora", 1, 1, Role.FACILITADOR)
        target = Target(created.secretariat_id, "Zamora", facilitator)
        await secretariats.link_group(
            session, now=NOW, target=target, chat_id=GROUP_ID, title="STM Zamora"
        )
        for index, voter in enumerate(VOTERS):
            invited = await roster.add_member(
                session,
                now=NOW,
                target=target,
                role=Role.TITULAR if index < len(SEATS) else Role.SUPLENTE,
                name=f"Persona {index + 2}",
                seat_key=SEATS[index % len(SEATS)],
                ttl=ttl,
            )
            await invitations.redeem(
                session, token=invited.token, telegram_user_id=voter, profile_name="", now=NOW
            )
        await secretariats.add_seat(
            session, now=NOW, target=target, key=SILENT_SEAT[0], name=SILENT_SEAT[1]
        )
    await engine.dispose()


async def run_bot(backend: str, database_url: str, rounds: int) -> Result:
    with FakeBotAPI(token=TOKEN, bot_username="stm_prueba_bot", rate_limits=True) as fake:
        fake.add_user(FACILITATOR, "Facilitadora", started=True)
        for n, voter in enumerate(VOTERS, start=2):
            fake.add_user(voter, f"Persona {n}", started=True)
        fake.add_group(GROUP_ID, "STM Zamora")
        await seed(database_url)
        settings = Settings(token=TOKEN, api_url=fake.url, database_url=database_url)
        app = build_application(settings, clock=lambda: NOW)

        async def scenario() -> Result:
            ballots = await open_vote(fake)

            def press(voter: int, n: int) -> str:
                message_id, buttons = ballots[voter]
                data = buttons[CHOICES[n % 2]]
                return fake.press(voter, chat_id=voter, message_id=message_id, data=data)

            return await _measure(fake, press, rounds, REGISTERED, backend)

        return await _polling(app, scenario)


async def open_vote(fake: FakeBotAPI) -> dict[int, tuple[int, dict[str, str]]]:
    """``/votar``, "24 h"; each voter's ballot message id and buttons."""
    mark = fake.mark()
    fake.send_text(FACILITATOR, "/votar Aprobar el calendario de sesiones 2027")
    asked = await fake.wait_for("sendMessage", since=mark, chat_id=FACILITATOR, ok=True)
    buttons = dict(fake.buttons(FACILITATOR, asked.result["message_id"]))
    mark = fake.mark()
    fake.press(
        FACILITATOR,
        chat_id=FACILITATOR,
        message_id=asked.result["message_id"],
        data=buttons["24 h"],
    )
    ballots: dict[int, tuple[int, dict[str, str]]] = {}
    for voter in VOTERS:
        call = await fake.wait_for("sendMessage", since=mark, timeout=20, chat_id=voter, ok=True)
        message_id = call.result["message_id"]
        ballots[voter] = message_id, {t: d for t, d in fake.buttons(voter, message_id) if d}
    return ballots


# ====================================================================== plumbing
async def _measure(
    fake: FakeBotAPI, press: Presser, rounds: int, expected: str, backend: str
) -> Result:
    await warm_up(fake, press)
    # the warm-up pressed CHOICES[0]; the measured presses start with CHOICES[1]
    result = await burst(fake, lambda voter, n: press(voter, n + 1), rounds, expected, backend)
    fake.assert_no_internal_errors()
    return result


async def _polling(
    app: Application,  # type: ignore[type-arg]
    scenario: Callable[[], Awaitable[Result]],
) -> Result:
    """Run ``app`` with polling around ``scenario``, then stop it cleanly."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    assert app.updater is not None
    await app.updater.start_polling(
        poll_interval=0.0, timeout=timedelta(seconds=1), allowed_updates=ALLOWED_UPDATES
    )
    await app.start()
    try:
        return await scenario()
    finally:
        await app.updater.stop()
        await app.stop()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
        await app.shutdown()


async def postgres_database(admin_url: str, create: bool) -> str:
    """Drop (and create) ``stm_bench`` through the admin database; its URL."""
    import asyncpg

    parsed = make_url(admin_url)
    connection = await asyncio.wait_for(
        asyncpg.connect(
            host=parsed.host or "127.0.0.1",
            port=parsed.port or 5432,
            user=parsed.username or "postgres",
            password=parsed.password,
            database=parsed.database or "postgres",
        ),
        timeout=5,
    )
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        if create:
            await connection.execute(f"CREATE DATABASE {BENCH_DB}")
    finally:
        await connection.close()
    return parsed.set(database=BENCH_DB).render_as_string(hide_password=False)


async def run(ballots: int, admin_url: str) -> int:
    rounds = ballots // len(VOTERS)
    results: list[Result] = []
    skipped: list[str] = []
    results.append(await run_bare(rounds))
    with tempfile.TemporaryDirectory(prefix="stm-bench-") as tmp:
        sqlite_url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        results.append(await run_bot("SQLite", sqlite_url, rounds))
    try:
        pg_url = await postgres_database(admin_url, create=True)
    except Exception as exc:  # unreachable, refused, no rights...
        where = make_url(admin_url).render_as_string(hide_password=True)
        skipped.append(f"PostgreSQL skipped: not reachable at {where} ({exc!r})")
    else:
        try:
            results.append(await run_bot("PostgreSQL", pg_url, rounds))
        finally:
            await postgres_database(admin_url, create=False)
    baseline = results[0].rate
    print(
        f"{ballots} presses per backend: {len(VOTERS)} voters x {rounds}, alternating "
        "'A favor'/'En contra', injected at once (after 1 unmeasured warm-up round)"
    )
    header = (
        f"{'backend':<12} {'ballots':>7} {'seconds':>8} {'ballots/s':>10} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'vs bare PTB':>12}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.backend:<12} {r.ballots:>7} {r.seconds:>8.2f} {r.rate:>10.1f} "
            f"{r.percentile(50):>8.1f} {r.percentile(99):>8.1f} {r.rate / baseline:>12.3f}"
        )
    for line in skipped:
        print(line)
    refused = {r.backend: r.refused for r in results if r.refused}
    if refused:
        print(f"unexpected answers (not a registered ballot): {refused}")
        return 1
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument(
        "--ballots", type=int, default=500, help="measured presses (a multiple of 10)"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG,
        help=f"PostgreSQL database to connect through to create/drop {BENCH_DB}",
    )
    args = parser.parse_args()
    if args.ballots < len(VOTERS) or args.ballots % len(VOTERS):
        parser.error(f"--ballots must be a positive multiple of {len(VOTERS)}")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    raise SystemExit(asyncio.run(run(args.ballots, args.postgres)))


if __name__ == "__main__":
    main()
