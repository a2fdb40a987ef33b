"""Benchmark: ballot presses against the fake Bot API enforcing Telegram's limits (429s).

Two scenarios per backend (SQLite, PostgreSQL), each against a bare PTB bot on the same
presses in the same run:

* **session** (issue 10): a session vote of five seats debating a motion live. Each seat
  presses again as soon as its previous press is answered, alternating "A favor" and
  "En contra", 500 presses in all. Printed: ballots/s and its ratio to the bare bot,
  p50/p99 press→answer, whether the final tally equals a full recount of every stored
  ballot, and how many "Todos los asientos con derecho ya votaron" notices the
  facilitator got (exactly one is right).
* **burst**: 500 presses of an electronic vote injected at once (described below).

The burst scenario:

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

    .venv/bin/python bench/votes.py [--ballots 500] [--postgres URL] [--only session|burst]

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
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's directory comes first on sys.path, where bench/scheduler.py
# would shadow the ``scheduler`` package: the project root goes first, the folder out.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler  # noqa: E402

from bot.app import ALLOWED_UPDATES, build_application  # noqa: E402
from bot.settings import Settings  # noqa: E402
from domain.ballots import Cast, VoteKind, counted  # noqa: E402
from domain.outcomes import Choice, Tally, tally  # noqa: E402
from domain.roles import Membership, Role, Target  # noqa: E402
from storage.db import make_engine, make_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Ballot, Meeting, Presence, Vote  # noqa: E402
from storage.services import access, invitations, linking, roster, secretariats  # noqa: E402
from tests.fakebot import FakeBotAPI  # noqa: E402
from tests.fakebot.models import Call  # noqa: E402

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


def limited_fake() -> FakeBotAPI:
    """The fake Bot API with Telegram's limits on: 30/s, 1/s per chat (burst 3), 20/min."""
    fake = FakeBotAPI(token=TOKEN, bot_username="stm_prueba_bot")
    fake.enforce_rate_limits(private_burst=3)
    return fake


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
    with limited_fake() as fake:
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
        await linking.claim(session, secretariat_id=created.secretariat_id, now=NOW)
    await engine.dispose()


async def run_bot(backend: str, database_url: str, rounds: int) -> Result:
    with limited_fake() as fake:
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


# ====================================================================== session, closed loop
SEAT_VOTERS = VOTERS[: len(SEATS)]  # the five titulars, all present at the roll call
EVERYONE_VOTED = "Todos los asientos con derecho ya votaron"


@dataclass(frozen=True)
class LoopResult:
    """One bot's figures in the closed-loop session scenario."""

    backend: str
    ballots: int
    seconds: float
    latencies: list[float]
    refused: int
    exact: bool | None = None  # the stored tally equals a recount of every ballot
    everyone_voted_notices: int | None = None

    @property
    def rate(self) -> float:
        return self.ballots / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
        return ordered[rank - 1] * 1000


class Answers:
    """Each press's ``answerCallbackQuery`` the moment the fake records it (no polling)."""

    def __init__(self, fake: FakeBotAPI) -> None:
        self.loop = asyncio.get_running_loop()
        self.arrived: dict[str, tuple[float, str]] = {}
        self.events: dict[str, asyncio.Event] = {}
        self.stop = fake.listen(self._on_call)

    def _on_call(self, call: Call) -> None:  # the fake's thread
        if call.method == "answerCallbackQuery" and call.ok:
            query_id = str(call.params.get("callback_query_id"))
            text = str(call.params.get("text") or "")
            self.loop.call_soon_threadsafe(self._arrived, query_id, call.at, text)

    def _arrived(self, query_id: str, at: float, text: str) -> None:
        self.arrived[query_id] = (at, text)
        event = self.events.pop(query_id, None)
        if event is not None:
            event.set()

    async def wait(self, query_id: str) -> tuple[float, str]:
        if query_id not in self.arrived:
            event = self.events.setdefault(query_id, asyncio.Event())
            await asyncio.wait_for(event.wait(), TIMEOUT)
        return self.arrived[query_id]


async def closed_loop(
    fake: FakeBotAPI, press: Presser, rounds: int, expected: str, backend: str
) -> LoopResult:
    """Each seat presses again as soon as its previous press is answered."""
    answers = Answers(fake)
    try:
        for voter in SEAT_VOTERS:  # warm-up: every seat votes once (not measured)
            await answers.wait(press(voter, 0))
        latencies: list[float] = []
        refused = 0
        start = time.monotonic()
        last = start

        async def seat(voter: int) -> None:
            nonlocal refused, last
            for n in range(1, rounds + 1):
                injected = time.monotonic()
                at, text = await answers.wait(press(voter, n))
                latencies.append(at - injected)
                last = max(last, at)
                refused += expected not in text

        await asyncio.gather(*(seat(v) for v in SEAT_VOTERS))
    finally:
        answers.stop()
    return LoopResult(backend, len(latencies), last - start, latencies, refused)


