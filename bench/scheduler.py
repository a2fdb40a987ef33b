"""Benchmark: the reminder scheduler over 1,000 secretariats, on 127.0.0.1 under Telegram's limits.

Seeds a temporary SQLite file directly through the models (bulk inserts, no services) with N
secretariats (default 1000), each with the act's five seats, a linked facilitator and five
linked titulars, and one convened ordinary session on Monday 2026-12-07 10:00 Mexico City
(16:00 UTC, convened 2026-11-27). Four titulars answered "Asistiré" (quorum assured, so no
quorum reminder) and one did not. Just before Wednesday 2026-12-02 09:00 local, each
secretariat has 10 pending reminder moments, 10,000 in all for N=1000: the unanswered
titular's RSVP reminders (3 and 1 business days before: 2), the four confirmed titulars'
session-day reminders (2 h before: 4) and the facilitator's "convene January's ordinary
session" reminders (10, 2 and 0 business days before the last convening day, and the
"window closed" one: 4). The figure printed is counted with
``storage.services.reminders.plan``, the scheduler's own derivation.

The bot is built with ``bot.app.build_application`` exactly as production does (the default
``DeliveryRateLimiter``: Telegram's real limits) against the fake Bot API with Telegram's
flood limits enforced (30 messages/s overall, 1/s per private chat; beyond them it answers
429 and drops the message). Its clock is real time plus a constant, so the real job queue
fires the armed reminder job at the due moment, in real time, and the injected clock agrees.

1. Start-up: a first start with the clock an hour before the RSVP moment. It times
   ``initialize()`` + ``post_init`` up to the scheduled state (migrations at head, then
   ``scheduler.planner.start``: the whole derivation and the job armed; the bench wraps
   ``start`` only to time it on its own) and until ``post_init`` returns (the start-up
   menus come last: every linked account's on this first start, only the changed ones on
   a restart), checks that
   ``scheduler.planner.next_wake`` is the RSVP moment, and times a full re-derivation with
   nothing due (``scheduler.planner.run(app, None)``, what the hourly sweep costs), three
   times.
2. Burst: the bot is restarted on the same file with its clock set 1.5 x the cold start-up
   + the slowest re-derivation + 5 s before 2026-12-02 15:00 UTC, so it reaches its
   scheduled state several seconds ahead of that moment, and polls. At that moment the
   1,000 RSVP reminders (one unanswered titular per secretariat) fall due together. Each
   one's lateness is the fake's arrival time of its ``sendMessage`` (``Call.at``, converted
   to the bot's clock) minus the due moment; printed as p50, p99 and max next to the
   bounds 30 messages/s implies (n/60 s for the median, n/30 s for the last one), with
   duplicates and losses (both must be 0) and the ledger's verdict. The bot's own limiter
   keeps a 0.05 s margin on Telegram's window (30 per 1.05 s), so about 5 % above the
   bound is its design, not overhead.

Peak memory is ``ru_maxrss`` of the whole process: it includes the seeding and the fake
Bot API, which runs in a thread of this process. ``--no-limits`` turns the fake's flood
control off and gives the bot a ``DeliveryRateLimiter`` without spacing, to show the bot's
own overhead::

    .venv/bin/python bench/scheduler.py [--secretariats 1000] [--no-limits]

Exit code 0 when the job was armed for the RSVP moment before it came and every RSVP
reminder arrived exactly once, not early (none lost, none duplicated), else 1.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import resource
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's directory comes first on sys.path and its name would shadow
# the ``scheduler`` package (bot.app imports ``scheduler.jobs``): the repository goes first.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

import scheduler.planner as reminder_jobs  # noqa: E402
from bot.app import ALLOWED_UPDATES, build_application  # noqa: E402
from bot.context import StmApplication  # noqa: E402
from bot.ratelimit import DeliveryRateLimiter  # noqa: E402
from bot.settings import Settings  # noqa: E402
from domain.roster import DEFAULT_SEATS  # noqa: E402
from storage.db import Database, make_engine, make_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    AttendanceAnswer,
    Meeting,
    Member,
    Reminder,
    Seat,
    Secretariat,
)
from storage.services import reminders as reminder_plan  # noqa: E402
from tests.fakebot import FakeBotAPI  # noqa: E402

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
ADMIN = 9001
FIRST_PERSON = 1_000_001  # secretariat i: facilitator FIRST + 6i, titulars the next five
PER_SECRETARIAT = 1 + len(DEFAULT_SEATS)
OVERALL_PER_SECOND = 30
CREATED = datetime(2026, 11, 2, 16, 0, tzinfo=UTC)  # the secretariats exist since November
CONVENED = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # a Friday, 10:00 in Mexico City
ANSWERED = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)
STARTS = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)  # Monday 10:00 in Mexico City
#: R22: 3 business days before the session, at the reminder hour (09:00 local).
RSVP_3D = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
COLD_LEAD = timedelta(hours=1)  # the first start: nothing due for an hour
MARGIN = 5.0  # seconds between the scheduled state and the due moment in the burst run
REDERIVE_RUNS = 3
AGENDA = [
    "Lista de asistencia y declaración de quórum",
    "Seguimiento del Plan de Acción Municipal",
]
MARKER = "Recordatorio"
POLL = 0.005  # seconds between looks at the fake's calls


# ====================================================================== seeding
async def seed(database_url: str, count: int) -> list[int]:
    """``count`` secretariats as described above; returns the unanswered titulars' ids."""
    engine = make_engine(database_url)
    await upgrade(engine)
    db = make_sessionmaker(engine)
    secretariats: list[dict[str, Any]] = []
    seats: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    meetings: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    unanswered: list[int] = []
    for i in range(count):
        sid = i + 1
        person = FIRST_PERSON + PER_SECRETARIAT * i
        facilitator_id = PER_SECRETARIAT * i + 1
        secretariats.append(
            {"id": sid, "name": f"Municipio {sid:04d}", "created_at": CREATED, "created_by": ADMIN}
        )
        members.append(
            {
                "id": facilitator_id,
                "secretariat_id": sid,
                "number": 1,
                "role": "facilitador",
                "full_name": f"Facilitadora {sid}",
                "telegram_user_id": person,
                "linked_at": CREATED,
                "link_noticed_at": CREATED,  # the facilitator was told long ago
                "created_at": CREATED,
            }
        )
        for position, (key, label) in enumerate(DEFAULT_SEATS, start=1):
            seat_id = len(DEFAULT_SEATS) * i + position
            member_id = facilitator_id + position
            seats.append(
                {
                    "id": seat_id,
                    "secretariat_id": sid,
                    "key": key,
                    "name": label,
                    "position": position,
                    "created_at": CREATED,
                }
            )
            members.append(
                {
                    "id": member_id,
                    "secretariat_id": sid,
                    "number": position + 1,
                    "role": "titular",
                    "seat_id": seat_id,
                    "full_name": f"Titular {sid}-{position}",
                    "telegram_user_id": person + position,
                    "linked_at": CREATED,
                    "link_noticed_at": CREATED,
                    "created_at": CREATED,
                }
            )
            if position == len(DEFAULT_SEATS):
                unanswered.append(person + position)
            else:
                answers.append(
                    {
                        "meeting_id": sid,
                        "seat_id": seat_id,
                        "member_id": member_id,
                        "role": "titular",
                        "answer": "asistire",
                        "at": ANSWERED + timedelta(minutes=position),
                    }
                )
        meetings.append(
            {
                "id": sid,
                "secretariat_id": sid,
                "number": 1,
                "kind": "ordinaria",
                "ordinal": 1,
                "title": "Primera Sesión Ordinaria 2026",
                "starts_at": STARTS,
                "place": "Sala de Cabildo",
                "agenda": AGENDA,
                "state": "convocada",
                "created_at": CONVENED - timedelta(minutes=5),
                "created_by": facilitator_id,
                "convened_at": CONVENED,
            }
        )
    async with db.begin() as session:
        for model, rows in (
            (Secretariat, secretariats),
            (Seat, seats),
            (Member, members),
            (Meeting, meetings),
            (AttendanceAnswer, answers),
        ):
            await session.execute(insert(model), rows)
    await engine.dispose()
    return unanswered


