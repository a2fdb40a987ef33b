"""Benchmark: ballots/s with one and two bot replicas on PostgreSQL, and the leader's take-over.

Issue 14 lets several ``python -m bot`` processes share one PostgreSQL database behind a
load balancer, in webhook mode; one of them holds the scheduler's advisory lock
(``bot/leadership.py``) and the others try for it every 2 s. This bench runs real
processes, wired as ``tests/e2e/test_replicas.py`` wires them: the fake Bot API
(Telegram's flood limits on, ``rate_limits=True``; ``answerCallbackQuery`` is not
limited) POSTs each update to ``tests/balancer.py``'s round-robin proxy, which forwards it
to the next replica (``tests.replicas.Replica``, each with its log in a file).

Seed (database ``stm_bench_replicas``, created and dropped): ``tests.replicas.seed`` with
``--secretariats`` secretariats (default 100), each with its facilitator, its group, its
five titulars and an electronic vote open for nine more days (no reminder falls due during
the run), plus a sixth seat nobody holds added to each vote's eligible seats, so that a
vote never closes itself when its five titulars have voted (as ``bench/votes.py`` does).
The seed sent no ballot messages, so the presses are forged on the ballot a titular would
have (``v:<vote id>:1`` "A favor", ``v:<vote id>:2`` "En contra", ``bot/buttons.py``): the
bot re-authorizes every press from the database anyway.

**Figure 1 — ballots/s, one replica against two.** Both replicas run throughout (``a``
started first, so ``a`` leads); only the balancer's upstreams change: ``a`` alone (one
upstream) or ``a`` and ``b``. After one unmeasured burst of each setup, ``--bursts`` rounds
(default 3) of one burst through ``a`` alone and one through both, in turn: on a shared
machine one burst's rate varies by half from the next, and alternating spreads that drift
over both setups (``bench/web.py`` does the same). A burst is ``--presses`` presses
(default 500) injected at once, each by a different titular: the titulars are taken in
turn, and each presses the other choice than its previous one, so every press must be
"Tu voto quedó registrado". One press per titular per burst, because two presses of one
person could reach two replicas and be handled in either order — which one person on
Telegram cannot cause within milliseconds, and which a bench must not count as a
refusal. With 100 secretariats, a burst is 5 presses on each of 100 votes (unlike
``bench/votes.py``'s 500 on one vote, whose ballot box commits them in a few batches).

Per burst: ballots/s = presses / (last ``answerCallbackQuery`` − first injection)
(``Call.at`` and the injections on one monotonic clock), press→answer p50/p99, the
delivery rate (presses / time until the fake's last update was accepted by the webhook)
and "deliv/ans" (that time over the burst's), how the balancer spread the burst, the CPU
the replicas and this process (fake + balancer) spent per ballot (``/proc``), and how busy
the machine's cores were meanwhile (``/proc/stat``, everything on the machine). Printed:
the median of each setup's bursts, their ratio two replicas / one, and each round's ratio.
Every press must be answered "registrado" and, at the end, each vote's stored tally must
equal a recount of its stored ballots (``domain.ballots.counted``) and each titular's last
press, and every vote must still be open (exit code 1 otherwise).

Read the ratio with the machine in mind: it has 2 cores, shared by the replicas, the fake
Bot API and the balancer (both in this process, under one GIL), PostgreSQL, and whatever
else runs. A second replica adds an event loop, not a core: the ratio measures contention
as much as scale-out.

Webhook delivery: Telegram POSTs updates on up to ``setWebhook``'s ``max_connections``
connections at once (default 40; the bot does not set it), so the fake does too here
(``--connections``, default 40; the fake's own default, 1, posts one at a time). The
replica answers each POST at once (it only queues the update, ``web/webhook.py``), but on a
busy replica the answer still waits for its event loop's turn: one at a time, delivery
stalls at what one connection carries, the replicas' queues never fill, and the
"deliv/ans" column (the time the last update was accepted / the time of the last answer)
is 1.00 — delivery, not the replicas, is then the bottleneck. ``--connections 1`` shows it.

**Figure 2 — take-over.** With both replicas up, the leader is killed (SIGKILL) ``--kills``
times (default 5): measured from the kill's wall-clock time to the timestamp (in ms) of the
follower's ``scheduler leader elected`` log line; the killed one is then restarted (it
comes back a follower) and the next round kills the new leader. Then ``--terms`` times
(default 3) the leader is stopped cleanly (SIGTERM: its lock is released at once, the
follower wins it at its next try; the time includes the stopping replica's shutdown up to
the release). PostgreSQL releases a dead session's lock as soon as its socket closes,
which the kernel does at a kill, so the figure is the wait for the follower's next try
(0–2 s) plus the try. Target ≤ 15 s::

    .venv/bin/python bench/replicas.py [--secretariats 100] [--presses 500] [--bursts 3]
        [--connections 40] [--kills 5] [--terms 3] [--postgres URL] [--logs DIR] [--quick]

``--postgres`` is the database to connect through to create and drop
``stm_bench_replicas`` (default ``TEST_DATABASE_URL`` or
``postgresql+asyncpg://postgres@127.0.0.1:5432/test``). ``--quick`` is a smoke run (20
secretariats, 2 bursts of 100, 2 kills, 1 clean stop). Exit code 0 when every press was
registered, the tallies are exact and every take-over took at most 15 s (or when
PostgreSQL is not reachable: the bench is skipped, with the reason), else 1.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's directory comes first on sys.path, where bench/scheduler.py
# would shadow the ``scheduler`` package: the project root goes first, the folder out.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench import common, votes  # noqa: E402
from bot.buttons import Action, encode  # noqa: E402
from domain.ballots import Cast, VoteKind, counted  # noqa: E402
from domain.outcomes import Choice, Tally, tally  # noqa: E402
from domain.roles import Membership, Role, Target  # noqa: E402
from storage.db import Database, make_engine, make_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Ballot, Seat, Secretariat, Vote  # noqa: E402
from storage.services import secretariats  # noqa: E402
from tests.balancer import Balancer  # noqa: E402
from tests.fakebot import Call, FakeBotAPI  # noqa: E402
from tests.harness import TOKEN  # noqa: E402
from tests.replicas import ELECTED, SEATS, Replica, people, seed, titular  # noqa: E402

BENCH_DB = "stm_bench_replicas"
DEFAULT_PG = votes.DEFAULT_PG
REGISTERED = "Tu voto quedó registrado"
A_FAVOR, EN_CONTRA = 1, 2  # bot.buttons.VOTE_CHOICES
CHOICE_OF = {A_FAVOR: Choice.A_FAVOR, EN_CONTRA: Choice.EN_CONTRA}
SILENT_SEAT = ("ayuntamiento", "Ayuntamiento")  # held by nobody: no vote closes itself
TIMEOUT = 120.0  # seconds for one burst to be answered
TAKEOVER_TARGET = 15.0  # seconds (issue 14)
READY = "ready as @"
_STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ")
_TICK = os.sysconf("SC_CLK_TCK")


# ====================================================================== the world
@dataclass
class Voters:
    """Every titular with their vote, who presses next, and what each pressed last."""

    of: dict[int, int]  # titular's user id -> vote id
    order: list[int]
    last: dict[int, int] = field(default_factory=dict)  # user id -> choice last pressed
    cursor: int = 0

    def take(self, n: int) -> list[int]:
        """The next ``n`` titulars in turn (distinct while ``n`` ≤ their number)."""
        picked = [self.order[(self.cursor + k) % len(self.order)] for k in range(n)]
        self.cursor = (self.cursor + n) % len(self.order)
        return picked

    def press(self, fake: FakeBotAPI, uid: int) -> str:
        """``uid`` presses the other choice than last time, on their forged ballot."""
        choice = EN_CONTRA if self.last.get(uid) == A_FAVOR else A_FAVOR
        self.last[uid] = choice
        data = encode(Action.VOTE, self.of[uid], choice)
        return fake.press(uid, chat_id=uid, message_id=1, data=data, forge=True)


async def seed_world(db: Database, count: int) -> Voters:
    """``tests.replicas.seed`` with ``count`` voting secretariats, a silent sixth seat each."""
    now = datetime.now(UTC)
    await seed(db, now, due_in=timedelta(days=9), voting=count, crowd=0)
    async with db.begin() as session:
        rows = (
            await session.execute(
                select(Vote, Secretariat.name).join(
                    Secretariat, Secretariat.id == Vote.secretariat_id
                )
            )
        ).all()
        of: dict[int, int] = {}
        for vote, name in rows:
            n = int(name.rsplit(" ", 1)[1])  # "Municipio <n>"
            membership = Membership(vote.secretariat_id, name, 1, 1, Role.FACILITADOR)
            await secretariats.add_seat(
                session,
                now=now,
                target=Target(vote.secretariat_id, name, membership),
                key=SILENT_SEAT[0],
                name=SILENT_SEAT[1],
            )
            await session.flush()
            silent = await session.scalar(
                select(Seat.id).where(
                    Seat.secretariat_id == vote.secretariat_id, Seat.key == SILENT_SEAT[0]
                )
            )
            assert silent is not None
            vote.eligible_seats = [*vote.eligible_seats, silent]
            for i in range(len(SEATS)):
                of[titular(n, i)] = vote.id
    # interleave the secretariats: consecutive presses are of different votes
    order = sorted(of, key=lambda uid: (uid % 10, uid))
    return Voters(of, order)


async def check_tallies(db: Database, voters: Voters) -> list[str]:
    """Each vote's stored tally against a recount of its ballots and the last presses."""
    expected: dict[int, list[Choice]] = {}
    for uid, choice in voters.last.items():
        expected.setdefault(voters.of[uid], []).append(CHOICE_OF[choice])
    wrong: list[str] = []
    async with db() as session:
        stored = {v.id: v for v in await session.scalars(select(Vote))}
        history: dict[int, list[Cast]] = {}
        for b in await session.scalars(select(Ballot).order_by(Ballot.id)):
            history.setdefault(b.vote_id, []).append(
                Cast(b.seat_id, b.role, b.member_id, Choice(b.choice), b.at)
            )
    for vote_id, vote in stored.items():
        recount = counted(
            history.get(vote_id, []),
            kind=VoteKind(vote.kind),
            eligible_seats=set(vote.eligible_seats),
        )
        recounted = tally(c.choice for c in recount.values())
        wanted = tally(expected.get(vote_id, []))
        kept = Tally(vote.a_favor, vote.en_contra, vote.abstencion)
        seats = len(expected.get(vote_id, []))
        if not (kept == recounted == wanted and vote.voted_seats == seats) or (
            vote.state != "abierta"
        ):
            wrong.append(
                f"vote {vote_id}: stored {kept} ({vote.voted_seats} seats, {vote.state}), "
                f"recount {recounted}, pressed {wanted} ({seats} seats)"
            )
    return wrong


