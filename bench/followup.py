"""Benchmark: the follow-up registers at scale — /acuerdos, /compromisos, the planner's start-up.

(Not to be confused with ``bench/followups.py``, the follow-ups of a button press.)

Seeds two temporary SQLite files with ``bench/scheduler.py``'s stage — N secretariats
(default 1000), each with five seats, a linked facilitator and five linked titulars, a
convened session and its 10 pending reminder moments — and, in the second file only, the
follow-up registers of each secretariat, bulk-inserted through the models:

* 200 agreements (``ACU-2026-001`` … ``-200``, each with its ``registro`` change): 100
  ``cumplido`` and 20 ``cancelado`` (with their ``estado`` change), 40 ``en_proceso`` and
  40 ``pendiente``; 60 of the 80 open ones have a responsible seat (round robin) and a due
  date spread over 2026-12-09 … 2027-11-30, so each brings R16's ``recordar_acuerdo``
  reminders (5d,1d) for the responsible titular and the facilitator; 20 have neither;
* 20 commitments of the action plan (R16a), each with 5 milestones of weights 1–3, the
  first k of them done (k = commitment number mod 6), levels as the milestones say.

1. Start-up: the bot is built with ``bot.app.build_application`` as production does, its
   clock an hour before the first RSVP moment (2026-12-02 14:00 UTC), and started
   (``initialize`` + ``post_init``) on each file in turn, ``ROUNDS`` times, alternating;
   printed: the time to the scheduled state and ``planner.start`` alone (median of the
   rounds), and the full re-derivation with nothing due (the hourly sweep), with the
   follow-up file's figures as a ratio of the baseline's. The target is a ratio <= 1.20
   (the issue: no regression of ``bench/scheduler.py``'s start-up beyond 20 %).
2. Answers: the bot polls the follow-up file against the fake Bot API with Telegram's
   limits enforced; the facilitators of SAMPLES different secretariats send, one at a
   time, ``/acuerdos`` (80 open agreements), ``/acuerdos todos`` (200) and
   ``/compromisos`` (20 commitments), and press ``Siguientes ▶`` under ``/acuerdos
   todos`` (a register is one message of 15 per page, the other pages an edit of it).
   Latency runs from the injection into the fake to the fake recording the answer
   (``sendMessage``, or ``editMessageText`` for the press); p50 / p99 / max, target p99
   <= 1 s; the messages column says how many messages one answer took::

    .venv/bin/python bench/followup.py [--secretariats 1000] [--samples 100]

Exit code 0 when every answer arrived and both targets were met, else 1.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's directory comes first on sys.path, where bench/scheduler.py
# would shadow the ``scheduler`` package: the project root goes first, the folder out.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

import scheduler.planner as reminder_jobs  # noqa: E402
from bench import common  # noqa: E402
from bench import scheduler as stage  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.settings import Settings  # noqa: E402
from domain.action_plan import Milestone, level_of  # noqa: E402
from domain.roster import DEFAULT_SEATS  # noqa: E402
from storage.db import make_engine, make_sessionmaker  # noqa: E402
from storage.models import (  # noqa: E402
    Agreement,
    AgreementChange,
    Commitment,
    CommitmentChange,
    CommitmentMilestone,
)
from tests.fakebot import Call, FakeBotAPI  # noqa: E402

AGREEMENTS = 200
COMMITMENTS = 20
MILESTONES = 5
ROUNDS = 3
TARGET_RATIO = 1.20
TARGET_P99 = 1.0  # seconds, to the last message of the answer
FIRST_DUE = date(2026, 12, 9)
DUE_SPAN_DAYS = 356  # … 2027-11-30
REGISTERED = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
TIMEOUT = 30.0


# ====================================================================== seeding
def _status(k: int) -> str:
    """Agreement k (0-based) of a secretariat: 100 cumplido, 20 cancelado, 40 + 40 open."""
    if k < 100:
        return "cumplido"
    if k < 120:
        return "cancelado"
    return "en_proceso" if k < 160 else "pendiente"


async def seed_follow_up(database_url: str, count: int) -> int:
    """The registers described above, on top of the scheduler stage; returns the rows."""
    engine = make_engine(database_url)
    db = make_sessionmaker(engine)
    per = stage.PER_SECRETARIAT
    seats = len(DEFAULT_SEATS)
    agreements: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    commitments: list[dict[str, Any]] = []
    milestones: list[dict[str, Any]] = []
    commitment_changes: list[dict[str, Any]] = []
    open_with_due = 0
    for i in range(count):
        sid = i + 1
        facilitator = per * i + 1
        for k in range(AGREEMENTS):
            aid = AGREEMENTS * i + k + 1
            status = _status(k)
            due = None
            seat = None
            if status in ("cumplido", "cancelado") or (k - 120) % 4 != 3:
                seat = seats * i + k % seats + 1
                offset = (k * 7 + i) % DUE_SPAN_DAYS
                due = FIRST_DUE + timedelta(days=offset)
                open_with_due += status not in ("cumplido", "cancelado")
            agreements.append(
                {
                    "id": aid,
                    "secretariat_id": sid,
                    "year": 2026,
                    "sequence": k + 1,
                    "code": f"ACU-2026-{k + 1:03d}",
                    "meeting_id": sid,
                    "text": f"Acuerdo {k + 1} del secretariado {sid}: dar seguimiento al plan",
                    "responsible_seat_id": seat,
                    "due_date": due,
                    "status": status,
                    "created_at": REGISTERED,
                    "created_by": facilitator,
                }
            )
            changes.append(
                {
                    "agreement_id": aid,
                    "at": REGISTERED,
                    "member_id": facilitator,
                    "kind": "registro",
                    "status": "pendiente",
                    "note": None,
                }
            )
            if status != "pendiente":
                changes.append(
                    {
                        "agreement_id": aid,
                        "at": REGISTERED + timedelta(days=1),
                        "member_id": facilitator,
                        "kind": "estado",
                        "status": status,
                        "note": "Oficio de seguimiento",
                    }
                )
        for c in range(COMMITMENTS):
            cid = COMMITMENTS * i + c + 1
            done = (c + 1) % 6
            weights = [1 + (c + m) % 3 for m in range(MILESTONES)]
            level = level_of(Milestone(w, m < done) for m, w in enumerate(weights))
            commitments.append(
                {
                    "id": cid,
                    "secretariat_id": sid,
                    "number": c + 1,
                    "title": f"Compromiso {c + 1}: datos abiertos de obra pública",
                    "problem": "La información de obra pública no es accesible.",
                    "objective": "Publicar cada obra con su avance y su costo.",
                    "institution": "Dirección de Obras Públicas",
                    "responsible_seat_id": seats * i + c % seats + 1,
                    "supporters": "Academia y sociedad civil",
                    "starts_on": date(2026, 1, 15),
                    "ends_on": date(2027, 12, 15),
                    "ogp_values": "transparencia,rendición de cuentas",
                    "level": level.value,
                    "level_manual": False,
                    "level_reason": None,
                    "created_at": REGISTERED,
                    "created_by": facilitator,
                }
            )
            commitment_changes.append(
                {
                    "commitment_id": cid,
                    "milestone_id": None,
                    "at": REGISTERED,
                    "member_id": facilitator,
                    "kind": "registro",
                    "level": "no_iniciado",
                    "note": None,
                }
            )
            for m, weight in enumerate(weights):
                milestones.append(
                    {
                        "id": MILESTONES * (cid - 1) + m + 1,
                        "commitment_id": cid,
                        "number": m + 1,
                        "text": f"Hito {m + 1}: entregable verificable",
                        "due_date": date(2026, 3 + 2 * m, 28),
                        "weight": weight,
                        "done": m < done,
                        "done_at": REGISTERED if m < done else None,
                        "evidence": "https://ejemplo.gob.mx/evidencia" if m < done else None,
                        "created_at": REGISTERED,
                    }
                )
    async with db.begin() as session:
        for model, rows in (
            (Agreement, agreements),
            (AgreementChange, changes),
            (Commitment, commitments),
            (CommitmentChange, commitment_changes),
            (CommitmentMilestone, milestones),
        ):
            for start in range(0, len(rows), 20_000):
                await session.execute(insert(model), rows[start : start + 20_000])
    await engine.dispose()
    return open_with_due


# ====================================================================== 1. start-up
@dataclass
class StartUps:
    """Seconds per round, for one file."""

    scheduled: list[float] = field(default_factory=list)
    planner: list[float] = field(default_factory=list)
    rederive: list[float] = field(default_factory=list)
    pending: int = 0
    armed: datetime | None = None


async def start_once(fake: FakeBotAPI, database_url: str, into: StartUps) -> None:
    """One start on ``database_url`` an hour before the RSVP moment, timed, then stopped."""
    settings = Settings(
        token=stage.TOKEN, api_url=fake.url, database_url=database_url, web_port=None
    )
    clock = stage.OffsetClock(stage.RSVP_3D - stage.COLD_LEAD)
    db = make_sessionmaker(make_engine(database_url))
    if not into.pending:
        into.pending = (await stage.pending_moments(db, clock())).total()
    app = build_application(settings, clock=clock, db=db)
    started = await stage.start_up(app)
    into.scheduled.append(started.scheduled_seconds)
    into.planner.append(started.scheduler_seconds)
    into.armed = started.armed
    began = time.perf_counter()
    sent = await reminder_jobs.run(app, None)
    into.rederive.append(time.perf_counter() - began)
    assert sent == 0, f"{sent} reminders sent an hour before their moment"
    await app.quiet()  # the start-up menus went out before the bot stops
    await stage.stop(app, polling=False)


# ====================================================================== 2. answers
@dataclass
class Series:
    """Latencies of one command or press, in seconds."""

    name: str
    values: list[float] = field(default_factory=list)
    parts: int = 0  # messages of the answer (pages are edits of one message)


def _to(chat_id: int, method: str = "sendMessage") -> Any:
    return lambda c: c.method == method and c.ok and common.chat_of(c) == chat_id


async def _arrival(future: asyncio.Future[Call], what: str) -> Call:
    try:
        return await asyncio.wait_for(future, TIMEOUT)
    except TimeoutError:
        raise SystemExit(f"no answer for {what} within {TIMEOUT:.0f} s") from None


async def answers(fake: FakeBotAPI, database_url: str, count: int, samples: int) -> list[Series]:
    """Each command from ``samples`` facilitators of different secretariats, one at a time;
    after ``/acuerdos todos``, the press of ``Siguientes ▶`` (the next page, an edit)."""
    settings = Settings(
        token=stage.TOKEN, api_url=fake.url, database_url=database_url, web_port=None
    )
    clock = stage.OffsetClock(stage.RSVP_3D - stage.COLD_LEAD)
    app = build_application(settings, clock=clock)
    step = max(1, count // samples)
    facilitators = [
        stage.FIRST_PERSON + stage.PER_SECRETARIAT * (n * step % count) for n in range(samples)
    ]

    async def scenario() -> list[Series]:
        watch = common.Watch(fake, asyncio.get_running_loop())
        out = {
            name: Series(name)
            for name in ("/acuerdos", "/acuerdos todos", "Siguientes ▶ (edit)", "/compromisos")
        }
        try:
            await asyncio.sleep(1.0)
            for user in facilitators:
                for text in ("/acuerdos", "/acuerdos todos", "/compromisos"):
                    mark = fake.mark()
                    reply = watch.expect(_to(user))
                    began = time.monotonic()
                    fake.send_text(user, text)
                    got = await _arrival(reply, text)
                    out[text].values.append(got.at - began)
                    await app.quiet()
                    parts = sum(1 for c in fake.calls[mark:] if _to(user)(c))
                    out[text].parts = max(out[text].parts, parts)
                    if text == "/acuerdos todos":
                        message_id = got.result["message_id"]  # type: ignore[index]
                        data = dict(fake.buttons(user, message_id))["Siguientes ▶"]
                        edit = watch.expect(_to(user, "editMessageText"))
                        began = time.monotonic()
                        fake.press(user, chat_id=user, message_id=message_id, data=data)
                        got = await _arrival(edit, "Siguientes ▶")
                        out["Siguientes ▶ (edit)"].values.append(got.at - began)
                    await asyncio.sleep(1.1)  # the chat's 1/s bucket refilled
        finally:
            watch.close()
        return list(out.values())

    return await common.polling(app, scenario)


# ====================================================================== run
async def run(count: int, samples: int) -> int:
    with tempfile.TemporaryDirectory(prefix="stm-bench-") as tmp, common.limited_fake() as fake:
        base_url = f"sqlite+aiosqlite:///{Path(tmp) / 'base.sqlite3'}"
        follow_url = f"sqlite+aiosqlite:///{Path(tmp) / 'followup.sqlite3'}"
        began = time.perf_counter()
        await stage.seed(base_url, count)
        await stage.seed(follow_url, count)
        open_with_due = await seed_follow_up(follow_url, count)
        seeding = time.perf_counter() - began
        for index in range(count * stage.PER_SECRETARIAT):
            fake.add_user(stage.FIRST_PERSON + index, f"Persona {index + 1}", started=True)
        base, follow = StartUps(), StartUps()
        await start_once(fake, base_url, StartUps())  # warm-up: imports, first menus
        await start_once(fake, follow_url, StartUps())
        for _ in range(ROUNDS):
            await start_once(fake, base_url, base)
            await start_once(fake, follow_url, follow)
        series = await answers(fake, follow_url, count, samples)
        too_many = fake.too_many_requests

    med = statistics.median
    ratio = med(follow.scheduled) / med(base.scheduled)
    print(
        f"{count} secretariats; follow-up file: {count * AGREEMENTS} agreements "
        f"({open_with_due} open with a due date and a responsible seat), "
        f"{count * COMMITMENTS} commitments, {count * COMMITMENTS * MILESTONES} milestones; "
        f"seeding {seeding:.1f} s"
    )
    print(
        f"pending reminder moments: baseline {base.pending}, follow-up {follow.pending}; "
        f"armed for {stage.utc(base.armed)} / {stage.utc(follow.armed)}"
    )
    print()
    print(f"(1) start-up, median of {ROUNDS} alternating rounds")
    header = f"{'figure':<40} {'baseline':>10} {'follow-up':>10} {'ratio':>7} {'target':>8}"
    print(header)
    print("-" * len(header))
    for name, b, f, target in (
        ("start-up to the scheduled state", base.scheduled, follow.scheduled, TARGET_RATIO),
        ("planner.start alone", base.planner, follow.planner, None),
        ("re-derivation, nothing due", base.rederive, follow.rederive, None),
    ):
        shown = f"<= {target:.2f}" if target else "info"
        print(f"{name:<40} {med(b):>9.2f}s {med(f):>9.2f}s {med(f) / med(b):>7.2f} {shown:>8}")
    print()
    print(f"(2) answers, {samples} facilitators of different secretariats, one at a time")
    header = f"{'command':<22} {'messages':>8} {'p50':>9} {'p99':>9} {'max':>9} {'target':>8}"
    print(header)
    print("-" * len(header))
    for s in series:
        print(
            f"{s.name:<22} {s.parts or '-':>8} "
            f"{common.percentile(s.values, 50) * 1000:>7.1f}ms "
            f"{common.percentile(s.values, 99) * 1000:>7.1f}ms "
            f"{max(s.values) * 1000:>7.1f}ms "
            f"{f'<= {TARGET_P99 * 1000:.0f}':>8}"
        )
    print(f"429s received: {too_many}")
    failures = []
    if ratio > TARGET_RATIO:
        failures.append(f"start-up ratio {ratio:.2f} > {TARGET_RATIO:.2f}")
    if base.armed != follow.armed:
        failures.append("the follow-up file armed the job for another moment")
    for s in series:
        if common.percentile(s.values, 99) > TARGET_P99:
            failures.append(f"{s.name}: p99 {common.percentile(s.values, 99):.3f} s")
    return common.missed(failures)


def main() -> None:
    parser = common.command_line(__doc__)
    parser.add_argument("--secretariats", type=int, default=1000, help="secretariats to seed")
    parser.add_argument("--samples", type=int, default=100, help="answers measured per command")
    args = parser.parse_args()
    if args.secretariats < 1 or args.samples < 1:
        parser.error("--secretariats and --samples must be at least 1")
    common.execute(run(args.secretariats, args.samples))


if __name__ == "__main__":
    main()