async def pending_moments(db: Database, now: datetime) -> Counter[str]:
    """Reminder moments after ``now`` per kind, as the scheduler derives them."""
    async with db() as session:
        plan = await reminder_plan.plan(session, now=now)
    counts: Counter[str] = Counter()
    for series in plan.series:
        counts[series.kind.value] += sum(1 for m in series.moments if m.due > now)
    return counts


# ====================================================================== the bot
class OffsetClock:
    """Real time plus a constant: the job queue's real seconds and the bot's clock agree."""

    def __init__(self, start: datetime) -> None:
        self.delta = start - datetime.now(UTC)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.delta

    def monotonic_of(self, moment: datetime) -> float:
        """``time.monotonic()`` (the fake's ``Call.at``) when this clock reads ``moment``."""
        return time.monotonic() + (moment - self()).total_seconds()


def limiter(no_limits: bool) -> DeliveryRateLimiter | None:
    """Production's limiter (``None``: the default), or one that never waits."""
    if not no_limits:
        return None
    return DeliveryRateLimiter(
        overall_rate=1_000_000,
        private_interval=0.0,
        group_rate=1_000_000,
        group_interval=0.0,
        margin=0.0,
        backoff_base=0.05,
    )


@dataclass
class StartUp:
    """How long the bot took to reach its scheduled state."""

    seconds: float = 0.0  # initialize + post_init, menus included
    scheduled_seconds: float = 0.0  # from the start until planner.start returned
    scheduler_seconds: float = 0.0  # inside it: scheduler.planner.start
    armed: datetime | None = None