# ====================================================================== measuring
def cpu_seconds(pid: int) -> float:
    """User + system CPU of process ``pid`` (every thread) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of every core so far (``/proc/stat``)."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks) - idle, sum(ticks)


def pending(fake: FakeBotAPI) -> int:
    """Updates the fake has not yet had accepted by the webhook (read under its lock)."""
    with fake.state.lock:
        return len(fake.state.updates)


class Answers:
    """Each press's answer as the fake records it (the fake's thread writes, we read)."""

    def __init__(self, fake: FakeBotAPI) -> None:
        self.arrived: dict[str, tuple[float, str]] = {}
        self.stop = fake.listen(self._on_call)

    def _on_call(self, call: Call) -> None:
        if call.method == "answerCallbackQuery" and call.ok:
            query_id = str(call.params.get("callback_query_id"))
            self.arrived[query_id] = (call.at, str(call.params.get("text") or ""))


@dataclass(frozen=True)
class Burst:
    """One burst's figures."""

    presses: int
    seconds: float  # first injection -> last answer
    delivered: float  # first injection -> the fake's last update accepted by the webhook
    latencies: list[float]
    refused: list[str]  # answers that were not "registrado"
    spread: list[int]  # presses served by each replica (through the balancer)
    replica_cpu: float  # seconds, all replicas
    own_cpu: float  # seconds, this process: the fake and the balancer
    machine: float  # share of all cores busy meanwhile (everything on the machine)

    @property
    def rate(self) -> float:
        return self.presses / self.seconds

    def ms(self, q: float) -> float:
        return common.percentile(self.latencies, q) * 1000


