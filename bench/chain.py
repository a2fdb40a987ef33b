"""Benchmark: the hash chain of recorded acts (issue 15) — append cost and full verification.

Over a temporary SQLite file (and PostgreSQL when one answers at ``BENCH_POSTGRES_URL``,
default ``postgresql+asyncpg://postgres@127.0.0.1:5432/bench_chain``, created and dropped
here), migrated to head, with one secretariat, its five seats and titulars and one open
vote seeded through the models:

1. **build**: ``--acts`` ballots (default 100,000) recorded through the real path,
   ``storage.services.ballots.cast_many`` (the bot's: the vote's row locked, the ballots
   inserted, the seats' running tally upserted, the counts and the audit written, and the
   batch appended with ``act_chain.append_many`` under the head's lock), ``--batch``
   presses per unit of work (default 50). Printed: acts per second and µs per act.
2. **append cost per act**: ``--samples`` units of work (default 2,000) of one ballot each,
   alternating *with* the chain and *without* it: the statements ``cast_many`` writes for
   one ballot (``INSERT … RETURNING`` into ``ballots``, the running-tally upsert), then
   ``act_chain.append`` or nothing (the unchained ones on a second vote, so the chained
   vote's tally stays the chain's), timed with ``time.perf_counter()`` from ``begin`` to
   after the commit. Printed: p50 and p95 in µs of each, and the ratio with / without.
3. **full verification**: ``act_chain.verify`` of the whole chain (read every entry,
   re-link, re-hash, re-derive every ballot from its row and every running-tally row),
   timed once after a warm-up read: total seconds and µs per entry.

Figures only: nothing here asserts on time (``tests/test_bench_chain.py`` runs it
with a small ``--acts`` to keep it working).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from domain import act_chain as chain  # noqa: E402
from storage.db import (  # noqa: E402
    Database,
    insert_for,
    make_engine,
    make_sessionmaker,
)
from storage.migrate import upgrade  # noqa: E402
from storage.models import Ballot, Member, Seat, SeatBallot, Secretariat, Vote  # noqa: E402
from storage.services import act_chain, ballots  # noqa: E402

NOW = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
CHOICES = ("a_favor", "en_contra", "abstencion")
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_chain"


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))]


async def seed(db: Database) -> tuple[int, list[int], list[tuple[int, int]]]:
    """One secretariat, five seats with their titulars (Telegram ids 1..5), two open votes."""
    async with db.begin() as session:
        secretariat = Secretariat(name="Zamora", created_at=NOW, created_by=1)
        session.add(secretariat)
        await session.flush()
        facilitator = Member(
            secretariat_id=secretariat.id, number=1, role="facilitador", created_at=NOW
        )
        session.add(facilitator)
        voters: list[tuple[int, int]] = []
        for i, key in enumerate(("gobierno", "garante", "sociedad_civil", "academia", "cdn")):
            seat = Seat(
                secretariat_id=secretariat.id, key=key, name=key, position=i, created_at=NOW
            )
            session.add(seat)
            await session.flush()
            member = Member(
                secretariat_id=secretariat.id,
                number=i + 2,
                role="titular",
                seat_id=seat.id,
                telegram_user_id=i + 1,
                created_at=NOW,
            )
            session.add(member)
            await session.flush()
            voters.append((seat.id, member.id))
        await session.flush()
        votes = [
            Vote(
                secretariat_id=secretariat.id,
                kind="electronica",
                text=f"Propuesta {n}",
                state="abierta",
                created_at=NOW,
                created_by=facilitator.id,
                eligible_seats=[s for s, _ in voters],
            )
            for n in (1, 2)
        ]
        session.add_all(votes)
        await session.flush()
        return secretariat.id, [v.id for v in votes], voters


async def cast(db: Database, vote_id: int, start: int, n: int) -> None:
    """``n`` presses through the bot's own path, one unit of work."""
    presses = [
        ballots.Press(k % 5 + 1, CHOICES[k % 3], NOW + timedelta(seconds=k))
        for k in range(start, start + n)
    ]
    async with db.begin() as session:
        done = await ballots.cast_many(session, vote_id=vote_id, presses=presses)
    refused = [r for r in done if not isinstance(r, ballots.Casted)]
    assert not refused, refused


def ballot_rows(vote_id: int, voters: list[tuple[int, int]], start: int, n: int) -> list[dict]:
    """``n`` ballots from act number ``start`` on, one second apart, choices cycling."""
    rows = []
    for k in range(start, start + n):
        seat_id, member_id = voters[k % len(voters)]
        rows.append(
            {
                "vote_id": vote_id,
                "seat_id": seat_id,
                "member_id": member_id,
                "role": "titular",
                "choice": CHOICES[k % 3],
                "at": NOW + timedelta(seconds=k),
            }
        )
    return rows