async def start_up(app: StmApplication) -> StartUp:
    """``initialize`` + ``post_init``, timed; ``planner.start`` timed on its own too."""
    result = StartUp()
    original = reminder_jobs.start

    began = time.perf_counter()

    async def timed_start(application: StmApplication, **callbacks: Any) -> None:
        entered = time.perf_counter()
        try:
            await original(application, **callbacks)
        finally:
            result.scheduler_seconds = time.perf_counter() - entered
            result.scheduled_seconds = time.perf_counter() - began

    reminder_jobs.start = timed_start  # type: ignore[assignment]  # bot.app looks it up at call time
    try:
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        result.seconds = time.perf_counter() - began
    finally:
        reminder_jobs.start = original
    armed = reminder_jobs.next_wake(app)
    result.armed = armed.astimezone(UTC) if armed else None
    return result


async def stop(app: StmApplication, *, polling: bool) -> None:
    """Stop like ``run_polling`` does on exit."""
    if polling:
        assert app.updater is not None
        await app.updater.stop()
        await app.stop()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
    await app.shutdown()


def rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ====================================================================== the burst
@dataclass
class Burst:
    """What the fake received for the RSVP reminders of the burst."""

    chats: set[int]
    due_mono: float  # time.monotonic() (the fake's Call.at) at the due moment
    cursor: int  # the next call to look at
    arrivals: dict[int, list[float]] = field(default_factory=dict)  # chat -> Call.at
    too_many: int = 0  # 429s among those calls
    failed: int = 0  # other failed calls among them
    others: int = 0  # other messages the bot sent meanwhile
    early: int = 0  # arrived before the due moment (must be 0)

    @property
    def sent(self) -> int:
        return sum(len(times) for times in self.arrivals.values())

    @property
    def duplicates(self) -> int:
        return self.sent - len(self.arrivals)

    @property
    def lost(self) -> int:
        return len(self.chats) - len(self.arrivals)

    def lateness(self) -> list[float]:
        """Seconds from the due moment to each chat's (first) reminder."""
        return sorted(min(times) - self.due_mono for times in self.arrivals.values())


async def watch(fake: FakeBotAPI, burst: Burst, deadline: float) -> None:
    """Read the fake's calls until every chat got its reminder or ``deadline`` (monotonic)."""
    while True:
        calls = fake.calls
        for call in calls[burst.cursor :]:
            if call.method not in ("sendMessage", "sendDocument", "editMessageText"):
                continue
            chat = int(call.params.get("chat_id", 0))
            if chat in burst.chats and MARKER in str(call.params.get("text", "")):
                if call.ok:
                    burst.arrivals.setdefault(chat, []).append(call.at)
                    burst.early += call.at < burst.due_mono
                elif call.status == 429:
                    burst.too_many += 1
                else:
                    burst.failed += 1
            elif call.ok:
                burst.others += 1
        burst.cursor = len(calls)
        if len(burst.arrivals) >= len(burst.chats) or time.monotonic() > deadline:
            return
        await asyncio.sleep(POLL)