async def burst(
    fake: FakeBotAPI,
    answers: Answers,
    voters: Voters,
    n: int,
    balancer: Balancer,
    replicas: Sequence[Replica],
) -> Burst:
    """``n`` presses by ``n`` titulars injected at once; every answer, timed."""
    served = Counter(balancer.served)
    cpu = [cpu_seconds(r.process.pid) for r in replicas if r.process]
    own = time.process_time()
    ticks = machine_ticks()
    injected: dict[str, float] = {}
    for uid in voters.take(n):
        stamp = time.monotonic()
        injected[voters.press(fake, uid)] = stamp
    first = min(injected.values())
    delivered: float | None = None
    deadline = first + TIMEOUT
    while True:
        if delivered is None and pending(fake) == 0:
            delivered = time.monotonic()
        if delivered is not None and all(q in answers.arrived for q in injected):
            break
        if time.monotonic() > deadline:
            got = sum(q in answers.arrived for q in injected)
            raise AssertionError(f"only {got} of {n} presses answered within {TIMEOUT:.0f} s")
        await asyncio.sleep(0.005)
    own = time.process_time() - own
    busy, total = (after - before for after, before in zip(machine_ticks(), ticks, strict=True))
    spent = sum(
        cpu_seconds(r.process.pid) - c for r, c in zip(replicas, cpu, strict=True) if r.process
    )
    last = max(answers.arrived[q][0] for q in injected)
    refused = [answers.arrived[q][1] for q in injected if REGISTERED not in answers.arrived[q][1]]
    now_served = balancer.served - served
    return Burst(
        presses=n,
        seconds=last - first,
        delivered=delivered - first,
        latencies=[answers.arrived[q][0] - injected[q] for q in injected],
        refused=refused,
        spread=[now_served[r.port] for r in replicas],
        replica_cpu=spent,
        own_cpu=own,
        machine=busy / total if total else 0.0,
    )