async def record(db: Database, sid: int, rows: list[dict], *, chained: bool) -> None:
    """One unit of work: the ballots and the tally written as the service does, chained or
    not."""
    async with db.begin() as session:
        conn = await session.connection()
        table = Ballot.__table__
        ids = list(
            await conn.scalars(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
            )
        )
        upsert = insert_for(session, SeatBallot)
        await conn.execute(
            upsert.on_conflict_do_update(
                index_elements=["vote_id", "seat_id", "role"],
                set_={
                    "member_id": upsert.excluded.member_id,
                    "choice": upsert.excluded.choice,
                    "at": upsert.excluded.at,
                },
            ),
            rows,
        )
        if chained:
            await act_chain.append_many(
                session, secretariat_id=sid, acts=act_chain.ballot_acts(rows, ids)
            )


async def run(url: str, label: str, acts: int, batch: int, samples: int) -> None:
    """The three measurements on one database."""
    engine = make_engine(url)
    try:
        await upgrade(engine)
        db = make_sessionmaker(engine)
        sid, (vote_id, plain_vote), voters = await seed(db)
        started = time.perf_counter()
        done = 0
        while done < acts:
            n = min(batch, acts - done)
            await cast(db, vote_id, done, n)
            done += n
        built = time.perf_counter() - started
        print(
            f"[{label}] build: {acts:,} acts in {built:.1f} s "
            f"({acts / built:,.0f} acts/s, {built / acts * 1e6:,.0f} µs/act, batches of {batch})"
        )
        with_chain: list[float] = []
        without: list[float] = []
        for k in range(samples):
            chained = k % 2 == 0
            rows = ballot_rows(vote_id if chained else plain_vote, voters, acts + k, 1)
            t0 = time.perf_counter()
            await record(db, sid, rows, chained=chained)
            (with_chain if k % 2 == 0 else without).append((time.perf_counter() - t0) * 1e6)
        total = acts + (samples + 1) // 2
        p50w, p95w = percentile(with_chain, 50), percentile(with_chain, 95)
        p50o, p95o = percentile(without, 50), percentile(without, 95)
        print(
            f"[{label}] append, one act per unit of work ({len(with_chain):,} samples each): "
            f"with chain p50 {p50w:,.0f} µs, p95 {p95w:,.0f} µs; without p50 {p50o:,.0f} µs, "
            f"p95 {p95o:,.0f} µs; ratio p50 {p50w / p50o:.2f}, p95 {p95w / p95o:.2f}"
        )
        async with db() as session:  # warm the caches the verification reads
            await session.execute(text("SELECT count(*) FROM chain_entries"))
        t0 = time.perf_counter()
        async with db() as session:
            verified = await act_chain.verify(session, sid)
        took = time.perf_counter() - t0
        assert verified.position == total, (verified.position, total)
        state = "íntegra" if verified.mismatch is None else f"NO COINCIDE: {verified.mismatch}"
        print(
            f"[{label}] verify: {verified.position:,} entries in {took:.2f} s "
            f"({took / verified.position * 1e6:,.1f} µs/entry): {state}"
        )
        if verified.mismatch is not None:
            raise SystemExit(1)
        # Control: one entry's hash by itself, the floor of verification's per-entry cost.
        t0 = time.perf_counter()
        for _ in range(10_000):
            chain.entry_hash(chain.GENESIS, 1, "voto", "x", '{"a":1}')
        print(f"[{label}] entry_hash alone: {(time.perf_counter() - t0) / 10_000 * 1e6:.1f} µs")
    finally:
        await engine.dispose()


async def postgres_database(url: str) -> str | None:
    """Create the bench's PostgreSQL database afresh; None when no server answers."""
    import asyncpg

    parsed = make_url(url)
    name = parsed.database or "bench_chain"
    try:
        conn = await asyncpg.connect(
            host=parsed.host, port=parsed.port or 5432, user=parsed.username,
            password=parsed.password, database="postgres", timeout=3,
        )  # fmt: skip
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return None
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return url


async def drop_postgres(url: str) -> None:
    import asyncpg

    parsed = make_url(url)
    conn = await asyncpg.connect(
        host=parsed.host, port=parsed.port or 5432, user=parsed.username,
        password=parsed.password, database="postgres",
    )  # fmt: skip
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}"')
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--acts", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--samples", type=int, default=2_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stm-bench-chain-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'chain.sqlite3'}"
        asyncio.run(run(url, "SQLite", args.acts, args.batch, args.samples))
    if args.no_postgres:
        return
    pg = asyncio.run(postgres_database(os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_PG))
    if pg is None:
        print("[PostgreSQL] not reachable: skipped")
        return
    try:
        asyncio.run(run(pg, "PostgreSQL", args.acts, args.batch, args.samples))
    finally:
        asyncio.run(drop_postgres(pg))


if __name__ == "__main__":
    main()
