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

import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's directory comes first on sys.path, where bench/scheduler.py
# would shadow the ``scheduler`` package: the project root goes first, the folder out.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import CallbackQueryHandler  # noqa: E402

from bench import common  # noqa: E402
from bot.context import StmApplication  # noqa: E402
from domain.ballots import Cast, VoteKind, counted  # noqa: E402
from domain.outcomes import Choice, Tally, tally  # noqa: E402
from domain.roles import Target  # noqa: E402
from storage.db import make_engine, make_sessionmaker  # noqa: E402
from storage.models import Ballot, Meeting, Presence, Vote  # noqa: E402
from storage.services import access, secretariats  # noqa: E402
from tests.fakebot import FakeBotAPI  # noqa: E402
from tests.fakebot.models import Call  # noqa: E402

VOTERS = tuple(range(700_002, 700_012))  # five titulars, then five substitutes
SILENT_SEAT = ("ayuntamiento", "Ayuntamiento")  # held by nobody: the vote stays open
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
        return common.percentile(self.latencies, q) * 1000


# ====================================================================== pressing and timing
Presser = Callable[[int, int], str]  # (voter, round) -> callback query id
R = TypeVar("R")


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


async def bare_baseline(
    voters: tuple[int, ...], measure: Callable[[FakeBotAPI, Presser], Awaitable[R]]
) -> R:
    """The bare PTB bot on a fresh fake, ``measure`` run on presses of forged ballots."""
    with common.limited_fake() as fake:
        common.add_people(fake, voters)
        app = common.bare_ptb(fake, CallbackQueryHandler(_answer_ok))

        def press(voter: int, n: int) -> str:
            return fake.press(
                voter, chat_id=voter, message_id=1, data=f"v:1:{n % 2 + 1}", forge=True
            )

        return await common.polling(app, lambda: measure(fake, press))


async def run_bare(rounds: int) -> Result:
    return await bare_baseline(
        VOTERS, lambda fake, press: _measure(fake, press, rounds, "ok", "bare PTB")
    )


# ====================================================================== the real bot
async def with_bot(
    database_url: str,
    voters: tuple[int, ...],
    seeding: Callable[[], Awaitable[object]],
    scenario: Callable[[FakeBotAPI, StmApplication], Awaitable[R]],
) -> R:
    """The real bot on a fresh fake and ``database_url`` (seeded by ``seeding``)."""
    with common.limited_fake() as fake:
        fake.add_user(common.FACILITATOR, "Facilitadora", started=True)
        common.add_people(fake, voters, first=2)
        fake.add_group(common.GROUP_ID, common.GROUP_TITLE)
        await seeding()
        app = common.real_bot(fake, database_url)
        return await common.polling(app, lambda: scenario(fake, app))


async def add_silent_seat(session: AsyncSession, target: Target) -> None:
    await secretariats.add_seat(
        session, now=common.NOW, target=target, key=SILENT_SEAT[0], name=SILENT_SEAT[1]
    )


async def run_bot(backend: str, database_url: str, rounds: int) -> Result:
    """The secretariat: facilitator, 5 titulars, 5 substitutes, an unheld sixth seat."""

    async def scenario(fake: FakeBotAPI, _app: StmApplication) -> Result:
        ballots = await open_vote(fake)
        return await _measure(fake, presser(fake, ballots), rounds, REGISTERED, backend)

    return await with_bot(
        database_url,
        VOTERS,
        lambda: common.seed(database_url, common.council(VOTERS), then=add_silent_seat),
        scenario,
    )


async def open_vote(fake: FakeBotAPI) -> dict[int, tuple[int, dict[str, str]]]:
    """``/votar``, "24 h"; each voter's ballot message id and buttons."""
    mark = fake.mark()
    fake.send_text(common.FACILITATOR, "/votar Aprobar el calendario de sesiones 2027")
    asked = await fake.wait_for("sendMessage", since=mark, chat_id=common.FACILITATOR, ok=True)
    buttons = dict(fake.buttons(common.FACILITATOR, asked.result["message_id"]))
    mark = fake.mark()
    fake.press(
        common.FACILITATOR,
        chat_id=common.FACILITATOR,
        message_id=asked.result["message_id"],
        data=buttons["24 h"],
    )
    return await ballots_of(fake, VOTERS, mark)