async def ledger(db: Database, due: datetime) -> Counter[str]:
    """The RSVP reminders of ``due`` in the ledger, by status."""
    async with db() as session:
        rows = await session.execute(
            select(Reminder.status, func.count())
            .where(Reminder.kind == "asistencia", Reminder.due_at == due)
            .group_by(Reminder.status)
        )
        return Counter({status: count for status, count in rows})


async def settled(db: Database, due: datetime, n: int, deadline: float) -> Counter[str]:
    """Wait until the tick recorded every outcome (nothing left ``enviando``)."""
    while True:
        counts = await ledger(db, due)
        if (counts.total() >= n and counts["pendiente"] == 0) or time.monotonic() > deadline:
            return counts
        await asyncio.sleep(0.1)


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not ordered:
        return math.nan
    return ordered[max(1, min(len(ordered), math.ceil(q / 100 * len(ordered)))) - 1]


def db_size(path: Path) -> float:
    """The SQLite file with its WAL, in MiB."""
    parts = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    return sum(p.stat().st_size for p in parts if p.exists()) / 2**20


def utc(moment: datetime | None) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC" if moment else "nothing"


# ====================================================================== run
@dataclass
class Figures:
    """Everything the table prints."""

    count: int
    no_limits: bool
    seeding: float
    pending: Counter[str]
    cold: StartUp
    menus: int
    menus_seconds: float
    rederive: list[float]
    rearmed: datetime | None
    warm: StartUp
    ahead: float
    burst: Burst
    ledger: Counter[str]
    wake: datetime | None
    peak: float
    size: float


async def run(count: int, no_limits: bool) -> Figures:
    due = RSVP_3D
    with (
        tempfile.TemporaryDirectory(prefix="stm-bench-") as tmp,
        FakeBotAPI(token=TOKEN, bot_username="stm_prueba_bot", rate_limits=not no_limits) as fake,
    ):
        path = Path(tmp) / "bench.sqlite3"
        database_url = f"sqlite+aiosqlite:///{path}"
        began = time.perf_counter()
        unanswered = await seed(database_url, count)
        seeding = time.perf_counter() - began
        for index in range(count * PER_SECRETARIAT):
            fake.add_user(FIRST_PERSON + index, f"Persona {index + 1}", started=True)
        settings = Settings(
            token=TOKEN, api_url=fake.url, database_url=database_url, web_port=None
        )

        # -------------------------------------------------- 1. cold start, an hour ahead
        clock = OffsetClock(due - COLD_LEAD)
        db = make_sessionmaker(make_engine(database_url))
        pending = await pending_moments(db, clock())
        app = build_application(settings, clock=clock, db=db, rate_limiter=limiter(no_limits))
        mark = fake.mark()
        cold = await start_up(app)
        menu_calls = [
            c for c in fake.calls[mark:] if c.method in ("setMyCommands", "deleteMyCommands")
        ]
        rederive: list[float] = []
        for _ in range(REDERIVE_RUNS):
            began = time.perf_counter()
            sent = await reminder_jobs.run(app, None)
            rederive.append(time.perf_counter() - began)
            assert sent == 0, f"{sent} reminders sent an hour before their moment"
        rearmed = reminder_jobs.next_wake(app)
        await stop(app, polling=False)

        # -------------------------------------------------- 2. restart, then the burst
        lead = timedelta(seconds=1.5 * cold.seconds + max(rederive) + MARGIN)
        clock = OffsetClock(due - lead)
        db = make_sessionmaker(make_engine(database_url))
        app = build_application(settings, clock=clock, db=db, rate_limiter=limiter(no_limits))
        burst = Burst(set(unanswered), clock.monotonic_of(due), fake.mark())
        warm = await start_up(app)
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0, timeout=timedelta(seconds=1), allowed_updates=ALLOWED_UPDATES
        )
        await app.start()
        ahead = (due - clock()).total_seconds()
        n = len(unanswered)
        try:
            await watch(fake, burst, burst.due_mono + 3 * n / OVERALL_PER_SECOND + 30)
            status = await settled(db, due, n, time.monotonic() + 30)
            await asyncio.sleep(1.0)  # a reminder sent twice would show up by now
            await watch(fake, burst, 0.0)
            wake = reminder_jobs.next_wake(app)
        finally:
            await stop(app, polling=True)
        return Figures(
            count=count,
            no_limits=no_limits,
            seeding=seeding,
            pending=pending,
            cold=cold,
            menus=len(menu_calls),
            menus_seconds=menu_calls[-1].at - menu_calls[0].at if menu_calls else 0.0,
            rederive=rederive,
            rearmed=rearmed,
            warm=warm,
            ahead=ahead,
            burst=burst,
            ledger=status,
            wake=wake,
            peak=rss_mib(),
            size=db_size(path),
        )