def burst_line(label: str, b: Burst) -> str:
    spread = "/".join(str(s) for s in b.spread)
    return (
        f"{label:<10} {b.rate:>9.1f} {b.ms(50):>8.0f} {b.ms(99):>8.0f} "
        f"{b.presses / b.delivered:>11.1f} {b.delivered / b.seconds:>8.2f} {spread:>9} "
        f"{b.replica_cpu / b.presses * 1000:>9.2f} {b.own_cpu / b.presses * 1000:>9.2f} "
        f"{b.machine:>8.0%}"
        f"{'' if not b.refused else f'  {len(b.refused)} REFUSED'}"
    )


HEADER = (
    f"{'burst':<10} {'ballots/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'delivered/s':>11} "
    f"{'deliv/ans':>8} {'spread':>9} {'cpu bots':>9} {'cpu fake':>9} {'machine':>8}"
)


async def figure_one(
    fake: FakeBotAPI, voters: Voters, balancer: Balancer, a: Replica, b: Replica, args: Any
) -> tuple[list[Burst], list[Burst]]:
    """Bursts through ``a`` alone and through ``a`` and ``b`` in turn, printed as they come.

    Both replicas run throughout; only the balancer's upstreams change. Alternating the
    setups burst by burst (after one unmeasured burst of each) spreads the drift of a
    shared machine over both instead of favouring whichever ran second.
    """
    answers = Answers(fake)
    setups = ([a], [a, b])
    try:
        for replicas in setups:  # warm-up
            balancer.upstreams[:] = [r.port for r in replicas]
            await burst(fake, answers, voters, args.presses, balancer, replicas)
        measured: tuple[list[Burst], list[Burst]] = ([], [])
        for k in range(args.bursts):
            for replicas, into in zip(setups, measured, strict=True):
                balancer.upstreams[:] = [r.port for r in replicas]
                x = await burst(fake, answers, voters, args.presses, balancer, replicas)
                print(burst_line(f"{len(replicas)} × {k + 1}", x), flush=True)
                into.append(x)
        return measured
    finally:
        balancer.upstreams[:] = [a.port, b.port]
        answers.stop()


def logged_errors(replica: Replica, limit: int = 40) -> list[str]:
    """``replica``'s ERROR records so far, each with its traceback (at most ``limit`` lines)."""
    lines = replica.text().splitlines()
    kept: list[str] = []
    for k, line in enumerate(lines):
        if " ERROR " in line or " CRITICAL " in line:
            kept.append(f"{replica.name}: {line}")
            for more in lines[k + 1 :]:
                if _STAMP.match(more):
                    break
                kept.append(f"{replica.name}:   {more}")
    return kept[:limit]