def presser(fake: FakeBotAPI, ballots: dict[int, tuple[int, dict[str, str]]]) -> Presser:
    """Press ``n`` of a voter: ``CHOICES[n % 2]`` on their ballot (``bench/web.py`` too)."""

    def press(voter: int, n: int) -> str:
        message_id, buttons = ballots[voter]
        data = buttons[CHOICES[n % 2]]
        return fake.press(voter, chat_id=voter, message_id=message_id, data=data)

    return press


async def ballots_of(
    fake: FakeBotAPI, voters: tuple[int, ...], since: int
) -> dict[int, tuple[int, dict[str, str]]]:
    """Each voter's ballot, the first message to them since ``since``: its id and buttons."""
    ballots: dict[int, tuple[int, dict[str, str]]] = {}
    for voter in voters:
        call = await fake.wait_for("sendMessage", since=since, timeout=20, chat_id=voter, ok=True)
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


# ====================================================================== session, closed loop
SEAT_VOTERS = VOTERS[: len(common.SEATS)]  # the five titulars, all present at the roll call
EVERYONE_VOTED = "Todos los asientos con derecho ya votaron"


@dataclass(frozen=True)
class LoopResult(Result):
    """One bot's figures in the closed-loop session scenario."""

    exact: bool | None = None  # the stored tally equals a recount of every ballot
    everyone_voted_notices: int | None = None


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
    return await bare_baseline(
        SEAT_VOTERS, lambda fake, press: closed_loop(fake, press, rounds, "ok", "bare PTB")
    )


async def install_session(session: AsyncSession, target: Target) -> None:
    """An installed session every seat voter attends (seeded after they linked)."""
    meeting = Meeting(
        secretariat_id=target.secretariat_id,
        number=1,
        kind="ordinaria",
        ordinal=1,
        title="Primera Sesión Ordinaria 2026",
        starts_at=common.NOW,
        place="Sala de Cabildo",
        agenda=["Moción"],
        state="instalada",
        created_at=common.NOW,
        created_by=1,
        convened_at=common.NOW,
        roll_call_at=common.NOW,
        installed_at=common.NOW,
        quorum_required=3,
        seats_present=len(common.SEATS),
        seats_total=len(common.SEATS),
    )
    session.add(meeting)
    await session.flush()
    for voter in SEAT_VOTERS:
        member = await access.member_of(session, target.secretariat_id, voter)
        assert member is not None
        session.add(
            Presence(
                meeting_id=meeting.id, member_id=member.id, seat_id=member.seat_id, at=common.NOW
            )
        )


async def run_bot_session(backend: str, database_url: str, rounds: int) -> LoopResult:
    """Facilitator, five titulars, the group, and an installed session they all attend."""

    async def scenario(fake: FakeBotAPI, app: StmApplication) -> LoopResult:
        mark = fake.mark()
        fake.send_text(common.FACILITATOR, "/votar Aprobar la moción del punto 1")
        ballots = await ballots_of(fake, SEAT_VOTERS, mark)
        final: dict[int, str] = {}

        def press(voter: int, n: int) -> str:
            message_id, buttons = ballots[voter]
            final[voter] = CHOICES[n % 2]
            return fake.press(
                voter, chat_id=voter, message_id=message_id, data=buttons[CHOICES[n % 2]]
            )

        result = await closed_loop(fake, press, rounds, REGISTERED, backend)
        await app.quiet()
        notices = sum(
            EVERYONE_VOTED in (c.text or "") for c in fake.sent_to(common.FACILITATOR, since=mark)
        )
        exact = await tally_is_exact(database_url, final)
        fake.assert_no_internal_errors()
        return replace(result, exact=exact, everyone_voted_notices=notices)

    return await with_bot(
        database_url,
        SEAT_VOTERS,
        lambda: common.seed(
            database_url, common.council(SEAT_VOTERS), facilitator_name="F", then=install_session
        ),
        scenario,
    )


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