def report(f: Figures) -> bool:
    """Print the table; whether the run passed."""
    burst, n = f.burst, len(f.burst.chats)
    late = burst.lateness()
    bound = n / OVERALL_PER_SECOND
    enforced = "not enforced" if f.no_limits else "at 30/s"
    armed_ok = f.cold.armed == f.warm.armed == f.rearmed == RSVP_3D
    rows = [
        ("secretariats", f"{f.count} ({f.count * PER_SECRETARIAT} linked accounts)"),
        ("seeding", f"{f.seeding:.2f} s (bulk inserts)"),
        ("limits", "none (--no-limits)" if f.no_limits else "Telegram's (30/s, 1/s per chat)"),
        (
            "pending moments",
            f"{f.pending.total()} after {RSVP_3D - COLD_LEAD:%Y-%m-%d %H:%M} UTC ("
            + ", ".join(f"{kind} {k}" for kind, k in sorted(f.pending.items()))
            + ")",
        ),
        ("start-up, cold", f"{f.cold.scheduled_seconds:.2f} s to the scheduled state"),
        ("  with menus", f"{f.cold.seconds:.2f} s until post_init returned"),
        (
            "  start-up menus",
            f"{f.menus_seconds:.2f} s ({f.menus} setMyCommands: defaults + 1 per account,"
            " first start)",
        ),
        ("  planner.start", f"{f.cold.scheduler_seconds:.2f} s (derive all, arm the job)"),
        (
            "start-up, restart",
            f"{f.warm.scheduled_seconds:.2f} s to the scheduled state, {f.warm.seconds:.2f} s"
            f" with menus (planner.start {f.warm.scheduler_seconds:.2f} s)",
        ),
        ("re-derive, none due", ", ".join(f"{s:.2f} s" for s in f.rederive)),
        ("armed for", f"{utc(f.warm.armed)} ({'as expected' if armed_ok else 'WRONG'})"),
        ("scheduled ahead", f"{f.ahead:.2f} s before the RSVP moment"),
        ("RSVP reminders", f"{len(burst.arrivals)} of {n} chats, {burst.sent} messages"),
        ("lateness first", f"{late[0] if late else math.nan:.2f} s"),
        ("lateness p50", f"{percentile(late, 50):.2f} s (bound {enforced}: {bound / 2:.2f} s)"),
        ("lateness p99", f"{percentile(late, 99):.2f} s (bound {enforced}: {0.99 * bound:.2f} s)"),
        ("lateness max", f"{percentile(late, 100):.2f} s (bound {enforced}: {bound:.2f} s)"),
        ("ratio max/bound", f"{percentile(late, 100) / bound:.3f}"),
        ("duplicates", str(burst.duplicates)),
        ("lost", str(burst.lost)),
        ("sent early", str(burst.early)),
        ("429s / failures", f"{burst.too_many} / {burst.failed}"),
        ("other messages", str(burst.others)),
        ("ledger", ", ".join(f"{k} {v}" for k, v in sorted(f.ledger.items())) or "empty"),
        ("next wake", utc(f.wake)),
        ("peak memory", f"{f.peak:.0f} MiB (ru_maxrss: includes seeding and the fake Bot API)"),
        ("database size", f"{f.size:.1f} MiB (SQLite file + WAL)"),
    ]
    width = max(len(key) for key, _ in rows) + 2
    for key, value in rows:
        print(f"{key + ':':<{width}}{value}")
    return (
        burst.sent == n
        and burst.duplicates == 0
        and burst.lost == 0
        and burst.early == 0
        and f.ahead > 0
        and armed_ok
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--secretariats", type=int, default=1000, help="secretariats to seed")
    parser.add_argument(
        "--no-limits",
        action="store_true",
        help="no flood control in the fake, no spacing in the bot (the bot's own overhead)",
    )
    args = parser.parse_args()
    if args.secretariats < 1:
        parser.error("--secretariats must be at least 1")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    figures = asyncio.run(run(args.secretariats, args.no_limits))
    raise SystemExit(0 if report(figures) else 1)


if __name__ == "__main__":
    main()