async def run_bare_session(rounds: int) -> LoopResult:
    with limited_fake() as fake:
        for n, voter in enumerate(SEAT_VOTERS, start=1):
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

        return await _polling(app, lambda: closed_loop(fake, press, rounds, "ok", "bare PTB"))


async def seed_session(database_url: str) -> None:
    """Facilitator, five titulars, the group, and an installed session they all attend."""
    engine = make_engine(database_url)
    await upgrade(engine)
    db = make_sessionmaker(engine)
    ttl = timedelta(days=7)
    async with db.begin() as session:
        created = await secretariats.create(
            session, now=NOW, admin_id=ADMIN, name="Zamora", ttl=ttl
        )
        await invitations.redeem(
            session, token=created.token, telegram_user_id=FACILITATOR, profile_name="F", now=NOW
        )
        facilitator = Membership(created.secretariat_id, "Zamora", 1, 1, Role.FACILITADOR)
        target = Target(created.secretariat_id, "Zamora", facilitator)
        await secretariats.link_group(
            session, now=NOW, target=target, chat_id=GROUP_ID, title="STM Zamora"
        )
        members = []
        for index, voter in enumerate(SEAT_VOTERS):
            invited = await roster.add_member(
                session,
                now=NOW,
                target=target,
                role=Role.TITULAR,
                name=f"Persona {index + 2}",
                seat_key=SEATS[index],
                ttl=ttl,
            )
            await invitations.redeem(
                session, token=invited.token, telegram_user_id=voter, profile_name="", now=NOW
            )
            members.append(await access.member_of(session, created.secretariat_id, voter))
        await linking.claim(session, secretariat_id=created.secretariat_id, now=NOW)
        meeting = Meeting(
            secretariat_id=created.secretariat_id,
            number=1,
            kind="ordinaria",
            ordinal=1,
            title="Primera Sesión Ordinaria 2026",
            starts_at=NOW,
            place="Sala de Cabildo",
            agenda=["Moción"],
            state="instalada",
            created_at=NOW,
            created_by=1,
            convened_at=NOW,
            roll_call_at=NOW,
            installed_at=NOW,
            quorum_required=3,
            seats_present=len(SEATS),
            seats_total=len(SEATS),
        )
        session.add(meeting)
        await session.flush()
        for member in members:
            assert member is not None
            session.add(
                Presence(
                    meeting_id=meeting.id, member_id=member.id, seat_id=member.seat_id, at=NOW
                )
            )
    await engine.dispose()


async def run_bot_session(backend: str, database_url: str, rounds: int) -> LoopResult:
    with limited_fake() as fake:
        fake.add_user(FACILITATOR, "Facilitadora", started=True)
        for n, voter in enumerate(SEAT_VOTERS, start=2):
            fake.add_user(voter, f"Persona {n}", started=True)
        fake.add_group(GROUP_ID, "STM Zamora")
        await seed_session(database_url)
        settings = Settings(token=TOKEN, api_url=fake.url, database_url=database_url)
        app = build_application(settings, clock=lambda: NOW)

        async def scenario() -> LoopResult:
            mark = fake.mark()
            fake.send_text(FACILITATOR, "/votar Aprobar la moción del punto 1")
            ballots: dict[int, tuple[int, dict[str, str]]] = {}
            for voter in SEAT_VOTERS:
                call = await fake.wait_for(
                    "sendMessage", since=mark, timeout=20, chat_id=voter, ok=True
                )
                message_id = call.result["message_id"]
                keys = {t: d for t, d in fake.buttons(voter, message_id) if d}
                ballots[voter] = message_id, keys
            final: dict[int, str] = {}

            def press(voter: int, n: int) -> str:
                message_id, buttons = ballots[voter]
                final[voter] = CHOICES[n % 2]
                return fake.press(
                    voter, chat_id=voter, message_id=message_id, data=buttons[CHOICES[n % 2]]
                )

            result = await closed_loop(fake, press, rounds, REGISTERED, backend)
            await app.quiet()  # type: ignore[attr-defined]
            notices = sum(
                EVERYONE_VOTED in (c.text or "") for c in fake.sent_to(FACILITATOR, since=mark)
            )
            exact = await tally_is_exact(database_url, final)
            fake.assert_no_internal_errors()
            return replace(result, exact=exact, everyone_voted_notices=notices)

        return await _polling(app, scenario)