async def postgres_database(admin_url: str, create: bool, name: str = BENCH_DB) -> str:
    """Drop (and create) ``name`` (``stm_bench``) through the admin database; its URL."""
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
        await connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if create:
            await connection.execute(f"CREATE DATABASE {name}")
    finally:
        await connection.close()
    return parsed.set(database=name).render_as_string(hide_password=False)


async def backends(admin_url: str, body: Callable[[str, str], Awaitable[object]]) -> list[str]:
    """Run ``body(name, url)`` on SQLite and on a fresh PostgreSQL database; what was skipped."""
    skipped: list[str] = []
    with common.sqlite_database() as sqlite_url:
        await body("SQLite", sqlite_url)
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


async def measured(
    admin_url: str,
    bare: Callable[[], Awaitable[R]],
    bot: Callable[[str, str], Awaitable[R]],
) -> tuple[list[R], list[str]]:
    """The bare PTB bot's figures, then the real bot's on each backend; what was skipped."""
    results = [await bare()]

    async def body(name: str, url: str) -> None:
        results.append(await bot(name, url))

    return results, await backends(admin_url, body)


def table(title: str, header: str, rows: list[str], skipped: list[str]) -> None:
    """A scenario's table: its title, the header and its rule, a row a bot, what was skipped."""
    print(title)
    print(header)
    print("-" * len(header))
    for line in [*rows, *skipped]:
        print(line)


async def run_session(ballots: int, admin_url: str) -> int:
    """Issue 10's figure: ballots/s >= 0.7 x bare PTB, p99 < 100 ms, exact, told once."""
    rounds = ballots // len(SEAT_VOTERS)
    results, skipped = await measured(
        admin_url,
        lambda: run_bare_session(rounds),
        lambda name, url: run_bot_session(name, url, rounds),
    )
    baseline = results[0].rate
    rows: list[str] = []
    for r in results:
        exact = "-" if r.exact is None else ("yes" if r.exact else "NO")
        told = "-" if r.everyone_voted_notices is None else str(r.everyone_voted_notices)
        rows.append(
            f"{r.backend:<12} {r.rate:>10.1f} {r.rate / baseline:>8.3f} {r.percentile(50):>8.1f} "
            f"{r.percentile(99):>8.1f} {exact:>6} {told:>5}"
        )
    table(
        f"\nsession vote: {len(SEAT_VOTERS)} seats, each pressing again as soon as answered, "
        f"alternating, {rounds * len(SEAT_VOTERS)} presses (after 1 warm-up round); "
        "Telegram's limits enforced",
        f"{'bot':<12} {'ballots/s':>10} {'vs bare':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'exact':>6} {'told':>5}",
        rows,
        skipped,
    )
    bots = results[1:]
    bad = [r.backend for r in bots if r.refused or not r.exact or r.everyone_voted_notices != 1]
    if bad:
        print(f"wrong answers, tally or notices: {bad}")
        return 1
    return 0


async def run(ballots: int, admin_url: str) -> int:
    rounds = ballots // len(VOTERS)
    results, skipped = await measured(
        admin_url, lambda: run_bare(rounds), lambda name, url: run_bot(name, url, rounds)
    )
    baseline = results[0].rate
    table(
        f"\nburst: {ballots} presses per backend: {len(VOTERS)} voters x {rounds}, alternating "
        "'A favor'/'En contra', injected at once (after 1 unmeasured warm-up round)",
        f"{'backend':<12} {'ballots':>7} {'seconds':>8} {'ballots/s':>10} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'vs bare PTB':>12}",
        [
            f"{r.backend:<12} {r.ballots:>7} {r.seconds:>8.2f} {r.rate:>10.1f} "
            f"{r.percentile(50):>8.1f} {r.percentile(99):>8.1f} {r.rate / baseline:>12.3f}"
            for r in results
        ],
        skipped,
    )
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
    parser = common.command_line(__doc__)
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
    common.execute(run_all(args.ballots, args.postgres, args.only))


if __name__ == "__main__":
    main()