# ====================================================================== take-over
def elections(replica: Replica) -> list[float]:
    """Wall-clock times (epoch seconds) of ``replica``'s "leader elected" log lines."""
    times = []
    for line in replica.text().splitlines():
        match = _STAMP.match(line)
        if match and ELECTED in line:
            # the log's asctime is in local time: astimezone() reads the naive stamp as such
            stamp = datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f").astimezone()
            times.append(stamp.timestamp())
    return times


async def take_over(leader: Replica, follower: Replica, *, kill: bool) -> float:
    """Seconds from the leader's death (or stop signal) to the follower's election."""
    before = len(elections(follower))
    assert follower.process is not None
    assert leader.process is not None
    signalled = time.time()
    if kill:
        leader.kill()
    else:
        await asyncio.to_thread(leader.stop)  # SIGTERM, then waits for the exit
    deadline = time.monotonic() + 60
    while len(elections(follower)) <= before:
        assert follower.process.poll() is None, follower.text()[-3000:]
        assert time.monotonic() < deadline, f"{follower.name} never took over"
        await asyncio.sleep(0.02)
    return elections(follower)[before] - signalled


async def figure_two(a: Replica, b: Replica, kills: int, terms: int) -> list[tuple[str, float]]:
    """Kill (then stop) the leader again and again; restart it as a follower each time."""
    leaders = [r for r in (a, b) if r.leads()]
    assert len(leaders) == 1, [r.name for r in leaders]
    leader = leaders[0]
    taken: list[tuple[str, float]] = []
    for kill in [True] * kills + [False] * terms:
        follower = b if leader is a else a
        seconds = await take_over(leader, follower, kill=kill)
        how = "SIGKILL" if kill else "SIGTERM"
        taken.append((how, seconds))
        print(f"{how} {leader.name}: {follower.name} leads after {seconds:.2f} s", flush=True)
        leader.start()  # back as a follower
        await leader.wait_in_log(READY)
        assert not leader.leads(), f"{leader.name} came back leading"
        leader = follower
    return taken


# ====================================================================== the run
def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def median_rate(bursts: Sequence[Burst]) -> float:
    return statistics.median(b.rate for b in bursts)


async def run(args: Any) -> int:
    try:
        url = await votes.postgres_database(args.postgres, create=True, name=BENCH_DB)
    except Exception as exc:  # unreachable, refused, no rights: as bench/votes.py, skipped
        where = make_url(args.postgres).render_as_string(hide_password=True)
        print(f"skipped: replicas need PostgreSQL, not reachable at {where} ({exc!r})")
        return 0
    engine = make_engine(url)
    failures: list[str] = []
    try:
        await upgrade(engine)
        db = make_sessionmaker(engine)
        started = time.monotonic()
        voters = await seed_world(db, args.secretariats)
        print(
            f"seeded {args.secretariats} secretariats ({len(voters.of)} titulars) in "
            f"{time.monotonic() - started:.1f} s; load average {loadavg()}",
            flush=True,
        )
        fake = FakeBotAPI(
            token=TOKEN,
            bot_username="stm_prueba_bot",
            rate_limits=True,
            webhook_connections=args.connections,
        )
        fake.start()
        people(fake, voting=args.secretariats, crowd=0)
        with tempfile.TemporaryDirectory(prefix="stm-bench-replicas-") as tmp:
            where = Path(args.logs or tmp)
            where.mkdir(parents=True, exist_ok=True)
            async with Balancer([]) as balancer:
                a = Replica("a", url, fake, balancer.port, where)
                b = Replica("b", url, fake, balancer.port, where)
                try:
                    failures += await measure(fake, voters, balancer, a, b, args, db)
                finally:
                    await asyncio.to_thread(a.stop)
                    await asyncio.to_thread(b.stop)
        fake.stop()
        fake.assert_no_internal_errors()
    finally:
        await engine.dispose()
        await votes.postgres_database(args.postgres, create=False, name=BENCH_DB)
    return common.missed(failures)