async def tally_is_exact(database_url: str, final: dict[int, str]) -> bool:
    """The running tally equals a recount of every stored ballot and each seat's last press."""
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            vote = await session.scalar(select(Vote).order_by(Vote.id.desc()).limit(1))
            assert vote is not None
            rows = await session.scalars(
                select(Ballot).where(Ballot.vote_id == vote.id).order_by(Ballot.id)
            )
            recount = counted(
                [Cast(b.seat_id, b.role, b.member_id, Choice(b.choice), b.at) for b in rows],
                kind=VoteKind(vote.kind),
                eligible_seats=set(vote.eligible_seats),
                titular_present=set(vote.titular_present),
            )
    finally:
        await engine.dispose()
    expected = tally(CHOICE_VALUES[c] for c in final.values())
    recounted = tally(c.choice for c in recount.values())
    stored = Tally(vote.a_favor, vote.en_contra, vote.abstencion)
    return stored == recounted == expected and vote.voted_seats == len(final)


CHOICE_VALUES = {"A favor": Choice.A_FAVOR, "En contra": Choice.EN_CONTRA}


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


async def backends(admin_url: str, body: Callable[[str, str], Awaitable[object]]) -> list[str]:
    """Run ``body(name, url)`` on SQLite and on a fresh PostgreSQL database; what was skipped."""
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="stm-bench-") as tmp:
        await body("SQLite", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}")
    try:
        pg_url = await postgres_database(admin_url, create=True)
    except Exception as exc:  # unreachable, refused, no rights...
        where = make_url(admin_url).render_as_string(hide_password=True)
        skipped.append(f"PostgreSQL skipped: not reachable at {where} ({exc!r})")
    else:
        try:
            await body("PostgreSQL", pg_url)
        finally:
            await postgres_database(admin_url, create=False)
    return skipped


async def run_session(ballots: int, admin_url: str) -> int:
    """Issue 10's figure: ballots/s >= 0.7 x bare PTB, p99 < 100 ms, exact, told once."""
    rounds = ballots // len(SEAT_VOTERS)
    results: list[LoopResult] = [await run_bare_session(rounds)]

    async def body(name: str, url: str) -> None:
        results.append(await run_bot_session(name, url, rounds))

    skipped = await backends(admin_url, body)
    baseline = results[0].rate
    print(
        f"\nsession vote: {len(SEAT_VOTERS)} seats, each pressing again as soon as answered, "
        f"alternating, {rounds * len(SEAT_VOTERS)} presses (after 1 warm-up round); "
        "Telegram's limits enforced"
    )
    header = (
        f"{'bot':<12} {'ballots/s':>10} {'vs bare':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'exact':>6} {'told':>5}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        exact = "-" if r.exact is None else ("yes" if r.exact else "NO")
        told = "-" if r.everyone_voted_notices is None else str(r.everyone_voted_notices)
        print(
            f"{r.backend:<12} {r.rate:>10.1f} {r.rate / baseline:>8.3f} {r.percentile(50):>8.1f} "
            f"{r.percentile(99):>8.1f} {exact:>6} {told:>5}"
        )
    for line in skipped:
        print(line)
    bots = results[1:]
    bad = [r.backend for r in bots if r.refused or not r.exact or r.everyone_voted_notices != 1]
    if bad:
        print(f"wrong answers, tally or notices: {bad}")
        return 1
    return 0


async def run(ballots: int, admin_url: str) -> int:
    rounds = ballots // len(VOTERS)
    results: list[Result] = [await run_bare(rounds)]

    async def body(name: str, url: str) -> None:
        results.append(await run_bot(name, url, rounds))

    skipped = await backends(admin_url, body)
    baseline = results[0].rate
    print(
        f"\nburst: {ballots} presses per backend: {len(VOTERS)} voters x {rounds}, alternating "
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


async def run_all(ballots: int, admin_url: str, only: str | None) -> int:
    status = 0
    if only in (None, "session"):
        status |= await run_session(ballots, admin_url)
    if only in (None, "burst"):
        status |= await run(ballots, admin_url)
    return status


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
    parser.add_argument("--only", choices=("session", "burst"), help="run one scenario")
    args = parser.parse_args()
    if args.ballots < len(VOTERS) or args.ballots % len(VOTERS):
        parser.error(f"--ballots must be a positive multiple of {len(VOTERS)}")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    raise SystemExit(asyncio.run(run_all(args.ballots, args.postgres, args.only)))


if __name__ == "__main__":
    main()