async def measure(
    fake: FakeBotAPI,
    voters: Voters,
    balancer: Balancer,
    a: Replica,
    b: Replica,
    args: Any,
    db: Database,
) -> list[str]:
    failures: list[str] = []
    print(
        f"\nFigure 1: {args.presses} presses a burst, each by another titular; webhook through "
        f"the balancer, {args.connections} POSTs at once at most; PostgreSQL"
    )
    print(HEADER)
    print("-" * len(HEADER))
    a.start()
    await a.wait_in_log(READY)  # a first: a leads, b follows
    b.start()
    await b.wait_in_log(READY)
    one, two = await figure_one(fake, voters, balancer, a, b, args)
    during = loadavg()
    for label, bursts in (("1 replica", one), ("2 replicas", two)):
        latencies = [x for burst in bursts for x in burst.latencies]
        print(
            f"{label}: median {median_rate(bursts):.1f} ballots/s "
            f"(bursts {', '.join(f'{x.rate:.1f}' for x in bursts)}); press→answer over all "
            f"p50 {common.percentile(latencies, 50) * 1000:.0f} ms, "
            f"p99 {common.percentile(latencies, 99) * 1000:.0f} ms"
        )
    pairs = ", ".join(f"{y.rate / x.rate:.2f}" for x, y in zip(one, two, strict=True))
    print(
        f"ratio 2 replicas / 1 replica: {median_rate(two) / median_rate(one):.2f} "
        f"(burst by burst {pairs}; load average {during})"
    )
    errors = [line for r in (a, b) for line in logged_errors(r)]  # before restarts empty them
    if errors:
        print("\n".join(["errors the replicas logged:", *errors]))
        failures.append(f"the replicas logged errors ({sum(' ERROR ' in e for e in errors)})")
    refused = sum(len(x.refused) for x in [*one, *two])
    if refused:
        sample = next(t for x in [*one, *two] for t in x.refused)
        failures.append(f"{refused} presses not answered as registered (e.g. {sample!r})")
    wrong = await check_tallies(db, voters)
    print(
        f"tallies: {len(voters.of) // len(SEATS) - len(wrong)} of "
        f"{len(voters.of) // len(SEATS)} votes equal to a recount and to the last presses"
    )
    failures += wrong[:5]

    print(f"\nFigure 2: take-over of the scheduler's lock (target ≤ {TAKEOVER_TARGET:.0f} s)")
    taken = await figure_two(a, b, args.kills, args.terms)
    for how in ("SIGKILL", "SIGTERM"):
        times = [s for h, s in taken if h == how]
        if times:
            print(
                f"{how}: {len(times)} take-overs, p50 {statistics.median(times):.2f} s, "
                f"max {max(times):.2f} s"
            )
    late = [s for _, s in taken if s > TAKEOVER_TARGET]
    if late:
        failures.append(f"{len(late)} take-overs over {TAKEOVER_TARGET:.0f} s: {late}")
    return failures


def main() -> None:
    parser = common.command_line(__doc__)
    parser.add_argument("--secretariats", type=int, default=100, help="voting secretariats")
    parser.add_argument("--presses", type=int, default=500, help="presses per burst")
    parser.add_argument("--bursts", type=int, default=3, help="measured bursts per setup")
    parser.add_argument("--kills", type=int, default=5, help="SIGKILLs of the leader")
    parser.add_argument("--terms", type=int, default=3, help="SIGTERMs of the leader")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG,
        help=f"PostgreSQL database to connect through to create/drop {BENCH_DB}",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=40,
        help="webhook POSTs the fake makes at once (Telegram's max_connections default: 40)",
    )
    parser.add_argument(
        "--logs", help="keep the replicas' logs (a.log, b.log) in this folder (default: none)"
    )
    parser.add_argument("--quick", action="store_true", help="a fast smoke run")
    args = parser.parse_args()
    if args.quick:
        args.secretariats, args.presses, args.bursts, args.kills, args.terms = 20, 100, 2, 2, 1
    if args.presses > len(SEATS) * args.secretariats:
        parser.error(
            f"--presses may not exceed the titulars ({len(SEATS)} × --secretariats): "
            "one press per titular per burst"
        )
    if min(args.presses, args.bursts, args.secretariats, args.connections) < 1:
        parser.error("--presses, --bursts, --secretariats and --connections must be positive")
    common.execute(run(args))


if __name__ == "__main__":
    main()
